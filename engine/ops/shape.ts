/**
 * Ops that move elements without arithmetic: transpose, swapaxes, reshape, flatten, squeeze,
 * unsqueeze, slice, expand, tile, concat, stack. All linear.
 */
import { defineOp, type Attrs, type OpDef, type OpSpec } from './define.js';
import { broadcastIndex } from '../tensor/broadcast.js';
import { ShapeError } from '../tensor/broadcast.js';
import { shapeToString, sizeOf, type Shape } from '../tensor/tensor.js';
import { normaliseAxis } from './axes.js';
import { float32Add, float32Gather, float32ScatterAdd } from '../kernels/unary.js';

type ReshapeAttrs = { shape: readonly number[] };

/** An op whose output is its input's elements in the same order under another shape. */
function sameOrderOp<A extends Attrs>(spec: Pick<OpSpec<A>, 'name' | 'attrs' | 'shape' | 'doc'>): OpDef<A> {
  return defineOp<A>({
    ...spec,
    category: 'shape',
    inputs: ['x'],
    flops: () => 0,
    forward: (_ctx, xs, out) => out.data.set(xs[0]!.data),
    vjp: (_ctx, _xs, _out, g, grads) => {
      const gx = grads[0];
      if (!gx) return;
      // Float32 adds in WebAssembly (engine/kernels/unary.ts), as the gathers below.
      if (float32Add(gx.data, g.data, gx.data)) return;
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

/**
 * A gather op: output element k is input element `from[k]` (the plan, built once per shape).
 * transpose, swapaxes, slice, expand and tile are all this, differing only in the table; the
 * gradient scatters back (+=), so an element read twice (expand, tile) gathers both shares.
 */
function gatherOp<A extends Attrs>(
  spec: Pick<OpSpec<A>, 'name' | 'attrs' | 'shape' | 'doc'> & { from: (x: Shape, attrs: A) => Int32Array },
): OpDef<A, Int32Array> {
  return defineOp<A, Int32Array>({
    name: spec.name,
    attrs: spec.attrs,
    shape: spec.shape,
    doc: spec.doc,
    category: 'shape',
    inputs: ['x'],
    flops: () => 0,
    plan: ([x], a) => spec.from(x!, a),
    forward: ({ plan }, xs, out) => {
      const x = xs[0];
      if (float32Gather(x!.data, plan, out.data)) return;
      for (let k = 0; k < plan.length; k++) out.data[k] = x!.data[plan[k]!]!;
    },
    vjp: ({ plan }, _xs, _out, g, grads) => {
      const gx = grads[0];
      if (!gx || float32ScatterAdd(g.data, plan, gx.data)) return;
      for (let k = 0; k < plan.length; k++) gx.data[plan[k]!]! += g.data[k]!;
    },
    jvp: ({ plan }, _xs, _out, [tx], tout) => {
      if (!tx) return void tout.fill(0);
      for (let k = 0; k < plan.length; k++) tout.data[k] = tx.data[plan[k]!]!;
    },
    secondOrder: { kind: 'linear' },
  });
}

/** Row-major strides of a shape. */
const stridesOf = (x: Shape): number[] => x.map((_, i) => sizeOf(x.slice(i + 1)));

/**
 * The gather table for an output of shape `out` whose coordinate c on axis a reads input offset
 * `at(a, c)` (summed over the axes).
 */
function gatherTable(out: Shape, at: (axis: number, coord: number) => number): Int32Array {
  const tables = out.map((d, a) => Int32Array.from({ length: d }, (_, c) => at(a, c)));
  const from = new Int32Array(sizeOf(out));
  const counter = out.map(() => 0);
  let src = tables.reduce((acc, t) => acc + (t[0] ?? 0), 0);
  for (let k = 0; k < from.length; k++) {
    from[k] = src;
    for (let a = out.length - 1; a >= 0; a--) {
      const t = tables[a]!;
      src -= t[counter[a]!]!;
      if (++counter[a]! < out[a]!) {
        src += t[counter[a]!]!;
        break;
      }
      counter[a] = 0;
      src += t[0]!;
    }
  }
  return from;
}

type TransposeAttrs = { perm: readonly number[] };

function permOf(x: Shape, perm: readonly number[]): readonly number[] {
  const p = perm.length === 0 ? x.map((_, i) => x.length - 1 - i) : perm;
  if (p.length !== x.length || [...p].sort((a, b) => a - b).some((v, i) => v !== i))
    throw new ShapeError(
      `transpose: perm [${perm.join(', ')}] is not a permutation of the axes of x ${shapeToString(x)}`,
    );
  return p;
}

/** x with its axes permuted: output axis a is input axis p[a]. */
function permutedTable(x: Shape, p: readonly number[]): Int32Array {
  const strides = stridesOf(x);
  return gatherTable(
    p.map((i) => x[i]!),
    (a, c) => c * strides[p[a]!]!,
  );
}

export const transpose = gatherOp<TransposeAttrs>({
  name: 'transpose',
  attrs: {
    perm: {
      type: 'ints',
      default: [],
      doc: 'output axis i is input axis perm[i]; default: reversed (2-D: swap)',
    },
  },
  shape: ([x], { perm }) => permOf(x!, perm).map((i) => x![i]!),
  from: (x, { perm }) => permutedTable(x, permOf(x, perm)),
  doc: 'transpose(x) permutes the axes (2-D: xᵀ); ∂/∂x = g with the inverse permutation',
});

type SwapAttrs = { axis0: number; axis1: number };

function swapPerm(x: Shape, { axis0, axis1 }: SwapAttrs): number[] {
  const a = normaliseAxis('swapaxes', axis0, x),
    b = normaliseAxis('swapaxes', axis1, x);
  return x.map((_, i) => (i === a ? b : i === b ? a : i));
}

export const swapaxes = gatherOp<SwapAttrs>({
  name: 'swapaxes',
  attrs: {
    axis0: { type: 'integer', default: -2, doc: 'the first axis (negative counts from the end)' },
    axis1: { type: 'integer', default: -1, doc: 'the second axis; default: the last two (Kᵀ in attention)' },
  },
  shape: ([x], a) => swapPerm(x!, a).map((i) => x![i]!),
  from: (x, a) => permutedTable(x, swapPerm(x, a)),
  doc: 'swapaxes(x) exchanges two axes, as torch.swapaxes (default the last two); ∂/∂x = g with them swapped back',
});

type SliceAttrs = {
  axes: readonly number[];
  starts: readonly number[];
  ends: readonly number[];
  steps: readonly number[];
};

/** Per axis of x: [start, step, count] of x[start:end:step] as Python slices clamp them. */
function sliceRanges(x: Shape, a: SliceAttrs): [number, number, number][] {
  const ranges = x.map((d): [number, number, number] => [0, 1, d]);
  const what = (i: number) => `slice: axis ${a.axes[i]} (entry ${i})`;
  if (a.starts.length !== a.axes.length || a.ends.length !== a.axes.length)
    throw new ShapeError(
      `slice: axes [${a.axes.join(', ')}], starts [${a.starts.join(', ')}] and ends [${a.ends.join(', ')}] must have one entry per sliced axis`,
    );
  if (a.steps.length !== 0 && a.steps.length !== a.axes.length)
    throw new ShapeError(
      `slice: steps [${a.steps.join(', ')}] must be empty (all 1) or one per axis in axes`,
    );
  const seen = new Set<number>();
  a.axes.forEach((axis, i) => {
    const ax = normaliseAxis('slice', axis, x);
    if (seen.has(ax)) throw new ShapeError(`slice: axis ${axis} is sliced twice for x ${shapeToString(x)}`);
    seen.add(ax);
    const d = x[ax]!;
    const step = a.steps[i] ?? 1;
    if (step < 1) throw new ShapeError(`${what(i)}: step ${step} must be at least 1 (as in torch)`);
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
    const start = clamp(a.starts[i]!),
      end = clamp(a.ends[i]!);
    const count = end > start ? Math.ceil((end - start) / step) : 0;
    if (count === 0)
      throw new ShapeError(
        `${what(i)}: [${a.starts[i]}:${a.ends[i]}:${step}] selects nothing of its ${d} entries in x ${shapeToString(x)}`,
      );
    ranges[ax] = [start, step, count];
  });
  return ranges;
}

export const slice = gatherOp<SliceAttrs>({
  name: 'slice',
  attrs: {
    axes: { type: 'ints', default: [-1], doc: 'the axes to slice (negative counts from the end)' },
    starts: { type: 'ints', default: [0], doc: 'first index on each axis (negative counts from the end)' },
    ends: {
      type: 'ints',
      default: [1],
      doc: 'index past the last on each axis (negative counts from the end; clamped to the size)',
    },
    steps: { type: 'ints', default: [], doc: 'step on each axis (≥ 1); empty: all 1' },
  },
  shape: ([x], a) => sliceRanges(x!, a).map(([, , n]) => n),
  from: (x, a) => {
    const r = sliceRanges(x, a),
      strides = stridesOf(x);
    return gatherTable(
      r.map(([, , n]) => n),
      (ax, c) => (r[ax]![0] + c * r[ax]![1]) * strides[ax]!,
    );
  },
  doc: 'slice(x) = x[start:end:step] on the given axes, as Python slicing; ∂/∂x = g in the sliced places, 0 elsewhere',
});

type ExpandAttrs = { shape: readonly number[] };

function expandShape(x: Shape, shape: readonly number[]): number[] {
  const lead = shape.length - x.length;
  const bad = (why: string): never => {
    throw new ShapeError(
      `expand: x ${shapeToString(x)} cannot be expanded to ${shapeToString(shape)}: ${why}`,
    );
  };
  if (lead < 0) bad(`the new shape has fewer axes than x`);
  return shape.map((d, i) => {
    const own = x[i - lead];
    if (own === undefined)
      return d >= 1 ? d : bad(`a new leading axis needs a size ≥ 1, got ${d} at axis ${i}`);
    if (d === -1) return own;
    if (d !== own && own !== 1) bad(`axis ${i} has size ${own}, which only expands from 1 (or -1 keeps it)`);
    return d;
  });
}

export const expand = gatherOp<ExpandAttrs>({
  name: 'expand',
  attrs: {
    shape: {
      type: 'ints',
      default: [-1],
      doc: 'the shape to broadcast x to; -1 keeps an axis, new axes go in front (torch.Tensor.expand)',
    },
  },
  shape: ([x], a) => expandShape(x!, a.shape),
  from: (x, a) => {
    const out = expandShape(x, a.shape);
    return broadcastIndex(x, out) ?? Int32Array.from({ length: sizeOf(out) }, (_, i) => i);
  },
  doc: 'expand(x) repeats axes of size 1 (and adds leading ones) without copying in torch; ∂/∂x = g summed over the repeats',
});

type TileAttrs = { reps: readonly number[] };

/** x and reps padded with leading 1s to the same length (torch.tile). */
function tileDims(x: Shape, reps: readonly number[]): { xs: number[]; rs: number[] } {
  if (reps.some((r) => r < 1))
    throw new ShapeError(`tile: reps [${reps.join(', ')}] must all be at least 1 for x ${shapeToString(x)}`);
  const n = Math.max(x.length, reps.length);
  const pad = (v: readonly number[]) => [...new Array<number>(n - v.length).fill(1), ...v];
  return { xs: pad(x), rs: pad(reps) };
}

export const tile = gatherOp<TileAttrs>({
  name: 'tile',
  attrs: {
    reps: {
      type: 'ints',
      default: [1],
      doc: 'how many copies along each axis, aligned to the last axes (torch.tile)',
    },
  },
  shape: ([x], a) => {
    const { xs, rs } = tileDims(x!, a.reps);
    return xs.map((d, i) => d * rs[i]!);
  },
  from: (x, a) => {
    const { xs, rs } = tileDims(x, a.reps);
    const strides = stridesOf(xs);
    return gatherTable(
      xs.map((d, i) => d * rs[i]!),
      (ax, c) => (c % xs[ax]!) * strides[ax]!,
    );
  },
  doc: 'tile(x) repeats x reps times along each axis, as torch.tile; ∂/∂x = g summed over the copies',
});

type SqueezeAttrs = { axis?: number | readonly number[] };

export const squeeze = sameOrderOp<SqueezeAttrs>({
  name: 'squeeze',
  attrs: {
    axis: {
      type: 'axes',
      optional: true,
      doc: 'the axes to drop if their size is 1 (others stay, as in torch); every size-1 axis when absent',
    },
  },
  shape: ([x], a) => {
    const list = a.axis === undefined ? [] : typeof a.axis === 'number' ? [a.axis] : a.axis;
    const named = new Set(list.map((ax) => normaliseAxis('squeeze', ax, x!)));
    return x!.filter((d, i) => !(d === 1 && (a.axis === undefined || named.has(i))));
  },
  doc: 'squeeze(x) drops axes of size 1 (the given ones, or all); the same elements; ∂/∂x = g reshaped back',
});

type UnsqueezeAttrs = { axis: number };

export const unsqueeze = sameOrderOp<UnsqueezeAttrs>({
  name: 'unsqueeze',
  attrs: {
    axis: {
      type: 'integer',
      default: 1,
      doc: 'where the new axis of size 1 goes, in the output (negative counts from the end)',
    },
  },
  shape: ([x], { axis }) => {
    const ax = normaliseAxis('unsqueeze', axis, [...x!, 1]);
    return [...x!.slice(0, ax), 1, ...x!.slice(ax)];
  },
  doc: 'unsqueeze(x) inserts an axis of size 1, as torch.unsqueeze; the same elements; ∂/∂x = g reshaped back',
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
    /** The join axis as an index into the first input's shape (stack's new axis goes before it). */
    axisIndex: (x: Shape, axis: number) => number;
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
    // The plan is written here, inside defineOp's literal, so the webview build strips it with the
    // other kernel members (scripts/op-metadata-plugin.mjs).
    plan: (xs, { axis }) => {
      const outer = sizeOf(xs[0]!.slice(0, spec.axisIndex(xs[0]!, axis)));
      return { outer, lengths: xs.map((x) => sizeOf(x) / outer) };
    },
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
  axisIndex: (x, axis) => normaliseAxis('concat', axis, x),
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
  axisIndex: stackAxis,
  doc: 'stack(a, b, …) joins along a new axis (torch.stack); ∂/∂a, ∂/∂b, … = the matching slices of g',
});

export const SHAPE_OPS = {
  transpose,
  swapaxes,
  reshape,
  flatten,
  squeeze,
  unsqueeze,
  slice,
  expand,
  tile,
  concat,
  stack,
} as const;
