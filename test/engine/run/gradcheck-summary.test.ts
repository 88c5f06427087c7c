/** How per-tensor gradient-check results become the per-node badges and the worst overall. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TensorGradCheck } from '../../../engine/autodiff/gradcheck.js';
import { gradCheckByNode, type SlotOwner } from '../../../engine/run/gradcheck-summary.js';

const tensor = (slot: number, name: string, error: number, scale: number, kinks = 0): TensorGradCheck => ({
  slot,
  name,
  error,
  scale,
  worstIndex: 0,
  analytic: 0,
  numeric: 0,
  checked: 10,
  kinks,
});

const owners: SlotOwner[] = [
  null,
  { node: 'h1', param: 'weight' },
  { node: 'h1', param: 'bias' },
  { node: 'h2', param: 'weight' },
  { node: 'h2', param: 'bias' },
  { node: 'out', param: 'weight' },
];
const ownerOf = (slot: number) => owners[slot]!;

test('each node keeps its worst resolved tensor; the worst node overall is named', () => {
  const { nodes, worst } = gradCheckByNode(
    [
      tensor(1, 'h1.weight', 2e-9, 0.3, 2),
      tensor(2, 'h1.bias', 7e-8, 0.1, 1),
      tensor(3, 'h2.weight', 4e-3, 0.2),
      tensor(4, 'h2.bias', 1e-9, 0.05),
    ],
    ownerOf,
    1e-5,
  );
  assert.deepEqual(nodes, [
    { node: 'h1', worstRelError: 7e-8, where: 'bias', resolved: true, checked: 20, kinks: 3 },
    { node: 'h2', worstRelError: 4e-3, where: 'weight', resolved: true, checked: 20, kinks: 0 },
  ]);
  assert.equal(worst?.node, 'h2');
});

test('a tensor below the floor is no verdict: it neither hides nor raises the node’s error', () => {
  const { nodes, worst } = gradCheckByNode(
    [
      // h1.weight is resolved and good; h1.bias's "error" of 0.3 is noise on a 1e-7 gradient.
      tensor(1, 'h1.weight', 3e-9, 0.2),
      tensor(2, 'h1.bias', 0.3, 1e-7),
      // Every tensor of h2 is below the floor: the node is unresolved, not perfect.
      tensor(3, 'h2.weight', 0.5, 2e-6),
      tensor(4, 'h2.bias', 0.01, 1e-8),
    ],
    ownerOf,
    1e-5,
  );
  const h1 = nodes.find((n) => n.node === 'h1')!;
  assert.equal(h1.worstRelError, 3e-9);
  assert.equal(h1.where, 'weight');
  assert.equal(h1.resolved, true);
  const h2 = nodes.find((n) => n.node === 'h2')!;
  assert.equal(h2.resolved, false);
  assert.equal(h2.worstRelError, 0);
  assert.equal(worst?.node, 'h1', 'an unresolved node is never the worst');
});

test('nothing resolved: no worst; a NaN gradient is always a finding, whatever its scale', () => {
  assert.equal(gradCheckByNode([tensor(1, 'h1.weight', 0.9, 1e-9)], ownerOf, 1e-5).worst, null);
  const { worst } = gradCheckByNode([tensor(5, 'out.weight', NaN, NaN)], ownerOf, 1e-5);
  assert.equal(worst?.node, 'out');
  assert.equal(worst?.worstRelError, Number.MAX_VALUE);
});

test('a graph input is its own entry, shown on the input node as its output gradient', () => {
  const { nodes } = gradCheckByNode([tensor(0, 'x', 1e-9, 1)], ownerOf, 1e-5);
  assert.deepEqual(nodes, [
    { node: 'x', worstRelError: 1e-9, where: 'output', resolved: true, checked: 10, kinks: 0 },
  ]);
});
