/**
 * The exported package's data.py gives exactly the engine's MNIST: the same 8,000 training and
 * 2,000 validation images, pixel for pixel in float32, and the same labels, while data.json
 * carries the pixels as bytes (a few MB, not the numbers written out).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { exportTo, PYTHON, readExample, requireTorch } from './harness.js';
import { trainingData } from '../../../engine/train/session.js';
import { readBundledFile } from '../../../engine/io/bundled-data.js';
import type { Dataset } from '../../../engine/data/dataset.js';

const PY = String.raw`
import hashlib, json, sys
import torch
sys.path.insert(0, sys.argv[1])
import data
d = data.load_data(torch.float64, "cpu", [])
def digest(split):
    x32 = split.x.to(torch.float32)
    assert torch.equal(x32.to(torch.float64), split.x), "float64 x holds float32 values"
    return {
        "shape": list(split.x.shape),
        "x": hashlib.sha256(x32.numpy().tobytes()).hexdigest(),
        "labels": split.labels.tolist(),
    }
print(json.dumps({"train": digest(d.train), "validation": digest(d.validation)}))
`;

const digest = (ds: Dataset) => ({
  shape: [...ds.x.shape],
  x: createHash('sha256')
    .update(new Uint8Array(ds.x.data.buffer, ds.x.data.byteOffset, ds.x.data.byteLength))
    .digest('hex'),
  labels: Array.from(ds.y.data),
});

test('mnist-lenet: data.py loads the same images (float32, bit for bit) and labels as the engine', () => {
  requireTorch();
  const doc = readExample('mnist-lenet.nngraph.json');
  const dir = exportTo(doc, 'mnist-data');
  const size = statSync(join(dir, 'data.json')).size;
  assert.ok(size < 12e6, `data.json is ${size} bytes: the pixels travel as bytes`);
  const r = spawnSync(PYTHON, ['-c', PY, dir], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const python = JSON.parse(r.stdout) as Record<string, unknown>;
  const { train, validation } = trainingData(doc, doc.training.seed ?? 0, { readBundled: readBundledFile });
  assert.equal(train.x.dtype, 'float32');
  assert.deepEqual(python, { train: digest(train), validation: digest(validation!) });
  assert.deepEqual((python['train'] as { shape: number[] }).shape, [8000, 1, 28, 28]);
});
