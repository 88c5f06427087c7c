/**
 * The convolution family as PyTorch 1.13 exports it (scripts/gen-conv-onnx.py, opset 13): a
 * grouped dilated conv1d with ceil-mode pools and replicate padding, a 2×3-kernel conv2d with a
 * grouped transposed conv, a dilated ceil-mode max pool, reflect padding and global max pooling,
 * and a depthwise-separable block with constant padding. Each imports to the registry's ops
 * (PyTorch's Pad arrives as shape arithmetic that import folds) and reproduces PyTorch's output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importOnnx } from '../../../engine/onnx/import.js';
import { runEngine } from './engine-run.js';
import { maxAbsDiff, type StoredTensor } from './reference-models.js';

const DIR = join(__dirname, 'conv-family');
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as {
  generator: string;
  models: { file: string; input: StoredTensor; output: StoredTensor }[];
};

const EXPECTED: Record<string, string[]> = {
  'seq1d.onnx': ['conv1d', 'max_pool1d', 'avg_pool1d', 'pad', 'global_avg_pool'],
  'image2d.onnx': ['conv2d', 'conv_transpose2d', 'max_pool2d', 'pad', 'avg_pool2d', 'global_max_pool'],
  'depthwise.onnx': ['conv2d', 'conv2d', 'pad', 'global_avg_pool'],
};

test('the models were exported by PyTorch 1.13 at opset 13', () => {
  assert.match(manifest.generator, /PyTorch 1\.13.*opset 13/);
  assert.deepEqual(manifest.models.map((m) => m.file).sort(), Object.keys(EXPECTED).sort());
});

for (const m of manifest.models)
  test(`${m.file}: imports to the conv family's ops and matches PyTorch`, (t) => {
    const { doc, weights } = importOnnx(new Uint8Array(readFileSync(join(DIR, m.file))));
    const family = doc.nodes.map((n) => n.op).filter((op) => /conv|pool|^pad$/.test(op));
    assert.deepEqual(family, EXPECTED[m.file]);
    const out = runEngine(doc, weights, m.input);
    assert.deepEqual(out.shape, m.output.shape);
    const scale = Math.max(...m.output.data.map(Math.abs));
    const err = maxAbsDiff(out.data, m.output.data);
    t.diagnostic(`max |engine - PyTorch| = ${err.toExponential(2)} (outputs up to ${scale.toFixed(3)})`);
    assert.ok(err <= 1e-4 * Math.max(1, scale), `max abs error ${err}`);
  });
