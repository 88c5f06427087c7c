/**
 * Checking untrusted values field by field: the messages the webview posts to the host, the run
 * requests, the messages the host sends the engine worker (and anything else read from outside,
 * such as an attribute typed into the inspector). Each check returns the value, typed, or throws
 * FieldError naming the field (`where`) and what it must be; a tagged union is checked by a table
 * with one row per tag (checkTagged), each row rebuilding its message from checked fields only, so
 * nothing unexpected passes through and a tag without a row is a compile error.
 */

/** What is wrong with one field of a value read from outside: `${field} ${problem}`. */
export class FieldError extends Error {
  constructor(
    /** Where the field is, as a path: 'edit.position.x', 'requestId'. */
    readonly field: string,
    /** What it must be: 'must be an integer'. */
    readonly problem: string,
  ) {
    super(`${field} ${problem}`);
    this.name = 'FieldError';
  }
}

export type Obj = Record<string, unknown>;

/** Either the checked value or what is wrong with it, in words. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Runs a check, turning its FieldError into `{ ok: false, error }`; any other error is a bug and passes. */
export function attempt<T>(check: () => T): Checked<T> {
  try {
    return { ok: true, value: check() };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, error: e.message };
    throw e;
  }
}

export function object(v: unknown, where: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new FieldError(where, 'must be an object');
  return v as Obj;
}

/** A non-empty string of at most `max` characters (ids, names). */
export function name(v: unknown, where: string, max = 200): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max)
    throw new FieldError(where, `must be a non-empty string of at most ${max} characters`);
  return v;
}

/** Any string (a path, a file name as the host wrote it). */
export function string(v: unknown, where: string): string {
  if (typeof v !== 'string') throw new FieldError(where, 'must be a string');
  return v;
}

export function finite(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FieldError(where, 'must be a finite number');
  return v;
}

export function integer(v: unknown, where: string): number {
  if (!Number.isSafeInteger(v)) throw new FieldError(where, 'must be an integer');
  return v as number;
}

export function boolean(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') throw new FieldError(where, 'must be true or false');
  return v;
}

export function oneOf<T extends string>(v: unknown, allowed: readonly T[], where: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    throw new FieldError(where, `must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** A list of at most `max` items, each checked by `item` (called with the item's place, `where[i]`). */
export function list<T>(
  v: unknown,
  where: string,
  item: (x: unknown, where: string) => T,
  max = 10_000,
): T[] {
  if (!Array.isArray(v) || v.length > max)
    throw new FieldError(where, `must be a list of at most ${max} items`);
  return v.map((x, i) => item(x, `${where}[${i}]`));
}

/** `o[key]` checked by `check` (as `${where}.${key}`), or undefined when absent. */
export function optional<T>(
  o: Obj,
  key: string,
  check: (v: unknown, where: string) => T,
  where: string,
): T | undefined {
  return o[key] === undefined ? undefined : check(o[key], `${where}.${key}`);
}

/** One checker per member of the union U tagged by `Tag`: each rebuilds its member from checked fields. */
export type TaggedCheckers<U extends Record<Tag, string>, Tag extends string> = {
  [K in U[Tag]]: (o: Obj) => Extract<U, Record<Tag, K>>;
};

/** `v` checked as a member of the union whose checkers are `table`, by its `tag` field. */
export function checkTagged<U extends Record<Tag, string>, Tag extends string>(
  table: TaggedCheckers<U, Tag>,
  tag: Tag,
  v: unknown,
  where: string,
): U {
  const o = object(v, where);
  const t = o[tag];
  if (typeof t !== 'string' || !Object.hasOwn(table, t))
    throw new FieldError(`${where}.${tag}`, `must be one of ${Object.keys(table).join(', ')}`);
  return table[t as U[Tag]](o);
}
