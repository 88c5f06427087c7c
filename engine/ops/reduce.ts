/**
 * Reductions and the normalised exponentials along one axis: sum, mean, softmax, log_softmax.
 * sum/mean take `axis` (all axes when absent) and `keepdim` (PyTorch's names).
 */
import { defineOp, type AttrSpec, type OpDef } from './define.js';
import { sizeOf, type Shape } from '../tensor/tensor.js';
import { normaliseAxis, splitAt } from './axes.js';

type ReduceAttrs = { axis?: number; keepdim: boolean };

/** [outer, n, inner] of the reduction; all axes are one axis of everything. */
function reduceDims(op: string, x: Shape, a: ReduceAttrs): [number, number, number] {
  if (a.axis === undefined) return [1, sizeOf(x), 1];
  return splitAt(x, normaliseAxis(op, a.axis, x));
}

type Dims = [outer: number, n: number, inner: number];

function reduceOp(name: 'sum' | 'mean'): OpDef<ReduceAttrs, Dims> {
  const scaleOf = (n: number): number => (name === 'mean' ? 1 / n : 1);
  return defineOp<ReduceAttrs, Dims>({
    name,
    category: 'math',
    inputs: ['x'],
    attrs: {
      axis: {
        type: 'integer',
        optional: true,
        doc: 'the axis to reduce (negative counts from the end); all when absent',
      },
      keepdim: { type: 'boolean', default: false, doc: 'keep the reduced axis with size 1' },
    },
    shape: ([x], a) => {
      if (a.axis === undefined) return a.keepdim ? x!.map(() => 1) : [];
      const ax = normaliseAxis(name, a.axis, x!);
      return a.keepdim ? x!.map((d, i) => (i === ax ? 1 : d)) : x!.filter((_, i) => i !== ax);
    },
    flops: ([x]) => sizeOf(x!),
    plan: ([x], a) => reduceDims(name, x!, a),
    forward: ({ plan: [outer, n, inner] }, [x], out) => {
      const s = scaleOf(n),
        xd = x!.data,
        od = out.data;
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          let acc = 0;
          for (let k = 0; k < n; k++) acc += xd[(o * n + k) * inner + i]!;
          od[o * inner + i] = acc * s;
        }
    },
    vjp: ({ plan: [outer, n, inner] }, _xs, _out, g, [gx]) => {
      if (!gx) return;
      const s = scaleOf(n);
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          const gv = g.data[o * inner + i]! * s;
          for (let k = 0; k < n; k++) gx.data[(o * n + k) * inner + i]! += gv;
        }
    },
    jvp: ({ plan: [outer, n, inner] }, _xs, _out, [tx], tout) => {
      if (!tx) return void tout.fill(0);
      const s = scaleOf(n);
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          let acc = 0;
          for (let k = 0; k < n; k++) acc += tx.data[(o * n + k) * inner + i]!;
          tout.data[o * inner + i] = acc * s;
        }
    },
    secondOrder: { kind: 'linear' },
    doc:
      name === 'sum'
        ? 'sum(x) = Σ x over the axis (or all); ∂/∂x = g broadcast back'
        : 'mean(x) = Σ x / n over the axis (or all); ∂/∂x = g / n broadcast back',
  });
}

export const sum = reduceOp('sum');
export const mean = reduceOp('mean');

type SoftmaxAttrs = { axis: number };
const SOFTMAX_AXIS: AttrSpec = {
  type: 'integer',
  default: -1,
  doc: 'the axis the probabilities sum to 1 over',
};

/**
 * The lines along the softmax axis: line L = o·inner + i starts at base(L) = o·n·inner + i and
 * steps by `inner` (s below), n elements.
 */
const lineDims = (op: string, x: Shape, axis: number): Dims => splitAt(x, normaliseAxis(op, axis, x));
const lineBase = (line: number, n: number, inner: number): number =>
  Math.floor(line / inner) * n * inner + (line % inner);

export const softmax = defineOp<SoftmaxAttrs, Dims>({
  name: 'softmax',
  category: 'activations',
  inputs: ['x'],
  attrs: { axis: SOFTMAX_AXIS },
  shape: ([x], a) => (normaliseAxis('softmax', a.axis, x!), x!),
  flops: ([x]) => 5 * sizeOf(x!),
  plan: ([x], a) => lineDims('softmax', x!, a.axis),
  forward: ({ plan: [outer, n, s] }, [x], out) => {
    const xd = x!.data,
      y = out.data;
    for (let line = 0; line < outer * s; line++) {
      const b = lineBase(line, n, s);
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, xd[b + k * s]!);
      let z = 0;
      for (let k = 0; k < n; k++) z += y[b + k * s] = Math.exp(xd[b + k * s]! - m);
      for (let k = 0; k < n; k++) y[b + k * s]! /= z;
    }
  },
  // gx = y ⊙ (g - <g, y>)
  vjp: ({ plan: [outer, n, s] }, _xs, out, g, [gx]) => {
    if (!gx) return;
    const y = out.data,
      gd = g.data;
    for (let line = 0; line < outer * s; line++) {
      const b = lineBase(line, n, s);
      let gy = 0;
      for (let k = 0; k < n; k++) gy += gd[b + k * s]! * y[b + k * s]!;
      for (let k = 0; k < n; k++) gx.data[b + k * s]! += y[b + k * s]! * (gd[b + k * s]! - gy);
    }
  },
  jvp: ({ plan: [outer, n, s] }, _xs, out, [tx], tout) => {
    if (!tx) return void tout.fill(0);
    const y = out.data;
    for (let line = 0; line < outer * s; line++) {
      const b = lineBase(line, n, s);
      let ty = 0;
      for (let k = 0; k < n; k++) ty += tx.data[b + k * s]! * y[b + k * s]!;
      for (let k = 0; k < n; k++) tout.data[b + k * s] = y[b + k * s]! * (tx.data[b + k * s]! - ty);
    }
  },
  secondOrder: {
    kind: 'custom',
    // d/dt [y ⊙ (g - <g,y>)] = ẏ ⊙ (g - <g,y>) + y ⊙ (ġ - <ġ,y> - <g,ẏ>)
    vjpJvp: ({ plan: [outer, n, s] }, _xs, out, g, _tx, tout, tg, [tgx]) => {
      if (!tgx) return;
      const y = out.data,
        ty = tout.data,
        gd = g.data,
        tgd = tg.data;
      for (let line = 0; line < outer * s; line++) {
        const b = lineBase(line, n, s);
        let gy = 0,
          tgy = 0,
          gty = 0;
        for (let k = 0; k < n; k++) {
          const j = b + k * s;
          gy += gd[j]! * y[j]!;
          tgy += tgd[j]! * y[j]!;
          gty += gd[j]! * ty[j]!;
        }
        for (let k = 0; k < n; k++) {
          const j = b + k * s;
          tgx.data[j]! += ty[j]! * (gd[j]! - gy) + y[j]! * (tgd[j]! - tgy - gty);
        }
      }
    },
  },
  doc: 'softmax(x)_i = e^{x_i} / Σ_j e^{x_j} along the axis; ∂/∂x = y ⊙ (g - <g, y>)',
});

export const logSoftmax = defineOp<SoftmaxAttrs, Dims>({
  name: 'log_softmax',
  category: 'activations',
  inputs: ['x'],
  attrs: { axis: SOFTMAX_AXIS },
  shape: ([x], a) => (normaliseAxis('log_softmax', a.axis, x!), x!),
  flops: ([x]) => 5 * sizeOf(x!),
  plan: ([x], a) => lineDims('log_softmax', x!, a.axis),
  forward: ({ plan: [outer, n, s] }, [x], out) => {
    const xd = x!.data,
      y = out.data;
    for (let line = 0; line < outer * s; line++) {
      const b = lineBase(line, n, s);
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, xd[b + k * s]!);
      let z = 0;
      for (let k = 0; k < n; k++) z += Math.exp(xd[b + k * s]! - m);
      const lse = m + Math.log(z);
      for (let k = 0; k < n; k++) y[b + k * s] = xd[b + k * s]! - lse;
    }
  },
  // gx = g - softmax · Σ g
  vjp: ({ plan: [outer, n, s] }, _xs, out, g, [gx]) => {
    if (!gx) return;
    const y = out.data,
      gd = g.data;
    for (let line = 0; line < outer * s; line++) {
      const b = lineBase(line, n, s);
      let gs = 0;
      for (let k = 0; k < n; k++) gs += gd[b + k * s]!;
      for (let k = 0; k < n; k++) gx.data[b + k * s]! += gd[b + k * s]! - Math.exp(y[b + k * s]!) * gs;
    }
  },
  jvp: ({ plan: [outer, n, s] }, _xs, out, [tx], tout) => {
    if (!tx) return void tout.fill(0);
    const y = out.data;
    for (let line = 0; line < outer * s; line++) {
      const b = lineBase(line, n, s);
      let pt = 0;
      for (let k = 0; k < n; k++) pt += Math.exp(y[b + k * s]!) * tx.data[b + k * s]!;
      for (let k = 0; k < n; k++) tout.data[b + k * s] = tx.data[b + k * s]! - pt;
    }
  },
  secondOrder: {
    kind: 'custom',
    // d/dt [g - p Σg] = ġ - ṗ Σg - p Σġ, with ṗ = p ⊙ ẏ
    vjpJvp: ({ plan: [outer, n, s] }, _xs, out, g, _tx, tout, tg, [tgx]) => {
      if (!tgx) return;
      const y = out.data,
        ty = tout.data,
        gd = g.data,
        tgd = tg.data;
      for (let line = 0; line < outer * s; line++) {
        const b = lineBase(line, n, s);
        let gs = 0,
          tgs = 0;
        for (let k = 0; k < n; k++) {
          gs += gd[b + k * s]!;
          tgs += tgd[b + k * s]!;
        }
        for (let k = 0; k < n; k++) {
          const j = b + k * s;
          const p = Math.exp(y[j]!);
          tgx.data[j]! += tgd[j]! - p * ty[j]! * gs - p * tgs;
        }
      }
    },
  },
  doc: 'log_softmax(x)_i = x_i - log Σ_j e^{x_j} along the axis; ∂/∂x = g - softmax(x)·Σ g',
});

export const REDUCE_OPS = { sum, mean, softmax, log_softmax: logSoftmax } as const;
