/**
 * Every example without dropout, exported as a PyTorch package and trained by its train.py in
 * float64 with Debian's PyTorch, prints the per-epoch losses (and accuracies, validation metrics)
 * of the engine's own float64 training within 1e-6 relative; the JSON lines have the keys of
 * `backprop-studio train --json`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { assertSameEpochs, engineEpochs, examplesDir, exportTo, readExample, runTrainPy } from './harness.js';
import { captureOutput } from '../cli/capture-output.js';
import { train } from '../../../engine/cli/commands/train.js';
import { join } from 'node:path';
import type { GraphDoc } from '../../../engine/graph/document.js';

const EPOCHS = 3;
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.nngraph.json'))
  .sort()
  .filter((f) => !readExample(f).nodes.some((n) => n.op === 'dropout'));

test('the examples without dropout are the ones compared', () => {
  assert.ok(examples.includes('spiral.nngraph.json') && examples.includes('cnn-digits.nngraph.json'));
  assert.ok(examples.length >= 7, examples.join(', '));
});

/** MNIST examples on their first 500 digits: the comparison is of the arithmetic, not of a long run. */
function quick(doc: GraphDoc): GraphDoc {
  const dataset = doc.training.dataset;
  return dataset.kind === 'mnist'
    ? { ...doc, training: { ...doc.training, dataset: { ...dataset, samples: 500 } } }
    : doc;
}

for (const file of examples) {
  test(`${file}: train.py --dtype float64 matches the engine epoch by epoch`, () => {
    const doc = quick(readExample(file));
    const dir = exportTo(doc, file.replace('.nngraph.json', ''));
    const python = runTrainPy(dir, [
      '--dtype',
      'float64',
      '--epochs',
      String(EPOCHS),
      '--save-weights',
      join(dir, 'out.json'),
    ]);
    assertSameEpochs(file, engineEpochs(doc, EPOCHS), python);
    const final = python.at(-1)!;
    assert.equal(final['final'], true);
    assert.equal(final['status'], 'completed');
    assert.equal(final['epochs'], EPOCHS);
  });
}

test('an example with dropout exports and trains too (PyTorch draws its own masks: numbers not compared)', () => {
  const file = 'layernorm-dropout.nngraph.json';
  const dir = exportTo(readExample(file), 'dropout');
  const python = runTrainPy(dir, ['--epochs', '2', '--save-weights', join(dir, 'out.json')]);
  assert.equal(python.length, 3);
  for (const l of python)
    assert.ok(Number.isFinite(l['loss']) && Number.isFinite(l['val_loss']), JSON.stringify(l));
  assert.equal(python.at(-1)!['status'], 'completed');
});

test('the JSON lines have the keys of backprop-studio train --json, final line included', async () => {
  const file = 'cnn-digits.nngraph.json';
  const { code, out } = await captureOutput(() =>
    train.run([join(examplesDir, file), '--dtype', 'float64', '--json', '--epochs', '1']),
  );
  assert.equal(code, 0);
  const engine = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const dir = exportTo(readExample(file), 'keys');
  const python = runTrainPy(dir, [
    '--dtype',
    'float64',
    '--epochs',
    '1',
    '--save-weights',
    join(dir, 'out.json'),
  ]);
  assert.deepEqual(
    python.map((l) => Object.keys(l)),
    engine.map((l) => Object.keys(l)),
  );
  assert.ok(Math.abs((python[0]!['loss'] as number) - (engine[0]!['loss'] as number)) < 1e-9);
});
