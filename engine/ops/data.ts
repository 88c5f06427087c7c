/**
 * The data ops: `input` (features) and `target` (labels or regression values). They have no
 * inputs; the compiler gives each a batch-sized input slot that the trainer fills from the
 * dataset. Their `shape` is the shape of ONE sample: the compiler puts the batch dimension in
 * front ([N, ...shape]).
 */
import { defineOp, type Attrs, type OpDef, type OpSpec } from './define.js';
import { AttrError } from './attrs.js';
import type { Shape } from '../tensor/tensor.js';

interface InputAttrs extends Record<string, number | string | readonly number[]> {
  features: number;
  shape: readonly number[];
  dtype: 'float' | 'int';
}

/** What an `input` holds: numbers, or whole numbers (token indices for an embedding). */
export const INPUT_DTYPES = ['float', 'int'] as const;

interface TargetAttrs extends Record<string, number | readonly number[]> {
  classes: number;
  features: number;
  shape: readonly number[];
}

/** Exactly one of two attributes must be given; names both in the error. */
function oneOf(op: string, a: string, b: string, given: Record<string, unknown>): void {
  const has = (k: string) => given[k] !== undefined;
  if (has(a) && has(b)) throw new AttrError(`${op} takes either '${a}' or '${b}', not both`, b, 'invalid');
  if (!has(a) && !has(b)) throw new AttrError(`${op} needs '${a}' or '${b}'`, a, 'missing');
}

/** A data op: no inputs, nothing to compute (the trainer writes the slot), nothing flows back. */
function dataOp<A extends Attrs>(spec: Pick<OpSpec<A>, 'name' | 'attrs' | 'shape' | 'doc'>): OpDef<A> {
  return defineOp<A>({
    ...spec,
    category: 'data',
    inputs: [],
    flops: () => 0,
    forward: () => {},
    vjp: () => {},
    jvp: (_ctx, _xs, _out, _tx, tout) => void tout.data.fill(0),
  });
}

export const input = dataOp<InputAttrs>({
  name: 'input',
  attrs: {
    features: { type: 'integer', min: 1, optional: true, doc: 'number of features per sample (flat data)' },
    shape: { type: 'ints', optional: true, doc: 'shape of one sample, e.g. [1, 8, 8] for 8×8 grey images' },
    dtype: {
      type: 'enum',
      values: INPUT_DTYPES,
      default: 'float',
      doc: 'float: numbers; int: whole numbers, e.g. token indices for an embedding (fed from integer columns)',
    },
  },
  shape: (_inputs, attrs): Shape => {
    oneOf('input', 'features', 'shape', attrs);
    if (attrs.features !== undefined) return [attrs.features];
    if (attrs.shape.length === 0 || attrs.shape.some((d) => d < 1))
      throw new AttrError(`input.shape must list positive sizes, got [${attrs.shape.join(', ')}]`, 'shape');
    return attrs.shape;
  },
  doc: 'a batch of samples from the dataset: [N, features] or [N, ...shape]',
});

export const target = dataOp<TargetAttrs>({
  name: 'target',
  attrs: {
    classes: { type: 'integer', min: 2, optional: true, doc: 'number of classes (labels are class indices)' },
    features: { type: 'integer', min: 1, optional: true, doc: 'number of regression values per sample' },
    shape: {
      type: 'ints',
      optional: true,
      doc: "with classes: the shape of one sample's labels, e.g. [5] for a class per position of a sequence of 5",
    },
  },
  shape: (_inputs, attrs): Shape => {
    oneOf('target', 'classes', 'features', attrs);
    if (attrs.shape !== undefined && attrs.classes === undefined)
      throw new AttrError(`target.shape goes with 'classes' (labels per position), not 'features'`, 'shape');
    if (attrs.shape !== undefined && (attrs.shape.length === 0 || attrs.shape.some((d) => d < 1)))
      throw new AttrError(`target.shape must list positive sizes, got [${attrs.shape.join(', ')}]`, 'shape');
    return attrs.classes !== undefined ? (attrs.shape ?? []) : [attrs.features];
  },
  doc: 'the batch of targets from the dataset: class indices [N] (or [N, ...shape], one per position) or values [N, features]',
});
