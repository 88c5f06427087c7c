/**
 * Convolution as a matrix product (im2col): every output pixel of every sample becomes one row of
 * `cols` holding the input window it sees, so a convolution's forward and both its gradients are
 * large products through gemm. Layout: one matrix per channel group, one after the other
 * ([groups][pixels][width]); rows (b, v, i, j) over the batch and the output grid, columns
 * (channel within the group, kz, ki, kj) matching the weight's rows (OIHW, or OIDHW for conv3d);
 * padding reads as zeros. A 2-D window is the 3-D one with depth = kd = od = 1, and a 1-D window
 * the 2-D one with h = kh = 1.
 */
import type { Data } from '../tensor/tensor.js';
import { gemm } from './gemm.js';

/**
 * Sizes of a 2-D window op: input [n, c, h, w], kernel kh × kw, strides sh, sw, dilations dh, dw,
 * padding pt (top) and pl (left) before the input (what lies after it only shows in oh, ow),
 * output grid oh × ow, channels split into `groups` independent groups.
 */
export interface ConvGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  pt: number;
  pl: number;
  oh: number;
  ow: number;
  groups: number;
  /**
   * conv3d's third axis, in front of h: input depth, kernel, stride, dilation, zeros in front and
   * output depth; 1, 1, 1, 1, 0, 1 when absent (a 2-D window).
   */
  depth?: number;
  kd?: number;
  sd?: number;
  dd?: number;
  pf?: number;
  od?: number;
}

/**
 * cols[g][((b·od + v)·oh + i)·ow + j][((icl·kd + kz)·kh + ki)·kw + kj] =
 *   x[b, g·cg + icl, v·sd - pf + kz·dd, i·sh - pt + ki·dh, j·sw - pl + kj·dw]  (0 outside the input).
 */
export function im2col(d: ConvGeometry, x: Data, cols: Data): void {
  const { n, c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, groups } = d;
  const { depth = 1, kd = 1, sd = 1, dd = 1, pf = 0, od = 1 } = d;
  const cg = c / groups;
  // Output columns whose windows lie wholly inside the input's width: no bounds checks there.
  const jFrom = insideFrom(ow, sw, pl),
    jTo = insideTo(ow, sw, pl, kw, dw, w);
  const taps = kh * kw;
  let q = 0;
  for (let g = 0; g < groups; g++)
    for (let b = 0; b < n; b++)
      for (let v = 0; v < od; v++) {
        // The depth taps [kzFrom, kzTo) inside the input; the others read zeros.
        const z0 = v * sd - pf,
          kzFrom = depthFrom(z0, dd, kd),
          kzTo = depthTo(z0, dd, kd, depth);
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            const x0 = j * sw - pl;
            const inside = j >= jFrom && j < jTo;
            for (let icl = 0; icl < cg; icl++) {
              for (let t = 0; t < kzFrom * taps; t++) cols[q++] = 0;
              for (let kz = kzFrom; kz < kzTo; kz++) {
                const plane = ((b * c + g * cg + icl) * depth + z0 + kz * dd) * h;
                for (let ki = 0; ki < kh; ki++) {
                  const hi = i * sh - pt + ki * dh;
                  if (hi < 0 || hi >= h) {
                    for (let kj = 0; kj < kw; kj++) cols[q++] = 0;
                    continue;
                  }
                  const base = (plane + hi) * w + x0;
                  if (inside) for (let kj = 0; kj < kw; kj++) cols[q++] = x[base + kj * dw]!;
                  else
                    for (let kj = 0; kj < kw; kj++, q++) {
                      const wj = x0 + kj * dw;
                      cols[q] = wj >= 0 && wj < w ? x[base + kj * dw]! : 0;
                    }
                }
              }
              for (let t = kzTo * taps; t < kd * taps; t++) cols[q++] = 0;
            }
          }
      }
}

/**
 * The output positions [from, to) along one axis whose windows read no padding (two functions
 * rather than one returning a pair: the kernels allocate nothing, even before they are optimised).
 */
function insideFrom(out: number, s: number, p: number): number {
  return Math.min(out, Math.ceil(p / s));
}
function insideTo(out: number, s: number, p: number, k: number, d: number, len: number): number {
  return Math.max(insideFrom(out, s, p), Math.min(out, Math.floor((len - 1 - (k - 1) * d + p) / s) + 1));
}

/** The first depth tap kz < kd whose z = z0 + kz·dd is at least 0 (kd when none is). */
function depthFrom(z0: number, dd: number, kd: number): number {
  return z0 >= 0 ? 0 : Math.min(kd, Math.ceil(-z0 / dd));
}
/** One past the last depth tap whose z lies inside the depth (at least depthFrom). */
function depthTo(z0: number, dd: number, kd: number, depth: number): number {
  return Math.max(depthFrom(z0, dd, kd), Math.min(kd, Math.floor((depth - 1 - z0) / dd) + 1));
}

/**
 * cols = im2col(x), unless it holds forward's im2col of this very x. Only forward marks cols as
 * x's: a tangent may keep its buffer while its values change (Hessian-vector products), so
 * anything built here is built again next time.
 */
export function colsFor(d: ConvGeometry, colsOf: { data: Data | null }, x: Data, cols: Data): void {
  if (colsOf.data === x) return;
  im2col(d, x, cols);
  colsOf.data = null;
}

/** The adjoint of im2col: gx[b, ic, z, hi, wj] += every cols entry that was read from it. */
export function col2imAdd(d: ConvGeometry, cols: Data, gx: Data): void {
  const { n, c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, groups } = d;
  const { depth = 1, kd = 1, sd = 1, dd = 1, pf = 0, od = 1 } = d;
  const cg = c / groups;
  const jFrom = insideFrom(ow, sw, pl),
    jTo = insideTo(ow, sw, pl, kw, dw, w);
  const taps = kh * kw;
  let q = 0;
  for (let g = 0; g < groups; g++)
    for (let b = 0; b < n; b++)
      for (let v = 0; v < od; v++) {
        const z0 = v * sd - pf,
          kzFrom = depthFrom(z0, dd, kd),
          kzTo = depthTo(z0, dd, kd, depth);
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            const x0 = j * sw - pl;
            const inside = j >= jFrom && j < jTo;
            for (let icl = 0; icl < cg; icl++) {
              q += kzFrom * taps;
              for (let kz = kzFrom; kz < kzTo; kz++) {
                const plane = ((b * c + g * cg + icl) * depth + z0 + kz * dd) * h;
                for (let ki = 0; ki < kh; ki++) {
                  const hi = i * sh - pt + ki * dh;
                  if (hi < 0 || hi >= h) {
                    q += kw;
                    continue;
                  }
                  const base = (plane + hi) * w + x0;
                  if (inside) for (let kj = 0; kj < kw; kj++) gx[base + kj * dw]! += cols[q++]!;
                  else
                    for (let kj = 0; kj < kw; kj++, q++) {
                      const wj = x0 + kj * dw;
                      if (wj >= 0 && wj < w) gx[base + kj * dw]! += cols[q]!;
                    }
                }
              }
              q += (kd - kzTo) * taps;
            }
          }
      }
}

/**
 * Per-group rows [groups][n·plane][og] (one row per output pixel) → NCHW [n, groups·og, plane];
 * `acc` adds instead of overwriting.
 */
export function rowsToNchw(
  rows: Data,
  nchw: Data,
  n: number,
  groups: number,
  og: number,
  plane: number,
  acc = false,
): void {
  const o = groups * og;
  for (let g = 0; g < groups; g++)
    for (let b = 0; b < n; b++)
      for (let q = 0; q < plane; q++) {
        const r = (g * n * plane + b * plane + q) * og;
        const at = (b * o + g * og) * plane + q;
        if (acc) for (let oc = 0; oc < og; oc++) nchw[at + oc * plane]! += rows[r + oc]!;
        else for (let oc = 0; oc < og; oc++) nchw[at + oc * plane] = rows[r + oc]!;
      }
}

/** NCHW [n, groups·og, plane] → per-group rows [groups][n·plane][og]. */
export function nchwToRows(
  nchw: Data,
  rows: Data,
  n: number,
  groups: number,
  og: number,
  plane: number,
): void {
  const o = groups * og;
  for (let g = 0; g < groups; g++)
    for (let b = 0; b < n; b++)
      for (let q = 0; q < plane; q++) {
        const r = (g * n * plane + b * plane + q) * og;
        const at = (b * o + g * og) * plane + q;
        for (let oc = 0; oc < og; oc++) rows[r + oc] = nchw[at + oc * plane]!;
      }
}

/** The sizes of a convolution's per-group products: pixels × width im2col rows, og outputs per group. */
export interface GroupedProducts {
  groups: number;
  pixels: number;
  width: number;
  og: number;
}

/** rows (+)= cols · Wᵀ per group: the convolution's output rows from im2col rows. */
export function convRows(d: GroupedProducts, cols: Data, wt: Data, rows: Data, acc: boolean): void {
  for (let g = 0; g < d.groups; g++)
    gemm(
      'nt',
      d.pixels,
      d.og,
      d.width,
      cols,
      g * d.pixels * d.width,
      wt,
      g * d.og * d.width,
      rows,
      g * d.pixels * d.og,
      acc,
    );
}

/** cols (+)= rows · W per group: the adjoint of convRows in its cols argument. */
export function rowsToCols(d: GroupedProducts, rows: Data, wt: Data, cols: Data, acc: boolean): void {
  for (let g = 0; g < d.groups; g++)
    gemm(
      'nn',
      d.pixels,
      d.width,
      d.og,
      rows,
      g * d.pixels * d.og,
      wt,
      g * d.og * d.width,
      cols,
      g * d.pixels * d.width,
      acc,
    );
}

/** gW += rowsᵀ · cols per group: the adjoint of convRows in its weight argument. */
export function weightGrad(d: GroupedProducts, rows: Data, cols: Data, gw: Data): void {
  for (let g = 0; g < d.groups; g++)
    gemm(
      'tn',
      d.og,
      d.width,
      d.pixels,
      rows,
      g * d.pixels * d.og,
      cols,
      g * d.pixels * d.width,
      gw,
      g * d.og * d.width,
      true,
    );
}

/**
 * Depthwise convolution (one input channel per group, one filter per channel: MobileNet's 3×3
 * layers) as direct loops: per group the im2col products would be matrix-vector products of
 * width kh·kw, too thin for gemm. y (+)= depthwise(x, w), w [c, 1, kh, kw].
 */
export function depthwiseForward(d: ConvGeometry, x: Data, wt: Data, y: Data, acc: boolean): void {
  const { n, c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow } = d;
  // Output pixels whose windows read no padding run without bounds checks.
  const iFrom = insideFrom(oh, sh, pt),
    iTo = insideTo(oh, sh, pt, kh, dh, h);
  const jFrom = insideFrom(ow, sw, pl),
    jTo = insideTo(ow, sw, pl, kw, dw, w);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++) {
      const xp = (b * c + ch) * h * w;
      const yp = (b * c + ch) * oh * ow;
      const wp = ch * kh * kw;
      for (let i = 0; i < oh; i++) {
        const rowInside = i >= iFrom && i < iTo;
        for (let j = 0; j < ow; j++) {
          let sum = 0;
          const y0 = i * sh - pt,
            x0 = j * sw - pl;
          if (rowInside && j >= jFrom && j < jTo) {
            for (let ki = 0; ki < kh; ki++) {
              const row = xp + (y0 + ki * dh) * w + x0;
              const wr = wp + ki * kw;
              for (let kj = 0; kj < kw; kj++) sum += x[row + kj * dw]! * wt[wr + kj]!;
            }
          } else
            for (let ki = 0; ki < kh; ki++) {
              const hi = y0 + ki * dh;
              if (hi < 0 || hi >= h) continue;
              const row = xp + hi * w;
              for (let kj = 0; kj < kw; kj++) {
                const wj = x0 + kj * dw;
                if (wj >= 0 && wj < w) sum += x[row + wj]! * wt[wp + ki * kw + kj]!;
              }
            }
          const at = yp + i * ow + j;
          y[at] = acc ? y[at]! + sum : sum;
        }
      }
    }
}

/** The adjoints of depthwiseForward: gx += ∂/∂x and gw += ∂/∂w of <g, y> (either may be null). */
export function depthwiseBackward(
  d: ConvGeometry,
  x: Data,
  wt: Data,
  g: Data,
  gx: Data | null,
  gw: Data | null,
): void {
  const { n, c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow } = d;
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++) {
      const xp = (b * c + ch) * h * w;
      const yp = (b * c + ch) * oh * ow;
      const wp = ch * kh * kw;
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          const gv = g[yp + i * ow + j]!;
          for (let ki = 0; ki < kh; ki++) {
            const hi = i * sh - pt + ki * dh;
            if (hi < 0 || hi >= h) continue;
            const row = xp + hi * w;
            for (let kj = 0; kj < kw; kj++) {
              const wj = j * sw - pl + kj * dw;
              if (wj < 0 || wj >= w) continue;
              if (gw) gw[wp + ki * kw + kj]! += gv * x[row + wj]!;
              if (gx) gx[row + wj]! += gv * wt[wp + ki * kw + kj]!;
            }
          }
        }
    }
}

/**
 * A convolution run as im2col products: its geometry, the per-group product sizes, the output
 * pixels of one sample and channel, and which input's im2col `cols` holds now (forward's x, so
 * that the weight gradient reuses it instead of building it again).
 */
export interface UnfoldedConv extends ConvGeometry, GroupedProducts {
  plane: number;
  colsOf: { data: Data | null };
}

/** y = conv(x, w) (+ bias), cols and rows the plan's scratch; cols then holds x's im2col. */
export function unfoldedForward(
  d: UnfoldedConv,
  x: Data,
  wt: Data,
  bias: Data | null,
  cols: Data,
  rows: Data,
  y: Data,
): void {
  // Forward always builds afresh: x's values are new (the backward pass then reuses them).
  im2col(d, x, cols);
  d.colsOf.data = x;
  convRows(d, cols, wt, rows, false);
  rowsToNchw(rows, y, d.n, d.groups, d.og, d.plane);
  if (bias) addChannelBias(d.n, d.groups * d.og, d.plane, bias, y);
}

/**
 * gx += ∂/∂x and gw += ∂/∂w of <g, conv(x, w)> (null: not wanted; the bias's is addBiasGrad).
 * The weight gradient needs the im2col of the x it is given: forward's when it is forward's x,
 * else (the second-order rule passes x's tangent) built here.
 */
export function unfoldedVjp(
  d: UnfoldedConv,
  x: Data,
  wt: Data,
  g: Data,
  gx: Data | null,
  gw: Data | null,
  cols: Data,
  rows: Data,
): void {
  nchwToRows(g, rows, d.n, d.groups, d.og, d.plane);
  if (gw) {
    colsFor(d, d.colsOf, x, cols);
    weightGrad(d, rows, cols, gw);
  }
  if (gx) {
    rowsToCols(d, rows, wt, cols, false);
    d.colsOf.data = null;
    col2imAdd(d, cols, gx);
  }
}

/** tout = conv(tx, w) + conv(x, tw) + tb, each tangent null when zero. */
export function unfoldedJvp(
  d: UnfoldedConv,
  x: Data,
  wt: Data,
  tx: Data | null,
  tw: Data | null,
  tb: Data | null,
  cols: Data,
  rows: Data,
  tout: Data,
): void {
  let any = false;
  if (tx) {
    colsFor(d, d.colsOf, tx, cols);
    convRows(d, cols, wt, rows, false);
    any = true;
  }
  if (tw) {
    colsFor(d, d.colsOf, x, cols);
    convRows(d, cols, tw, rows, any);
    any = true;
  }
  if (any) rowsToNchw(rows, tout, d.n, d.groups, d.og, d.plane);
  else tout.fill(0);
  if (tb) addChannelBias(d.n, d.groups * d.og, d.plane, tb, tout);
}

/** y[b, oc] += bias[oc] over every pixel of the plane (n samples, o channels). */
export function addChannelBias(n: number, o: number, plane: number, bias: Data, y: Data): void {
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < o; oc++) {
      const at = (b * o + oc) * plane;
      const v = bias[oc]!;
      for (let q = 0; q < plane; q++) y[at + q]! += v;
    }
}

/** gb[oc] += Σ g[b, oc] over the samples and the plane: addChannelBias's adjoint. */
export function addBiasGrad(n: number, o: number, plane: number, g: Data, gb: Data): void {
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < o; oc++) {
      const at = (b * o + oc) * plane;
      let sum = 0;
      for (let q = 0; q < plane; q++) sum += g[at + q]!;
      gb[oc]! += sum;
    }
}
