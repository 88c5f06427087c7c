/** `backprop-studio export --to ts` end to end (in process): embedded weights, a weights file beside, bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../engine/cli/main.js';
import { sawtoothGraph } from '../../../engine/analysis/sawtooth.js';
import { serializeGraph } from '../../../engine/graph/serialize.js';
import { loadGenerated } from './generated-module.js';
import { captureOutput } from '../cli/capture-output.js';

const dir = mkdtempSync(join(tmpdir(), 'export-ts-'));

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return captureOutput(() => main(['export', ...args]));
}

const { doc, weights } = sawtoothGraph(3);
const graph = join(dir, 'saw.nngraph.json');
const weightsPath = join(dir, 'saw.weights.json');
writeFileSync(graph, serializeGraph(doc));
writeFileSync(weightsPath, JSON.stringify(weights));
const samples = [[-0.3], [0.1], [0.45], [0.8]];

test('export --to ts embeds the given weights in one module beside the graph', async () => {
  const r = await cli(graph, '--to', 'ts', '--weights', weightsPath);
  assert.equal(r.code, 0, r.err);
  const out = join(dir, 'saw.ts');
  assert.match(r.out, /saw\.ts/);
  const m = loadGenerated(readFileSync(out, 'utf8'));
  for (const [node, values] of Object.entries(weights.weights))
    for (const [name, t] of Object.entries(values))
      assert.deepEqual(Array.from(m.params[node]![name]!), t.data);
});

test('export --to ts --weights-file writes the weights beside the module, for its loadWeights', async () => {
  const out = join(dir, 'separate.ts');
  const r = await cli(graph, '--to', 'ts', '--weights', weightsPath, '-o', out, '--weights-file');
  assert.equal(r.code, 0, r.err);
  const file = join(dir, 'separate.weights.json');
  assert.ok(existsSync(file), r.out);
  const m = loadGenerated(readFileSync(out, 'utf8'));
  assert.throws(() => m.forward(samples), /loadWeights/);
  m.loadWeights(JSON.parse(readFileSync(file, 'utf8')));
  const embedded = loadGenerated(readFileSync(join(dir, 'saw.ts'), 'utf8'));
  assert.deepEqual(m.forward(samples), embedded.forward(samples));
});

test('a graph that does not compile is reported with the node, exit code 1', async () => {
  const bad = join(dir, 'bad.nngraph.json');
  const broken = { ...doc, nodes: doc.nodes.map((n) => (n.op === 'relu' ? { ...n, op: 'no_such_op' } : n)) };
  writeFileSync(bad, serializeGraph(broken));
  const r = await cli(bad, '--to', 'ts');
  assert.equal(r.code, 1);
  const relu = doc.nodes.find((n) => n.op === 'relu')!.id;
  assert.match(r.err, new RegExp(`'${relu}'.*'no_such_op'`));
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
});

test('--weights-file belongs to --to ts only', async () => {
  const r = await cli(graph, '--to', 'onnx', '--weights', weightsPath, '--weights-file');
  assert.equal(r.code, 2);
  assert.match(r.err, /--weights-file is not an option of --to onnx/);
});
