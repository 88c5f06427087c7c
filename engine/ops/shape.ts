/** Ops that move elements without arithmetic: transpose, reshape, flatten, concat. All linear. */
import { defineOp, type OpDef, type OpSpec } from './define.js';
import { ShapeError } from '../tensor/broadcast.js';
import { shapeToString, sizeOf, type Shape } from '../tensor/tensor.js';
import { normaliseAxis, splitAt } from './axes.js';

type ReshapeAttrs = { shape: readonly number[] };

/** An op whose output is its input's elements in the same order under another shape. */
function sameOrderOp<A extends ReshapeAttrs | Record<string, never>>(
  spec: Pick<OpSpec<A>, 'name' | 'attrs' | 'shape' | 'doc'>,
): OpDef<A> {
  return defineOp<A>({
    ...spec,
    category: 'shape',
    inputs: ['x'],
    flops: () => 0,
    forward: (_ctx, [x], out) => out.data.set(x!.data),
    vjp: (_ctx, _xs, _out, g, [gx]) => {
      if (!gx) return;
      for (let i = 0; i < gx.data.length; i++) gx.data[i]! += g.data[i]!;
    },
    jvp: (_ctx, _xs, _out, [tx], tout) => (tx ? tout.data.set(tx.data) : tout.fill(0), undefined),
    secondOrder: { kind: 'linear' },
  });
}

export const reshape = sameOrderOp<ReshapeAttrs>({
  name: 'reshape',
  attrs: { shape: { type: 'ints', doc: 'the new shape; one entry may be -1 (inferred)' } },
  shape: ([x], { shape }) => {
    const n = sizeOf(x!);
    const known = shape.filter((d) => d !== -1);
    const bad = shape.some((d) => d < -1) || shape.length - known.length > 1;
    const rest = sizeOf(known);
    const inferred = rest === 0 ? 0 : n / rest;
    if (bad || !Number.isInteger(inferred) || (known.length === shape.length && rest !== n))
      throw new ShapeError(
        `reshape: x ${shapeToString(x!)} (${n} elements) cannot be viewed as ${shapeToString(shape)}`,
      );
    return shape.map((d) => (d === -1 ? inferred : d));
  },
  doc: 'reshape(x) = the same elements, row-major, in the given shape (-1: inferred); ∂/∂x = g reshaped back',
});

export const flatten = sameOrderOp<Record<string, never>>({
  name: 'flatten',
  attrs: {},
  shape: ([x]) => {
    if (x!.length < 1) throw new ShapeError(`flatten: x needs a batch axis, got ${shapeToString(x!)}`);
    return [x![0]!, sizeOf(x!.slice(1))];
  },
  doc: 'flatten(x) = x as [N, everything else] (keeps the batch axis); ∂/∂x = g reshaped back',
});

type TransposeAttrs = { perm: readonly number[] };

function permOf(x: Shape, perm: readonly number[]): readonly number[] {
  const p = perm.length === 0 ? x.map((_, i) => x.length - 1 - i) : perm;
  if (p.length !== x.length || [...p].sort((a, b) => a - b).some((v, i) => v !== i))
    throw new ShapeError(
      `transpose: perm [${perm.join(', ')}] is not a permutation of the axes of x ${shapeToString(x)}`,
    );
  return p;
}

export const transpose = defineOp<TransposeAttrs, Int32Array>({
  name: 'transpose',
  category: 'shape',
  inputs: ['x'],
  attrs: {
    perm: {
      type: 'ints',
      default: [],
      doc: 'output axis i is input axis perm[i]; default: reversed (2-D: swap)',
    },
  },
  shape: ([x], { perm }) => permOf(x!, perm).map((i) => x![i]!),
  flops: () => 0,
  // For each output element (row-major), the index of the input element it copies.
  plan: ([x], { perm }) => {
    const p = permOf(x!, perm);
    const outShape = p.map((i) => x![i]!);
    const inStrides = x!.map((_, i) => sizeOf(x!.slice(i + 1)));
    const idx = new Int32Array(sizeOf(x!));
    const counter = outShape.map(() => 0);
    for (let k = 0; k < idx.length; k++) {
      let src = 0;
      for (let a = 0; a < p.length; a++) src += counter[a]! * inStrides[p[a]!]!;
      idx[k] = src;
      for (let a = p.length - 1; a >= 0 && ++counter[a]! === outShape[a]!; a--) counter[a] = 0;
    }
    return idx;
  },
  forward: ({ plan }, [x], out) => {
    for (let k = 0; k < plan.length; k++) out.data[k] = x!.data[plan[k]!]!;
  },
  vjp: ({ plan }, _xs, _out, g, [gx]) => {
    if (gx) for (let k = 0; k < plan.length; k++) gx.data[plan[k]!]! += g.data[k]!;
  },
  jvp: ({ plan }, _xs, _out, [tx], tout) => {
    if (!tx) return void tout.fill(0);
    for (let k = 0; k < plan.length; k++) tout.data[k] = tx.data[plan[k]!]!;
  },
  secondOrder: { kind: 'linear' },
  doc: 'transpose(x) permutes the axes (2-D: xᵀ); ∂/∂x = g with the inverse permutation',
});

type ConcatAttrs = { axis: number };

/** [outer, na, nb, inner] of a concatenation along the axis. */
function concatDims(a: Shape, b: Shape, axis: number): [number, number, number, number] {
  const ax = normaliseAxis('concat', axis, a);
  if (a.length !== b.length || a.some((d, i) => i !== ax && d !== b[i]))
    throw new ShapeError(
      `concat: a ${shapeToString(a)} and b ${shapeToString(b)} must match on every axis but ${axis}`,
    );
  const [outer, na, inner] = splitAt(a, ax);
  return [outer, na, b[ax]!, inner];
}

/** Plan: [outer blocks, block length in a, block length in b]. */
type ConcatPlan = [outer: number, la: number, lb: number];

export const concat = defineOp<ConcatAttrs, ConcatPlan>({
  name: 'concat',
  category: 'shape',
  inputs: ['a', 'b'],
  attrs: { axis: { type: 'integer', default: 1, doc: 'the axis to join along (1: features or channels)' } },
  shape: ([a, b], { axis }) => {
    const ax = normaliseAxis('concat', axis, a!);
    concatDims(a!, b!, axis);
    return a!.map((d, i) => (i === ax ? d + b![i]! : d));
  },
  flops: () => 0,
  plan: ([a, b], { axis }) => {
    const [outer, na, nb, inner] = concatDims(a!, b!, axis);
    return [outer, na * inner, nb * inner];
  },
  forward: ({ plan: [outer, la, lb] }, [a, b], out) => {
    for (let o = 0, k = 0; o < outer; o++) {
      for (let i = 0; i < la; i++) out.data[k++] = a!.data[o * la + i]!;
      for (let i = 0; i < lb; i++) out.data[k++] = b!.data[o * lb + i]!;
    }
  },
  vjp: ({ plan: [outer, la, lb] }, _xs, _out, g, [ga, gb]) => {
    for (let o = 0, k = 0; o < outer; o++) {
      for (let i = 0; i < la; i++, k++) if (ga) ga.data[o * la + i]! += g.data[k]!;
      for (let i = 0; i < lb; i++, k++) if (gb) gb.data[o * lb + i]! += g.data[k]!;
    }
  },
  jvp: ({ plan: [outer, la, lb] }, _xs, _out, [ta, tb], tout) => {
    for (let o = 0, k = 0; o < outer; o++) {
      for (let i = 0; i < la; i++) tout.data[k++] = ta ? ta.data[o * la + i]! : 0;
      for (let i = 0; i < lb; i++) tout.data[k++] = tb ? tb.data[o * lb + i]! : 0;
    }
  },
  secondOrder: { kind: 'linear' },
  doc: 'concat(a, b) joins along the axis; ∂/∂a, ∂/∂b = the matching slices of g',
});

export const SHAPE_OPS = { transpose, reshape, flatten, concat } as const;
