/** 2-D convolution and pooling over NCHW tensors (weights OIHW, PyTorch's layouts). */
import { defineOp } from './define.js';
import { ShapeError } from '../tensor/broadcast.js';
import { shapeToString, type Data, type Shape } from '../tensor/tensor.js';
import { INIT_KINDS, type InitKind } from './init-kinds.js';
import { gemm } from '../kernels/gemm.js';
import { col2imAdd, im2col, nchwToRows, rowsToNchw, type ConvGeometry } from '../kernels/im2col.js';

/** Sizes of a sliding-window op (the same geometry im2col works with). */
type Window = ConvGeometry;

function windowOf(op: string, x: Shape, k: number, s: number, p: number): Window {
  if (x.length !== 4) throw new ShapeError(`${op}: x must be [N, C, H, W], got ${shapeToString(x)}`);
  const [n, c, h, w] = x as [number, number, number, number];
  const oh = Math.floor((h + 2 * p - k) / s) + 1,
    ow = Math.floor((w + 2 * p - k) / s) + 1;
  if (oh < 1 || ow < 1)
    throw new ShapeError(`${op}: a ${k}×${k} window (padding ${p}) does not fit x ${shapeToString(x)}`);
  return { n, c, h, w, k, s, p, oh, ow };
}

type ConvAttrs = {
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
  bias: boolean;
  init: InitKind;
};
type ConvPlan = Window & { o: number };

/** y (+)= conv(x, wt) (no bias). */
function convAcc(d: ConvPlan, x: Data, wt: Data, y: Data, acc: boolean): void {
  const { n, c, h, w, k, s, p, oh, ow, o } = d;
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < o; oc++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let sum = 0;
          for (let ic = 0; ic < c; ic++)
            for (let ki = 0; ki < k; ki++) {
              const hi = i * s - p + ki;
              if (hi < 0 || hi >= h) continue;
              const xr = ((b * c + ic) * h + hi) * w,
                wr = ((oc * c + ic) * k + ki) * k;
              for (let kj = 0; kj < k; kj++) {
                const wj = j * s - p + kj;
                if (wj >= 0 && wj < w) sum += x[xr + wj]! * wt[wr + kj]!;
              }
            }
          const yi = ((b * o + oc) * oh + i) * ow + j;
          y[yi] = acc ? y[yi]! + sum : sum;
        }
}

function addChannelBias(d: ConvPlan, bias: Data, y: Data): void {
  const plane = d.oh * d.ow;
  for (let b = 0; b < d.n; b++)
    for (let oc = 0; oc < d.o; oc++)
      for (let q = 0; q < plane; q++) y[(b * d.o + oc) * plane + q]! += bias[oc]!;
}

export const conv2d = defineOp<ConvAttrs, ConvPlan>({
  name: 'conv2d',
  category: 'layers',
  inputs: ['x'],
  params: [
    { name: 'weight', role: 'weight', shape: ([x], a) => [a.outChannels, x![1] ?? 0, a.kernel, a.kernel] },
    { name: 'bias', role: 'bias', shape: (_x, a) => [a.outChannels], present: (a) => a.bias },
  ],
  attrs: {
    outChannels: { type: 'integer', min: 1, doc: 'output channels' },
    kernel: { type: 'integer', min: 1, doc: 'kernel height and width' },
    stride: { type: 'integer', default: 1, min: 1, doc: 'step between windows' },
    padding: { type: 'integer', default: 0, min: 0, doc: 'zeros added on each side' },
    bias: { type: 'boolean', default: true, doc: 'add a learned bias per output channel' },
    init: { type: 'enum', values: INIT_KINDS, default: 'default', doc: 'how the weights start' },
  },
  deriveAttrs: ({ weight }) => (weight?.length === 4 ? { outChannels: weight[0]!, kernel: weight[2]! } : {}),
  shape: ([x, wt, b], a) => {
    const d = windowOf('conv2d', x!, a.kernel, a.stride, a.padding);
    const want = [a.outChannels, d.c, a.kernel, a.kernel];
    if (wt!.length !== 4 || wt!.some((v, i) => v !== want[i]))
      throw new ShapeError(
        `conv2d: weight must be ${shapeToString(want)} for x ${shapeToString(x!)}, got ${shapeToString(wt!)}`,
      );
    if (b && (b.length !== 1 || b[0] !== a.outChannels))
      throw new ShapeError(`conv2d: bias must be [${a.outChannels}], got ${shapeToString(b)}`);
    return [d.n, a.outChannels, d.oh, d.ow];
  },
  flops: ([x], a) => {
    const d = windowOf('conv2d', x!, a.kernel, a.stride, a.padding);
    return d.n * a.outChannels * d.oh * d.ow * (2 * d.c * a.kernel * a.kernel + (a.bias ? 1 : 0));
  },
  plan: ([x], a) => ({ ...windowOf('conv2d', x!, a.kernel, a.stride, a.padding), o: a.outChannels }),
  // Forward and VJP run as matrix products over im2col rows (engine/kernels/im2col.ts): `cols`
  // holds one input window per output pixel, `rows` the output (or its gradient) pixel-major.
  saved: ([x], a) => {
    const d = windowOf('conv2d', x!, a.kernel, a.stride, a.padding);
    const pixels = d.n * d.oh * d.ow;
    return { cols: [pixels, d.c * d.k * d.k], rows: [pixels, a.outChannels] };
  },
  forward: ({ plan: d, saved: { cols, rows } }, [x, wt, b], out) => {
    const pixels = d.n * d.oh * d.ow;
    im2col(d, x!.data, cols!.data);
    gemm('nt', pixels, d.o, d.c * d.k * d.k, cols!.data, 0, wt!.data, 0, rows!.data, 0, false);
    rowsToNchw(rows!.data, out.data, d.n, d.o, d.oh * d.ow);
    if (b) addChannelBias(d, b.data, out.data);
  },
  // Recomputes the im2col of x rather than trusting forward's: the second-order rule calls this
  // with x's tangent in place of x.
  vjp: ({ plan: d, saved: { cols, rows } }, [x, wt], _out, g, [gx, gw, gb]) => {
    const pixels = d.n * d.oh * d.ow,
      plane = d.oh * d.ow,
      width = d.c * d.k * d.k;
    nchwToRows(g.data, rows!.data, d.n, d.o, plane);
    if (gw) {
      im2col(d, x!.data, cols!.data);
      gemm('tn', d.o, width, pixels, rows!.data, 0, cols!.data, 0, gw.data, 0, true); // gW += Gᵀ·cols
    }
    if (gx) {
      gemm('nn', pixels, width, d.o, rows!.data, 0, wt!.data, 0, cols!.data, 0, false); // dcols = G·W
      col2imAdd(d, cols!.data, gx.data);
    }
    if (gb)
      for (let b = 0; b < d.n; b++)
        for (let oc = 0; oc < d.o; oc++) {
          const at = (b * d.o + oc) * plane;
          let sum = 0;
          for (let q = 0; q < plane; q++) sum += g.data[at + q]!;
          gb.data[oc]! += sum;
        }
  },
  jvp: ({ plan }, [x, wt], _out, [tx, tw, tb], tout) => {
    tout.fill(0);
    if (tx) convAcc(plan, tx.data, wt!.data, tout.data, true);
    if (tw) convAcc(plan, x!.data, tw.data, tout.data, true);
    if (tb) addChannelBias(plan, tb.data, tout.data);
  },
  secondOrder: { kind: 'bilinear', pair: ['x', 'weight'] },
  doc: 'conv2d(x)[n,o] = b_o + Σ_c w[o,c] ⋆ x[n,c] (stride, zero padding); ∂/∂x: g correlated with flipped w, ∂/∂w: g ⋆ x',
});

type PoolAttrs = { kernel: number; stride?: number; padding: number };

const POOL_ATTRS = {
  kernel: { type: 'integer', min: 1, doc: 'window height and width' },
  stride: { type: 'integer', min: 1, optional: true, doc: 'step between windows (default: the kernel size)' },
  padding: { type: 'integer', default: 0, min: 0, doc: 'padding on each side (at most half the kernel)' },
} as const;

function poolWindow(op: string, x: Shape, a: PoolAttrs): Window {
  if (a.padding * 2 > a.kernel)
    throw new ShapeError(`${op}: padding ${a.padding} must be at most half the kernel ${a.kernel}`);
  return windowOf(op, x, a.kernel, a.stride ?? a.kernel, a.padding);
}

/**
 * For each output element q, the in-bounds input elements of its window:
 * idx[start[q] .. start[q + 1]). Built once per shape so the kernels are plain loops.
 */
interface WindowTable {
  start: Int32Array;
  idx: Int32Array;
}

function windowTable(d: Window): WindowTable {
  const { n, c, h, w, k, s, p, oh, ow } = d;
  const start = new Int32Array(n * c * oh * ow + 1);
  const idx: number[] = [];
  for (let plane = 0; plane < n * c; plane++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        for (let ki = 0; ki < k; ki++) {
          const hi = i * s - p + ki;
          if (hi < 0 || hi >= h) continue;
          for (let kj = 0; kj < k; kj++) {
            const wj = j * s - p + kj;
            if (wj >= 0 && wj < w) idx.push((plane * h + hi) * w + wj);
          }
        }
        start[(plane * oh + i) * ow + j + 1] = idx.length;
      }
  return { start, idx: Int32Array.from(idx) };
}

type MaxPoolPlan = WindowTable & { argmax: Int32Array };

export const maxPool2d = defineOp<PoolAttrs, MaxPoolPlan>({
  name: 'max_pool2d',
  category: 'layers',
  inputs: ['x'],
  attrs: POOL_ATTRS,
  shape: ([x], a) => {
    const d = poolWindow('max_pool2d', x!, a);
    return [d.n, d.c, d.oh, d.ow];
  },
  flops: ([x], a) => {
    const d = poolWindow('max_pool2d', x!, a);
    return d.n * d.c * d.oh * d.ow * d.k * d.k;
  },
  // argmax: for each output, the input element it took (scratch kept for the derivatives).
  plan: ([x], a) => {
    const d = poolWindow('max_pool2d', x!, a);
    return { ...windowTable(d), argmax: new Int32Array(d.n * d.c * d.oh * d.ow) };
  },
  forward: ({ plan: { start, idx, argmax } }, [x], out) => {
    for (let q = 0; q < argmax.length; q++) {
      // The first maximum wins ties, as in PyTorch.
      let best = start[q]!;
      for (let e = start[q]! + 1; e < start[q + 1]!; e++)
        if (x!.data[idx[e]!]! > x!.data[idx[best]!]!) best = e;
      argmax[q] = idx[best]!;
      out.data[q] = x!.data[idx[best]!]!;
    }
  },
  vjp: ({ plan: { argmax } }, _xs, _out, g, [gx]) => {
    if (gx) for (let q = 0; q < argmax.length; q++) gx.data[argmax[q]!]! += g.data[q]!;
  },
  jvp: ({ plan: { argmax } }, _xs, _out, [tx], tout) => {
    for (let q = 0; q < argmax.length; q++) tout.data[q] = tx ? tx.data[argmax[q]!]! : 0;
  },
  secondOrder: { kind: 'linear' },
  doc: 'max_pool2d(x) = the largest element of each window; ∂/∂x routes g to that element',
});

export const avgPool2d = defineOp<PoolAttrs, WindowTable & { inv: number }>({
  name: 'avg_pool2d',
  category: 'layers',
  inputs: ['x'],
  attrs: POOL_ATTRS,
  shape: ([x], a) => {
    const d = poolWindow('avg_pool2d', x!, a);
    return [d.n, d.c, d.oh, d.ow];
  },
  flops: ([x], a) => {
    const d = poolWindow('avg_pool2d', x!, a);
    return d.n * d.c * d.oh * d.ow * d.k * d.k;
  },
  // Divides by k² even where the window overlaps padding (PyTorch's count_include_pad=True).
  plan: ([x], a) => {
    const d = poolWindow('avg_pool2d', x!, a);
    return { ...windowTable(d), inv: 1 / (d.k * d.k) };
  },
  forward: ({ plan: { start, idx, inv } }, [x], out) => {
    for (let q = 0; q < out.data.length; q++) {
      let sum = 0;
      for (let e = start[q]!; e < start[q + 1]!; e++) sum += x!.data[idx[e]!]!;
      out.data[q] = sum * inv;
    }
  },
  vjp: ({ plan: { start, idx, inv } }, _xs, _out, g, [gx]) => {
    if (!gx) return;
    for (let q = 0; q < g.data.length; q++)
      for (let e = start[q]!; e < start[q + 1]!; e++) gx.data[idx[e]!]! += g.data[q]! * inv;
  },
  jvp: ({ plan: { start, idx, inv } }, _xs, _out, [tx], tout) => {
    for (let q = 0; q < tout.data.length; q++) {
      let sum = 0;
      if (tx) for (let e = start[q]!; e < start[q + 1]!; e++) sum += tx.data[idx[e]!]!;
      tout.data[q] = sum * inv;
    }
  },
  secondOrder: { kind: 'linear' },
  doc: 'avg_pool2d(x) = the mean of each k×k window (padding counted); ∂/∂x spreads g/k² over the window',
});

export const CONV_OPS = { conv2d, max_pool2d: maxPool2d, avg_pool2d: avgPool2d } as const;
