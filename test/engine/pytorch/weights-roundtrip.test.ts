/**
 * The weights back: train.py writes the project's weights file; the engine reads it (the reader
 * `train --weights` and the other commands use), its loss on the training set is the one train.py
 * printed, the weights are those the engine's own two epochs reach, and the exports take them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { weightsOf } from '../../../engine/graph/weights.js';
import { readWeightsFile } from '../../../engine/cli/paths.js';
import { prepareTraining } from '../../../engine/train/session.js';
import { exportOnnx } from '../../../engine/onnx/export.js';
import { exportTypeScript } from '../../../engine/codegen/export.js';
import { exportTo, readExample, runTrainPy } from './harness.js';

test('spiral trained 2 epochs by train.py loads into the engine with the same loss and weights', () => {
  const doc = readExample('spiral.nngraph.json');
  const dir = exportTo(doc, 'spiral');
  const file = join(dir, 'trained.weights.json');
  const python = runTrainPy(dir, ['--dtype', 'float64', '--epochs', '2', '--save-weights', file]);
  const final = python.at(-1)!;
  const weights = readWeightsFile(file);

  const loaded = prepareTraining(doc, { dtype: 'float64', weights });
  const loss = loaded.trainer.evaluate(loaded.train).loss;
  assert.ok(
    Math.abs(loss - (final['loss'] as number)) <= 1e-9 * loss,
    `engine ${loss}, PyTorch ${final['loss']}`,
  );

  const trained = prepareTraining(doc, { dtype: 'float64', epochs: 2 });
  trained.trainer.run();
  const own = weightsOf(trained.compiled).weights;
  for (const [node, tensors] of Object.entries(own))
    for (const [name, t] of Object.entries(tensors)) {
      const got = weights.weights[node]![name]!;
      assert.deepEqual(got.shape, t.shape);
      const err = Math.max(...t.data.map((v, i) => Math.abs(v - got.data[i]!)));
      assert.ok(err <= 1e-9, `${node}.${name}: differs by ${err}`);
    }

  assert.ok(exportOnnx(doc, weights).length > 1000);
  assert.match(exportTypeScript(doc, weights, { name: 'spiral', source: 'spiral.nngraph.json' }).code, /h1/);
});
