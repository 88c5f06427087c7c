/**
 * Convolution as a matrix product (im2col): every output pixel of every sample becomes one row of
 * `cols` holding the input window it sees, so conv2d's forward and both its gradients are single
 * large products through gemm. Layout: rows (b, i, j) over the batch and the output grid, columns
 * (channel, ki, kj) matching the OIHW weight's rows; zero padding reads as zeros.
 */
import type { Data } from '../tensor/tensor.js';

/** Sizes of a 2-D window op: input [n, c, h, w], window k, stride s, padding p, output oh × ow. */
export interface ConvGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  k: number;
  s: number;
  p: number;
  oh: number;
  ow: number;
}

/** cols[(b·oh + i)·ow + j, (ic·k + ki)·k + kj] = x[b, ic, i·s - p + ki, j·s - p + kj] (0 outside). */
export function im2col(d: ConvGeometry, x: Data, cols: Data): void {
  const { n, c, h, w, k, s, p, oh, ow } = d;
  const width = c * k * k;
  let row = 0;
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++, row++) {
        let q = row * width;
        for (let ic = 0; ic < c; ic++) {
          const plane = (b * c + ic) * h;
          for (let ki = 0; ki < k; ki++) {
            const hi = i * s - p + ki;
            const inside = hi >= 0 && hi < h;
            const base = (plane + hi) * w;
            for (let kj = 0; kj < k; kj++, q++) {
              const wj = j * s - p + kj;
              cols[q] = inside && wj >= 0 && wj < w ? x[base + wj]! : 0;
            }
          }
        }
      }
}

/** The adjoint of im2col: gx[b, ic, hi, wj] += every cols entry that was read from it. */
export function col2imAdd(d: ConvGeometry, cols: Data, gx: Data): void {
  const { n, c, h, w, k, s, p, oh, ow } = d;
  const width = c * k * k;
  let row = 0;
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++, row++) {
        let q = row * width;
        for (let ic = 0; ic < c; ic++) {
          const plane = (b * c + ic) * h;
          for (let ki = 0; ki < k; ki++) {
            const hi = i * s - p + ki;
            if (hi < 0 || hi >= h) {
              q += k;
              continue;
            }
            const base = (plane + hi) * w;
            for (let kj = 0; kj < k; kj++, q++) {
              const wj = j * s - p + kj;
              if (wj >= 0 && wj < w) gx[base + wj]! += cols[q]!;
            }
          }
        }
      }
}

/** rows [n·plane, o] (one row per output pixel) → NCHW [n, o, plane]. */
export function rowsToNchw(rows: Data, nchw: Data, n: number, o: number, plane: number): void {
  for (let b = 0; b < n; b++)
    for (let q = 0; q < plane; q++) {
      const r = (b * plane + q) * o;
      for (let oc = 0; oc < o; oc++) nchw[(b * o + oc) * plane + q] = rows[r + oc]!;
    }
}

/** NCHW [n, o, plane] → rows [n·plane, o]. */
export function nchwToRows(nchw: Data, rows: Data, n: number, o: number, plane: number): void {
  for (let b = 0; b < n; b++)
    for (let q = 0; q < plane; q++) {
      const r = (b * plane + q) * o;
      for (let oc = 0; oc < o; oc++) rows[r + oc] = nchw[(b * o + oc) * plane + q]!;
    }
}
