/** `backprop-studio export <graph> --to pytorch -o <dir>` and `train --dtype`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureOutput } from '../cli/capture-output.js';
import { exportCommand } from '../../../engine/cli/commands/export.js';
import { parseTrainArgs } from '../../../engine/cli/commands/train.js';
import { UsageError } from '../../../engine/cli/command.js';
import { examplesDir, tempDir } from './harness.js';

test('export --to pytorch writes the package into the folder, saving weights beside the graph', async () => {
  const out = join(tempDir('cli'), 'cnn');
  const { code, out: said } = await captureOutput(() =>
    exportCommand.run([join(examplesDir, 'cnn-digits.nngraph.json'), '--to', 'pytorch', '-o', out]),
  );
  assert.equal(code, 0);
  for (const f of ['model.py', 'data.py', 'train.py', 'README.md', 'weights.json', 'data.json']) {
    assert.ok(existsSync(join(out, f)), f);
    assert.match(said, new RegExp(f.replace('.', '\\.')));
  }
  const model = readFileSync(join(out, 'model.py'), 'utf8');
  assert.match(model, /self\.conv = nn\.Conv2d\(1, 8, 3, stride=1, padding=1\b/);
  assert.match(model, /self\.pool = nn\.MaxPool2d\(2, stride=2, padding=0\b/);
  const train = readFileSync(join(out, 'train.py'), 'utf8');
  assert.match(train, /^BATCH_SIZE = 32$/m);
  assert.match(train, /^OPTIMIZER = \{"kind": "adam", "lr": 0\.01\}$/m);
  const save = /^SAVE_WEIGHTS = "(.*)"$/m.exec(train)![1]!;
  assert.equal(join(out, save), join(examplesDir, 'cnn-digits.weights.json'));
  const data = JSON.parse(readFileSync(join(out, 'data.json'), 'utf8')) as {
    train: { y: number[] };
    validation: { y: number[] };
  };
  assert.equal(data.train.y.length + data.validation.y.length, 1000);
});

test('export --to pytorch refuses a graph with errors, naming the node', async () => {
  const dir = tempDir('bad');
  const graph = join(dir, 'bad.nngraph.json');
  const doc = JSON.parse(readFileSync(join(examplesDir, 'spiral.nngraph.json'), 'utf8')) as {
    nodes: { id: string; op: string }[];
  };
  doc.nodes.find((n) => n.id === 'a1')!.op = 'relu6';
  writeFileSync(graph, JSON.stringify(doc));
  const { code, err } = await captureOutput(() =>
    exportCommand.run([graph, '--to', 'pytorch', '-o', join(dir, 'out')]),
  );
  assert.equal(code, 1);
  assert.match(err, /a1/);
  assert.ok(!existsSync(join(dir, 'out')));
});

test('train --dtype takes float32 or float64', () => {
  assert.equal(parseTrainArgs(['g.json', '--dtype', 'float64']).dtype, 'float64');
  assert.equal(parseTrainArgs(['g.json']).dtype, undefined);
  assert.throws(() => parseTrainArgs(['g.json', '--dtype', 'half']), UsageError);
});
