/**
 * The pieces scaled_dot_product_attention's kernels share (engine/ops/attention.ts), in a module of
 * their own so that the webview build, which strips an op's kernels, leaves them out with them.
 */
import type { Tangents } from './define.js';
import type { Tensor } from '../tensor/tensor.js';
import { gemm } from '../kernels/gemm.js';
import { softmaxJvp } from '../kernels/softmax.js';
import type { KernelPlan } from './attention.js';

type Data = Float32Array | Float64Array;

/** Ṗ for batch b into `out` (T×S at 0): the tangent of the attention weights. */
export function weightsTangent(
  { T, S, d, scale, at, batchRows }: KernelPlan,
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
  softmaxJvp(P.subarray(b * T * S, (b + 1) * T * S), out, out, batchRows);
}
