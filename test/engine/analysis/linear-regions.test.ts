import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import {
  linearRegions1d,
  linearRegions2d,
  ResizableProgram,
} from '../../../engine/analysis/linear-regions.js';
import { sawtoothGraph, sawtoothValue } from '../../../engine/analysis/sawtooth.js';
import { ProgramBuilder } from '../../../engine/autodiff/program.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import { parseGraph } from '../../../engine/graph/parse.js';
import { readWeights } from '../../../engine/graph/weights.js';
import type { GraphDoc } from '../../../engine/graph/document.js';
import { Tensor } from '../../../engine/tensor/tensor.js';

interface Layer {
  id: string;
  op: string;
  attrs?: Record<string, number | boolean>;
  params?: Record<string, { shape: number[]; data: number[] }>;
}

/** A chain of layers as a resizable Program (what a compiled graph provides). */
function chainNet(layers: readonly Layer[], features: number, batch = 1): ResizableProgram {
  const b = new ProgramBuilder('float64');
  const input = b.input('x', [batch, features]);
  let at = input;
  for (const l of layers) {
    const params = Object.fromEntries(
      Object.entries(l.params ?? {}).map(([k, v]) => [k, Tensor.from(v.shape, v.data, 'float64')]),
    );
    at = b.node(l.id, l.op, [at], l.attrs ?? {}, { params });
  }
  return { program: b.build(), input, prediction: at, withBatchSize: (n) => chainNet(layers, features, n) };
}

const linear = (id: string, out: number, inF: number, w: number[], bias: number[]): Layer => ({
  id,
  op: 'linear',
  attrs: { units: out },
  params: { weight: { shape: [out, inF], data: w }, bias: { shape: [out], data: bias } },
});

function sawtooth(depth: number): ResizableProgram {
  const { doc, weights } = sawtoothGraph(depth);
  return compileGraph(doc, { batchSize: 1, dtype: 'float64', weights });
}

for (let depth = 1; depth <= 6; depth++) {
  test(`sawtooth depth ${depth}: exactly 2^${depth} pieces on [-2, 2], breakpoints at -2 + 4k/2^${depth}`, () => {
    const r = linearRegions1d(sawtooth(depth), [-2, 2]);
    assert.ok(r.ok);
    const { regions } = r;
    assert.equal(regions.depth, depth);
    assert.equal(regions.pieces, 2 ** depth);
    const want = Array.from({ length: 2 ** depth - 1 }, (_, k) => -2 + (4 * (k + 1)) / 2 ** depth);
    assert.equal(regions.breakpoints.length, want.length);
    regions.breakpoints.forEach((x, i) => assert.ok(Math.abs(x - want[i]!) < 1e-12, `breakpoint ${i}: ${x}`));
    // The polyline is the function: check it against the closed form at every vertex.
    regions.polyline.x.forEach((x, i) =>
      assert.ok(Math.abs(regions.polyline.y[i]![0]! - sawtoothValue(depth, x)) < 1e-12),
    );
  });
}

test('kinks that cancel are merged: relu(x) − relu(−x) = x is one piece', () => {
  const net = chainNet(
    [linear('split', 2, 1, [1, -1], [0, 0]), { id: 'r', op: 'relu' }, linear('join', 1, 2, [1, -1], [0])],
    1,
  );
  const r = linearRegions1d(net, [-3, 5]);
  assert.ok(r.ok);
  assert.equal(r.regions.pieces, 1);
  assert.equal(r.regions.candidates, 1);
  assert.deepEqual(r.regions.polyline, { x: [-3, 5], y: [[-3], [5]] });
});

test('only breakpoints inside the interval count; leaky_relu and abs are piecewise linear too', () => {
  // Outputs |leaky(x − 1)| and |leaky(x + 3)|: kinks at 1 and −3.
  const net = chainNet(
    [
      linear('a', 2, 1, [1, 1], [-1, 3]),
      { id: 'k', op: 'leaky_relu', attrs: { negative_slope: 0.1 } },
      linear('b', 2, 2, [1, 0, 0, 1], [0, 0]),
      { id: 'abs', op: 'abs' },
    ],
    1,
  );
  const inside = linearRegions1d(net, [-2, 4]);
  assert.ok(inside.ok);
  assert.deepEqual(
    inside.regions.breakpoints.map((x) => Math.round(x * 1e9) / 1e9),
    [1],
  );
  const both = linearRegions1d(net, [-5, 4]);
  assert.ok(both.ok);
  assert.equal(both.regions.pieces, 3);
  assert.equal(both.regions.depth, 2);
});

test('clip (relu6, hardtanh), hardsigmoid and prelu are piecewise linear with their kinks', () => {
  const cases: [string, Layer[], number[]][] = [
    [
      'relu6 of 2x',
      [linear('a', 1, 1, [2], [0]), { id: 'c', op: 'clip', attrs: { min: 0, max: 6 } }],
      [0, 3],
    ],
    [
      'hardtanh of x + 0.5',
      [linear('a', 1, 1, [1], [0.5]), { id: 'c', op: 'clip', attrs: { min: -1, max: 1 } }],
      [-1.5, 0.5],
    ],
    ['hardsigmoid', [linear('a', 1, 1, [1], [0]), { id: 'h', op: 'hardsigmoid' }], [-3, 3]],
    [
      'prelu of x - 0.5, clipped above at 2',
      [linear('a', 1, 1, [1], [-0.5]), { id: 'p', op: 'prelu' }, { id: 'c', op: 'clip', attrs: { max: 2 } }],
      [0.5, 2.5],
    ],
  ];
  for (const [name, layers, want] of cases) {
    const r = linearRegions1d(chainNet(layers, 1), [-4, 4]);
    assert.ok(r.ok, `${name}: ${r.ok ? '' : r.reason}`);
    assert.deepEqual(
      r.regions.breakpoints.map((x) => Math.round(x * 1e9) / 1e9),
      want,
      name,
    );
  }
});

test('a smooth activation is named as the reason there are no exact pieces', () => {
  const net = chainNet([linear('a', 2, 1, [1, 1], [0, 0]), { id: 'squash', op: 'tanh' }], 1);
  const r = linearRegions1d(net, [-1, 1]);
  assert.deepEqual(r, { ok: false, reason: "node 'squash' (tanh) is not piecewise linear" });
});

test('2-D: relu of each coordinate splits the plane into its four quadrants (sampled grid)', () => {
  const net = chainNet([{ id: 'r', op: 'relu' }, linear('sum', 1, 2, [1, 1], [0])], 2);
  const r = linearRegions2d(net, [-1, 1, -1, 1], 8, 8);
  assert.ok(r.ok);
  const g = r.grid;
  assert.equal(g.regions, 4);
  assert.equal(g.sampled, true);
  // Quadrants: the grid's corners are in four different regions, each quadrant is uniform.
  const at = (row: number, col: number) => g.region[row * g.width + col]!;
  assert.equal(new Set([at(0, 0), at(0, 7), at(7, 0), at(7, 7)]).size, 4);
  for (let r2 = 0; r2 < 4; r2++) for (let c = 0; c < 4; c++) assert.equal(at(r2, c), at(0, 0));
});

test('examples/sawtooth is the generated depth-4 sawtooth and has 16 pieces', () => {
  const root = resolve(__dirname, '../../..');
  const parsed = parseGraph(readFileSync(join(root, 'examples/sawtooth.nngraph.json'), 'utf8'));
  const weights = readWeights(readFileSync(join(root, 'examples/sawtooth.weights.json'), 'utf8'));
  const generated = sawtoothGraph(4);
  // The same nodes and wiring (order in the file aside).
  const sorted = (xs: object[]) => xs.map((x) => JSON.stringify(x)).sort();
  const shape = (d: GraphDoc) => ({
    nodes: sorted(d.nodes.map(({ id, op, attrs }) => ({ id, op, attrs }))),
    edges: sorted(d.edges),
  });
  assert.deepEqual(shape(parsed.doc!), shape(generated.doc));
  assert.deepEqual(weights.weights, generated.weights.weights);
  const r = linearRegions1d(compileGraph(parsed.doc!, { batchSize: 1, dtype: 'float64', weights }), [-2, 2]);
  assert.ok(r.ok);
  assert.equal(r.regions.depth, 4);
  assert.equal(r.regions.pieces, 16);
});
