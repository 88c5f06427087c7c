/**
 * embedding: integer indices pick rows of a learnable table (torch.nn.Embedding). The indices come
 * from an integer input (a CSV's token columns) and receive no gradient; the table's gradient is
 * g's rows added into the rows that were picked.
 */
import { defineOp } from './define.js';
import { INIT_KINDS, type InitKind } from './init-kinds.js';
import type { Tensor } from '../tensor/tensor.js';

type EmbeddingAttrs = { num: number; dim: number; init: InitKind };

/** The table row of index i of `indices`, checked: a whole number in [0, num). */
function row(indices: Tensor, i: number, num: number): number {
  const v = indices.data[i]!;
  if (!(Number.isInteger(v) && v >= 0 && v < num))
    throw new RangeError(
      Number.isInteger(v) && v >= num
        ? `embedding: index ${v} (element ${i} of the indices) is outside its table of ${num} rows (indices 0 to ${num - 1}); set num to ${v + 1} or more, or fix the data`
        : `embedding: index ${v} (element ${i} of the indices) is not a row number (a whole number 0 to ${num - 1}); feed it whole numbers ≥ 0 (an input with dtype int)`,
    );
  return v;
}

export const embedding = defineOp<EmbeddingAttrs>({
  name: 'embedding',
  category: 'layers',
  inputs: ['indices'],
  nondiff: ['indices'],
  params: [{ name: 'weight', role: 'table', shape: (_inputs, { num, dim }) => [num, dim] }],
  attrs: {
    num: {
      type: 'integer',
      min: 1,
      default: 16,
      doc: 'rows of the table: how many different indices (the vocabulary size)',
    },
    dim: { type: 'integer', min: 1, default: 8, doc: 'length of each row (the embedding size)' },
    init: {
      type: 'enum',
      values: INIT_KINDS,
      default: 'default',
      doc: 'how the table starts (default: N(0, 1), as PyTorch)',
    },
  },
  deriveAttrs: (shapes) => {
    const w = shapes['weight'];
    return w && w.length === 2 ? { num: w[0]!, dim: w[1]! } : {};
  },
  shape: ([indices], { dim }) => [...indices!, dim],
  flops: ([indices], { dim }) => indices!.reduce((a, b) => a * b, 1) * dim,
  forward: ({ attrs: { num, dim } }, [indices, weight], out) => {
    for (let i = 0; i < indices!.size; i++) {
      const r = row(indices!, i, num);
      out.data.set(weight!.data.subarray(r * dim, (r + 1) * dim), i * dim);
    }
  },
  vjp: ({ attrs: { num, dim } }, [indices], _out, g, [, gw]) => {
    if (!gw) return;
    for (let i = 0; i < indices!.size; i++) {
      const r = row(indices!, i, num);
      for (let k = 0; k < dim; k++) gw.data[r * dim + k]! += g.data[i * dim + k]!;
    }
  },
  jvp: ({ attrs: { num, dim } }, [indices], _out, [, tw], tout) => {
    if (!tw) return void tout.fill(0);
    for (let i = 0; i < indices!.size; i++) {
      const r = row(indices!, i, num);
      tout.data.set(tw.data.subarray(r * dim, (r + 1) * dim), i * dim);
    }
  },
  // The table's gradient doesn't depend on the table: the VJP is linear in g alone.
  secondOrder: { kind: 'linear' },
  doc: 'embedding(indices) = rows of the table W [num, dim] at the indices; ∂/∂W = g added into the picked rows (indices get none)',
});
