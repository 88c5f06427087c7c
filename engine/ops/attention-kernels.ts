/**
 * The pieces scaled_dot_product_attention's kernels share (engine/ops/attention.ts), in a module of
 * their own so that the webview build, which strips an op's kernels, leaves them out with them.
 */
import type { Tangents } from './define.js';
import type { Tensor } from '../tensor/tensor.js';
import { gemm } from '../kernels/gemm.js';
import type { KernelPlan } from './attention.js';

type Data = Float32Array | Float64Array;

/** P ⊙ (X − rowsum(P ⊙ X)) in place over the T×S matrix at `x`: the softmax's Jacobian applied to X. */
export function softmaxJacobian(P: Data, p0: number, X: Data, x0: number, T: number, S: number): void {
  for (let i = 0; i < T; i++) {
    let dot = 0;
    for (let j = 0; j < S; j++) dot += P[p0 + i * S + j]! * X[x0 + i * S + j]!;
    for (let j = 0; j < S; j++) X[x0 + i * S + j] = P[p0 + i * S + j]! * (X[x0 + i * S + j]! - dot);
  }
}

/** Ṗ for batch b into `out` (T×S at 0): the tangent of the attention weights. */
export function weightsTangent(
  { T, S, d, scale, at }: KernelPlan,
  b: number,
  [q, k]: Tensor[],
  [tq, tk]: Tangents,
  P: Data,
  out: Data,
): void {
  out.fill(0);
  if (tq) gemm('nt', T, S, d, tq.data, at.q[b]!, k!.data, at.k[b]!, out, 0, true);
  if (tk) gemm('nt', T, S, d, q!.data, at.q[b]!, tk.data, at.k[b]!, out, 0, true);
  for (let i = 0; i < T * S; i++) out[i]! *= scale;
  softmaxJacobian(P, b * T * S, out, 0, T, S);
}
