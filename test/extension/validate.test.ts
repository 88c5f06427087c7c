import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateWebviewMessage } from '../../extension/validate.js';

const accepted: unknown[] = [
  { type: 'ready' },
  { type: 'openAsText' },
  { type: 'revealLine', line: 3 },
  { type: 'saveWeights' },
  { type: 'loadWeights' },
  { type: 'export', format: 'typescript' },
  { type: 'export', format: 'onnx' },
  {
    type: 'edit',
    requestId: 1,
    edit: { kind: 'addNode', op: 'tanh', position: { x: 1, y: 2 }, attrs: { a: [1, 2] } },
  },
  { type: 'edit', requestId: 2, edit: { kind: 'moveNodes', moves: [{ id: 'a', position: { x: 0, y: 0 } }] } },
  { type: 'edit', requestId: 3, edit: { kind: 'connect', edge: { from: 'a', to: 'b', toPort: 'x' } } },
  { type: 'edit', requestId: 4, edit: { kind: 'delete', nodes: ['a'], edges: [{ from: 'a', to: 'b' }] } },
  { type: 'edit', requestId: 5, edit: { kind: 'setAttr', node: 'a', attr: 'units', value: null } },
  { type: 'edit', requestId: 6, edit: { kind: 'renameNode', node: 'a', newId: 'b' } },
  {
    type: 'edit',
    requestId: 7,
    edit: {
      kind: 'paste',
      nodes: [{ id: 'a', op: 'tanh', attrs: {}, position: { x: 0, y: 0 } }],
      edges: [],
      offset: { x: 1, y: 1 },
    },
  },
  {
    type: 'edit',
    requestId: 8,
    edit: {
      kind: 'setTraining',
      training: {
        dataset: { kind: 'sine', samples: 200, range: [-3, 3] },
        optimizer: { kind: 'adam', lr: 0.01, betas: [0.9, 0.999] },
        schedule: { kind: 'step', stepSize: 10, gamma: 0.5 },
        batchSize: 32,
        epochs: 50,
      },
    },
  },
];

test('every well-formed message is accepted as it is', () => {
  for (const msg of accepted) {
    const r = validateWebviewMessage(msg);
    assert.ok(r.ok, r.ok ? '' : `${JSON.stringify(msg)}: ${r.error}`);
    assert.deepEqual(r.value, msg);
  }
});

const rejected: [unknown, RegExp][] = [
  [null, /message must be an object/],
  ['ready', /message must be an object/],
  [{ type: 'rm -rf' }, /message.type must be one of/],
  [{ type: 'revealLine', line: 1.5 }, /line must be an integer/],
  [{ type: 'export', format: 'exe' }, /format must be one of typescript, onnx/],
  [{ type: 'export' }, /format must be one of/],
  [{ type: 'edit', requestId: 1, edit: { kind: 'explode' } }, /edit.kind must be one of/],
  [{ type: 'edit', requestId: 1, edit: { kind: 'addNode', op: '', position: { x: 0, y: 0 } } }, /edit.op/],
  [
    { type: 'edit', requestId: 1, edit: { kind: 'addNode', op: 'a', position: { x: NaN, y: 0 } } },
    /position.x/,
  ],
  [{ type: 'edit', requestId: 1, edit: { kind: 'connect', edge: { from: 'a' } } }, /edit.edge.to/],
  [
    { type: 'edit', requestId: 1, edit: { kind: 'setAttr', node: 'a', attr: 'u', value: { evil: 1 } } },
    /edit.value/,
  ],
  [
    { type: 'edit', requestId: 1, edit: { kind: 'setAttr', node: 'a', attr: 'u', value: [1, 'x'] } },
    /edit.value\[1\]/,
  ],
  [{ type: 'edit', requestId: 'one', edit: { kind: 'delete', nodes: [], edges: [] } }, /requestId/],
  [
    { type: 'edit', requestId: 1, edit: { kind: 'delete', nodes: 'a', edges: [] } },
    /edit.nodes must be a list/,
  ],
  [{ type: 'edit', requestId: 1, edit: { kind: 'setTraining' } }, /edit.training must be an object/],
  [
    {
      type: 'edit',
      requestId: 1,
      edit: {
        kind: 'setTraining',
        training: { dataset: { kind: 'xor' }, optimizer: { kind: 'sgd', lr: 0 }, batchSize: 8, epochs: 1 },
      },
    },
    /edit.training.optimizer.lr must be greater than 0/,
  ],
  [
    {
      type: 'edit',
      requestId: 1,
      edit: {
        kind: 'setTraining',
        training: {
          dataset: { kind: 'xor', evil: 1 },
          optimizer: { kind: 'sgd', lr: 1 },
          batchSize: 8,
          epochs: 1,
        },
      },
    },
    /training.dataset has no setting 'evil'/,
  ],
];

for (const [msg, why] of rejected) {
  test(`rejects ${JSON.stringify(msg)}`, () => {
    const r = validateWebviewMessage(msg);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, why);
  });
}

test('fields the protocol does not have never reach the host', () => {
  const r = validateWebviewMessage({
    type: 'edit',
    requestId: 1,
    extra: 1,
    edit: { kind: 'renameNode', node: 'a', newId: 'b', __proto__x: 1 },
  });
  assert.ok(r.ok);
  assert.deepEqual(r.value, {
    type: 'edit',
    requestId: 1,
    edit: { kind: 'renameNode', node: 'a', newId: 'b' },
  });
});
