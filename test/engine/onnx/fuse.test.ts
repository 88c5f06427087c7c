import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { attr, makeGraph, makeModel, makeNode, tensorValueInfo } from '../../../engine/onnx/builder.js';
import { decodeModel, NodeProto } from '../../../engine/onnx/onnx-proto.js';
import { flattenModel } from '../../../engine/onnx/onnx-graph.js';
import { fusePatterns } from '../../../engine/onnx/fuse.js';
import { floatTensor } from '../../../engine/onnx/tensor-data.js';
import { fixtures } from './fixtures.js';
import { REFERENCE_DIR } from './reference-models.js';

const opsOf = (nodes: { opType: string; domain: string }[]) =>
  nodes.map((n) => (n.domain ? `${n.domain}:${n.opType}` : n.opType));

function fuse(node: NodeProto[], initializer = [floatTensor('c', [], [0])]) {
  const graph = makeGraph({
    name: 'g',
    node,
    input: [tensorValueInfo('x', ['N', 4])],
    output: [tensorValueInfo('y', ['N', 4])],
    initializer,
  });
  return fusePatterns(flattenModel(makeModel({ graph, opsetImport: [{ domain: '', version: 17 }] })));
}

const k = (name: string, v: number) => floatTensor(name, [], [v]);

test('the reference model’s erf GELU becomes one Gelu node', () => {
  const model = decodeModel(new Uint8Array(readFileSync(`${REFERENCE_DIR}/mlp_layernorm_gelu.onnx`)));
  const g = fusePatterns(flattenModel(model));
  assert.deepEqual(opsOf(g.nodes), ['Gemm', 'LayerNormalization', 'Gelu', 'Gemm', 'Sigmoid']);
});

test('every association of x · 0.5 · (1 + erf(x/√2)) fuses; other constants do not', () => {
  const head = [
    makeNode('Div', ['x', 'r2'], ['u']),
    makeNode('Erf', ['u'], ['e']),
    makeNode('Add', ['one', 'e'], ['a']),
  ];
  const inits = (half: number) => [k('r2', Math.SQRT2), k('one', 1), k('half', half)];
  const tails: [string, NodeProto[]][] = [
    ['(x·a)·½', [makeNode('Mul', ['x', 'a'], ['m']), makeNode('Mul', ['m', 'half'], ['y'])]],
    ['x·(a·½)', [makeNode('Mul', ['a', 'half'], ['m']), makeNode('Mul', ['x', 'm'], ['y'])]],
    ['(x·½)·a', [makeNode('Mul', ['x', 'half'], ['m']), makeNode('Mul', ['a', 'm'], ['y'])]],
  ];
  for (const [name, tail] of tails) {
    assert.deepEqual(opsOf(fuse([...head, ...tail], inits(0.5)).nodes), ['Gelu'], name);
    assert.deepEqual(
      opsOf(fuse([...head, ...tail], inits(0.25)).nodes),
      ['Div', 'Erf', 'Add', 'Mul', 'Mul'],
      `${name}, ¼`,
    );
  }
  // The scaled input by 1/√2 instead of a division.
  const byMul = [makeNode('Mul', ['x', 'rs'], ['u']), ...head.slice(1), ...tails[0]![1]];
  assert.deepEqual(opsOf(fuse(byMul, [...inits(0.5), k('rs', Math.SQRT1_2)]).nodes), ['Gelu']);
});

test('a GELU whose inner value is also used elsewhere is left alone (nothing another node reads disappears)', () => {
  const nodes = [
    makeNode('Div', ['x', 'r2'], ['u']),
    makeNode('Erf', ['u'], ['e']),
    makeNode('Add', ['e', 'one'], ['a']),
    makeNode('Mul', ['x', 'a'], ['m']),
    makeNode('Mul', ['m', 'half'], ['g']),
    makeNode('Add', ['g', 'e'], ['y']),
  ];
  const g = fuse(nodes, [k('r2', Math.SQRT2), k('one', 1), k('half', 0.5)]);
  assert.ok(!opsOf(g.nodes).includes('Gelu'));
});

test('LayerNorm spelt out (Pow or Mul, Div or Reciprocal, with and without affine) fuses', () => {
  const start = [
    makeNode('ReduceMean', ['x'], ['m'], [attr.ints('axes', [-1])]),
    makeNode('Sub', ['x', 'm'], ['d']),
  ];
  const variance = (sq: NodeProto) => [
    sq,
    makeNode('ReduceMean', ['d2'], ['v'], [attr.ints('axes', [-1])]),
    makeNode('Add', ['v', 'eps'], ['ve']),
    makeNode('Sqrt', ['ve'], ['s']),
  ];
  const pow = makeNode('Pow', ['d', 'two'], ['d2']);
  const square = makeNode('Mul', ['d', 'd'], ['d2']);
  const divide = [makeNode('Div', ['d', 's'], ['n'])];
  const reciprocal = [makeNode('Reciprocal', ['s'], ['r']), makeNode('Mul', ['r', 'd'], ['n'])];
  const affine = [makeNode('Mul', ['n', 'gamma'], ['ng']), makeNode('Add', ['beta', 'ng'], ['y'])];
  const inits = [
    k('eps', 1e-5),
    k('two', 2),
    floatTensor('gamma', [4], [1, 2, 3, 4]),
    floatTensor('beta', [4], [0, 1, 0, 1]),
  ];
  for (const [sq, norm] of [
    [pow, divide],
    [square, reciprocal],
  ] as const) {
    const g = fuse([...start, ...variance(sq), ...norm, ...affine], inits);
    assert.deepEqual(opsOf(g.nodes), ['LayerNormalization']);
    assert.deepEqual(g.nodes[0]!.inputs, ['x', 'gamma', 'beta']);
    assert.ok(Math.abs(g.nodes[0]!.attrs.get('epsilon')!.f! - 1e-5) < 1e-12);
  }
  const bare = fuse([...start, ...variance(pow), ...divide.map((n) => ({ ...n, output: ['y'] }))], inits);
  assert.deepEqual(opsOf(bare.nodes), ['LayerNormalization']);
  assert.deepEqual(bare.nodes[0]!.inputs, ['x', '', '']);
});

test('MatMul by a constant fuses with a following constant Add; by a computed value it does not', () => {
  const w = floatTensor('w', [4, 4], new Array(16).fill(0.1));
  const b = floatTensor('b', [4], [1, 2, 3, 4]);
  const fused = fuse([makeNode('MatMul', ['x', 'w'], ['h']), makeNode('Add', ['h', 'b'], ['y'])], [w, b]);
  assert.deepEqual(opsOf(fused.nodes), ['backprop-studio:Linear']);
  const dynamic = fuse([makeNode('MatMul', ['x', 'x'], ['h']), makeNode('Add', ['h', 'b'], ['y'])], [b]);
  assert.deepEqual(opsOf(dynamic.nodes), ['MatMul', 'Add']);
  // The bias Add is left alone when the product is also read elsewhere.
  const shared = fuse(
    [
      makeNode('MatMul', ['x', 'w'], ['h']),
      makeNode('Add', ['h', 'b'], ['a']),
      makeNode('Mul', ['a', 'h'], ['y']),
    ],
    [w, b],
  );
  assert.deepEqual(opsOf(shared.nodes), ['backprop-studio:Linear', 'Add', 'Mul']);
});

test('fixtures flatten to the layers they were built from (functions inlined, Identity and Constant gone)', () => {
  const expected: Record<string, string[]> = {
    mlp_matmul_add_opset18: [
      'backprop-studio:Linear',
      'Relu',
      'backprop-studio:Linear',
      'LeakyRelu',
      'backprop-studio:Linear',
    ],
    functions_gelu_layernorm_opset18: [
      'backprop-studio:Linear',
      'Gelu',
      'LayerNormalization',
      'backprop-studio:Linear',
      'Tanh',
    ],
  };
  for (const f of fixtures()) {
    if (!expected[f.name]) continue;
    const g = fusePatterns(flattenModel(f.model));
    assert.deepEqual(opsOf(g.nodes), expected[f.name], f.name);
  }
});

test('GELU’s tanh form (Pow or x·x·x) fuses to Gelu(approximate=tanh); x · sigmoid(x) to Silu', () => {
  const inits = [
    k('three', 3),
    k('c', 0.044715),
    k('s', Math.sqrt(2 / Math.PI)),
    k('one', 1),
    k('half', 0.5),
  ];
  const tail = [
    makeNode('Add', ['x', 'k'], ['inner']),
    makeNode('Mul', ['inner', 's'], ['scaled']),
    makeNode('Tanh', ['scaled'], ['t']),
    makeNode('Add', ['t', 'one'], ['a']),
    makeNode('Mul', ['x', 'half'], ['hx']),
    makeNode('Mul', ['hx', 'a'], ['y']),
  ];
  const byPow = [makeNode('Pow', ['x', 'three'], ['x3']), makeNode('Mul', ['x3', 'c'], ['k'])];
  const byProduct = [
    makeNode('Mul', ['x', 'x'], ['xx']),
    makeNode('Mul', ['xx', 'x'], ['x3']),
    makeNode('Mul', ['c', 'x3'], ['k']),
  ];
  for (const cube of [byPow, byProduct]) {
    const g = fuse([...cube, ...tail], inits);
    assert.deepEqual(opsOf(g.nodes), ['Gelu']);
    assert.equal(g.nodes[0]!.attrs.get('approximate')?.s?.length, 4);
  }
  const wrongCoefficient = fuse([...byPow, ...tail], [...inits.filter((t) => t.name !== 'c'), k('c', 0.05)]);
  assert.ok(!opsOf(wrongCoefficient.nodes).includes('Gelu'));

  const silu = fuse([makeNode('Sigmoid', ['x'], ['s']), makeNode('Mul', ['s', 'x'], ['y'])]);
  assert.deepEqual(opsOf(silu.nodes), ['backprop-studio:Silu']);
  const gated = fuse([
    makeNode('Sigmoid', ['x'], ['s']),
    makeNode('Relu', ['x'], ['r']),
    makeNode('Mul', ['s', 'r'], ['y']),
  ]);
  assert.deepEqual(opsOf(gated.nodes), ['Sigmoid', 'Relu', 'Mul']);
});

test('attention written out fuses into one Attention node: scale by Div or Mul, a causal mask, kᵀ read elsewhere too', () => {
  const mask = floatTensor('mask', [3, 3], [0, -Infinity, -Infinity, 0, 0, -Infinity, 0, 0, 0]);
  const head = (perm: number[]) => [
    makeNode('Transpose', ['x'], ['kt'], [attr.ints('perm', perm)]),
    makeNode('MatMul', ['x', 'kt'], ['s']),
  ];
  const tail = (from: string) => [
    makeNode('Softmax', [from], ['p'], [attr.int('axis', -1)]),
    makeNode('MatMul', ['p', 'x'], ['y']),
  ];
  const attentionOf = (g: ReturnType<typeof fuse>) => {
    const n = g.nodes.find((x) => x.opType === 'Attention')!;
    return { scale: n.attrs.get('scale')?.f, causal: n.attrs.get('causal')?.i, k: n.inputs[1] };
  };
  // q·kᵀ / 2, PyTorch's layout: kᵀ is x with its last two axes swapped, so k is x itself.
  let g = fuse([...head([1, 0]), makeNode('Div', ['s', 'two'], ['d']), ...tail('d')], [k('two', 2)]);
  assert.deepEqual(opsOf(g.nodes), ['backprop-studio:Attention']);
  assert.deepEqual(attentionOf(g), { scale: 0.5, causal: 0, k: 'x' });
  // · 0.25 and + the causal mask.
  g = fuse(
    [
      ...head([1, 0]),
      makeNode('Mul', ['quarter', 's'], ['d']),
      makeNode('Add', ['d', 'mask'], ['masked']),
      ...tail('masked'),
    ],
    [k('quarter', 0.25), mask],
  );
  assert.deepEqual(opsOf(g.nodes), ['backprop-studio:Attention']);
  assert.deepEqual(attentionOf(g), { scale: 0.25, causal: 1, k: 'x' });
  // q / 2 before the product (torch.nn.MultiheadAttention's way), and the scores · 0.5 too.
  g = fuse(
    [
      makeNode('Div', ['x', 'two'], ['q']),
      makeNode('Transpose', ['x'], ['kt'], [attr.ints('perm', [1, 0])]),
      makeNode('MatMul', ['q', 'kt'], ['s']),
      makeNode('Mul', ['s', 'half'], ['d']),
      ...tail('d'),
    ],
    [k('two', 2), k('half', 0.5)],
  );
  assert.deepEqual(opsOf(g.nodes), ['backprop-studio:Attention']);
  assert.deepEqual(attentionOf(g), { scale: 0.25, causal: 0, k: 'x' });
  // A mask that is not causal (0 everywhere) is an ordinary Add: the scores' MatMul stays.
  g = fuse(
    [...head([1, 0]), makeNode('Add', ['s', 'zero'], ['masked']), ...tail('masked')],
    [floatTensor('zero', [3, 3], new Array<number>(9).fill(0))],
  );
  assert.ok(!opsOf(g.nodes).includes('Attention'));
  // kᵀ also read by another node: it stays, and k is kᵀ transposed back.
  g = fuse([...head([1, 0]), ...tail('s').slice(0, 1), makeNode('MatMul', ['p', 'kt'], ['y'])]);
  assert.deepEqual(opsOf(g.nodes), ['Transpose', 'Transpose', 'backprop-studio:Attention']);
  const back = g.nodes[1]!;
  assert.deepEqual([back.inputs, back.attrs.get('perm')?.ints], [['kt'], [1, 0]]);
  assert.deepEqual(attentionOf(g), { scale: undefined, causal: 0, k: back.outputs[0] });
});
