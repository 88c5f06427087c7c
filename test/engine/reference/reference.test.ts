/**
 * The engine against PyTorch (../shared/reference/pytorch-reference.json): every case of the kinds
 * the engine runs, in float64 (≤ 1e-10) and float32 (≤ 1e-5), through the same runner as the
 * `reference` command; and the runner's own behaviour on altered cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceCases, runCase, runReference, TOLERANCE } from '../../../engine/reference/run.js';
import { getOp } from '../../../engine/ops/registry.js';
import { CASE_HANDLERS } from '../../../engine/reference/kinds/index.js';
import type { CaseJson } from '../../../engine/reference/case.js';
import type { DType } from '../../../engine/tensor/tensor.js';

const file = join(__dirname, '..', '..', '..', '..', 'shared', 'reference', 'pytorch-reference.json');
const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
const cases = referenceCases(json);

for (const dtype of ['float64', 'float32'] as DType[]) {
  for (const [i, c] of cases.entries()) {
    if (!(String(c.kind) in CASE_HANDLERS)) continue;
    // Until every op lands: cases of ops the registry does not have yet.
    if (!getOp(c.kind === 'op' ? String(c.op) : 'batch_norm') && c.kind !== 'network' && c.kind !== 'hessian')
      continue;
    test(`${dtype} ${c.kind} ${c.name}`, () => {
      const r = runCase(c, i, { dtype });
      assert.ok(r.comparisons.length > 0);
      assert.ok(r.passed, `worst ${r.worst} in ${r.detail} (tolerance ${TOLERANCE[dtype]})`);
    });
  }
}

test('every op the reference file has a case for is in the registry', () => {
  const missing = cases.filter((c) => c.kind === 'op' && !getOp(String(c.op))).map((c) => c.op);
  assert.deepEqual(missing, []);
});

test('the engine runs the case kinds of the core engine', () => {
  const kinds = new Set(cases.map((c) => String(c.kind)));
  for (const k of ['op', 'batch_norm_running_stats', 'network', 'hessian'])
    assert.ok(kinds.has(k) && k in CASE_HANDLERS, k);
});

test('a case kind without a handler counts as failed, with the reason', () => {
  const report = runReference({ cases: [{ kind: 'no_such_kind', name: 'x' }] }, { dtype: 'float64' });
  assert.equal(report.failed, 1);
  assert.match(report.results[0]!.detail, /no handler for case kind 'no_such_kind'/);
});

test('a case the engine gets wrong fails with its worst error', () => {
  const c = structuredClone(cases.find((x) => x.kind === 'op' && x.op === 'tanh')!) as CaseJson;
  const out = c.output as { data: number[] };
  out.data[0]! += 1e-6;
  const r = runCase(c, 0, { dtype: 'float64' });
  assert.equal(r.passed, false);
  assert.equal(r.detail, 'output');
  assert.ok(r.worst > 1e-8 && r.worst < 1e-5, String(r.worst));
});

test('a malformed case fails naming the field, without throwing', () => {
  const c = structuredClone(cases.find((x) => x.kind === 'op' && x.op === 'tanh')!) as CaseJson;
  delete c.output;
  const r = runCase(c, 3, { dtype: 'float64' });
  assert.equal(r.passed, false);
  assert.match(r.detail, /output/);
});
