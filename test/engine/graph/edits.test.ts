import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GraphDoc } from '../../../engine/graph/document.js';
import { applyEdit, freshId, type GraphEdit } from '../../../engine/graph/edits.js';

function doc(): GraphDoc {
  return {
    format: 'backprop-studio.graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'input', attrs: { features: 2 }, position: { x: 0, y: 0 } },
      { id: 'h', op: 'tanh', attrs: {}, position: { x: 200, y: 0 } },
      { id: 's', op: 'add', attrs: {}, position: { x: 400, y: 0 } },
    ],
    edges: [
      { from: 'x', to: 'h' },
      { from: 'h', to: 's', toPort: 'a' },
    ],
    training: { dataset: { kind: 'spiral' }, optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 8, epochs: 1 },
  };
}

const ok = (edit: GraphEdit) => {
  const r = applyEdit(doc(), edit);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r;
};

test('applyEdit never mutates the document it is given', () => {
  const d = doc();
  const frozen = JSON.stringify(d);
  for (const edit of [
    { kind: 'addNode', op: 'tanh', position: { x: 1, y: 2 } },
    { kind: 'moveNodes', moves: [{ id: 'x', position: { x: 5, y: 5 } }] },
    { kind: 'connect', edge: { from: 'x', to: 's', toPort: 'b' } },
    { kind: 'delete', nodes: ['h'], edges: [] },
    { kind: 'setAttr', node: 'x', attr: 'features', value: 3 },
    { kind: 'renameNode', node: 'h', newId: 'hidden' },
    { kind: 'paste', nodes: [d.nodes[1]!], edges: [], offset: { x: 10, y: 10 } },
    { kind: 'setTraining', training: { ...d.training, epochs: 5 } },
  ] satisfies GraphEdit[]) {
    assert.ok(applyEdit(d, edit).ok, edit.kind);
    assert.equal(JSON.stringify(d), frozen, edit.kind);
  }
});

test('addNode picks a fresh id from the op name and appends the node', () => {
  const r = ok({ kind: 'addNode', op: 'tanh', position: { x: 10.4, y: 20 }, attrs: {} });
  assert.ok(r.ok);
  assert.deepEqual(r.added, ['tanh']);
  assert.deepEqual(r.doc.nodes.at(-1), { id: 'tanh', op: 'tanh', attrs: {}, position: { x: 10.4, y: 20 } });
});

test('moveNodes moves only the named nodes, to whole pixels', () => {
  const r = ok({ kind: 'moveNodes', moves: [{ id: 'h', position: { x: 10.6, y: -3.2 } }] });
  assert.ok(r.ok);
  assert.deepEqual(r.doc.nodes[1]!.position, { x: 11, y: -3 });
  assert.deepEqual(r.doc.nodes[0], doc().nodes[0]);
});

test('connect appends the wire and replaces one already feeding that port', () => {
  const fresh = ok({ kind: 'connect', edge: { from: 'x', to: 's', toPort: 'b' } });
  assert.ok(fresh.ok);
  assert.deepEqual(fresh.doc.edges.at(-1), { from: 'x', to: 's', toPort: 'b' });
  const replaced = ok({ kind: 'connect', edge: { from: 'x', to: 's', toPort: 'a' } });
  assert.ok(replaced.ok);
  assert.deepEqual(replaced.doc.edges, [
    { from: 'x', to: 'h' },
    { from: 'x', to: 's', toPort: 'a' },
  ]);
});

test('delete removes nodes with their edges, and single edges', () => {
  const r = ok({ kind: 'delete', nodes: ['h'], edges: [] });
  assert.ok(r.ok);
  assert.deepEqual(
    r.doc.nodes.map((n) => n.id),
    ['x', 's'],
  );
  assert.deepEqual(r.doc.edges, []);
  const e = ok({ kind: 'delete', nodes: [], edges: [{ from: 'h', to: 's', toPort: 'a' }] });
  assert.ok(e.ok);
  assert.deepEqual(e.doc.edges, [{ from: 'x', to: 'h' }]);
});

test('setAttr sets a value and null removes it (the default applies)', () => {
  const set = ok({ kind: 'setAttr', node: 'x', attr: 'features', value: 5 });
  assert.ok(set.ok);
  assert.deepEqual(set.doc.nodes[0]!.attrs, { features: 5 });
  const cleared = ok({ kind: 'setAttr', node: 'x', attr: 'features', value: null });
  assert.ok(cleared.ok);
  assert.deepEqual(cleared.doc.nodes[0]!.attrs, {});
});

test('renameNode renames the node and every edge end', () => {
  const r = ok({ kind: 'renameNode', node: 'h', newId: 'hidden' });
  assert.ok(r.ok);
  assert.equal(r.doc.nodes[1]!.id, 'hidden');
  assert.deepEqual(r.doc.edges, [
    { from: 'x', to: 'hidden' },
    { from: 'hidden', to: 's', toPort: 'a' },
  ]);
});

test('paste inserts copies with fresh ids, shifted, keeping the wires among them', () => {
  const d = doc();
  const r = ok({
    kind: 'paste',
    nodes: [d.nodes[0]!, d.nodes[1]!],
    edges: d.edges,
    offset: { x: 40, y: 40 },
  });
  assert.ok(r.ok);
  assert.deepEqual(r.added, ['x2', 'h2']);
  assert.deepEqual(r.doc.nodes.at(-1)!.position, { x: 240, y: 40 });
  assert.deepEqual(r.doc.edges.at(-1), { from: 'x2', to: 'h2' }, 'the edge into s was not copied');
  assert.equal(r.doc.edges.length, 3);
});

test('setTraining replaces the training section with a copy and leaves the graph alone', () => {
  const training: GraphDoc['training'] = {
    dataset: { kind: 'moons', samples: 300, noise: 0.1 },
    optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 },
    schedule: { kind: 'cosine', tMax: 20 },
    batchSize: 16,
    epochs: 20,
  };
  const r = ok({ kind: 'setTraining', training });
  assert.ok(r.ok);
  assert.deepEqual(r.doc.training, training);
  assert.notEqual(r.doc.training, training, 'the document does not share the message’s object');
  assert.deepEqual(r.doc.nodes, doc().nodes);
  assert.deepEqual(r.doc.edges, doc().edges);
});

const badTraining = (patch: Record<string, unknown>) =>
  ({ kind: 'setTraining', training: { ...doc().training, ...patch } }) as GraphEdit;

const refusals: [string, GraphEdit, RegExp][] = [
  [
    'train with a negative learning rate',
    badTraining({ optimizer: { kind: 'sgd', lr: -1 } }),
    /optimizer\.lr/,
  ],
  [
    'train on an unknown dataset',
    badTraining({ dataset: { kind: 'cifar10' } }),
    /dataset\.kind must be one of/,
  ],
  ['train with a fractional batch size', badTraining({ batchSize: 2.5 }), /training\.batchSize/],
  ['train with a setting that does not exist', badTraining({ speed: 11 }), /no setting 'speed'/],
  [
    'train with a schedule missing its parameter',
    badTraining({ schedule: { kind: 'step', gamma: 0.5 } }),
    /schedule needs 'stepSize'/,
  ],
  [
    'add with a taken id',
    { kind: 'addNode', op: 'tanh', id: 'h', position: { x: 0, y: 0 } },
    /exists already/,
  ],
  ['add with a bad id', { kind: 'addNode', op: 'tanh', id: '1 x', position: { x: 0, y: 0 } }, /not a valid/],
  [
    'move a missing node',
    { kind: 'moveNodes', moves: [{ id: 'zz', position: { x: 0, y: 0 } }] },
    /no node 'zz'/,
  ],
  ['connect from a missing node', { kind: 'connect', edge: { from: 'zz', to: 'h' } }, /no node 'zz'/],
  ['connect a node to itself', { kind: 'connect', edge: { from: 'h', to: 'h' } }, /itself/],
  ['connect into a cycle', { kind: 'connect', edge: { from: 's', to: 'h' } }, /cycle/],
  ['delete a missing node', { kind: 'delete', nodes: ['zz'], edges: [] }, /no node 'zz'/],
  ['set an attr on a missing node', { kind: 'setAttr', node: 'zz', attr: 'a', value: 1 }, /no node/],
  ['rename onto a taken id', { kind: 'renameNode', node: 'h', newId: 'x' }, /exists already/],
  ['rename to a bad id', { kind: 'renameNode', node: 'h', newId: 'a b' }, /not a valid id/],
];

for (const [name, edit, why] of refusals) {
  test(`applyEdit refuses to ${name}`, () => {
    const r = applyEdit(doc(), edit);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, why);
  });
}

test('freshId counts up past taken ids and makes a valid id from any op name', () => {
  assert.equal(freshId('tanh', new Set()), 'tanh');
  assert.equal(freshId('tanh', new Set(['tanh', 'tanh2'])), 'tanh3');
  assert.equal(freshId('2d-conv', new Set()), 'n2d_conv');
});
