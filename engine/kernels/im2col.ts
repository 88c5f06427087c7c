/**
 * Convolution as a matrix product (im2col): every output pixel of every sample becomes one row of
 * `cols` holding the input window it sees, so a convolution's forward and both its gradients are
 * large products through gemm. Layout: one matrix per channel group, one after the other
 * ([groups][pixels][width]); rows (b, i, j) over the batch and the output grid, columns
 * (channel within the group, ki, kj) matching the OIHW weight's rows; padding reads as zeros.
 * A 1-D window is the 2-D one with h = kh = 1.
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
}

/**
 * cols[g][(b·oh + i)·ow + j][(icl·kh + ki)·kw + kj] = x[b, g·cg + icl, i·sh - pt + ki·dh, j·sw - pl + kj·dw]
 * (0 outside the input).
 */
export function im2col(d: ConvGeometry, x: Data, cols: Data): void {
  const { n, c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, groups } = d;
  const cg = c / groups;
  // Output columns whose windows lie wholly inside the input's width: no bounds checks there.
  const [jFrom, jTo] = insideRange(ow, sw, pl, kw, dw, w);
  let q = 0;
  for (let g = 0; g < groups; g++)
    for (let b = 0; b < n; b++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          const x0 = j * sw - pl;
          const inside = j >= jFrom && j < jTo;
          for (let icl = 0; icl < cg; icl++) {
            const plane = (b * c + g * cg + icl) * h;
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
        }
}

/** The output positions [from, to) along one axis whose windows read no padding. */
function insideRange(out: number, s: number, p: number, k: number, d: number, len: number): [number, number] {
  const from = Math.min(out, Math.ceil(p / s));
  const to = Math.max(from, Math.min(out, Math.floor((len - 1 - (k - 1) * d + p) / s) + 1));
  return [from, to];
}

/** The adjoint of im2col: gx[b, ic, hi, wj] += every cols entry that was read from it. */
export function col2imAdd(d: ConvGeometry, cols: Data, gx: Data): void {
  const { n, c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, groups } = d;
  const cg = c / groups;
  const [jFrom, jTo] = insideRange(ow, sw, pl, kw, dw, w);
  let q = 0;
  for (let g = 0; g < groups; g++)
    for (let b = 0; b < n; b++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          const x0 = j * sw - pl;
          const inside = j >= jFrom && j < jTo;
          for (let icl = 0; icl < cg; icl++) {
            const plane = (b * c + g * cg + icl) * h;
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
