/**
 * The engine as the e2e tests' oracle: what the run panel shows is compared with the engine's own
 * full forward and backward pass on the same batch, computed in the test's process.
 */
import assert from 'node:assert/strict';
import type { Trainable } from '../../engine/train/trainable.js';

/** ∂L/∂`node` from a full forward and backward pass, in training mode, on the batch `g` holds. */
export function engineGradient(g: Trainable, node: string): ArrayLike<number> {
  g.program.setTraining(true);
  g.program.forward();
  g.program.backward(g.loss);
  return g.program.grad(g.nodeSlot.get(node)!)!.data;
}

/** The gradient the panel shows for `node` equals the engine's, value for value, within `rel`. */
export function assertSameGradient(
  shown: number[],
  engine: ArrayLike<number>,
  node: string,
  rel: number,
): void {
  assert.ok(shown.length > 0, 'the panel shows gradient values');
  shown.forEach((v, i) =>
    assert.ok(
      Math.abs(v - engine[i]!) <= rel * Math.max(1, Math.abs(engine[i]!)),
      `∂L/∂${node}[${i}]: panel ${v}, engine ${engine[i]}`,
    ),
  );
}
