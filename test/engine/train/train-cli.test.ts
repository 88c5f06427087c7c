import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseTrainArgs, runTraining } from '../../../engine/cli/commands/train.js';
import { readWeights } from '../../../engine/graph/weights.js';
import { spiralGraph } from './graphs.js';

const dir = mkdtempSync(join(tmpdir(), 'bps-train-'));
const graph = join(dir, 'spiral.nngraph.json');
writeFileSync(graph, JSON.stringify(spiralGraph({ epochs: 3, validationSplit: 0.2 }), null, 2));

test('train --json prints one object per epoch and a final line, and saves weights', () => {
  const weights = join(dir, 'w.json');
  const r = spawnSync(
    process.execPath,
    [
      'bin/backprop-studio.js',
      'train',
      graph,
      '--json',
      '--epochs',
      '2',
      '--seed',
      '3',
      '--save-weights',
      weights,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.deepEqual(Object.keys(lines[0]).sort(), ['accuracy', 'epoch', 'loss', 'val_accuracy', 'val_loss']);
  assert.deepEqual(
    lines.slice(0, 2).map((l) => l.epoch),
    [1, 2],
  );
  const final = lines[2];
  assert.equal(final.final, true);
  assert.equal(final.status, 'completed');
  for (const k of ['loss', 'accuracy', 'val_loss', 'val_accuracy'])
    assert.equal(typeof final[k], 'number', k);
  const w = readWeights(JSON.parse(readFileSync(weights, 'utf8')));
  assert.deepEqual(w.weights.linear1!.weight!.shape, [32, 2]);
});

test('train on a broken document names the file and line, exit code 1, no stack trace', () => {
  const bad = join(dir, 'bad.nngraph.json');
  writeFileSync(bad, '{ "format": "backprop-studio.graph",\n  "version": 1,\n  "nodes": [ }\n');
  const r = spawnSync(process.execPath, ['bin/backprop-studio.js', 'train', bad], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`${bad.replace(/[.]/g, '\\.')}:3:\\d+: error`));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('plain output (not a terminal): a line per epoch, then the final metrics', () => {
  let text = '';
  const errs: string[] = [];
  const o = runTraining({ file: graph, json: false }, { write: (s) => void (text += s) }, (s) =>
    errs.push(s),
  );
  assert.ok(o, errs.join(''));
  assert.deepEqual(errs, []);
  assert.match(text, /epoch 1\/3 +loss \d\.\d{4} +accuracy \d+\.\d% +val_loss/);
  assert.match(text, /epoch 3\/3/);
  assert.equal(o.final.accuracy, o.session.trainer.evaluate(o.session.train).accuracy);
});

test('bad arguments are usage errors', () => {
  assert.throws(() => parseTrainArgs([]), /which graph/);
  assert.throws(() => parseTrainArgs(['g', '--epochs', '0']), /--epochs needs a whole number >= 1/);
  assert.throws(() => parseTrainArgs(['g', '--seed', 'x']), /--seed/);
  assert.throws(() => parseTrainArgs(['g', '--fast']), /unknown option --fast/);
  assert.deepEqual(parseTrainArgs(['g', '--json', '--epochs', '5']), { file: 'g', json: true, epochs: 5 });
});

test('--weights starts from a weights file: the sawtooth construction fits its dataset exactly', () => {
  const o = runTraining(
    {
      file: 'examples/sawtooth.nngraph.json',
      weights: 'examples/sawtooth.weights.json',
      epochs: 1,
      json: true,
    },
    { write: () => {} },
    (s) => assert.fail(s),
  );
  assert.ok(o);
  assert.ok(o.final.loss! < 1e-10, `loss ${o.final.loss}`);
});

test('an unreadable weights file is named with what is wrong', () => {
  const bad = join(dir, 'bad.weights.json');
  writeFileSync(bad, '{"format": "something else"}');
  const errs: string[] = [];
  const o = runTraining({ file: graph, weights: bad, json: true }, { write: () => {} }, (s) => errs.push(s));
  assert.equal(o, null);
  assert.match(errs.join(''), /bad\.weights\.json: not a weights file/);
});
