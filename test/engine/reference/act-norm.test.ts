/**
 * The activations and normalisations of issue #14 against PyTorch 1.13: act-norm-reference.json,
 * written by scripts/generate-act-norm-reference.py (forward, VJP and JVP of clip with the relu6 and
 * hardtanh presets, hardsigmoid, hardswish, softsign, mish, prelu, batch_norm on [N, C, L] and
 * [N, C, H, W], group_norm, instance_norm; and issue #16's maximum, minimum, pow, hardshrink,
 * softshrink), in float64 (≤ 1e-10) and float32 (≤ 1e-5).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceCases, runCase, TOLERANCE } from '../../../engine/reference/run.js';
import type { CaseJson } from '../../../engine/reference/case.js';

const cases = referenceCases(JSON.parse(readFileSync(join(__dirname, 'act-norm-reference.json'), 'utf8')));

test('the file covers every new op', () => {
  const ops = new Set(cases.map((c) => c.op));
  for (const op of [
    'clip',
    'hardsigmoid',
    'hardswish',
    'softsign',
    'mish',
    'prelu',
    'batch_norm',
    'group_norm',
    'instance_norm',
    'maximum',
    'minimum',
    'pow',
    'hardshrink',
    'softshrink',
  ])
    assert.ok(ops.has(op), op);
});

for (const dtype of ['float64', 'float32'] as const)
  for (const [i, c] of cases.entries())
    test(`${dtype} ${String(c.name)}`, () => {
      const r = runCase(c, i, { dtype });
      assert.deepEqual(
        r.comparisons.map((x) => x.what.split('.')[0]).filter((w, k, all) => all.indexOf(w) === k),
        ['output', 'vjp', 'jvp'],
      );
      assert.ok(r.passed, `worst ${r.worst} in ${r.detail} (tolerance ${TOLERANCE[dtype]})`);
    });

test('a case with a wrong gradient fails (the comparison can fail)', () => {
  const c = structuredClone(cases.find((x) => x.op === 'prelu')!) as CaseJson;
  (c.vjp as Record<string, { data: number[] }>).weight!.data[0]! *= 1 + 1e-8;
  assert.equal(runCase(c, 0, { dtype: 'float64' }).passed, false);
});
