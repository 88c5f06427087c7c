/** `backprop-studio analyze` end to end (in process): generated sawtooth graphs, the JSON line, bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../engine/cli/main.js';
import { sawtoothGraph } from '../../../engine/analysis/sawtooth.js';
import { serializeGraph } from '../../../engine/graph/serialize.js';
import { captureOutput } from './capture-output.js';

const dir = mkdtempSync(join(tmpdir(), 'analyze-'));

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return captureOutput(() => main(['analyze', ...args]));
}

function writeSawtooth(depth: number): { graph: string; weights: string } {
  const { doc, weights } = sawtoothGraph(depth);
  const graph = join(dir, `sawtooth${depth}.nngraph.json`);
  const file = join(dir, `sawtooth${depth}.weights.json`);
  writeFileSync(graph, serializeGraph(doc));
  writeFileSync(file, JSON.stringify(weights));
  return { graph, weights: file };
}

test('analyze --json on the depth-4 sawtooth: 16 pieces, depth 4, and every agreed field', async () => {
  const f = writeSawtooth(4);
  const r = await cli(f.graph, '--weights', f.weights, '--json');
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
  assert.equal(s.params, 4 * (2 + 2 + 1));
  assert.equal(s.depth, 4);
  assert.equal(s.linear_pieces, 16);
  assert.deepEqual(
    s.breakpoints,
    Array.from({ length: 15 }, (_, k) => -2 + (k + 1) / 4),
  );
  assert.ok((s.hessian_top as number) >= (s.hessian_bottom as number));
});

test('analyze prints a readable report by default', async () => {
  const f = writeSawtooth(2);
  const r = await cli(f.graph, '--weights', f.weights, '--no-measure');
  assert.equal(r.code, 0, r.err);
  assert.ok(r.out.startsWith(`${f.graph}: 10 parameters at the weights in ${f.weights}; `), r.out);
  assert.match(r.out, /exact on \[-2, 2\]: 4 linear pieces, depth 2/);
  assert.match(r.out, /Loss Hessian/);
  assert.match(r.out, /d0 Σ d_l d_\{l-1\} = 1·\(2·1 \+ 1·2 \+ 2·1 \+ 1·2\) = 8/);
});

test('analyze --json --full says which weights the report is at', async () => {
  const f = writeSawtooth(1);
  const cases: [string[], unknown][] = [
    [['--weights', f.weights], { kind: 'file', file: f.weights }],
    [['--init-weights'], { kind: 'initial' }],
  ];
  for (const [extra, weights] of cases) {
    const r = await cli(f.graph, ...extra, '--json', '--full', '--no-measure');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual((JSON.parse(r.out) as { report: { weights: unknown } }).report.weights, weights);
  }
});

test('analyze uses <name>.weights.json beside the graph, says so on stderr; --init-weights opts out', async () => {
  const example = join(__dirname, '../../../examples/sawtooth.nngraph.json');
  const beside = await cli(example, '--json', '--no-measure');
  assert.equal(beside.code, 0, beside.err);
  assert.match(beside.err, /using the weights in .*examples\/sawtooth\.weights\.json/);
  assert.equal((JSON.parse(beside.out) as { linear_pieces: number }).linear_pieces, 16);
  const init = await cli(example, '--json', '--no-measure', '--init-weights');
  assert.equal(init.code, 0, init.err);
  assert.doesNotMatch(init.err, /using the weights/);
  assert.notEqual((JSON.parse(init.out) as { linear_pieces: number }).linear_pieces, 16);
  const alone = join(dir, 'alone.nngraph.json');
  writeFileSync(alone, serializeGraph(sawtoothGraph(2).doc));
  const none = await cli(alone, '--json', '--no-measure');
  assert.equal(none.code, 0, none.err);
  assert.doesNotMatch(none.err, /using the weights/, 'no weights file beside: the initial weights, silently');
});

const bad: [string, () => string[], number, RegExp][] = [
  ['a missing graph file', () => [join(dir, 'nope.nngraph.json')], 2, /nope\.nngraph\.json does not exist/],
  [
    'a JSON syntax error, with its line',
    () => {
      const p = join(dir, 'broken.nngraph.json');
      writeFileSync(p, '{ "format": "backprop-studio.graph",\n  "version": 1,\n  "nodes": [ }\n');
      return [p];
    },
    1,
    /broken\.nngraph\.json:3:/,
  ],
  [
    'a file that is not a weights file',
    () => {
      const p = join(dir, 'wrong.weights.json');
      writeFileSync(p, '{"format": "something else"}');
      return [writeSawtooth(1).graph, '--weights', p];
    },
    1,
    /wrong\.weights\.json: not a weights file/,
  ],
  [
    'both --weights and --init-weights',
    () => [writeSawtooth(1).graph, '--weights', join(dir, 'sawtooth1.weights.json'), '--init-weights'],
    2,
    /--weights and --init-weights contradict/,
  ],
  [
    'a backwards interval',
    () => [writeSawtooth(1).graph, '--interval', '3,1'],
    2,
    /--interval must be two increasing/,
  ],
];
for (const [what, args, code, message] of bad) {
  test(`analyze on ${what}: exit ${code} and a message saying where`, async () => {
    const r = await cli(...args());
    assert.equal(r.code, code);
    assert.match(r.err, message);
    assert.equal(r.out, '');
  });
}
