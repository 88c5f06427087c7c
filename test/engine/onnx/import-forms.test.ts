/**
 * Import forms added for ONNX's backend test suite (issue #16), each against onnxruntime on a
 * hand-built model: 3-D pools as two 2-D pools (dilation, ceil mode, uneven pads, the mean with and
 * without the padding), models read as one sample (inputs without a shared batch axis, a reduction
 * over axis 0), constant operands as `constant` nodes, and Gemm of two computed values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attr, makeGraph, makeModel, makeNode, tensorValueInfo } from '../../../engine/onnx/builder.js';
import {
  encodeModel,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
} from '../../../engine/onnx/onnx-proto.js';
import { floatTensor, int64Tensor } from '../../../engine/onnx/tensor-data.js';
import { importOnnx } from '../../../engine/onnx/import.js';
import { exportOnnx } from '../../../engine/onnx/export.js';
import { Rng } from '../../../engine/tensor/random.js';
import { maxAbsDiff, runOrt, type StoredTensor } from './reference-models.js';
import { runEngine } from './engine-run.js';

const TOL = 1e-5;

function model(
  nodes: NodeProto[],
  inputs: [string, number[]][],
  output: [string, number[]],
  initializer: TensorProto[] = [],
): Uint8Array {
  const graph = makeGraph({
    name: 'g',
    node: nodes,
    input: inputs.map(([n, d]) => tensorValueInfo(n, d)),
    output: [tensorValueInfo(output[0], output[1])],
    initializer,
  });
  return encodeModel(makeModel({ graph, opsetImport: [{ domain: '', version: 17 }] }));
}

function random(shape: number[], seed: number): StoredTensor {
  const rng = new Rng(seed);
  return { shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()) };
}

/** Imports the model, runs it on `inputs` (by name) and onnxruntime too; returns the import. */
async function agrees(bytes: Uint8Array, inputs: Record<string, StoredTensor>) {
  const imported = importOnnx(bytes);
  const ort = await runOrt(bytes, inputs);
  const ids = imported.doc.nodes.filter((n) => n.op === 'input').map((n) => n.id);
  const names = Object.keys(inputs);
  // As one sample, each input gains a batch axis of one and the output one in front.
  const feed = Object.fromEntries(
    ids.map((id, i) => {
      const t = inputs[names[i]!]!;
      return [id, imported.batchAxisAdded ? { shape: [1, ...t.shape], data: t.data } : t];
    }),
  );
  const got = runEngine(imported.doc, imported.weights, feed, 'float64');
  assert.deepEqual(got.shape, imported.batchAxisAdded ? [1, ...ort.shape] : ort.shape);
  const err = maxAbsDiff(got.data, ort.data);
  assert.ok(err <= TOL, `engine vs onnxruntime: ${err}`);
  return imported;
}

/** Name, op, attributes, input shape, output shape. */
const POOLS: [string, string, AttributeProto[], number[], number[]][] = [
  [
    'max, dilated, ceil mode, uneven pads',
    'MaxPool',
    [
      attr.ints('kernel_shape', [2, 3, 2]),
      attr.ints('strides', [2, 1, 2]),
      attr.ints('dilations', [2, 1, 1]),
      attr.ints('pads', [1, 0, 1, 0, 1, 0]),
      attr.int('ceil_mode', 1),
    ],
    [2, 3, 5, 4, 5],
    [2, 3, 3, 3, 3],
  ],
  [
    'mean without the padding, ceil mode',
    'AveragePool',
    [
      attr.ints('kernel_shape', [3, 2, 2]),
      attr.ints('strides', [2, 2, 1]),
      attr.ints('pads', [1, 1, 0, 1, 0, 1]),
      attr.int('ceil_mode', 1),
    ],
    [1, 2, 6, 5, 4],
    [1, 2, 4, 3, 4],
  ],
  [
    'mean with the padding',
    'AveragePool',
    [
      attr.ints('kernel_shape', [2, 2, 3]),
      attr.ints('strides', [1, 2, 2]),
      attr.ints('pads', [1, 1, 1, 0, 1, 1]),
      attr.int('count_include_pad', 1),
    ],
    [2, 2, 4, 5, 6],
    [2, 2, 4, 3, 3],
  ],
];

for (const [name, op, attrs, shape, out] of POOLS)
  test(`3-D pool (${name}) imports as two 2-D pools and matches onnxruntime`, async () => {
    const bytes = model([makeNode(op, ['x'], ['y'], attrs)], [['x', shape]], ['y', out]);
    const imported = await agrees(bytes, { x: random(shape, 3) });
    const ops = imported.doc.nodes.map((n) => n.op).filter((o) => o !== 'input');
    assert.equal(ops.filter((o) => o.endsWith('pool2d')).length, 2);
  });

test('inputs without a shared batch axis are one sample: [2, 3] · [3, 4] + [4], said in a note', async () => {
  const bytes = model(
    [makeNode('Gemm', ['a', 'b', 'c'], ['y'], [attr.float('alpha', 0.5), attr.float('beta', 2)])],
    [
      ['a', [2, 3]],
      ['b', [3, 4]],
      ['c', [4]],
    ],
    ['y', [2, 4]],
  );
  const imported = await agrees(bytes, { a: random([2, 3], 1), b: random([3, 4], 2), c: random([4], 3) });
  assert.equal(imported.batchAxisAdded, true);
  assert.match(imported.notes.join('\n'), /one sample.*'a' \[2, 3\].*\[1, 2, 4\]/);
});

test('a reduction over axis 0 makes the model one sample; a constant operand becomes a constant node', async () => {
  const bytes = model(
    [
      makeNode('ReduceSum', ['x', 'axes'], ['s'], [attr.int('keepdims', 0)]),
      makeNode('Mul', ['s', 'k'], ['y']),
    ],
    [['x', [3, 4]]],
    ['y', [4]],
    [int64Tensor('axes', [1], [0]), floatTensor('k', [4], [1, -2, 0.5, 3])],
  );
  const imported = await agrees(bytes, { x: random([3, 4], 5) });
  assert.equal(imported.batchAxisAdded, true);
  assert.match(imported.notes.join('\n'), /its ops work along the inputs' first axis/);
  const constant = imported.doc.nodes.find((n) => n.op === 'constant');
  assert.ok(constant, 'a constant node');
  assert.deepEqual(imported.weights.weights[constant.id]?.['value']?.data, [1, -2, 0.5, 3]);
});

test('Clip by computed bounds (scalar inputs) imports as maximum then minimum', async () => {
  const bytes = model(
    [makeNode('Clip', ['x', 'lo', 'hi'], ['y'])],
    [
      ['x', [3, 4]],
      ['lo', []],
      ['hi', []],
    ],
    ['y', [3, 4]],
  );
  const imported = await agrees(bytes, {
    x: random([3, 4], 8),
    lo: { shape: [], data: [-0.3] },
    hi: { shape: [], data: [0.6] },
  });
  const ops = imported.doc.nodes.map((n) => n.op);
  assert.ok(ops.includes('maximum') && ops.includes('minimum'));
});

test('a 3-D convolution (groups, dilation, uneven pads) imports as conv3d and exports back to the same outputs', async () => {
  const rng = new Rng(11);
  const weight = Array.from({ length: 4 * 2 * 2 * 3 * 2 }, () => rng.normal());
  const bytes = model(
    [
      makeNode(
        'Conv',
        ['x', 'w', 'b'],
        ['y'],
        [
          attr.ints('kernel_shape', [2, 3, 2]),
          attr.ints('strides', [1, 2, 1]),
          attr.ints('dilations', [2, 1, 1]),
          attr.ints('pads', [1, 0, 1, 0, 1, 0]),
          attr.int('group', 2),
        ],
      ),
    ],
    [['x', [2, 4, 5, 5, 4]]],
    ['y', [2, 4, 4, 2, 4]],
    [floatTensor('w', [4, 2, 2, 3, 2], weight), floatTensor('b', [4], [0.1, -0.2, 0.3, 0])],
  );
  const x = random([2, 4, 5, 5, 4], 12);
  const imported = await agrees(bytes, { x });
  assert.ok(imported.doc.nodes.some((n) => n.op === 'conv3d'));
  const exported = exportOnnx(imported.doc, imported.weights);
  // The imported graph's input is flat (a CSV row, reshaped back at once): so is the export's.
  const ort = await runOrt(exported, { shape: [2, 4 * 5 * 5 * 4], data: x.data });
  const engine = runEngine(imported.doc, imported.weights, x, 'float64');
  assert.ok(maxAbsDiff(ort.data, engine.data) <= TOL);
});

test('attention whose k and v are shared by the heads ([N, 1, S, d] against q [N, H, T, d]) imports as one broadcasting node and exports back', async () => {
  // k = v = the mean over the heads; the product broadcasts it as MatMul does.
  const bytes = model(
    [
      makeNode('ReduceMean', ['x'], ['kv'], [attr.ints('axes', [1]), attr.int('keepdims', 1)]),
      makeNode('Transpose', ['kv'], ['kt'], [attr.ints('perm', [0, 1, 3, 2])]),
      makeNode('MatMul', ['x', 'kt'], ['scores']),
      makeNode('Mul', ['scores', 'scale'], ['scaled']),
      makeNode('Softmax', ['scaled'], ['p'], [attr.int('axis', -1)]),
      makeNode('MatMul', ['p', 'kv'], ['y']),
    ],
    [['x', [2, 3, 4, 5]]],
    ['y', [2, 3, 4, 5]],
    [floatTensor('scale', [], [0.3])],
  );
  const x = random([2, 3, 4, 5], 21);
  const imported = await agrees(bytes, { x });
  assert.deepEqual(
    imported.doc.nodes.filter((n) => n.op === 'scaled_dot_product_attention').map((n) => n.attrs),
    [{ scale: 0.3 }],
  );
  const exported = exportOnnx(imported.doc, imported.weights);
  const ort = await runOrt(exported, { shape: [2, 3 * 4 * 5], data: x.data });
  const engine = runEngine(imported.doc, imported.weights, x, 'float64');
  assert.ok(maxAbsDiff(ort.data, engine.data) <= TOL);
});
