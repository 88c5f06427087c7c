/**
 * The activations and normalisations of issue #14 through ONNX: each op in a small graph
 * (digits [N, 1, 8, 8] → conv2d to 4 channels → op → flatten → linear → cross-entropy) with random
 * weights is exported, run in
 * onnxruntime against the engine, and imported back to the same op and the same outputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportOnnx } from '../../../engine/onnx/export.js';
import { importOnnx } from '../../../engine/onnx/import.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import { weightsOf } from '../../../engine/graph/weights.js';
import type { GraphDoc } from '../../../engine/graph/document.js';
import { Rng } from '../../../engine/tensor/random.js';
import { maxAbsDiff, runOrt } from './reference-models.js';
import { runEngine } from './engine-run.js';

const TOL = 1e-4;

function graphWith(op: string, attrs: Record<string, unknown>): GraphDoc {
  const at = (x: number) => ({ x: x * 160, y: 0 });
  return {
    format: 'backprop-studio.graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'input', attrs: { shape: [1, 8, 8] }, position: at(0) },
      { id: 'conv', op: 'conv2d', attrs: { outChannels: 4, kernel: 3 }, position: at(1) },
      { id: 'act', op, attrs, position: at(2) },
      { id: 'flat', op: 'flatten', attrs: {}, position: at(3) },
      { id: 'out', op: 'linear', attrs: { units: 10 }, position: at(4) },
      { id: 'y', op: 'target', attrs: { classes: 10 }, position: at(5) },
      { id: 'loss', op: 'cross_entropy', attrs: {}, position: at(6) },
    ],
    edges: [
      { from: 'x', to: 'conv' },
      { from: 'conv', to: 'act' },
      { from: 'act', to: 'flat' },
      { from: 'flat', to: 'out' },
      { from: 'out', to: 'loss', toPort: 'logits' },
      { from: 'y', to: 'loss', toPort: 'target' },
    ],
    training: { dataset: { kind: 'digits' }, optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 4, epochs: 1 },
  } as GraphDoc;
}

const CASES: [string, string, Record<string, unknown>][] = [
  ['clip', 'clip', { min: -0.5, max: 0.7 }],
  ['relu6 (clip preset)', 'clip', { min: 0, max: 6 }],
  ['clip, max only', 'clip', { max: 0.3 }],
  ['hardsigmoid', 'hardsigmoid', {}],
  ['hardswish', 'hardswish', {}],
  ['softsign', 'softsign', {}],
  ['mish', 'mish', {}],
  ['prelu per channel', 'prelu', { num_parameters: 4 }],
  ['prelu shared', 'prelu', {}],
  ['group_norm', 'group_norm', { num_groups: 2 }],
  ['group_norm, not affine', 'group_norm', { num_groups: 4, affine: false }],
  ['instance_norm', 'instance_norm', {}],
  ['instance_norm, affine', 'instance_norm', { affine: true }],
];

for (const [name, op, attrs] of CASES)
  test(`${name}: exports to ONNX that onnxruntime runs like the engine, and imports back as ${op}`, async () => {
    const doc = graphWith(op, attrs);
    const weights = weightsOf(compileGraph(doc, { batchSize: 1 }));
    const rng = new Rng(5);
    // Random weights everywhere, so that scales, shifts and slopes are all visible in the output.
    for (const params of Object.values(weights.weights))
      for (const t of Object.values(params)) t.data = t.data.map(() => rng.uniform(-1, 1));
    const input = { shape: [3, 1, 8, 8], data: Array.from({ length: 192 }, () => 3 * rng.normal()) };
    const engine = runEngine(doc, weights, input);
    const bytes = exportOnnx(doc, weights);
    const ort = await runOrt(bytes, input);
    assert.ok(
      maxAbsDiff(ort.data, engine.data) <= TOL,
      `engine vs onnxruntime ${maxAbsDiff(ort.data, engine.data)}`,
    );
    const back = importOnnx(bytes);
    assert.deepEqual(
      back.doc.nodes.map((n) => n.op).filter((o) => o === op),
      [op],
      `imported ops: ${back.doc.nodes.map((n) => n.op).join(', ')}`,
    );
    const again = runEngine(back.doc, back.weights, input);
    assert.ok(
      maxAbsDiff(again.data, engine.data) <= TOL,
      `round trip ${maxAbsDiff(again.data, engine.data)}`,
    );
  });
