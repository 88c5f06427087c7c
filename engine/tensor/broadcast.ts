/**
 * NumPy/PyTorch broadcasting. The only place that knows how a broadcast input maps onto an
 * output element, and the only place that reduces a gradient back to an input's shape.
 */
import { Shape, shapeToString } from './tensor.js';

export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** The broadcast shape of `a` and `b`, or a ShapeError naming both shapes. */
export function broadcastShapes(a: Shape, b: Shape, what = 'broadcast'): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${what}: shapes ${shapeToString(a)} and ${shapeToString(b)} cannot be broadcast (axis ${i}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For each output element (row-major over `out`), the flat index into an input of shape `inp`
 * broadcast to `out`. Precomputed once per shape pair; null when no broadcasting is needed.
 */
export function broadcastIndex(inp: Shape, out: Shape): Int32Array | null {
  if (inp.length === out.length && inp.every((d, i) => d === out[i])) return null;
  const n = out.length;
  const strides = new Array<number>(n).fill(0);
  let s = 1;
  for (let i = inp.length - 1; i >= 0; i--) {
    const axis = n - inp.length + i;
    strides[axis] = inp[i] === 1 ? 0 : s;
    s *= inp[i]!;
  }
  let total = 1;
  for (const d of out) total *= d;
  const idx = new Int32Array(total);
  const counter = new Array<number>(n).fill(0);
  let flat = 0;
  for (let k = 0; k < total; k++) {
    idx[k] = flat;
    for (let ax = n - 1; ax >= 0; ax--) {
      counter[ax]!++;
      flat += strides[ax]!;
      if (counter[ax]! < out[ax]!) break;
      flat -= strides[ax]! * out[ax]!;
      counter[ax] = 0;
    }
  }
  return idx;
}

/**
 * Where each of the broadcast batch `out`'s matrices of `size` elements starts in an operand with
 * batch axes `own` (a batched product's operand: the same start for every batch along an axis it
 * was broadcast along).
 */
export function batchStarts(own: Shape, out: Shape, size: number): Int32Array {
  const idx = broadcastIndex(own, out);
  let count = 1;
  for (const d of out) count *= d;
  return Int32Array.from({ length: count }, (_, i) => (idx ? idx[i]! : i) * size);
}
