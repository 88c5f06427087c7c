/**
 * Which registry ops export to TypeScript: the ops without an emitter are listed (in the test
 * output), and exporting a graph that uses one fails with an error naming the op and the node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPS } from '../../../engine/ops/registry.js';
import { emitterFor } from '../../../engine/codegen/emitters/index.js';
import { CodegenError, generateTypeScript } from '../../../engine/codegen/typescript.js';
import type { CodegenGraph } from '../../../engine/codegen/ir.js';

const computeOps = OPS.filter((op) => op.category !== 'data');
const missing = computeOps.filter((op) => !emitterFor(op.name)).map((op) => op.name);

/** A graph input → node 'mystery' (op under test) → mse loss; enough for the generator to reach the op. */
function graphWith(op: string): CodegenGraph {
  return {
    input: { id: 'x', shape: ['N', 2] },
    target: { id: 'y', shape: ['N', 2] },
    nodes: [
      {
        id: 'mystery',
        op,
        attrs: {},
        inputs: [{ port: 'x', from: 'x', shape: ['N', 2], needsGrad: false }],
        shape: ['N', 2],
        params: [],
        state: [],
      },
      {
        id: 'loss',
        op: 'mse_loss',
        attrs: { reduction: 'mean' },
        inputs: [
          { port: 'pred', from: 'mystery', shape: ['N', 2], needsGrad: false },
          { port: 'target', from: 'y', shape: ['N', 2], needsGrad: false },
        ],
        shape: [],
        params: [],
        state: [],
      },
    ],
    prediction: 'mystery',
    loss: 'loss',
    training: { dataset: { kind: 'sine' }, optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 2, epochs: 1 },
  };
}

test('registry ops without a TypeScript emitter are listed', (t) => {
  t.diagnostic(
    `ops that export to TypeScript: ${computeOps
      .filter((op) => emitterFor(op.name))
      .map((op) => op.name)
      .join(', ')}`,
  );
  t.diagnostic(`ops without an emitter: ${missing.length ? missing.join(', ') : 'none'}`);
  assert.ok(computeOps.length > 0);
  // Emitted graphs must cover every op the examples use; the examples test checks that end to end.
  assert.ok(
    computeOps.some((op) => emitterFor(op.name)),
    'some ops export',
  );
});

test('exporting a graph with an op that has no emitter names the op and the node', () => {
  for (const op of [...missing, 'no_such_op']) {
    assert.throws(
      () => generateTypeScript(graphWith(op), { name: 'g', weights: { kind: 'embedded' } }),
      (e: unknown) =>
        e instanceof CodegenError &&
        e.node === 'mystery' &&
        e.message.includes(`'${op}'`) &&
        e.message.includes("'mystery'"),
      op,
    );
  }
});
