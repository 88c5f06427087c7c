/**
 * A JSON reader that remembers where things are. JSON.parse gives neither the line of a syntax
 * error on every runtime nor where a value sits in the text; diagnostics need both (the editor's
 * Problems panel points at the node's line). Values are exactly JSON.parse's.
 */

export interface JsonSyntaxError {
  message: string;
  /** 1-based. */
  line: number;
  column: number;
}

/** A JSON pointer ('/nodes/3/attrs/units') to the 1-based line where that value starts. */
export type JsonLines = ReadonlyMap<string, number>;

export type LocatedJson =
  | { ok: true; value: unknown; lines: JsonLines; duplicateKeys: { path: string; line: number }[] }
  | { ok: false; error: JsonSyntaxError };

/** Values nested deeper than this are not given a line (the document needs four levels). */
const LINE_DEPTH = 4;
/** Nesting deeper than this is refused rather than risking the stack. */
const MAX_DEPTH = 256;

class SyntaxFailure extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// JSON forbids raw control characters in strings, so the pattern must name them.
// eslint-disable-next-line no-control-regex
const STRING_BODY = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y;

export function parseJsonLocated(text: string): LocatedJson {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const position = (offset: number): { line: number; column: number } => {
    let lo = 0,
      hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };

  const lines = new Map<string, number>();
  const duplicateKeys: { path: string; line: number }[] = [];
  let i = 0;

  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else return;
    }
  };
  const describe = (at: number) => (at >= text.length ? 'the end of the file' : `'${text[at]}'`);
  const fail = (expected: string): never => {
    throw new SyntaxFailure(
      i >= text.length
        ? `The JSON ends early: expected ${expected}. The file may be cut off; close every open '{' and '['.`
        : `Expected ${expected} but found ${describe(i)}.`,
      i,
    );
  };

  const readString = (): string => {
    const start = i;
    i++; // opening quote
    STRING_BODY.lastIndex = i;
    STRING_BODY.exec(text);
    i = STRING_BODY.lastIndex;
    if (text[i] !== '"') {
      if (i >= text.length) fail("'\"' to close the string");
      throw new SyntaxFailure(
        `Bad character ${JSON.stringify(text[i])} in a string: escape it (\\n, \\", \\\\) or close the string.`,
        i,
      );
    }
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };

  const readValue = (path: string, depth: number): unknown => {
    ws();
    if (depth > MAX_DEPTH) throw new SyntaxFailure(`Nesting deeper than ${MAX_DEPTH} levels.`, i);
    if (depth <= LINE_DEPTH) lines.set(path, position(i).line);
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('a property name in double quotes');
        const keyAt = i;
        const key = readString();
        ws();
        if (text[i] !== ':') fail(`':' after the property name "${key}"`);
        i++;
        const childPath = `${path}/${escapePointer(key)}`;
        const value = readValue(childPath, depth + 1);
        if (Object.prototype.hasOwnProperty.call(obj, key))
          duplicateKeys.push({ path: childPath, line: position(keyAt).line });
        // defineProperty so that a "__proto__" key is data, as with JSON.parse.
        Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail("',' or '}' after a property value");
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(readValue(`${path}/${arr.length}`, depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail("',' or ']' after an array element");
      }
    }
    if (c === '"') return readString();
    if (text.startsWith('true', i)) return ((i += 4), true);
    if (text.startsWith('false', i)) return ((i += 5), false);
    if (text.startsWith('null', i)) return ((i += 4), null);
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    return fail('a value (object, array, string, number, true, false or null)');
  };

  try {
    const value = readValue('', 0);
    ws();
    if (i < text.length)
      throw new SyntaxFailure(`Unexpected ${describe(i)} after the end of the JSON value.`, i);
    return { ok: true, value, lines, duplicateKeys };
  } catch (e) {
    if (!(e instanceof SyntaxFailure)) throw e;
    return { ok: false, error: { message: e.message, ...position(Math.min(e.offset, text.length)) } };
  }
}

/** RFC 6901 escaping of one pointer segment. */
export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
