import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGraph } from '../../../engine/graph/parse.js';
import { compileGraph, GraphError } from '../../../engine/graph/compile.js';
import { applyWeights, readWeights, weightsOf } from '../../../engine/graph/weights.js';
import type { GraphDoc } from '../../../engine/graph/document.js';

const spiral = (): GraphDoc =>
  parseGraph(readFileSync(join(__dirname, '../../../examples/spiral.nngraph.json'), 'utf8')).doc!;

test('compileGraph names the slots the trainer needs, with batch-sized buffers', () => {
  const g = compileGraph(spiral(), { batchSize: 5 });
  const p = g.program;
  assert.deepEqual(p.slots[g.input]!.shape, [5, 2]);
  assert.deepEqual(p.slots[g.target!]!.shape, [5]);
  assert.deepEqual(p.slots[g.prediction]!.shape, [5, 3]);
  assert.equal(p.slots[g.prediction]!.name, 'logits');
  assert.deepEqual(p.slots[g.loss]!.shape, []);
  assert.deepEqual(g.shapes.get('h1'), ['N', 64]);
  assert.deepEqual(g.order, ['x', 'y', 'h1', 'a1', 'h2', 'a2', 'logits', 'loss']);
  assert.deepEqual(
    g.params.map((q) => `${q.node}.${q.name}:${q.role}`),
    [
      'h1.weight:weight',
      'h1.bias:bias',
      'h2.weight:weight',
      'h2.bias:bias',
      'logits.weight:weight',
      'logits.bias:bias',
    ],
  );
  for (const [id, slot] of g.nodeSlot) assert.equal(p.slots[slot]!.name, id);
});

test('parameters come from the initialisers and the seed', () => {
  const a = compileGraph(spiral(), { batchSize: 2, seed: 3 });
  const b = compileGraph(spiral(), { batchSize: 7, seed: 3 });
  const c = compileGraph(spiral(), { batchSize: 2, seed: 4 });
  const w = (g: typeof a, i: number) => Array.from(g.program.value(g.params[i]!.slot).data);
  assert.deepEqual(w(a, 0), w(b, 0), 'same seed, same weights');
  assert.notDeepEqual(w(a, 0), w(c, 0), 'another seed, other weights');
  // h1: he_uniform with the following relu's gain: U(±√(6/fan_in)), fan_in 2; bias zero.
  assert.ok(w(a, 0).every((v) => Math.abs(v) <= Math.sqrt(3)) && w(a, 0).some((v) => Math.abs(v) > 1));
  assert.ok(w(a, 1).every((v) => v === 0));
  // logits: PyTorch's default, U(±1/√64) for weight and bias.
  assert.ok([...w(a, 4), ...w(a, 5)].every((v) => Math.abs(v) <= 1 / 8));
  assert.ok(w(a, 5).some((v) => v !== 0));
});

test('withBatchSize shares the parameter tensors and gives new buffers', () => {
  const g = compileGraph(spiral(), { batchSize: 4 });
  const h = g.withBatchSize(9);
  assert.equal(h.batchSize, 9);
  assert.deepEqual(h.program.slots[h.input]!.shape, [9, 2]);
  g.params.forEach((p, i) => assert.equal(h.program.value(h.params[i]!.slot), g.program.value(p.slot)));
  assert.notEqual(h.program.value(h.input), g.program.value(g.input));
  // Same parameters: the first rows of a batch give the same logits in both programs.
  const x = [0.3, -0.2, 0.5, 0.9];
  g.program.value(g.input).data.fill(0).set(x);
  h.program.value(h.input).data.fill(0).set(x);
  g.program.forward(g.prediction);
  h.program.forward(h.prediction);
  assert.deepEqual(
    h.program.value(h.prediction).data.slice(0, 6),
    g.program.value(g.prediction).data.slice(0, 6),
  );
});

test('weights files round-trip and are checked against the graph', () => {
  const a = compileGraph(spiral(), { batchSize: 2, seed: 1 });
  const file = readWeights(JSON.stringify(weightsOf(a)));
  const b = compileGraph(spiral(), { batchSize: 2, seed: 2, weights: file });
  a.params.forEach((p, i) =>
    assert.deepEqual(b.program.value(b.params[i]!.slot).data, a.program.value(p.slot).data),
  );

  const missing = structuredClone(file);
  delete missing.weights['h2']!['bias'];
  const wrongShape = structuredClone(file);
  wrongShape.weights['logits']!['weight']!.shape = [3, 32];
  const stranger = structuredClone(file);
  stranger.weights['ghost'] = { weight: { shape: [1], data: [0] } };
  for (const [w, node, text] of [
    [missing, 'h2', /no 'bias'/],
    [wrongShape, 'logits', /\[3, 32\].*\[3, 64\]/],
    [stranger, 'ghost', /does not have/],
  ] as const) {
    assert.throws(
      () => applyWeights(a, w),
      (e: unknown) =>
        e instanceof GraphError && e.diagnostics.some((d) => d.node === node && text.test(d.message)),
    );
  }
  assert.throws(
    () =>
      readWeights(
        '{"format": "backprop-studio.weights", "version": 1, "weights": {"a": {"w": {"shape": [2], "data": [1]}}}}',
      ),
    /needs 2 values/,
  );
  assert.throws(() => readWeights('{"format": "other"}'), /not a weights file/);
});

test('a document with errors throws a GraphError carrying the diagnostics', () => {
  const d = spiral();
  d.nodes.find((n) => n.id === 'h2')!.op = 'linearr';
  assert.throws(
    () => compileGraph(d, { batchSize: 2 }),
    (e: unknown) =>
      e instanceof GraphError && e.diagnostics.some((x) => x.code === 'unknown-op' && x.node === 'h2'),
  );
  assert.throws(() => compileGraph(spiral(), { batchSize: 0 }), GraphError);
});

test('a training step allocates no tensors: every buffer exists before the first step', () => {
  const g = compileGraph(spiral(), { batchSize: 8 });
  const before = g.program.slots.map((s) => [s.value, s.grad]);
  g.program.forward();
  g.program.backward(g.loss);
  g.program.forward();
  g.program.backward(g.loss);
  g.program.slots.forEach((s, i) => {
    assert.equal(s.value, before[i]![0]);
    assert.equal(s.grad, before[i]![1]);
  });
  assert.ok(g.params.every((p) => g.program.grad(p.slot) !== null));
});

test('withBatchSize shares running statistics (batch_norm state) too', () => {
  const d = spiral();
  d.nodes.splice(2, 0, { id: 'bn', op: 'batch_norm', attrs: {}, position: { x: 270, y: 0 } });
  d.edges = d.edges.map((e) => (e.from === 'h1' ? { ...e, from: 'bn' } : e));
  d.edges.push({ from: 'h1', to: 'bn' });
  const g = compileGraph(d, { batchSize: 4 });
  const h = g.withBatchSize(16);
  const state = (c: typeof g) => c.program.nodes.find((n) => n.id === 'bn')!.ctx.state;
  assert.deepEqual(Object.keys(state(g)).sort(), ['running_mean', 'running_var']);
  for (const k of Object.keys(state(g))) assert.equal(state(h)[k], state(g)[k]);
  g.program.value(g.input).data.set([1, 2, 3, 4, 5, 6, 7, 8]);
  g.program.forward();
  assert.ok(
    state(h)['running_mean']!.data.some((v) => v !== 0),
    'a training step in one is seen by the other',
  );
});
