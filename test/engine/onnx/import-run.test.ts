import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { importOnnx } from '../../../engine/onnx/import.js';
import { encodeModel } from '../../../engine/onnx/onnx-proto.js';
import { checkGraph } from '../../../engine/graph/check.js';
import { fixtures } from './fixtures.js';
import { maxAbsDiff, referenceModels, runOrt } from './reference-models.js';
import { runEngine } from './engine-run.js';

const TOL = 1e-4;

function importClean(bytes: Uint8Array) {
  const result = importOnnx(bytes);
  const errors = checkGraph(result.doc).diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], 'the imported document checks clean');
  return result;
}

for (const ref of referenceModels()) {
  test(`${ref.file}: imports and reproduces onnxruntime's output (≤ ${TOL})`, (t) => {
    const { doc, weights } = importClean(new Uint8Array(readFileSync(ref.path)));
    const out = runEngine(doc, weights, ref.input);
    assert.deepEqual(out.shape, ref.output.shape);
    const err = maxAbsDiff(out.data, ref.output.data);
    t.diagnostic(`max |engine - onnxruntime| = ${err.toExponential(2)}`);
    assert.ok(err <= TOL, `max abs error ${err}`);
  });
}

for (const f of fixtures()) {
  test(`${f.name}: imports to [${f.ops.join(', ')}] and matches onnxruntime (≤ ${TOL})`, async (t) => {
    const bytes = encodeModel(f.model);
    const expected = await runOrt(bytes, f.input);
    const { doc, weights } = importClean(bytes);
    const ops = doc.nodes
      .map((n) => n.op)
      .filter((op) => !['input', 'target', 'mse_loss', 'cross_entropy'].includes(op));
    assert.deepEqual(ops, f.ops);
    const out = runEngine(doc, weights, f.input);
    assert.deepEqual(out.shape, expected.shape);
    const err = maxAbsDiff(out.data, expected.data);
    t.diagnostic(`max |engine - onnxruntime| = ${err.toExponential(2)}`);
    assert.ok(err <= TOL, `max abs error ${err}`);
  });
}
