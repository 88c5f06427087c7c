/**
 * The Images view's pieces (engine/run/image-views.ts), each against what it means: counts,
 * per-class accuracy, the grid's order, saliency against central differences of the loss, feature
 * maps against a plain forward pass, filters against the weights; then the view of a run on MNIST.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  argmaxRows,
  confusionMatrix,
  convFilters,
  createImageInspector,
  featureMaps,
  hasImages,
  misclassifiedFirst,
  perClassAccuracy,
  saliency,
  softmaxRow,
  toPixels,
} from '../../../engine/run/image-views.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import { loadDataset } from '../../../engine/data/load.js';
import { prepareTraining } from '../../../engine/train/session.js';
import { readBundledFile } from '../../../engine/io/bundled-data.js';
import { exampleDoc, SessionHarness } from './harness.js';

test('confusion matrix counts true × predicted; per-class accuracy is its diagonal over each row', () => {
  const labels = [0, 0, 1, 1, 1, 2];
  const predicted = [0, 1, 1, 1, 0, 2];
  const m = confusionMatrix(labels, predicted, 4);
  assert.deepEqual(Array.from(m), [1, 1, 0, 0, 1, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
  const acc = perClassAccuracy(m, 4);
  assert.deepEqual(Array.from(acc.subarray(0, 3)), [0.5, Math.fround(2 / 3), 1]);
  assert.ok(Number.isNaN(acc[3]), 'a class with no sample has no accuracy');
});

test('argmax per row, the grid misclassified first, pixels over their own range, softmax', () => {
  assert.deepEqual(Array.from(argmaxRows([0, 3, 1, 5, 5, -1], 2, 3)), [1, 0]);
  assert.deepEqual(Array.from(misclassifiedFirst([1, 2, 3, 4, 5], [1, 0, 3, 0, 5], 4)), [1, 3, 0, 2]);
  assert.deepEqual(Array.from(toPixels([-1, 0, 1])), [0, 128, 255]);
  assert.deepEqual(Array.from(toPixels([2, 2])), [0, 0]);
  const p = softmaxRow([1, 2, 3]);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-6 && p[2]! > p[1]! && p[1]! > p[0]!);
});

test('saliency is ∂loss/∂input: central differences of the loss agree (float64, cnn-digits)', () => {
  const doc = exampleDoc('cnn-digits');
  const ds = loadDataset(doc.training.dataset);
  const compiled = compileGraph(doc, { batchSize: 4, dtype: 'float64', seed: 3 });
  const one = compiled.withBatchSize(1, { differentiableInput: true });
  one.program.setTraining(false);
  const size = 64;
  const x = Float64Array.from(ds.x.data.subarray(0, size));
  const label = ds.y.data[0]!;
  const grad = saliency(one, x, label);
  assert.equal(grad.length, size);
  const plain = compiled.withBatchSize(1);
  const lossAt = (v: Float64Array) => {
    plain.program.value(plain.input).data.set(v);
    plain.program.value(plain.target!).data[0] = label;
    plain.program.forward();
    return plain.program.value(plain.loss).data[0]!;
  };
  const h = 1e-5;
  let compared = 0;
  for (const i of [9, 18, 27, 36, 45, 54]) {
    const up = Float64Array.from(x),
      down = Float64Array.from(x);
    up[i]! += h;
    down[i]! -= h;
    const fd = (lossAt(up) - lossAt(down)) / (2 * h);
    assert.ok(Math.abs(fd - grad[i]!) <= 1e-5 * Math.max(1, Math.abs(fd)), `pixel ${i}: ${grad[i]} vs ${fd}`);
    compared++;
  }
  assert.equal(compared, 6);
  assert.ok(
    grad.some((g) => g !== 0),
    'the loss depends on the pixels',
  );
});

test('feature maps are the image-shaped outputs of a forward pass; filters are the conv weights', () => {
  const doc = exampleDoc('cnn-digits');
  const ds = loadDataset(doc.training.dataset);
  const compiled = compileGraph(doc, { batchSize: 4, seed: 1 });
  const one = compiled.withBatchSize(1);
  one.program.value(one.input).data.set(ds.x.data.subarray(0, 64));
  one.program.forward();
  const maps = featureMaps(one);
  assert.deepEqual(
    maps.map((m) => [m.node, m.channels, m.height, m.width]),
    [
      ['conv', 8, 8, 8],
      ['a', 8, 8, 8],
      ['pool', 8, 4, 4],
    ],
  );
  assert.deepEqual(maps[1]!.values, Float32Array.from(one.program.value(one.nodeSlot.get('a')!).data));
  const filters = convFilters(compiled);
  assert.deepEqual(
    filters.map((f) => [f.node, f.outChannels, f.inChannels, f.height, f.width]),
    [['conv', 8, 1, 3, 3]],
  );
  const w = compiled.params.find((p) => p.node === 'conv' && p.role === 'weight')!;
  assert.deepEqual(filters[0]!.values, Float32Array.from(compiled.program.value(w.slot).data));
});

test('the Images view of mnist-lenet: every validation image evaluated, counts agree, a picked sample looked inside', () => {
  const doc = exampleDoc('mnist-lenet');
  doc.training.dataset = { kind: 'mnist', samples: 300 };
  const s = prepareTraining(doc, { readBundled: readBundledFile });
  assert.ok(hasImages(s.dataset, s.compiled));
  const inspector = createImageInspector(s.compiled, s.train, s.validation);
  const view = inspector.inspect(5);
  assert.equal(view.source, 'validation');
  assert.equal(view.evaluated, 60);
  assert.deepEqual(view.shape, [1, 28, 28]);
  assert.equal(
    view.confusion.reduce((a, b) => a + b, 0),
    60,
  );
  assert.equal(view.grid.rows.length, 48);
  const wrong = view.evaluated - view.correct;
  const shownWrong = view.grid.label.filter((l, k) => l !== view.grid.predicted[k]).length;
  assert.equal(shownWrong, Math.min(wrong, 48), 'the misclassified come first');
  for (let k = 0; k < shownWrong; k++) assert.notEqual(view.grid.label[k], view.grid.predicted[k]);
  assert.equal(view.grid.pixels.length, 48 * 784);
  const picked = view.picked!;
  assert.equal(picked.row, 5);
  assert.equal(picked.label, s.validation!.y.data[5]);
  assert.equal(picked.saliency.length, 784);
  assert.deepEqual(
    picked.maps.map((m) => m.node),
    ['c1', 'r1', 's2', 'c3', 'r3', 's4'],
  );
  assert.deepEqual(
    view.filters.map((f) => [f.node, f.outChannels, f.inChannels]),
    [
      ['c1', 6, 1],
      ['c3', 16, 6],
    ],
  );
  assert.equal(inspector.inspect(null).picked, null);
});

test('a run on MNIST sends runImages with the picked sample; a 2-D classifier sends none', () => {
  const h = new SessionHarness({ readBundled: readBundledFile });
  const doc = exampleDoc('mnist-mlp');
  doc.training.dataset = { kind: 'mnist', samples: 200 };
  h.document(doc);
  h.send({
    type: 'runOptions',
    options: { overlay: false, prediction: false, hiddenUnits: false, images: true, pickedSample: 3 },
  });
  h.send({ type: 'run', action: 'step' });
  const images = h.of('runImages');
  assert.ok(images.length >= 1, 'the view once the run stands still');
  const last = images.at(-1)!;
  assert.equal(last.step, 1);
  assert.equal(last.view.evaluated, 40);
  assert.equal(last.view.picked?.row, 3);
  assert.deepEqual(last.view.filters, [], 'an MLP has no convolution');

  const flat = new SessionHarness();
  flat.document(exampleDoc('spiral'));
  flat.send({ type: 'run', action: 'step' });
  assert.deepEqual(flat.of('runImages'), []);
});
