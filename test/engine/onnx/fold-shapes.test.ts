/**
 * Shape arithmetic folded at import (engine/onnx/fold-shapes.ts), on hand-built models with a
 * symbolic batch axis, each against onnxruntime at a batch size the import never saw: sizes read
 * off a tensor (`x.view(x.size(0), -1)`, a product of fixed sizes), integer division as ONNX does it
 * (truncated: the q/k/v chunk of MultiheadAttention's packed projection), and what can't be said
 * without the batch size refused by name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attr, makeGraph, makeModel, makeNode, tensorValueInfo } from '../../../engine/onnx/builder.js';
import { encodeModel, type NodeProto } from '../../../engine/onnx/onnx-proto.js';
import { int64Tensor } from '../../../engine/onnx/tensor-data.js';
import { importOnnx } from '../../../engine/onnx/import.js';
import { Rng } from '../../../engine/tensor/random.js';
import { maxAbsDiff, runOrt, type StoredTensor } from './reference-models.js';
import { runEngine } from './engine-run.js';

const SAMPLE = [2, 3, 8];

/**
 * h = Relu(x) for x [N, 2, 3, 8], then `nodes` computing y [...output]; the int64 constants by
 * name, and `axis0`…`axis3` (scalars) where read and `zero` ([0]).
 */
function model(
  nodes: NodeProto[],
  output: (number | string)[],
  consts: Record<string, number[]> = {},
): Uint8Array {
  const read = new Set(nodes.flatMap((n) => n.input));
  const axes = Object.entries({ axis0: 0, axis1: 1, axis2: 2, axis3: 3 }).filter(([name]) => read.has(name));
  const all: Record<string, number | number[]> = { ...Object.fromEntries(axes), zero: [0], ...consts };
  const graph = makeGraph({
    name: 'g',
    node: [makeNode('Relu', ['x'], ['h'], [], { name: '/relu/Relu' }), ...nodes],
    input: [tensorValueInfo('x', ['N', ...SAMPLE])],
    output: [tensorValueInfo('y', output)],
    initializer: Object.entries(all).map(([name, v]) =>
      typeof v === 'number' ? int64Tensor(name, [], [v]) : int64Tensor(name, [v.length], v),
    ),
  });
  return encodeModel(makeModel({ graph, opsetImport: [{ domain: '', version: 13 }] }));
}

/** h.size(axis) as a [1] vector, as PyTorch writes a size in a list: Shape, Gather, Unsqueeze. */
function sizeOf(axis: number, out: string): NodeProto[] {
  return [
    makeNode('Shape', ['h'], [`${out}_shape`], [], { name: `/${out}/Shape` }),
    makeNode('Gather', [`${out}_shape`, `axis${axis}`], [`${out}_scalar`], [attr.int('axis', 0)]),
    makeNode('Unsqueeze', [`${out}_scalar`, 'zero'], [out]),
  ];
}

/** Imports, runs the engine and onnxruntime on a batch of 3 (the import saw none); returns the model's ops past the Relu. */
async function agrees(bytes: Uint8Array): Promise<[string, unknown][]> {
  const { doc, weights } = importOnnx(bytes);
  const rng = new Rng(7);
  const shape = [3, ...SAMPLE];
  const x: StoredTensor = {
    shape,
    data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
  };
  const ort = await runOrt(bytes, x);
  const got = runEngine(doc, weights, x, 'float64');
  assert.deepEqual(got.shape, ort.shape);
  assert.ok(maxAbsDiff(got.data, ort.data) <= 1e-6, 'engine vs onnxruntime');
  return doc.nodes
    .filter(
      (n) => n.id !== 'unflatten' && !['input', 'relu', 'target', 'cross_entropy', 'mse_loss'].includes(n.op),
    )
    .map((n) => [n.op, n.attrs]);
}

test('x.view(x.size(0), -1): the batch size read off the tensor becomes 0 (copy) in the target', async () => {
  const ops = await agrees(
    model(
      [
        ...sizeOf(0, 'n'),
        makeNode('Concat', ['n', 'minus1'], ['target'], [attr.int('axis', 0)]),
        makeNode('Reshape', ['h', 'target'], ['y']),
      ],
      ['N', 48],
      { minus1: [-1] },
    ),
  );
  assert.deepEqual(ops, [['reshape', { shape: [-1, 48] }]]);
});

test('x.reshape(x.size(0), x.size(1) * x.size(2), x.size(3)): fixed sizes fold to numbers', async () => {
  const ops = await agrees(
    model(
      [
        ...sizeOf(0, 'n'),
        ...sizeOf(1, 'a'),
        ...sizeOf(2, 'b'),
        ...sizeOf(3, 'c'),
        makeNode('Mul', ['a', 'b'], ['ab']),
        makeNode('Concat', ['n', 'ab', 'c'], ['target'], [attr.int('axis', 0)]),
        makeNode('Reshape', ['h', 'target'], ['y']),
      ],
      ['N', 6, 8],
    ),
  );
  assert.deepEqual(ops, [['reshape', { shape: [-1, 6, 8] }]]);
});

test("a chunk's end, (size + 2) / 3 in integers, is truncated as ONNX does (3, not 3.33)", async () => {
  const ops = await agrees(
    model(
      [
        ...sizeOf(3, 'd'),
        makeNode('Add', ['d', 'two'], ['d2']),
        makeNode('Div', ['d2', 'three'], ['chunk']),
        makeNode('Mul', ['chunk', 'two'], ['end']),
        makeNode('Slice', ['h', 'chunk', 'end', 'minus1'], ['y']),
      ],
      ['N', 2, 3, 3],
      { two: [2], three: [3], minus1: [-1] },
    ),
  );
  assert.deepEqual(ops, [['slice', { starts: [3], ends: [6], steps: [1] }]]);
});

test('a target that merges the batch with another axis is refused, naming the node', () => {
  const bytes = model(
    [
      ...sizeOf(0, 'n'),
      ...sizeOf(1, 'a'),
      makeNode('Mul', ['n', 'a'], ['na']),
      makeNode('Concat', ['na', 'rest'], ['target'], [attr.int('axis', 0)]),
      makeNode('Reshape', ['h', 'target'], ['y'], [], { name: '/merge/Reshape' }),
    ],
    ['2N', 3, 8],
    { rest: [3, 8] },
  );
  // Folded to [-1, 3, 8]: a layout with no batch axis of its own.
  assert.throws(
    () => importOnnx(bytes),
    /node '\/merge\/Reshape' \(Reshape\): it reshapes across the batch axis/,
  );
});

test("sizes that depend on the batch and can't become a reshape's 0 or -1 are left, and import names the op", () => {
  const bytes = model(
    [
      ...sizeOf(0, 'n'),
      makeNode('Concat', ['n', 'n', 'minus1'], ['target'], [attr.int('axis', 0)]),
      makeNode('Reshape', ['h', 'target'], ['y']),
    ],
    ['N', 'N', 'K'],
    { minus1: [-1] },
  );
  assert.throws(() => importOnnx(bytes), /Shape \(node '\/n\/Shape'\)/);
});
