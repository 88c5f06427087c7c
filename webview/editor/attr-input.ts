/**
 * Reading what the user typed into an attribute field as the value the file would hold, judged as
 * they type by the engine's own checker (engine/ops/attrs.ts checkAttr): the inspector commits only
 * values resolveAttrs accepts, and says what is wrong in the words the Problems panel uses.
 */
import type { AttrSpec, AttrValue } from '../../engine/ops/define.js';
import { AttrError, checkAttr } from '../../engine/ops/attrs.js';
import { readableNumber } from '../../engine/analysis/format.js';

/** `value: null` means "leave it out" (the op's default, or an optional attribute unset). */
export type ParsedAttr = { ok: true; value: AttrValue | null } | { ok: false; error: string };

/** A value as the inspector shows it: numbers at a readable precision (readableNumber). */
export function formatAttr(value: AttrValue | undefined): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map(readableNumber).join(', ');
  return typeof value === 'number' ? readableNumber(value) : String(value);
}

/** The text typed into attribute `name` of a node of op `op`. */
export function parseAttrInput(op: string, name: string, spec: AttrSpec, text: string): ParsedAttr {
  const left = text.trim() === '';
  try {
    const value = checkAttr(op, name, spec, left ? undefined : readTyped(spec, text));
    return { ok: true, value: left ? null : value! };
  } catch (e) {
    if (e instanceof AttrError) return { ok: false, error: e.message };
    throw e;
  }
}

/**
 * What the text says, as JSON would hold it: numbers where it reads as numbers, a list where it
 * has several parts (commas or spaces, brackets optional). Anything else stays the text, for the
 * checker to refuse by name.
 */
function readTyped(spec: AttrSpec, text: string): unknown {
  const t = text.trim();
  switch (spec.type) {
    case 'number':
    case 'integer':
      return asNumber(t);
    case 'ints':
      return parts(t).map(asNumber);
    case 'axes':
      // One axis is written as the number itself, as torch's dim=1.
      return oneOrList(t);
    case 'sizes':
      return spec.words?.includes(t) ? t : oneOrList(t);
    case 'boolean':
      return t === 'true' ? true : t === 'false' ? false : t;
    case 'enum':
      return t;
    case 'string':
      return text;
  }
}

function asNumber(s: string): unknown {
  const v = Number(s);
  return Number.isFinite(v) ? v : s;
}

/** One number as itself, several as a list. */
function oneOrList(t: string): unknown {
  const vs = parts(t).map(asNumber);
  return vs.length === 1 ? vs[0] : vs;
}

function parts(t: string): string[] {
  return t
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}
