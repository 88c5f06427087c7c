/**
 * Per-node statistics for the editor's overlay: the size of each node's activation and of the
 * gradient arriving at it, and of each parameter's gradient. Computed only on request (they read
 * every buffer), never inside a plain training step.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { Trainable } from './trainable.js';

export interface TensorStats {
  norm: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Counts in `bins` equal bins over [min, max]. */
  histogram: number[];
}

export interface NodeStats {
  node: string;
  /** The node's output after the last forward pass. */
  activation: TensorStats;
  /** 2-norm of d loss / d output after the last backward pass (null where no gradient flows). */
  gradNorm: number | null;
  /** The same gradient summarised like the activation (null where no gradient flows). */
  grad: TensorStats | null;
  /** 2-norm of d loss / d θ over all the node's parameters together (null for nodes without any). */
  paramGradNorm: number | null;
  /** 2-norm of each of the node's parameter gradients, by parameter name. */
  paramGradNorms: Record<string, number>;
}

export function tensorStats(t: Tensor, bins = 20): TensorStats {
  const d = t.data;
  const n = d.length;
  let sum = 0,
    sq = 0,
    min = Infinity,
    max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = d[i]!;
    sum += v;
    sq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n ? sum / n : 0;
  let dev = 0;
  for (let i = 0; i < n; i++) dev += (d[i]! - mean) ** 2;
  const histogram = new Array<number>(bins).fill(0);
  const width = max - min;
  for (let i = 0; i < n; i++) {
    const k = width > 0 ? Math.min(bins - 1, Math.floor(((d[i]! - min) / width) * bins)) : 0;
    if (k >= 0) histogram[k]!++;
  }
  return {
    norm: Math.sqrt(sq),
    mean,
    std: n ? Math.sqrt(dev / n) : 0,
    min: n ? min : 0,
    max: n ? max : 0,
    histogram,
  };
}

export function norm(t: Tensor): number {
  let s = 0;
  const d = t.data;
  for (let i = 0; i < d.length; i++) s += d[i]! * d[i]!;
  return Math.sqrt(s);
}

/** Statistics of every node in topological order, from the buffers of the last forward/backward. */
export function nodeStats(g: Trainable, bins = 20): NodeStats[] {
  const p = g.program;
  return g.order.flatMap((node) => {
    const slot = g.nodeSlot.get(node);
    if (slot === undefined) return [];
    const grad = p.grad(slot);
    const gradStats = grad ? tensorStats(grad, bins) : null;
    const paramGradNorms: Record<string, number> = {};
    let squares: number | null = null;
    for (const q of g.params) {
      const pg = q.node === node ? p.grad(q.slot) : null;
      if (!pg) continue;
      const n = norm(pg);
      paramGradNorms[q.name] = n;
      squares = (squares ?? 0) + n * n;
    }
    return [
      {
        node,
        activation: tensorStats(p.value(slot), bins),
        gradNorm: gradStats ? gradStats.norm : null,
        grad: gradStats,
        paramGradNorm: squares === null ? null : Math.sqrt(squares),
        paramGradNorms,
      },
    ];
  });
}
