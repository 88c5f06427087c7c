/**
 * Networks as PyTorch 1.13 exports them (scripts/make-import-fixtures.py): a tabular MLP with
 * batch norm and a residual MLP import, reproduce PyTorch's output, keep the numbers as written
 * (batch norm's momentum 0.3, not 1 − 0.7f = 0.30000001192092896 or 0.30000000000000004), and say
 * that no dataset is known rather than point at a file that was never there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importOnnx } from '../../engine/onnx/import.js';
import { checkGraph } from '../../engine/graph/check.js';
import { runEngine } from './engine-run.js';
import { maxAbsDiff, type StoredTensor } from './reference-models.js';

const DIR = join(__dirname, 'pytorch');
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as {
  models: { file: string; input: StoredTensor; output: StoredTensor }[];
};

for (const m of manifest.models)
  test(`${m.file} (PyTorch 1.13): imports, matches PyTorch, and says no dataset is known`, (t) => {
    const { doc, weights } = importOnnx(new Uint8Array(readFileSync(join(DIR, m.file))));
    const out = runEngine(doc, weights, m.input);
    const err = maxAbsDiff(out.data, m.output.data);
    t.diagnostic(`max |engine - PyTorch| = ${err.toExponential(2)}`);
    assert.ok(err <= 1e-4, `max abs error ${err}`);
    const diagnostics = checkGraph(doc).diagnostics;
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.code, d.setting]),
      [['warning', 'no-dataset', 'training.dataset.path']],
    );
    assert.equal(doc.training.dataset.kind, 'csv');
    assert.ok(!('path' in doc.training.dataset), 'no file name that was never there');
  });

test('imported attributes are the shortest decimals of their float32 values', () => {
  const { doc } = importOnnx(new Uint8Array(readFileSync(join(DIR, 'tabular-mlp-bn.onnx'))));
  const bn = doc.nodes.filter((n) => n.op === 'batch_norm');
  // bn1: PyTorch's default momentum 0.1 (ONNX 0.9f) is the op's default and left out; bn2: 0.3.
  assert.deepEqual(
    bn.map((n) => n.attrs),
    [{}, { momentum: 0.3 }],
  );
  assert.doesNotMatch(JSON.stringify(doc), /\d\.\d*0000000\d|\d\.\d*9999999/);
});
