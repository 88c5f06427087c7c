/**
 * Reading what the user typed into an attribute field, checked against the op's AttrSpec as they
 * type: the inspector commits only values that would pass the engine's own resolveAttrs.
 */
import type { AttrSpec, AttrValue } from '../engine/ops/define.js';
import { readableNumber } from '../engine/analysis/format.js';

/** `value: null` means "leave it out" (the op's default, or an optional attribute unset). */
export type ParsedAttr = { ok: true; value: AttrValue | null } | { ok: false; error: string };

/** A value as the inspector shows it: numbers at a readable precision (readableNumber). */
export function formatAttr(value: AttrValue | undefined): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map(readableNumber).join(', ');
  return typeof value === 'number' ? readableNumber(value) : String(value);
}

export function parseAttrInput(spec: AttrSpec, text: string): ParsedAttr {
  const t = text.trim();
  if (t === '') {
    if (spec.default !== undefined || spec.optional) return { ok: true, value: null };
    return { ok: false, error: 'Required.' };
  }
  switch (spec.type) {
    case 'number':
    case 'integer': {
      const v = Number(t);
      if (!Number.isFinite(v)) return { ok: false, error: 'Enter a number.' };
      if (spec.type === 'integer' && !Number.isInteger(v))
        return { ok: false, error: 'Enter a whole number.' };
      if (spec.min !== undefined && v < spec.min) return { ok: false, error: `At least ${spec.min}.` };
      if (spec.max !== undefined && v > spec.max) return { ok: false, error: `At most ${spec.max}.` };
      return { ok: true, value: v };
    }
    case 'axes':
    case 'ints': {
      const parts = t
        .replace(/^\[|\]$/g, '')
        .split(/[\s,]+/)
        .filter(Boolean);
      const vs = parts.map(Number);
      if (vs.some((v) => !Number.isInteger(v)))
        return { ok: false, error: 'Enter whole numbers separated by commas.' };
      // One axis is written as the number itself, as torch's dim=1.
      return { ok: true, value: spec.type === 'axes' && vs.length === 1 ? vs[0]! : vs };
    }
    case 'sizes': {
      if (spec.words?.includes(t)) return { ok: true, value: t };
      const vs = t
        .replace(/^\[|\]$/g, '')
        .split(/[\s,]+/)
        .filter(Boolean)
        .map(Number);
      const words = spec.words?.length ? `, or ${spec.words.join(' or ')}` : '';
      if (vs.some((v) => !Number.isInteger(v)) || (vs.length !== 1 && !spec.lengths.includes(vs.length)))
        return {
          ok: false,
          error: `One whole number or ${spec.lengths.join(' or ')} separated by commas${words}.`,
        };
      if (spec.min !== undefined && vs.some((v) => v < spec.min!))
        return { ok: false, error: `At least ${spec.min}.` };
      return { ok: true, value: vs.length === 1 ? vs[0]! : vs };
    }
    case 'boolean':
      if (t === 'true' || t === 'false') return { ok: true, value: t === 'true' };
      return { ok: false, error: 'true or false.' };
    case 'enum':
      if (spec.values.includes(t)) return { ok: true, value: t };
      return { ok: false, error: `One of ${spec.values.join(', ')}.` };
    case 'string':
      return { ok: true, value: text };
  }
}
