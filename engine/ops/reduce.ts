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

function reduceOp(name: 'sum' | 'mean'): OpDef<ReduceAttrs> {
  const scaleOf = (n: number): number => (name === 'mean' ? 1 / n : 1);
  return defineOp<ReduceAttrs>({
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
    forward: ({ attrs }, [x], out) => {
      const [outer, n, inner] = reduceDims(name, x!.shape, attrs);
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
    vjp: ({ attrs }, [x], _out, g, [gx]) => {
      if (!gx) return;
      const [outer, n, inner] = reduceDims(name, x!.shape, attrs);
      const s = scaleOf(n);
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          const gv = g.data[o * inner + i]! * s;
          for (let k = 0; k < n; k++) gx.data[(o * n + k) * inner + i]! += gv;
        }
    },
    jvp: ({ attrs }, [x], _out, [tx], tout) => {
      if (!tx) return void tout.fill(0);
      const [outer, n, inner] = reduceDims(name, x!.shape, attrs);
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

/** Visits each line along the softmax axis: `f(base, stride, n)`, element k at base + k·stride. */
function eachLine(x: Shape, axis: number, f: (base: number, stride: number, n: number) => void): void {
  const [outer, n, inner] = splitAt(x, normaliseAxis('softmax', axis, x));
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) f(o * n * inner + i, inner, n);
}

export const softmax = defineOp<SoftmaxAttrs>({
  name: 'softmax',
  category: 'activations',
  inputs: ['x'],
  attrs: { axis: SOFTMAX_AXIS },
  shape: ([x], a) => (normaliseAxis('softmax', a.axis, x!), x!),
  flops: ([x]) => 5 * sizeOf(x!),
  forward: ({ attrs }, [x], out) => {
    const xd = x!.data,
      y = out.data;
    eachLine(x!.shape, attrs.axis, (b, s, n) => {
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, xd[b + k * s]!);
      let z = 0;
      for (let k = 0; k < n; k++) z += y[b + k * s] = Math.exp(xd[b + k * s]! - m);
      for (let k = 0; k < n; k++) y[b + k * s]! /= z;
    });
  },
  // gx = y ⊙ (g - <g, y>)
  vjp: ({ attrs }, [x], out, g, [gx]) => {
    if (!gx) return;
    const y = out.data,
      gd = g.data;
    eachLine(x!.shape, attrs.axis, (b, s, n) => {
      let gy = 0;
      for (let k = 0; k < n; k++) gy += gd[b + k * s]! * y[b + k * s]!;
      for (let k = 0; k < n; k++) gx.data[b + k * s]! += y[b + k * s]! * (gd[b + k * s]! - gy);
    });
  },
  jvp: ({ attrs }, [x], out, [tx], tout) => {
    if (!tx) return void tout.fill(0);
    const y = out.data;
    eachLine(x!.shape, attrs.axis, (b, s, n) => {
      let ty = 0;
      for (let k = 0; k < n; k++) ty += tx.data[b + k * s]! * y[b + k * s]!;
      for (let k = 0; k < n; k++) tout.data[b + k * s] = y[b + k * s]! * (tx.data[b + k * s]! - ty);
    });
  },
  secondOrder: {
    kind: 'custom',
    // d/dt [y ⊙ (g - <g,y>)] = ẏ ⊙ (g - <g,y>) + y ⊙ (ġ - <ġ,y> - <g,ẏ>)
    vjpJvp: ({ attrs }, [x], out, g, _tx, tout, tg, [tgx]) => {
      if (!tgx) return;
      const y = out.data,
        ty = tout.data,
        gd = g.data,
        tgd = tg.data;
      eachLine(x!.shape, attrs.axis, (b, s, n) => {
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
      });
    },
  },
  doc: 'softmax(x)_i = e^{x_i} / Σ_j e^{x_j} along the axis; ∂/∂x = y ⊙ (g - <g, y>)',
});

export const logSoftmax = defineOp<SoftmaxAttrs>({
  name: 'log_softmax',
  category: 'activations',
  inputs: ['x'],
  attrs: { axis: SOFTMAX_AXIS },
  shape: ([x], a) => (normaliseAxis('log_softmax', a.axis, x!), x!),
  flops: ([x]) => 5 * sizeOf(x!),
  forward: ({ attrs }, [x], out) => {
    const xd = x!.data,
      y = out.data;
    eachLine(x!.shape, attrs.axis, (b, s, n) => {
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, xd[b + k * s]!);
      let z = 0;
      for (let k = 0; k < n; k++) z += Math.exp(xd[b + k * s]! - m);
      const lse = m + Math.log(z);
      for (let k = 0; k < n; k++) y[b + k * s] = xd[b + k * s]! - lse;
    });
  },
  // gx = g - softmax · Σ g
  vjp: ({ attrs }, [x], out, g, [gx]) => {
    if (!gx) return;
    const y = out.data,
      gd = g.data;
    eachLine(x!.shape, attrs.axis, (b, s, n) => {
      let gs = 0;
      for (let k = 0; k < n; k++) gs += gd[b + k * s]!;
      for (let k = 0; k < n; k++) gx.data[b + k * s]! += gd[b + k * s]! - Math.exp(y[b + k * s]!) * gs;
    });
  },
  jvp: ({ attrs }, [x], out, [tx], tout) => {
    if (!tx) return void tout.fill(0);
    const y = out.data;
    eachLine(x!.shape, attrs.axis, (b, s, n) => {
      let pt = 0;
      for (let k = 0; k < n; k++) pt += Math.exp(y[b + k * s]!) * tx.data[b + k * s]!;
      for (let k = 0; k < n; k++) tout.data[b + k * s] = tx.data[b + k * s]! - pt;
    });
  },
  secondOrder: {
    kind: 'custom',
    // d/dt [g - p Σg] = ġ - ṗ Σg - p Σġ, with ṗ = p ⊙ ẏ
    vjpJvp: ({ attrs }, [x], out, g, _tx, tout, tg, [tgx]) => {
      if (!tgx) return;
      const y = out.data,
        ty = tout.data,
        gd = g.data,
        tgd = tg.data;
      eachLine(x!.shape, attrs.axis, (b, s, n) => {
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
      });
    },
  },
  doc: 'log_softmax(x)_i = x_i - log Σ_j e^{x_j} along the axis; ∂/∂x = g - softmax(x)·Σ g',
});

export const REDUCE_OPS = [sum, mean, softmax, logSoftmax] as const;
