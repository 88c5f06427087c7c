/** Dropout: in training, zero each element with probability p and scale the rest by 1/(1 - p). */
import { defineOp } from './define.js';

type DropoutAttrs = { p: number };

export const dropout = defineOp<DropoutAttrs>({
  name: 'dropout',
  category: 'layers',
  inputs: ['x'],
  attrs: { p: { type: 'number', default: 0.5, min: 0, max: 1, doc: 'probability of zeroing an element' } },
  shape: ([x]) => x!,
  flops: ([x]) => x!.reduce((a, b) => a * b, 1),
  // The mask (0 or 1/(1 - p); all ones in eval) is drawn in forward and reused by every derivative.
  saved: ([x]) => ({ mask: x! }),
  forward: ({ attrs: { p }, training, random, saved: { mask } }, [x], out) => {
    const m = mask!.data,
      xd = x!.data,
      scale = p < 1 ? 1 / (1 - p) : 0;
    for (let i = 0; i < m.length; i++) {
      m[i] = !training ? 1 : random() < p ? 0 : scale;
      out.data[i] = xd[i]! * m[i]!;
    }
  },
  vjp: ({ saved: { mask } }, _xs, _out, g, [gx]) => {
    if (gx) for (let i = 0; i < gx.data.length; i++) gx.data[i]! += g.data[i]! * mask!.data[i]!;
  },
  jvp: ({ saved: { mask } }, _xs, _out, [tx], tout) => {
    for (let i = 0; i < tout.data.length; i++) tout.data[i] = tx ? tx.data[i]! * mask!.data[i]! : 0;
  },
  secondOrder: { kind: 'linear' },
  doc: 'dropout(x) = x·m/(1 - p), m ~ Bernoulli(1 - p) in training; identity in eval; ∂/∂x = the same mask',
});
