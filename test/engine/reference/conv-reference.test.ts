/**
 * The convolution family against PyTorch: conv-cases.json (written by scripts/gen-conv-reference.py
 * with Debian's PyTorch 1.13 in float64) through the engine's reference runner, forward, VJP and
 * JVP, in float64 (≤ 1e-10 relative) and float32 (≤ 1e-5).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceCases, runCase, TOLERANCE } from '../../../engine/reference/run.js';
import type { DType } from '../../../engine/tensor/tensor.js';

const cases = referenceCases(JSON.parse(readFileSync(join(__dirname, 'conv-cases.json'), 'utf8')));

for (const dtype of ['float64', 'float32'] as DType[]) {
  for (const [i, c] of cases.entries()) {
    test(`${dtype} ${String(c.name)}`, () => {
      const r = runCase(c, i, { dtype });
      assert.ok(r.comparisons.length >= 3, `compared ${r.comparisons.length} values`);
      assert.ok(r.passed, `worst ${r.worst} in ${r.detail} (tolerance ${TOLERANCE[dtype]})`);
    });
  }
}

test('the cases cover every op of the family and the held-out 2×3 kernel', () => {
  const ops = new Set(cases.map((c) => String(c.op)));
  for (const op of [
    'conv1d',
    'conv2d',
    'conv3d',
    'conv_transpose2d',
    'max_pool1d',
    'max_pool2d',
    'avg_pool1d',
    'avg_pool2d',
    'global_avg_pool',
    'global_max_pool',
    'pad',
  ])
    assert.ok(ops.has(op), op);
  const heldOut = cases.find((c) => c.name === 'conv2d/kernel-2x3')!;
  assert.deepEqual((heldOut.inputs as { weight: { shape: number[] } }).weight.shape, [4, 3, 2, 3]);
});
