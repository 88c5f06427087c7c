/**
 * softmax along one axis and its derivatives: the one implementation that the softmax op
 * (engine/ops/reduce.ts) and attention's weights (engine/ops/attention.ts) both run.
 *
 * The data are lines: `outer`·`inner` lines of `n` elements each, line L = o·inner + i starting
 * at o·n·inner + i and stepping by `inner` (inner = 1: rows of n along the last axis). The arrays
 * hold exactly these lines. An element of x that is -∞ gets exactly 0 (attention's masks), as
 * long as its line has a finite one. Float32 rows (inner = 1) of the forward pass and the VJP run
 * WebAssembly SIMD (engine/kernels/unary.ts), to float32 rounding of the loops here.
 */
import type { Data } from '../tensor/tensor.js';
import { float32SoftmaxForward, float32SoftmaxVjp } from './unary.js';

/** outer·inner lines of n elements (see above). */
export type SoftmaxLines = readonly [outer: number, n: number, inner: number];

/** Where line `line` starts. */
export const lineBase = (line: number, n: number, inner: number): number =>
  Math.floor(line / inner) * n * inner + (line % inner);

/** y = softmax(x) = e^{x - max} / Σ e^{x - max} along each line; y may be x. */
export function softmaxForward(x: Data, y: Data, lines: SoftmaxLines): void {
  const outer = lines[0],
    n = lines[1],
    s = lines[2];
  if (s === 1 && float32SoftmaxForward(x, y, n)) return;
  for (let line = 0; line < outer * s; line++) {
    const b = lineBase(line, n, s);
    let m = -Infinity;
    for (let k = 0; k < n; k++) m = Math.max(m, x[b + k * s]!);
    let z = 0;
    for (let k = 0; k < n; k++) z += y[b + k * s] = Math.exp(x[b + k * s]! - m);
    for (let k = 0; k < n; k++) y[b + k * s]! /= z;
  }
}

/** gx += y ⊙ (g - <g, y>) along each line, y = softmax(x): the VJP. */
export function softmaxVjp(y: Data, g: Data, gx: Data, lines: SoftmaxLines): void {
  const outer = lines[0],
    n = lines[1],
    s = lines[2];
  if (s === 1 && float32SoftmaxVjp(y, g, gx, n)) return;
  for (let line = 0; line < outer * s; line++) {
    const b = lineBase(line, n, s);
    let gy = 0;
    for (let k = 0; k < n; k++) gy += g[b + k * s]! * y[b + k * s]!;
    for (let k = 0; k < n; k++) gx[b + k * s]! += y[b + k * s]! * (g[b + k * s]! - gy);
  }
}

/**
 * ty = y ⊙ (tx - <tx, y>) along each line, y = softmax(x): the JVP. ty may be tx. The Jacobian
 * diag(y) - y·yᵀ is symmetric, so this is also the VJP written over g instead of added to gx.
 */
export function softmaxJvp(y: Data, tx: Data, ty: Data, lines: SoftmaxLines): void {
  const outer = lines[0],
    n = lines[1],
    s = lines[2];
  for (let line = 0; line < outer * s; line++) {
    const b = lineBase(line, n, s);
    let d = 0;
    for (let k = 0; k < n; k++) d += tx[b + k * s]! * y[b + k * s]!;
    for (let k = 0; k < n; k++) ty[b + k * s] = y[b + k * s]! * (tx[b + k * s]! - d);
  }
}

/**
 * The tangent of the VJP, added to tgx (which must be none of the others): with ẏ the tangent
 * of y and ġ that of g, d/dt [y ⊙ (g - <g,y>)] = ẏ ⊙ (g - <g,y>) + y ⊙ (ġ - <ġ,y> - <g,ẏ>).
 */
export function softmaxVjpJvp(y: Data, ty: Data, g: Data, tg: Data, tgx: Data, lines: SoftmaxLines): void {
  const outer = lines[0],
    n = lines[1],
    s = lines[2];
  for (let line = 0; line < outer * s; line++) {
    const b = lineBase(line, n, s);
    let gy = 0,
      tgy = 0,
      gty = 0;
    for (let k = 0; k < n; k++) {
      const j = b + k * s;
      gy += g[j]! * y[j]!;
      tgy += tg[j]! * y[j]!;
      gty += g[j]! * ty[j]!;
    }
    for (let k = 0; k < n; k++) {
      const j = b + k * s;
      tgx[j]! += ty[j]! * (g[j]! - gy) + y[j]! * (tg[j]! - tgy - gty);
    }
  }
}
