/**
 * The convolution family through ONNX: small graphs using every option (non-square kernels,
 * per-axis strides and dilations, per-side and 'same' padding, groups, transposed convolution,
 * ceil-mode and padding-excluding pools, global pools, reflect/replicate/constant pad) export to
 * ONNX that onnxruntime runs to the engine's outputs, and import back to the same graph outputs.
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

/** 8×8 digits → the layers in a chain → flatten → linear 10 → cross-entropy. */
function chain(layers: [string, Attrs][]): GraphDoc {
  const nodes: GraphDoc['nodes'] = [
    { id: 'x', op: 'input', attrs: { shape: [1, 8, 8] }, position: { x: 0, y: 0 } },
  ];
  const all: [string, Attrs][] = [...layers, ['flatten', {}], ['linear', { units: 10 }]];
  all.forEach(([op, attrs], i) =>
    nodes.push({ id: `n${i}`, op, attrs, position: { x: 150 * (i + 1), y: 0 } }),
  );
  nodes.push({ id: 'y', op: 'target', attrs: { classes: 10 }, position: { x: 0, y: 200 } });
  nodes.push({ id: 'loss', op: 'cross_entropy', attrs: {}, position: { x: 150 * (all.length + 1), y: 100 } });
  const edges: GraphDoc['edges'] = all.map((_, i) => ({ from: i === 0 ? 'x' : `n${i - 1}`, to: `n${i}` }));
  edges.push(
    { from: `n${all.length - 1}`, to: 'loss', toPort: 'logits' },
    { from: 'y', to: 'loss', toPort: 'target' },
  );
  return {
    format: 'backprop-studio.graph',
    version: 1,
    nodes,
    edges,
    training: { dataset: { kind: 'digits' }, optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 4, epochs: 1 },
  } as GraphDoc;
}

const GRAPHS: Record<string, GraphDoc> = {
  '2-D: grouped dilated conv, per-side padding, ceil pools, reflect pad, global average': chain([
    ['conv2d', { outChannels: 4, kernel: 1 }],
    [
      'conv2d',
      {
        outChannels: 6,
        kernel: [2, 3],
        stride: [2, 1],
        dilation: [1, 2],
        groups: 2,
        padding: [1, 0, 2, 1],
      },
    ],
    ['relu', {}],
    ['max_pool2d', { kernel: [3, 2], stride: 2, padding: 1, dilation: [1, 2], ceil_mode: true }],
    ['avg_pool2d', { kernel: 2, stride: 1, padding: 1, count_include_pad: false }],
    ['pad', { pad: [1, 1, 2, 0], mode: 'reflect' }],
    ['global_avg_pool', {}],
  ]),
  "2-D: depthwise 'same' conv, transposed conv, constant and replicate pads, global max": chain([
    ['conv2d', { outChannels: 3, kernel: 1 }],
    ['conv2d', { outChannels: 3, kernel: 3, groups: 3, padding: 'same' }],
    ['conv_transpose2d', { outChannels: 4, kernel: [3, 2], stride: 2, padding: 1, output_padding: 1 }],
    ['pad', { pad: [1, 2, 0, 1], value: 0.25 }],
    ['pad', { pad: [1, 1, 1, 1], mode: 'replicate' }],
    ['avg_pool2d', { kernel: 3, stride: 2, ceil_mode: true }],
    ['global_max_pool', {}],
  ]),
  '1-D: grouped dilated conv1d, ceil max and average pools': chain([
    ['reshape', { shape: [-1, 8, 8] }],
    ['conv1d', { outChannels: 4, kernel: 3, stride: 2, padding: [1, 2], dilation: 2, groups: 4 }],
    ['max_pool1d', { kernel: 3, stride: 2, padding: 1, ceil_mode: true }],
    ['avg_pool1d', { kernel: 2, stride: 1, padding: 1 }],
    ['conv1d', { outChannels: 2, kernel: 2, padding: 'same', bias: false }],
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
    const back = importOnnx(bytes);
    assert.deepEqual(
      back.doc.nodes.map((n) => n.op).filter((op) => !['input', 'target', 'cross_entropy'].includes(op)),
      doc.nodes.map((n) => n.op).filter((op) => !['input', 'target', 'cross_entropy'].includes(op)),
      'the same ops come back',
    );
    const again = runEngine(back.doc, back.weights, input);
    const vsOrt = maxAbsDiff(ort.data, engine.data);
    const trip = maxAbsDiff(again.data, engine.data);
    t.diagnostic(`max |engine - onnxruntime| ${vsOrt.toExponential(2)}; round trip ${trip.toExponential(2)}`);
    assert.ok(vsOrt <= TOL, `engine vs onnxruntime: ${vsOrt}`);
    assert.ok(trip <= TOL, `round trip: ${trip}`);
  });
}
