/**
 * The tensor ops of issue #15 against PyTorch: tensor-ops-cases.json (written by
 * scripts/gen-tensor-ops-reference.py with Debian's PyTorch 1.13 in float64) through the engine's
 * reference runner, forward, VJP and JVP, in float64 (≤ 1e-10 relative) and float32 (≤ 1e-5).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceCases, runCase, TOLERANCE } from '../../../engine/reference/run.js';
import type { DType } from '../../../engine/tensor/tensor.js';

const cases = referenceCases(JSON.parse(readFileSync(join(__dirname, 'tensor-ops-cases.json'), 'utf8')));

for (const dtype of ['float64', 'float32'] as DType[]) {
  for (const [i, c] of cases.entries()) {
    test(`${dtype} ${String(c.name)}`, () => {
      const r = runCase(c, i, { dtype });
      // argmax has no derivative: its output is all there is to compare.
      const least = c.op === 'argmax' ? 1 : 3;
      assert.ok(r.comparisons.length >= least, `compared ${r.comparisons.length} values`);
      assert.ok(r.passed, `worst ${r.worst} in ${r.detail} (tolerance ${TOLERANCE[dtype]})`);
    });
  }
}

test('the cases cover every tensor op of the issue', () => {
  const ops = new Set(cases.map((c) => String(c.op)));
  const causal = cases
    .filter((c) => c.op === 'scaled_dot_product_attention')
    .map((c) => (c.attrs as { causal?: boolean }).causal === true);
  assert.deepEqual(
    [causal.includes(true), causal.includes(false)],
    [true, true],
    'attention with and without a causal mask',
  );
  for (const op of [
    'matmul',
    'softmax',
    'log_softmax',
    'sum',
    'mean',
    'max',
    'min',
    'var',
    'std',
    'argmax',
    'swapaxes',
    'squeeze',
    'unsqueeze',
    'reshape',
    'slice',
    'expand',
    'tile',
    'cross_entropy',
    'concat',
    'stack',
    'split',
    'embedding',
    'scaled_dot_product_attention',
  ])
    assert.ok(ops.has(op), op);
});
