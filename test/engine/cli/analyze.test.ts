/** `backprop-studio analyze` end to end: generated sawtooth graphs, the JSON line, and bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { sawtoothGraph } from '../../../engine/analysis/sawtooth.js';
import { serializeGraph } from '../../../engine/graph/serialize.js';

const root = resolve(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'analyze-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/backprop-studio.js'), 'analyze', ...args], {
    encoding: 'utf8',
    cwd: root,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function writeSawtooth(depth: number): { graph: string; weights: string } {
  const { doc, weights } = sawtoothGraph(depth);
  const graph = join(dir, `sawtooth${depth}.nngraph.json`);
  const file = join(dir, `sawtooth${depth}.weights.json`);
  writeFileSync(graph, serializeGraph(doc));
  writeFileSync(file, JSON.stringify(weights));
  return { graph, weights: file };
}

test('analyze --json on the depth-4 sawtooth: 16 pieces, depth 4, and every agreed field', () => {
  const f = writeSawtooth(4);
  const r = cli(f.graph, '--weights', f.weights, '--json');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.equal(lines.length, 1);
  const s = JSON.parse(lines[0]!) as Record<string, unknown>;
  for (const k of [
    'params',
    'forward_mode_flops',
    'reverse_mode_flops',
    'forward_mode_bytes',
    'reverse_mode_bytes',
    'hessian_top',
    'hessian_bottom',
  ])
    assert.equal(typeof s[k], 'number', k);
  assert.equal(s.params, 4 * (2 + 2 + 2 + 1));
  assert.equal(s.depth, 4);
  assert.equal(s.linear_pieces, 16);
  assert.ok((s.hessian_top as number) >= (s.hessian_bottom as number));
});

test('analyze prints a readable report by default', () => {
  const f = writeSawtooth(2);
  const r = cli(f.graph, '--weights', f.weights, '--no-measure');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /4 linear pieces, depth 2/);
  assert.match(r.out, /Loss Hessian/);
  assert.match(r.out, /Forward vs reverse mode/);
});

test('analyze names the problem and exits non-zero on bad input', () => {
  const missing = cli(join(dir, 'nope.nngraph.json'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read .*nope\.nngraph\.json/);
  const broken = join(dir, 'broken.nngraph.json');
  writeFileSync(broken, '{ "format": "backprop-studio.graph",\n  "version": 1,\n  "nodes": [ }\n');
  const bad = cli(broken);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /broken\.nngraph\.json:3:/);
  const f = writeSawtooth(1);
  const wrong = join(dir, 'wrong.weights.json');
  writeFileSync(wrong, '{"format": "something else"}');
  const w = cli(f.graph, '--weights', wrong);
  assert.equal(w.code, 1);
  assert.match(w.err, /wrong\.weights\.json: not a weights file/);
  const usage = cli(f.graph, '--interval', '3,1');
  assert.equal(usage.code, 2);
  assert.match(usage.err, /--interval must be two increasing numbers/);
});
