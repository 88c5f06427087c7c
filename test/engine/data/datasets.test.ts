import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DatasetConfig } from '../../../engine/graph/document.js';
import { datasetSignature, loadDataset } from '../../../engine/data/load.js';
import { oneHot, sampleCount, sampleShape, splitDataset } from '../../../engine/data/dataset.js';
import { CLASSIFICATION_KINDS, REGRESSION_KINDS } from '../../../engine/data/synthetic.js';

const CONFIGS: DatasetConfig[] = [
  ...CLASSIFICATION_KINDS.map((kind) => ({ kind, samples: 120, noise: 0.1, seed: 7 })),
  { kind: 'spiral', classes: 5, samples: 101, seed: 1 },
  { kind: 'blobs', classes: 4, samples: 80, seed: 2 },
  { kind: 'checkerboard', classes: 3, samples: 90, seed: 2 },
  ...REGRESSION_KINDS.map((kind) => ({ kind, samples: 50, noise: 0.05, seed: 3 })),
  { kind: 'digits', samples: 30, seed: 4 },
];

for (const config of CONFIGS) {
  const label = JSON.stringify(config);
  test(`${label} is reproducible from its seed and differs with another seed`, () => {
    const a = loadDataset(config);
    const b = loadDataset(config);
    assert.deepEqual(a.x.data, b.x.data);
    assert.deepEqual(a.y.data, b.y.data);
    const c = loadDataset({ ...config, seed: 99 } as DatasetConfig);
    assert.notDeepEqual(c.x.data, a.x.data);
  });

  test(`${label} has the declared size, shape and labels`, () => {
    const ds = loadDataset(config);
    const sig = datasetSignature(config);
    assert.equal(sampleCount(ds), (config as { samples: number }).samples);
    assert.deepEqual(sampleShape(ds), sig.sample);
    assert.ok([...ds.x.data].every(Number.isFinite));
    if (ds.task === 'classification') {
      assert.equal(ds.classes, sig.classes);
      const seen = new Set(ds.y.data);
      for (const v of seen) assert.ok(Number.isInteger(v) && v >= 0 && v < ds.classes, `label ${v}`);
      assert.equal(seen.size, ds.classes, 'every class appears');
    } else {
      assert.equal(sig.classes, null);
      assert.deepEqual(ds.y.shape, [sampleCount(ds), 1]);
    }
  });
}

test('regression data follow their function within the noise, on the requested range', () => {
  const ds = loadDataset({ kind: 'sine', samples: 200, range: [-1, 2], seed: 5 });
  for (let i = 0; i < 200; i++) {
    const x = ds.x.data[i]!;
    assert.ok(x >= -1 && x < 2);
    assert.equal(ds.y.data[i], Math.sin(x));
  }
  const saw = loadDataset({ kind: 'sawtooth', samples: 400, seed: 5 });
  const xs = [...saw.x.data];
  assert.ok(Math.min(...xs) >= -2 && Math.max(...xs) < 2, 'sawtooth defaults to [-2, 2]');
  assert.ok([...saw.y.data].every((y) => y >= -2 && y <= 2));
});

test('digits are 8×8 images in [0, 1] with ten balanced classes', () => {
  const ds = loadDataset({ kind: 'digits', samples: 200, seed: 1 });
  assert.deepEqual(ds.x.shape, [200, 1, 8, 8]);
  assert.ok([...ds.x.data].every((v) => v >= 0 && v <= 1));
  const counts = new Array(10).fill(0);
  for (const v of ds.y.data) counts[v]++;
  assert.deepEqual(counts, new Array(10).fill(20));
});

test('digits with size 28 are the same images scaled up to 28×28 (for LeNet-5)', () => {
  const small = loadDataset({ kind: 'digits', samples: 20, seed: 3 });
  const big = loadDataset({ kind: 'digits', samples: 20, seed: 3, size: 28 });
  assert.deepEqual(big.x.shape, [20, 1, 28, 28]);
  assert.deepEqual([...big.y.data], [...small.y.data]);
  assert.ok([...big.x.data].every((v) => v >= 0 && v <= 1));
  // Each image's mean brightness survives the scaling (bilinear keeps averages close).
  for (let i = 0; i < 20; i++) {
    const mean = (d: ArrayLike<number>, from: number, n: number) => {
      let s = 0;
      for (let k = 0; k < n; k++) s += d[from + k]!;
      return s / n;
    };
    const a = mean(small.x.data, i * 64, 64),
      b = mean(big.x.data, i * 784, 784);
    assert.ok(Math.abs(a - b) < 0.05, `image ${i}: mean ${a} vs ${b}`);
  }
  assert.deepEqual(datasetSignature({ kind: 'digits', size: 28 }).sample, [1, 28, 28]);
  assert.throws(
    () => loadDataset({ kind: 'digits', size: 5 }),
    /size must be an integer from 8 to 64, got 5/,
  );
});

test('bad configurations say which field is wrong', () => {
  assert.throws(() => loadDataset({ kind: 'moons', classes: 3 }), /moons: has exactly 2 classes/);
  assert.throws(() => loadDataset({ kind: 'spiral', classes: 1 }), /classes must be an integer >= 2/);
  assert.throws(() => loadDataset({ kind: 'sine', range: [1, 0] }), /range/);
  assert.throws(() => loadDataset({ kind: 'xor', samples: 0 }), /samples/);
});

test('a validation split is seeded, disjoint and complete', () => {
  const ds = loadDataset({ kind: 'spiral', samples: 100, seed: 1 });
  const a = splitDataset(ds, 0.2, 5);
  const b = splitDataset(ds, 0.2, 5);
  assert.equal(sampleCount(a.validation!), 20);
  assert.equal(sampleCount(a.train), 80);
  assert.deepEqual(a.validation!.x.data, b.validation!.x.data);
  const key = (x: Float64Array | Float32Array, i: number) => `${x[2 * i]},${x[2 * i + 1]}`;
  const all = new Set<string>();
  for (const part of [a.train, a.validation!])
    for (let i = 0; i < sampleCount(part); i++) all.add(key(part.x.data, i));
  assert.equal(all.size, 100);
  assert.equal(splitDataset(ds, 0, 5).validation, null);
  assert.throws(() => splitDataset(ds, 1, 5), /validationSplit/);
});

test('oneHot turns class indices into rows', () => {
  const ds = loadDataset({ kind: 'blobs', classes: 3, samples: 6, seed: 1 });
  const h = oneHot(ds.y, 3);
  assert.deepEqual(h.shape, [6, 3]);
  for (let i = 0; i < 6; i++)
    for (let k = 0; k < 3; k++) assert.equal(h.data[i * 3 + k], ds.y.data[i] === k ? 1 : 0);
});
