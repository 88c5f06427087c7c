import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseTrainArgs } from '../../../engine/cli/commands/train.js';

const dir = mkdtempSync(join(tmpdir(), 'bps-train-'));

test('train on a broken document names the file and line, exit code 1, no stack trace', () => {
  const bad = join(dir, 'bad.nngraph.json');
  writeFileSync(bad, '{ "format": "backprop-studio.graph",\n  "version": 1,\n  "nodes": [ }\n');
  const r = spawnSync(process.execPath, ['bin/backprop-studio.js', 'train', bad], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`${bad.replace(/[.]/g, '\\.')}:3:\\d+: error`));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('bad arguments are usage errors', () => {
  assert.throws(() => parseTrainArgs([]), /which graph/);
  assert.throws(() => parseTrainArgs(['g', '--epochs', '0']), /--epochs needs a whole number >= 1/);
  assert.throws(() => parseTrainArgs(['g', '--seed', 'x']), /--seed/);
  assert.throws(() => parseTrainArgs(['g', '--fast']), /unknown option --fast/);
  assert.deepEqual(parseTrainArgs(['g', '--json', '--epochs', '5']), { file: 'g', json: true, epochs: 5 });
});
