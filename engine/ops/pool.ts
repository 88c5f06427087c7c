/**
 * Pooling with PyTorch's semantics: max and average pools over 1-D ([N, C, L]) and 2-D
 * ([N, C, H, W]) windows with a kernel, stride and padding per axis, dilation (max), ceil_mode and
 * count_include_pad (average); and global average and max pools over every spatial axis.
 * Max pools pad with -∞ (padding never wins), average pools with zeros.
 */
import { defineOp, type AttrSpec } from './define.js';
import { ShapeError } from '../tensor/broadcast.js';
import { shapeToString, type Data, type Shape } from '../tensor/tensor.js';
import type { ConvGeometry } from '../kernels/im2col.js';
import { float32ScatterAdd } from '../kernels/unary.js';
import {
  paddingOf,
  perAxis,
  sizesAttr,
  windowGeometry,
  windowShape,
  type Sizes,
  type Spatial,
} from './window.js';

export type PoolAttrs = {
  kernel: Sizes;
  stride?: Sizes;
  padding: Sizes;
  dilation: Sizes;
  ceil_mode: boolean;
  count_include_pad: boolean;
};

function poolAttrs(spatial: Spatial, kind: 'max' | 'avg') {
  const attrs: Record<string, AttrSpec> = {
    kernel: sizesAttr(spatial, spatial === 2 ? 'window size: k, or [kh, kw]' : 'window size', { min: 1 }),
    stride: {
      ...sizesAttr(spatial, 'step between windows (default: the kernel size)', { min: 1 }),
      optional: true,
    },
    padding: sizesAttr(
      spatial,
      `${kind === 'max' ? '-∞' : 'zeros'} added on each side: p, one per axis, or per side (at most half the kernel)`,
      { min: 0, default: 0, perSide: true },
    ),
  };
  if (kind === 'max')
    attrs['dilation'] = sizesAttr(spatial, 'spacing between window elements, per axis', {
      min: 1,
      default: 1,
    });
  attrs['ceil_mode'] = {
    type: 'boolean',
    default: false,
    doc: 'round the output size up (a last, partial window)',
  };
  if (kind === 'avg')
    attrs['count_include_pad'] = {
      type: 'boolean',
      default: true,
      doc: 'divide by the whole window, padding included (else by the elements it covers)',
    };
  return attrs as { [K in keyof PoolAttrs]: AttrSpec };
}

/** PyTorch refuses padding over half the (undilated) kernel, rounded down. */
const halfKernel = (k: number) => Math.floor(k / 2);

export function poolGeometry(op: string, x: Shape, a: PoolAttrs, spatial: Spatial): ConvGeometry {
  const kernel = perAxis(a.kernel, spatial, 1);
  const dilation = perAxis(a.dilation, spatial, 1);
  return windowGeometry(op, x, spatial, {
    kernel,
    stride: perAxis(a.stride ?? a.kernel, spatial, 1),
    dilation,
    padding: paddingOf(a.padding, spatial, kernel),
    ceil: a.ceil_mode,
    maxPadding: halfKernel,
  });
}

/**
 * For each output element q, the input elements of its window inside the input:
 * idx[start[q] .. start[q + 1]). Built once per shape so the kernels are plain loops.
 */
interface WindowTable {
  start: Int32Array;
  idx: Int32Array;
}

function windowTable(d: ConvGeometry): WindowTable {
  const { n, c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow } = d;
  const start = new Int32Array(n * c * oh * ow + 1);
  const idx: number[] = [];
  for (let plane = 0; plane < n * c; plane++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        for (let ki = 0; ki < kh; ki++) {
          const hi = i * sh - pt + ki * dh;
          if (hi < 0 || hi >= h) continue;
          for (let kj = 0; kj < kw; kj++) {
            const wj = j * sw - pl + kj * dw;
            if (wj >= 0 && wj < w) idx.push((plane * h + hi) * w + wj);
          }
        }
        start[(plane * oh + i) * ow + j + 1] = idx.length;
      }
  return { start, idx: Int32Array.from(idx) };
}

/**
 * 1 / the divisor of each output position of a plane, as PyTorch's avg_pool: the window clipped
 * to the padded input (ceil mode's last window may hang past it), and to the input itself
 * unless count_include_pad.
 */
function averageWeights(d: ConvGeometry, countPad: boolean, padAfter: [number, number]): Float64Array {
  const inv = new Float64Array(d.oh * d.ow);
  const span = (o: number, s: number, p: number, k: number, len: number, after: number) => {
    const from = o * s - p;
    const to = Math.min(from + k, len + after);
    const size = to - from;
    const inside = Math.min(to, len) - Math.max(from, 0);
    return countPad ? size : inside;
  };
  for (let i = 0; i < d.oh; i++)
    for (let j = 0; j < d.ow; j++)
      inv[i * d.ow + j] =
        1 / (span(i, d.sh, d.pt, d.kh, d.h, padAfter[0]) * span(j, d.sw, d.pl, d.kw, d.w, padAfter[1]));
  return inv;
}

/**
 * Max pooling whose windows all lie inside x (no padding, no ceil-mode overhang: the usual 2×2
 * stride 2), as strided loops rather than through the window table: the same elements in the
 * same order, without an index load per element. argmax as the table path writes it.
 */
function maxPoolInside(d: ConvGeometry, x: Data, out: Data, argmax: Int32Array): void {
  const { h, w, kh, kw, sh, sw, dh, dw, oh, ow } = d;
  let q = 0;
  for (let plane = 0; plane < d.n * d.c; plane++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++, q++) {
        const corner = (plane * h + i * sh) * w + j * sw;
        // The first maximum wins ties, as in PyTorch.
        let best = corner;
        for (let ki = 0; ki < kh; ki++)
          for (let kj = 0, at = corner + ki * dh * w; kj < kw; kj++, at += dw)
            if (x[at]! > x[best]!) best = at;
        argmax[q] = best;
        out[q] = x[best]!;
      }
}

/** Whether every window of d lies inside the input. */
const windowsInside = (d: ConvGeometry): boolean =>
  d.pt === 0 &&
  d.pl === 0 &&
  (d.oh - 1) * d.sh + (d.kh - 1) * d.dh < d.h &&
  (d.ow - 1) * d.sw + (d.kw - 1) * d.dw < d.w;

/** argmax: for each output, the input element it took (-1 for a window wholly in padding). */
type MaxPoolPlan = WindowTable & { argmax: Int32Array; inside: ConvGeometry | null };

function maxPoolOp(name: string, spatial: Spatial) {
  const geometry = (x: Shape, a: PoolAttrs) => poolGeometry(name, x, a, spatial);
  return defineOp<PoolAttrs, MaxPoolPlan>({
    name,
    category: 'layers',
    inputs: ['x'],
    attrs: poolAttrs(spatial, 'max'),
    shape: ([x], a) => {
      const d = geometry(x!, a);
      return windowShape(d, d.c, spatial);
    },
    flops: ([x], a) => {
      const d = geometry(x!, a);
      return d.n * d.c * d.oh * d.ow * d.kh * d.kw;
    },
    plan: ([x], a) => {
      const d = geometry(x!, a);
      const inside = windowsInside(d) ? d : null;
      const table = inside ? { start: new Int32Array(0), idx: new Int32Array(0) } : windowTable(d);
      return { ...table, argmax: new Int32Array(d.n * d.c * d.oh * d.ow), inside };
    },
    forward: ({ plan: { start, idx, argmax, inside } }, xs, out) => {
      const x = xs[0];
      const xd = x!.data;
      if (inside) return maxPoolInside(inside, xd, out.data, argmax);
      for (let q = 0; q < argmax.length; q++) {
        const from = start[q]!,
          to = start[q + 1]!;
        if (from === to) {
          argmax[q] = -1;
          out.data[q] = -Infinity;
          continue;
        }
        // The first maximum wins ties, as in PyTorch.
        let best = idx[from]!;
        for (let e = from + 1; e < to; e++) if (xd[idx[e]!]! > xd[best]!) best = idx[e]!;
        argmax[q] = best;
        out.data[q] = xd[best]!;
      }
    },
    vjp: ({ plan: { argmax, inside } }, _xs, _out, g, grads) => {
      const gx = grads[0];
      if (!gx) return;
      // Windows inside the input are never empty, so every argmax is an index: a float32
      // scatter-add in WebAssembly (engine/kernels/unary.ts).
      if (inside && float32ScatterAdd(g.data, argmax, gx.data)) return;
      for (let q = 0; q < argmax.length; q++) if (argmax[q]! >= 0) gx.data[argmax[q]!]! += g.data[q]!;
    },
    jvp: ({ plan: { argmax } }, _xs, _out, [tx], tout) => {
      for (let q = 0; q < argmax.length; q++) tout.data[q] = tx && argmax[q]! >= 0 ? tx.data[argmax[q]!]! : 0;
    },
    secondOrder: { kind: 'linear' },
    doc: `${name}(x) = the largest element of each window; ∂/∂x routes g to that element`,
  });
}

function avgPoolOp(name: string, spatial: Spatial) {
  const geometry = (x: Shape, a: PoolAttrs) => poolGeometry(name, x, a, spatial);
  return defineOp<PoolAttrs, WindowTable & { inv: Float64Array; plane: number }>({
    name,
    category: 'layers',
    inputs: ['x'],
    attrs: poolAttrs(spatial, 'avg'),
    shape: ([x], a) => {
      const d = geometry(x!, a);
      return windowShape(d, d.c, spatial);
    },
    flops: ([x], a) => {
      const d = geometry(x!, a);
      return d.n * d.c * d.oh * d.ow * d.kh * d.kw;
    },
    plan: ([x], a) => {
      const d = geometry(x!, a);
      const after = paddingOf(a.padding, spatial, perAxis(a.kernel, spatial, 1)).after;
      const padAfter: [number, number] = spatial === 2 ? [after[0]!, after[1]!] : [0, after[0]!];
      return { ...windowTable(d), inv: averageWeights(d, a.count_include_pad, padAfter), plane: d.oh * d.ow };
    },
    forward: ({ plan: { start, idx, inv, plane } }, xs, out) => {
      const x = xs[0];
      for (let q = 0; q < out.data.length; q++) {
        let sum = 0;
        for (let e = start[q]!; e < start[q + 1]!; e++) sum += x!.data[idx[e]!]!;
        out.data[q] = sum * inv[q % plane]!;
      }
    },
    vjp: ({ plan: { start, idx, inv, plane } }, _xs, _out, g, grads) => {
      const gx = grads[0];
      if (!gx) return;
      for (let q = 0; q < g.data.length; q++) {
        const v = g.data[q]! * inv[q % plane]!;
        for (let e = start[q]!; e < start[q + 1]!; e++) gx.data[idx[e]!]! += v;
      }
    },
    jvp: ({ plan: { start, idx, inv, plane } }, _xs, _out, [tx], tout) => {
      for (let q = 0; q < tout.data.length; q++) {
        let sum = 0;
        if (tx) for (let e = start[q]!; e < start[q + 1]!; e++) sum += tx.data[idx[e]!]!;
        tout.data[q] = sum * inv[q % plane]!;
      }
    },
    secondOrder: { kind: 'linear' },
    doc: `${name}(x) = the mean of each window (padding counted unless count_include_pad is false); ∂/∂x spreads g over the window`,
  });
}

export const maxPool2d = maxPoolOp('max_pool2d', 2);
export const maxPool1d = maxPoolOp('max_pool1d', 1);
export const avgPool2d = avgPoolOp('avg_pool2d', 2);
export const avgPool1d = avgPoolOp('avg_pool1d', 1);

type NoAttrs = Record<string, never>;

/** [N, C, ...spatial] → [N, C, 1, ...]: planes of `size` elements. */
function globalShape(op: string, x: Shape): { planes: number; size: number; out: Shape } {
  if (x.length < 3)
    throw new ShapeError(
      `${op}: x must be [N, C, ...] with at least one spatial axis, got ${shapeToString(x)}`,
    );
  const size = x.slice(2).reduce((p, v) => p * v, 1);
  return { planes: x[0]! * x[1]!, size, out: [x[0]!, x[1]!, ...x.slice(2).map(() => 1)] };
}

export const globalAvgPool = defineOp<NoAttrs, { planes: number; size: number }>({
  name: 'global_avg_pool',
  category: 'layers',
  inputs: ['x'],
  attrs: {},
  shape: ([x]) => globalShape('global_avg_pool', x!).out,
  flops: ([x]) => x!.reduce((p, v) => p * v, 1),
  plan: ([x]) => globalShape('global_avg_pool', x!),
  forward: ({ plan: { planes, size } }, xs, out) => {
    const x = xs[0];
    for (let p = 0; p < planes; p++) {
      let sum = 0;
      for (let e = p * size; e < (p + 1) * size; e++) sum += x!.data[e]!;
      out.data[p] = sum / size;
    }
  },
  vjp: ({ plan: { planes, size } }, _xs, _out, g, grads) => {
    const gx = grads[0];
    if (!gx) return;
    for (let p = 0; p < planes; p++) {
      const v = g.data[p]! / size;
      for (let e = p * size; e < (p + 1) * size; e++) gx.data[e]! += v;
    }
  },
  jvp: ({ plan: { planes, size } }, _xs, _out, [tx], tout) => {
    for (let p = 0; p < planes; p++) {
      let sum = 0;
      if (tx) for (let e = p * size; e < (p + 1) * size; e++) sum += tx.data[e]!;
      tout.data[p] = sum / size;
    }
  },
  secondOrder: { kind: 'linear' },
  doc: 'global_avg_pool(x)[n,c] = the mean over every spatial position (PyTorch adaptive_avg_pool to 1); ∂/∂x = g / positions',
});

export const globalMaxPool = defineOp<NoAttrs, { planes: number; size: number; argmax: Int32Array }>({
  name: 'global_max_pool',
  category: 'layers',
  inputs: ['x'],
  attrs: {},
  shape: ([x]) => globalShape('global_max_pool', x!).out,
  flops: ([x]) => x!.reduce((p, v) => p * v, 1),
  plan: ([x]) => {
    const g = globalShape('global_max_pool', x!);
    return { ...g, argmax: new Int32Array(g.planes) };
  },
  forward: ({ plan: { planes, size, argmax } }, xs, out) => {
    const x = xs[0];
    const xd = x!.data;
    for (let p = 0; p < planes; p++) {
      let best = p * size;
      for (let e = best + 1; e < (p + 1) * size; e++) if (xd[e]! > xd[best]!) best = e;
      argmax[p] = best;
      out.data[p] = xd[best]!;
    }
  },
  vjp: ({ plan: { argmax } }, _xs, _out, g, grads) => {
    const gx = grads[0];
    if (gx) for (let p = 0; p < argmax.length; p++) gx.data[argmax[p]!]! += g.data[p]!;
  },
  jvp: ({ plan: { argmax } }, _xs, _out, [tx], tout) => {
    for (let p = 0; p < argmax.length; p++) tout.data[p] = tx ? tx.data[argmax[p]!]! : 0;
  },
  secondOrder: { kind: 'linear' },
  doc: 'global_max_pool(x)[n,c] = the largest element over every spatial position (PyTorch adaptive_max_pool to 1); ∂/∂x routes g to it',
});

export const POOL_OPS = {
  max_pool1d: maxPool1d,
  max_pool2d: maxPool2d,
  avg_pool1d: avgPool1d,
  avg_pool2d: avgPool2d,
  global_avg_pool: globalAvgPool,
  global_max_pool: globalMaxPool,
} as const;
