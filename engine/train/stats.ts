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
  /** The node's id; for one output of a node with several, its value key `node:port`. */
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
  return statsOf([t.data], bins);
}

/** The statistics of several buffers taken together as one (a multi-output node's outputs). */
function statsOf(parts: readonly ArrayLike<number>[], bins: number): TensorStats {
  let n = 0,
    sum = 0,
    sq = 0,
    min = Infinity,
    max = -Infinity;
  for (const d of parts)
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      sum += v;
      sq += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  for (const d of parts) n += d.length;
  const mean = n ? sum / n : 0;
  let dev = 0;
  for (const d of parts) for (let i = 0; i < d.length; i++) dev += (d[i]! - mean) ** 2;
  const histogram = new Array<number>(bins).fill(0);
  const width = max - min;
  for (const d of parts)
    for (let i = 0; i < d.length; i++) {
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

/**
 * The output ports of each node with several (split): their value keys (`node:port`, as
 * engine/graph/check.ts valueKey writes them, and as an edge's fromPort names them) and slots.
 */
function portSlots(g: Trainable): Map<string, { key: string; slot: number }[]> {
  const nodes = new Set(g.order);
  const ports = new Map<string, { key: string; slot: number }[]>();
  for (const [key, slot] of g.nodeSlot) {
    if (nodes.has(key)) continue;
    const node = g.order.find((id) => key.startsWith(`${id}:`));
    if (node === undefined) continue;
    const list = ports.get(node) ?? [];
    list.push({ key, slot });
    ports.set(node, list);
  }
  return ports;
}

/**
 * Statistics of every node in topological order, from the buffers of the last forward/backward.
 * A node with several outputs is summarised over all of them together, and each output also
 * gets its own entry under its value key (`node:port`), for the wire leaving that port.
 */
export function nodeStats(g: Trainable, bins = 20): NodeStats[] {
  const p = g.program;
  const ports = portSlots(g);
  const valueStats = (node: string, slots: readonly number[]) => {
    const grads = slots.map((s) => p.grad(s)).filter((t): t is Tensor => t !== null);
    const gradStats = grads.length
      ? statsOf(
          grads.map((t) => t.data),
          bins,
        )
      : null;
    return {
      node,
      activation: statsOf(
        slots.map((s) => p.value(s).data),
        bins,
      ),
      gradNorm: gradStats ? gradStats.norm : null,
      grad: gradStats,
    };
  };
  return g.order.flatMap((node) => {
    const slot = g.nodeSlot.get(node);
    if (slot === undefined) return [];
    const outputs = ports.get(node) ?? [];
    const paramGradNorms: Record<string, number> = {};
    let squares: number | null = null;
    for (const q of g.params) {
      const pg = q.node === node ? p.grad(q.slot) : null;
      if (!pg) continue;
      const n = norm(pg);
      paramGradNorms[q.name] = n;
      squares = (squares ?? 0) + n * n;
    }
    const whole: NodeStats = {
      ...valueStats(node, outputs.length ? outputs.map((o) => o.slot) : [slot]),
      paramGradNorm: squares === null ? null : Math.sqrt(squares),
      paramGradNorms,
    };
    return [
      whole,
      ...outputs.map(({ key, slot }) => ({
        ...valueStats(key, [slot]),
        paramGradNorm: null,
        paramGradNorms: {},
      })),
    ];
  });
}
