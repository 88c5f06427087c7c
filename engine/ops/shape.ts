/** Ops that move elements without arithmetic: transpose, reshape, flatten, concat, stack. All linear. */
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

type JoinAttrs = { axis: number; count: number };

/** More inputs than a canvas can show are a typo, not a network. */
const MAX_JOINED = 256;

/**
 * The ports of a join of `count` tensors: a, b, c, … (two-input documents name a and b), then
 * x26, x27, … past the alphabet.
 */
function joinPorts({ count }: { count: number }): string[] {
  return Array.from({ length: count }, (_, i) => (i < 26 ? String.fromCharCode(97 + i) : `x${i}`));
}

/**
 * Plan of a join: the number of outer blocks and each input's block length. Output block o is
 * input 0's block o, then input 1's, …: concat and stack (a concat of inputs with a new axis of 1)
 * share the kernels.
 */
type JoinPlan = { outer: number; lengths: number[] };

/** Concat and stack: copying blocks, so linear; ∂/∂ each input = its blocks of g. */
function joinOp(
  spec: Pick<OpSpec<JoinAttrs, JoinPlan>, 'name' | 'shape' | 'doc'> & {
    plan: (xs: Shape[], attrs: JoinAttrs) => JoinPlan;
    axisDoc: string;
  },
): OpDef<JoinAttrs, JoinPlan> {
  return defineOp<JoinAttrs, JoinPlan>({
    name: spec.name,
    category: 'shape',
    inputs: ['a', 'b'],
    ports: joinPorts,
    attrs: {
      axis: { type: 'integer', default: 1, doc: spec.axisDoc },
      count: {
        type: 'integer',
        default: 2,
        min: 1,
        max: MAX_JOINED,
        doc: 'how many tensors it joins (its inputs a, b, c, …)',
      },
    },
    shape: spec.shape,
    flops: () => 0,
    plan: spec.plan,
    forward: ({ plan: { outer, lengths } }, xs, out) => {
      for (let o = 0, k = 0; o < outer; o++)
        for (let j = 0; j < xs.length; j++) {
          const l = lengths[j]!;
          out.data.set(xs[j]!.data.subarray(o * l, (o + 1) * l), k);
          k += l;
        }
    },
    vjp: ({ plan: { outer, lengths } }, _xs, _out, g, gx) => {
      for (let o = 0, k = 0; o < outer; o++)
        for (let j = 0; j < gx.length; j++) {
          const l = lengths[j]!;
          const gj = gx[j];
          if (gj) for (let i = 0; i < l; i++) gj.data[o * l + i]! += g.data[k + i]!;
          k += l;
        }
    },
    jvp: ({ plan: { outer, lengths } }, _xs, _out, tx, tout) => {
      for (let o = 0, k = 0; o < outer; o++)
        for (let j = 0; j < tx.length; j++) {
          const l = lengths[j]!;
          const tj = tx[j];
          if (tj) tout.data.set(tj.data.subarray(o * l, (o + 1) * l), k);
          else tout.data.fill(0, k, k + l);
          k += l;
        }
    },
    secondOrder: { kind: 'linear' },
    doc: spec.doc,
  });
}

/** The inputs' shapes, checked to agree on every axis but `except` (null: on every axis). */
function agreeing(op: string, xs: Shape[], except: number | null, axis: number): void {
  const ports = joinPorts({ count: xs.length });
  const first = xs[0]!;
  xs.forEach((x, j) => {
    if (x.length !== first.length || x.some((d, i) => i !== except && d !== first[i]))
      throw new ShapeError(
        `${op}: ${ports[0]} ${shapeToString(first)} and ${ports[j]} ${shapeToString(x)} must match on every axis${
          except === null ? '' : ` but ${axis}`
        }`,
      );
  });
}

export const concat = joinOp({
  name: 'concat',
  axisDoc: 'the axis to join along (1: features or channels)',
  shape: (xs, { axis }) => {
    const ax = normaliseAxis('concat', axis, xs[0]!);
    agreeing('concat', xs, ax, axis);
    return xs[0]!.map((d, i) => (i === ax ? xs.reduce((a, x) => a + x[i]!, 0) : d));
  },
  plan: (xs, { axis }) => {
    const ax = normaliseAxis('concat', axis, xs[0]!);
    const [outer] = splitAt(xs[0]!, ax);
    return { outer, lengths: xs.map((x) => sizeOf(x) / outer) };
  },
  doc: 'concat(a, b, …) joins along the axis (torch.cat); ∂/∂a, ∂/∂b, … = the matching slices of g',
});

/** Stack's new axis as an index into the output shape (rank of the inputs + 1). */
function stackAxis(x: Shape, axis: number): number {
  return normaliseAxis('stack', axis, [...x, 1]);
}

export const stack = joinOp({
  name: 'stack',
  axisDoc: 'where the new axis goes in the output (1: right after the batch)',
  shape: (xs, { axis }) => {
    const ax = stackAxis(xs[0]!, axis);
    agreeing('stack', xs, null, axis);
    return [...xs[0]!.slice(0, ax), xs.length, ...xs[0]!.slice(ax)];
  },
  plan: (xs, { axis }) => {
    const ax = stackAxis(xs[0]!, axis);
    const outer = sizeOf(xs[0]!.slice(0, ax));
    return { outer, lengths: xs.map((x) => sizeOf(x) / outer) };
  },
  doc: 'stack(a, b, …) joins along a new axis (torch.stack); ∂/∂a, ∂/∂b, … = the matching slices of g',
});

export const SHAPE_OPS = { transpose, reshape, flatten, concat, stack } as const;
