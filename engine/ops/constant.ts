/**
 * `constant`: a fixed tensor that is a value of the graph, not a parameter: what an imported
 * model's Constant node or initialiser becomes where it is an operand (x + 1, a fixed mask, the
 * matrix of a product) rather than a layer's weight. Its value is state, kept in the weights file
 * beside the graph like batch_norm's running statistics: the optimiser never changes it and no
 * gradient flows into it. It has no batch axis: the same tensor for every sample, broadcast
 * against the batch by the op that uses it.
 */
import { defineOp } from './define.js';
import { ShapeError } from '../tensor/broadcast.js';
import { sizeOf } from '../tensor/tensor.js';

type ConstantAttrs = { shape: readonly number[] };

export const constant = defineOp<ConstantAttrs>({
  name: 'constant',
  category: 'math',
  inputs: [],
  state: [{ name: 'value', initial: 0, shape: (_inputs, a) => a.shape.slice() }],
  attrs: {
    shape: {
      type: 'ints',
      default: [1],
      doc: 'the shape of the value (no batch axis: one tensor for every sample); [] is a scalar',
    },
  },
  shape: (_inputs, a) => {
    if (a.shape.some((d) => d < 1))
      throw new ShapeError(`constant: shape must list positive sizes, got [${a.shape.join(', ')}]`);
    return a.shape.slice();
  },
  // The forward pass copies the value out: one move per element.
  flops: (_inputs, a) => sizeOf(a.shape),
  forward: ({ state }, _xs, out) => out.data.set(state['value']!.data),
  vjp: () => {},
  jvp: (_ctx, _xs, _out, _tx, tout) => void tout.fill(0),
  secondOrder: { kind: 'linear' },
  doc: 'constant: a fixed tensor (its value is state, from the weights file: an imported model keeps its constants there); nothing flows back into it',
});
