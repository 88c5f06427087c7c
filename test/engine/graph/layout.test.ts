/**
 * The one layout (engine/graph/layout.ts): nothing overlaps, a long chain wraps into bands that fit
 * the reference canvas at a readable zoom, a skip connection keeps a lane of its own, and the ONNX
 * importer places nodes with it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GraphDoc, GraphEdge, GraphNode } from '../../../engine/graph/document.js';
import {
  DEFAULT_FRAME,
  estimateNodeSize,
  isPiled,
  layoutDocument,
  layoutGraph,
  type Size,
} from '../../../engine/graph/layout.js';
import { importOnnx } from '../../../engine/onnx/import.js';
import { attr, makeGraph, makeModel, makeNode, tensorValueInfo } from '../../../engine/onnx/builder.js';
import { encodeModel, type TensorProto } from '../../../engine/onnx/onnx-proto.js';
import { floatTensor } from '../../../engine/onnx/tensor-data.js';
import { parseGraph } from '../../../engine/graph/parse.js';
import { bezierPoints, routeAround, type Point } from '../../../webview/edge-route.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const examplesDir = join(__dirname, '../../../examples');

interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function boxes(nodes: readonly Pick<GraphNode, 'id' | 'op' | 'attrs' | 'position'>[]): Box[] {
  return nodes.map((n) => ({ id: n.id, ...n.position, ...estimateNodeSize(n) }));
}

/** What would make a document unreadable at first open: overlapping nodes, or too small a zoom. */
export function layoutProblems(doc: Pick<GraphDoc, 'nodes'>, frame: Size = DEFAULT_FRAME): string[] {
  const bs = boxes(doc.nodes);
  const problems: string[] = [];
  for (let i = 0; i < bs.length; i++)
    for (let j = i + 1; j < bs.length; j++)
      if (overlap(bs[i]!, bs[j]!)) problems.push(`'${bs[i]!.id}' and '${bs[j]!.id}' overlap`);
  const width = Math.max(...bs.map((b) => b.x + b.width)) - Math.min(...bs.map((b) => b.x));
  const height = Math.max(...bs.map((b) => b.y + b.height)) - Math.min(...bs.map((b) => b.y));
  const zoom = Math.min(1, frame.width / width, frame.height / height);
  if (bs.length <= 20 && zoom < 0.7) problems.push(`fits the canvas only at zoom ${zoom.toFixed(2)}`);
  return problems;
}

function node(id: string, op: string, attrs: GraphNode['attrs'] = {}): GraphNode {
  return { id, op, attrs, position: { x: 0, y: 0 } };
}

function placed(nodes: GraphNode[], edges: GraphEdge[]): GraphNode[] {
  const p = layoutDocument(nodes, edges);
  return nodes.map((n) => ({ ...n, position: p.get(n.id)! }));
}

/** A chain x → linear → relu → ... of `n` layers, with target and loss. */
function chain(layers: number): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes = [node('x', 'input', { features: 2 })];
  const edges: GraphEdge[] = [];
  let prev = 'x';
  for (let i = 1; i <= layers; i++) {
    nodes.push(node(`h${i}`, 'linear', { units: 16 }), node(`a${i}`, 'relu'));
    edges.push({ from: prev, to: `h${i}` }, { from: `h${i}`, to: `a${i}` });
    prev = `a${i}`;
  }
  nodes.push(node('y', 'target', { classes: 3 }), node('loss', 'cross_entropy'));
  edges.push({ from: prev, to: 'loss', toPort: 'logits' }, { from: 'y', to: 'loss', toPort: 'target' });
  return { nodes, edges };
}

test('a long chain wraps into bands: nothing overlaps and it fits the reference canvas at zoom ≥ 0.7', () => {
  for (const layers of [1, 3, 5, 8]) {
    const { nodes, edges } = chain(layers);
    const laid = placed(nodes, edges);
    assert.deepEqual(layoutProblems({ nodes: laid }), [], `${layers} layers`);
  }
  // One row would need 2 × 8 + 2 ranks of 170 px: it is wrapped.
  const { nodes, edges } = chain(8);
  const ys = new Set(placed(nodes, edges).map((n) => n.position.y));
  assert.ok(ys.size > 2, 'several bands');
});

test('a small graph in a wide frame stays one row', () => {
  const { nodes, edges } = chain(1);
  const p = layoutGraph(
    nodes.map((n) => n.id),
    edges,
    { frame: { width: 2000, height: 400 } },
  );
  assert.equal(new Set(['x', 'h1', 'a1'].map((id) => p.get(id)!.y)).size, 1, 'the chain is level');
  assert.equal(new Set([...p.values()].map((q) => q.x)).size, 4, 'four ranks side by side');
});

test('a residual connection keeps a lane of its own beside the block it skips', () => {
  // x → h → (l1 → r1 → l2) → add(l2, h) → out
  const nodes = [
    node('x', 'input', { features: 4 }),
    node('h', 'linear', { units: 8 }),
    node('l1', 'linear', { units: 8 }),
    node('r1', 'relu'),
    node('l2', 'linear', { units: 8 }),
    node('add', 'add'),
    node('out', 'linear', { units: 1 }),
  ];
  const edges: GraphEdge[] = [
    { from: 'x', to: 'h' },
    { from: 'h', to: 'add', toPort: 'b' },
    { from: 'h', to: 'l1' },
    { from: 'l1', to: 'r1' },
    { from: 'r1', to: 'l2' },
    { from: 'l2', to: 'add', toPort: 'a' },
    { from: 'add', to: 'out' },
  ];
  const p = layoutGraph(
    nodes.map((n) => n.id),
    edges,
    { frame: { width: 2000, height: 600 } },
  );
  const laid = nodes.map((n) => ({ ...n, position: p.get(n.id)! }));
  const bs = boxes(laid);
  const skipped = bs.filter((b) => ['l1', 'r1', 'l2'].includes(b.id));
  const h = bs.find((b) => b.id === 'h')!;
  const add = bs.find((b) => b.id === 'add')!;
  // Some horizontal line between h's right side and add's left side clears the skipped block
  // and lies within the graph: the wire's own lane.
  const top = Math.min(...bs.map((b) => b.y));
  const bottom = Math.max(...bs.map((b) => b.y + b.height));
  const lane = Array.from({ length: bottom - top }, (_, i) => top + i).filter((y) =>
    skipped.every((b) => y < b.y - 8 || y > b.y + b.height + 8),
  );
  assert.ok(lane.length > 0, JSON.stringify(bs));
  assert.ok(h.x + h.width <= Math.min(...skipped.map((b) => b.x)));
  assert.ok(add.x >= Math.max(...skipped.map((b) => b.x + b.width)));
  for (let i = 0; i < bs.length; i++)
    for (let j = i + 1; j < bs.length; j++) assert.ok(!overlap(bs[i]!, bs[j]!), `${bs[i]!.id} ${bs[j]!.id}`);
});

test('a 30-node network with branches and joins: nothing overlaps', () => {
  // Four residual blocks after a stem, each block's output also feeding a side branch's sum.
  const nodes = [node('x', 'input', { features: 8 }), node('stem', 'linear', { units: 16 })];
  const edges: GraphEdge[] = [{ from: 'x', to: 'stem' }];
  let prev = 'stem';
  for (let b = 1; b <= 6; b++) {
    nodes.push(
      node(`b${b}l1`, 'linear', { units: 16 }),
      node(`b${b}r`, 'relu'),
      node(`b${b}l2`, 'linear', { units: 16 }),
      node(`b${b}add`, 'add'),
    );
    edges.push(
      { from: prev, to: `b${b}l1` },
      { from: `b${b}l1`, to: `b${b}r` },
      { from: `b${b}r`, to: `b${b}l2` },
      { from: `b${b}l2`, to: `b${b}add`, toPort: 'a' },
      { from: prev, to: `b${b}add`, toPort: 'b' },
    );
    prev = `b${b}add`;
  }
  nodes.push(
    node('head', 'linear', { units: 1 }),
    node('y', 'target', { features: 1 }),
    node('loss', 'mse_loss'),
  );
  edges.push(
    { from: prev, to: 'head' },
    { from: 'head', to: 'loss', toPort: 'pred' },
    { from: 'y', to: 'loss', toPort: 'target' },
  );
  assert.ok(nodes.length >= 28);
  const laid = placed(nodes, edges);
  const bs = boxes(laid);
  for (let i = 0; i < bs.length; i++)
    for (let j = i + 1; j < bs.length; j++) assert.ok(!overlap(bs[i]!, bs[j]!), `${bs[i]!.id} ${bs[j]!.id}`);
});

test('a cycle or an unknown edge end does not stop the layout', () => {
  const p = layoutGraph(
    ['a', 'b', 'c'],
    [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'a' },
      { from: 'c', to: 'nowhere' },
    ],
  );
  assert.equal(p.size, 3);
});

test('piled: no positions (all 0,0) or all the same one; a single node is not a pile', () => {
  const at = (x: number, y: number) => ({ position: { x, y } });
  assert.equal(isPiled([at(0, 0), at(0, 0), at(0, 0)]), true);
  assert.equal(isPiled([at(40, 40), at(40, 40)]), true);
  assert.equal(isPiled([at(0, 0), at(200, 0)]), false);
  assert.equal(isPiled([at(0, 0)]), false);
});

test('an imported residual MLP (ONNX) is laid out by the same layout: its skip keeps a lane', () => {
  const init: TensorProto[] = [];
  const weight = (name: string, dims: number[]) => {
    init.push(
      floatTensor(
        name,
        dims,
        Array.from({ length: dims[0]! * (dims[1] ?? 1) }, (_, i) => (i % 7) / 10 - 0.3),
      ),
    );
    return name;
  };
  const gemm = (x: string, name: string, out: number, inp: number) =>
    makeNode(
      'Gemm',
      [x, weight(`${name}.weight`, [out, inp]), weight(`${name}.bias`, [out])],
      [name],
      [attr.int('transB', 1)],
    );
  const graph = makeGraph({
    name: 'residual',
    node: [
      gemm('input', 'stem', 8, 4),
      makeNode('Relu', ['stem'], ['h']),
      gemm('h', 'fc1', 8, 8),
      makeNode('Relu', ['fc1'], ['r1']),
      gemm('r1', 'fc2', 8, 8),
      makeNode('Add', ['fc2', 'h'], ['sum']),
      gemm('sum', 'head', 3, 8),
    ],
    input: [tensorValueInfo('input', ['N', 4])],
    output: [tensorValueInfo('head', ['N', 3])],
    initializer: init,
  });
  const { doc } = importOnnx(encodeModel(makeModel({ graph, opsetImport: [{ domain: '', version: 17 }] })));
  assert.ok(doc.nodes.some((n) => n.op === 'add'));
  assert.deepEqual(layoutProblems(doc), []);
  assert.deepEqual(wiresBehindNodes(doc), []);
});

test('no wire of an example runs behind a node', () => {
  for (const f of readdirSync(examplesDir).filter((n) => n.endsWith('.nngraph.json'))) {
    const doc = parseGraph(readFileSync(join(examplesDir, f), 'utf8')).doc!;
    assert.deepEqual(wiresBehindNodes(doc), [], f);
  }
});

/**
 * Each wire as the editor draws it (webview/edge-route.ts: a bezier, or a corridor around what
 * it would cross), sampled, against every other node's box (estimated sizes; handles at mid-height).
 */
function wiresBehindNodes(doc: Pick<GraphDoc, 'nodes' | 'edges'>): string[] {
  const at = new Map(boxes(doc.nodes).map((b) => [b.id, b]));
  const found: string[] = [];
  for (const e of doc.edges) {
    const a = at.get(e.from)!;
    const b = at.get(e.to)!;
    const s = { x: a.x + a.width, y: a.y + a.height / 2 };
    const t = { x: b.x, y: b.y + b.height / 2 };
    const others = [...at.values()].filter((r) => r.id !== a.id && r.id !== b.id);
    const route = routeAround(s, t, others);
    const samples = route ? polyline(route.points) : bezierPoints(s, t, 64);
    const hit = others.find((r) =>
      samples.some(
        (p) => p.x > r.x + 1 && p.x < r.x + r.width - 1 && p.y > r.y + 1 && p.y < r.y + r.height - 1,
      ),
    );
    if (hit) found.push(`${e.from} → ${e.to} runs behind ${hit.id}`);
  }
  return found;
}

function polyline(points: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (let i = 1; i < points.length; i++) {
    const [p, q] = [points[i - 1]!, points[i]!];
    for (let k = 0; k <= 20; k++)
      out.push({ x: p.x + ((q.x - p.x) * k) / 20, y: p.y + ((q.y - p.y) * k) / 20 });
  }
  return out;
}

test('the PyTorch-exported networks (test/engine/onnx/pytorch) import readable: nothing overlaps, no wire behind a node', () => {
  const dir = join(__dirname, '../onnx/pytorch');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.onnx'))) {
    const { doc } = importOnnx(new Uint8Array(readFileSync(join(dir, f))));
    assert.deepEqual(layoutProblems(doc), [], f);
    assert.deepEqual(wiresBehindNodes(doc), [], f);
  }
});
