/**
 * Gradient clipping by global norm with torch.nn.utils.clip_grad_norm_ semantics: the 2-norm over
 * all gradients together; every gradient is scaled by min(1, maxNorm / (norm + 1e-6)).
 */
import type { Tensor } from '../tensor/tensor.js';

/** Scales the gradients in place; returns the global norm before clipping. */
export function clipGradNorm(grads: readonly Tensor[], maxNorm: number): number {
  const norm = globalNorm(grads);
  const coef = Math.min(1, maxNorm / (norm + 1e-6));
  if (coef < 1) {
    for (const g of grads) {
      const d = g.data;
      for (let k = 0; k < d.length; k++) d[k] = d[k]! * coef;
    }
  }
  return norm;
}

/** The 2-norm of all values of all tensors taken as one vector. */
export function globalNorm(ts: readonly Tensor[]): number {
  let s = 0;
  for (const t of ts) {
    const d = t.data;
    for (let k = 0; k < d.length; k++) s += d[k]! * d[k]!;
  }
  return Math.sqrt(s);
}
