/**
 * The tensor ops of issue #15 through ONNX: small graphs on 8×8 digits (attention from its parts,
 * reductions over chosen axes, slicing, expanding, tiling, squeezing) export to ONNX that
 * onnxruntime runs to the engine's outputs, and import back to the same graph outputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportOnnx } from '../../../engine/onnx/export.js';
import { importOnnx } from '../../../engine/onnx/import.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import { weightsOf } from '../../../engine/graph/weights.js';
import type { GraphDoc } from '../../../engine/graph/document.js';
import type { Attrs } from '../../../engine/ops/define.js';
import { Rng } from '../../../engine/tensor/random.js';
import { analyzeGraph } from '../../../engine/graph/check.js';
import { maxAbsDiff, runOrt } from './reference-models.js';
import { runEngine } from './engine-run.js';

const TOL = 1e-4;

/** A node: its op and attributes, and what feeds each port (node ids; 'x' is the 8×8 input). */
type Spec = [id: string, op: string, attrs: Attrs, from: Record<string, string>];

/** Digits [N, 1, 8, 8] → the nodes → flatten → linear 10 → cross-entropy. */
function graph(specs: Spec[]): GraphDoc {
  const last = specs[specs.length - 1]![0];
  const all: Spec[] = [
    ...specs,
    ['flat', 'flatten', {}, { x: last }],
    ['logits', 'linear', { units: 10 }, { x: 'flat' }],
  ];
  const nodes: GraphDoc['nodes'] = [
    { id: 'x', op: 'input', attrs: { shape: [1, 8, 8] }, position: { x: 0, y: 0 } },
    { id: 'y', op: 'target', attrs: { classes: 10 }, position: { x: 0, y: 200 } },
    ...all.map(([id, op, attrs], i) => ({ id, op, attrs, position: { x: 150 * (i + 1), y: 0 } })),
    { id: 'loss', op: 'cross_entropy', attrs: {}, position: { x: 150 * (all.length + 1), y: 100 } },
  ];
  const edges: GraphDoc['edges'] = all.flatMap(([id, , , from]) =>
    Object.entries(from).map(([port, src]) => ({
      from: src,
      to: id,
      ...(port === 'x' ? {} : { toPort: port }),
    })),
  );
  edges.push({ from: 'logits', to: 'loss', toPort: 'logits' }, { from: 'y', to: 'loss', toPort: 'target' });
  return {
    format: 'backprop-studio.graph',
    version: 1,
    nodes,
    edges,
    training: { dataset: { kind: 'digits' }, optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 4, epochs: 1 },
  } as GraphDoc;
}

const GRAPHS: Record<string, GraphDoc> = {
  'attention from its parts: softmax(Q·Kᵀ)·V with batched matmul and swapaxes': graph([
    ['q', 'reshape', { shape: [-1, 8, 8] }, { x: 'x' }],
    ['heads', 'reshape', { shape: [-1, 2, 8, 4] }, { x: 'q' }],
    ['kt', 'swapaxes', {}, { x: 'heads' }],
    ['scores', 'matmul', {}, { a: 'heads', b: 'kt' }],
    ['p', 'softmax', { axis: -1 }, { x: 'scores' }],
    ['o', 'matmul', {}, { a: 'p', b: 'heads' }],
    ['merged', 'swapaxes', { axis0: 1, axis1: 2 }, { x: 'o' }],
  ]),
  'reductions over chosen axes: sum, mean, max, min': graph([
    ['s', 'sum', { axis: [1, -1], keepdim: true }, { x: 'x' }],
    ['m', 'mean', { axis: -1, keepdim: true }, { x: 'x' }],
    ['hi', 'max', { axis: [2], keepdim: true }, { x: 'x' }],
    ['lo', 'min', { axis: 3, keepdim: true }, { x: 'x' }],
    ['a', 'add', {}, { a: 's', b: 'm' }],
    ['b', 'mul', {}, { a: 'a', b: 'hi' }],
    ['d', 'sub', {}, { a: 'b', b: 'lo' }],
  ]),
  'slice, unsqueeze, tile, expand, squeeze': graph([
    ['rows', 'slice', { axes: [2, -1], starts: [1, -6], ends: [100, 7], steps: [2, 1] }, { x: 'x' }],
    ['sq', 'squeeze', { axis: 1 }, { x: 'rows' }],
    ['un', 'unsqueeze', { axis: -2 }, { x: 'sq' }],
    ['t', 'tile', { reps: [1, 2, 3] }, { x: 'un' }],
    ['first', 'slice', { axes: [-1], starts: [0], ends: [1] }, { x: 't' }],
    ['wide', 'expand', { shape: [-1, -1, -1, 15] }, { x: 'first' }],
    ['sum', 'add', {}, { a: 't', b: 'wide' }],
  ]),
};

for (const [name, doc] of Object.entries(GRAPHS)) {
  test(`${name}: exports to ONNX that onnxruntime runs like the engine, and imports back`, async (t) => {
    const errors = analyzeGraph(doc).diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(
      errors.map((d) => d.message),
      [],
    );
    const weights = weightsOf(compileGraph(doc, { batchSize: 1 }));
    const bytes = exportOnnx(doc, weights);
    const compiled = compileGraph(doc, { batchSize: 3 });
    const shape = compiled.program.value(compiled.input).shape.slice();
    const rng = new Rng(5);
    const input = {
      shape,
      data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    };
    const engine = runEngine(doc, weights, input);
    const ort = await runOrt(bytes, input);
    assert.deepEqual(ort.shape, engine.shape);
    const vsOrt = maxAbsDiff(ort.data, engine.data);
    assert.ok(vsOrt <= TOL, `engine vs onnxruntime: ${vsOrt}`);
    const back = importOnnx(bytes);
    const again = runEngine(back.doc, back.weights, input);
    const trip = maxAbsDiff(again.data, engine.data);
    t.diagnostic(`max |engine - onnxruntime| ${vsOrt.toExponential(2)}; round trip ${trip.toExponential(2)}`);
    assert.ok(trip <= TOL, `round trip: ${trip}`);
  });
}

/**
 * ONNX has no variance op: var and std export as mean, square and sum, and import reads those back
 * op by op (the divisor and the square root's constants as `constant` nodes), not as var and std.
 */
test('var and std export as mean, square and sum that onnxruntime runs like the engine, and import back op by op', async () => {
  const doc = graph([
    ['v', 'var', { axis: [2, 3], correction: 0, keepdim: true }, { x: 'x' }],
    ['sd', 'std', { axis: -2, keepdim: true }, { x: 'x' }],
    ['e', 'add', {}, { a: 'sd', b: 'v' }],
  ]);
  const weights = weightsOf(compileGraph(doc, { batchSize: 1 }));
  const bytes = exportOnnx(doc, weights);
  const rng = new Rng(7);
  const input = { shape: [3, 1, 8, 8], data: Array.from({ length: 192 }, () => rng.normal()) };
  const engine = runEngine(doc, weights, input);
  const ort = await runOrt(bytes, input);
  assert.ok(maxAbsDiff(ort.data, engine.data) <= TOL);
  const back = importOnnx(bytes);
  assert.ok(back.doc.nodes.some((n) => n.op === 'constant'));
  assert.ok(!back.doc.nodes.some((n) => n.op === 'var' || n.op === 'std'));
  assert.ok(maxAbsDiff(runEngine(back.doc, back.weights, input).data, engine.data) <= TOL);
});

test('argmax exports as ArgMax and a Cast to float that onnxruntime runs like the engine', async () => {
  const doc = graph([
    ['rows', 'reshape', { shape: [-1, 8, 8] }, { x: 'x' }],
    ['where', 'argmax', { axis: -1 }, { x: 'rows' }],
  ]);
  const weights = weightsOf(compileGraph(doc, { batchSize: 1 }));
  const bytes = exportOnnx(doc, weights);
  const rng = new Rng(6);
  const input = { shape: [3, 1, 8, 8], data: Array.from({ length: 192 }, () => rng.normal()) };
  const engine = runEngine(doc, weights, input);
  const ort = await runOrt(bytes, input);
  assert.ok(maxAbsDiff(ort.data, engine.data) <= TOL);
});
