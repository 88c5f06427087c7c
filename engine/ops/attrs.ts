/** Resolving and checking an op's attributes against its declared AttrSpecs. */
import type { AnyOp, AttrSpec, AttrValue, Attrs } from './define.js';

/** What is wrong with the attribute: not one of the op's, required but absent, or a bad value. */
export type AttrProblem = 'unknown' | 'missing' | 'invalid';

export class AttrError extends Error {
  constructor(
    message: string,
    readonly attr: string,
    readonly problem: AttrProblem = 'invalid',
  ) {
    super(message);
    this.name = 'AttrError';
  }
}

/**
 * One attribute's value against its spec: the value to use, or an AttrError saying what is wrong in
 * the words every place shows (the Problems panel, the CLI, the editor's inspector as you type).
 * `undefined` is a value left out: the default, nothing for an optional attribute, else missing.
 */
export function checkAttr(op: string, name: string, spec: AttrSpec, v: unknown): AttrValue | undefined {
  if (v !== undefined) return checkValue(op, name, spec, v);
  if (spec.default !== undefined) return spec.default;
  if (spec.optional) return undefined;
  throw new AttrError(`${op}.${name} is required (${spec.doc})`, name, 'missing');
}

function checkValue(op: string, name: string, spec: AttrSpec, v: unknown): AttrValue {
  const where = `${op}.${name}`;
  switch (spec.type) {
    case 'number':
    case 'integer': {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        const what = spec.type === 'integer' ? 'an integer' : 'a number';
        throw new AttrError(`${where} must be ${what}, got ${JSON.stringify(v)}`, name);
      }
      if (spec.type === 'integer' && !Number.isInteger(v)) {
        throw new AttrError(`${where} must be an integer, got ${v}`, name);
      }
      if (spec.min !== undefined && v < spec.min)
        throw new AttrError(`${where} must be ≥ ${spec.min}, got ${v}`, name);
      if (spec.max !== undefined && v > spec.max)
        throw new AttrError(`${where} must be ≤ ${spec.max}, got ${v}`, name);
      return v;
    }
    case 'boolean':
      if (typeof v !== 'boolean')
        throw new AttrError(`${where} must be true or false, got ${JSON.stringify(v)}`, name);
      return v;
    case 'enum':
      if (typeof v !== 'string' || !spec.values.includes(v)) {
        throw new AttrError(
          `${where} must be one of ${spec.values.join(', ')}; got ${JSON.stringify(v)}`,
          name,
        );
      }
      return v;
    case 'string':
      if (typeof v !== 'string')
        throw new AttrError(`${where} must be a string, got ${JSON.stringify(v)}`, name);
      return v;
    case 'sizes': {
      if (typeof v === 'string' && spec.words?.includes(v)) return v;
      const list = typeof v === 'number' ? [v] : v;
      const lengths = spec.lengths.join(' or ');
      const words = spec.words?.length ? `, or one of ${spec.words.map((w) => `'${w}'`).join(', ')}` : '';
      if (
        !Array.isArray(list) ||
        !(typeof v === 'number' || spec.lengths.includes(list.length)) ||
        !list.every((x) => typeof x === 'number' && Number.isInteger(x))
      )
        throw new AttrError(
          `${where} must be a whole number or a list of ${lengths} whole numbers${words}; got ${JSON.stringify(v)}`,
          name,
        );
      if (spec.min !== undefined && (list as number[]).some((x) => x < spec.min!))
        throw new AttrError(`${where} must be ≥ ${spec.min} on every axis, got ${JSON.stringify(v)}`, name);
      return v as number | number[];
    }
    case 'axes':
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x)))
        throw new AttrError(`${where} must be an axis or a list of axes, got ${JSON.stringify(v)}`, name);
      return v as number[];
    case 'ints':
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x))) {
        throw new AttrError(`${where} must be a list of integers, got ${JSON.stringify(v)}`, name);
      }
      return v as number[];
  }
}

/**
 * The op's attributes with defaults filled in. Unknown attributes and wrong types throw an
 * AttrError naming the op and the attribute. `ignore` lists keys that are not the op's
 * (e.g. documentation notes) and are passed over silently.
 */
export function resolveAttrs(
  op: AnyOp,
  given: Record<string, unknown>,
  ignore: readonly string[] = [],
): Attrs {
  const out: Attrs = {};
  const specs = op.attrs as Record<string, AttrSpec>;
  for (const key of Object.keys(given)) {
    if (!(key in specs) && !ignore.includes(key)) {
      const known = Object.keys(specs);
      throw new AttrError(
        `${op.name} has no attribute '${key}'${known.length ? `; its attributes are ${known.join(', ')}` : ''}`,
        key,
        'unknown',
      );
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    const v = checkAttr(op.name, name, spec, given[name]);
    if (v !== undefined) out[name] = v;
  }
  return out;
}
