import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSubject, summarize } from '../../../engine/analysis/report.js';
import { compileGraph } from '../../../engine/graph/compile.js';
import type { GraphDoc } from '../../../engine/graph/document.js';
import { Tensor } from '../../../engine/tensor/tensor.js';
import { Rng } from '../../../engine/tensor/random.js';

/** input(2) → linear(5) → relu → linear(3) → cross_entropy: the spiral classifier, small. */
const doc: GraphDoc = {
  format: 'backprop-studio.graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'input', attrs: { features: 2 }, position: { x: 0, y: 0 } },
    { id: 'y', op: 'target', attrs: { classes: 3 }, position: { x: 0, y: 200 } },
    { id: 'h', op: 'linear', attrs: { units: 5 }, position: { x: 150, y: 0 } },
    { id: 'r', op: 'relu', attrs: {}, position: { x: 300, y: 0 } },
    { id: 'logits', op: 'linear', attrs: { units: 3 }, position: { x: 450, y: 0 } },
    { id: 'loss', op: 'cross_entropy', attrs: {}, position: { x: 600, y: 100 } },
  ],
  edges: [
    { from: 'x', to: 'h' },
    { from: 'h', to: 'r' },
    { from: 'r', to: 'logits' },
    { from: 'logits', to: 'loss', toPort: 'logits' },
    { from: 'y', to: 'loss', toPort: 'target' },
  ],
  training: {
    dataset: { kind: 'spiral', classes: 3, samples: 60, noise: 0.1, seed: 1 },
    optimizer: { kind: 'adam', lr: 0.01 },
    batchSize: 8,
    epochs: 1,
    seed: 3,
  },
};

test('the report on a 2-D classifier: every analysis present, consistent, and JSON-able', () => {
  const compiled = compileGraph(doc, { batchSize: 8, dtype: 'float64' });
  const rng = new Rng(9);
  const x = Tensor.from(
    [8, 2],
    Array.from({ length: 16 }, () => rng.normal()),
    'float64',
  );
  const y = Tensor.from([8], [0, 1, 2, 0, 1, 2, 0, 1], 'float64');
  const report = analyzeSubject(compiled, { batch: { x, y, source: 'test' }, grid: 16 });
  const params = 2 * 5 + 5 + 5 * 3 + 3;
  assert.equal(report.params, params);
  assert.deepEqual([report.modes.jacobian.rows, report.modes.jacobian.cols], [8 * 3, params]);
  assert.ok(report.modes.jacobian.measured!.maxDifference < 1e-12);
  assert.deepEqual(report.modes.mlp!.formula.widths, [2, 5, 3]);
  assert.ok(report.hessian.dense!.topError! < 1e-9, `top error ${report.hessian.dense!.topError}`);
  assert.equal(report.regions.twoD!.depth, 1);
  assert.equal(report.regions.twoD!.region.length, 16 * 16);
  // 5 ReLU lines cut a box into at most 16 regions.
  assert.ok(report.regions.twoD!.regions >= 1 && report.regions.twoD!.regions <= 16);
  // The smallest linear layer is 'h' (10 weights): its explicit Jacobian is (2·5) × (5·2).
  assert.equal(report.kronecker!.node, 'h');
  assert.equal(report.kronecker!.jacobian.length, 10);
  assert.ok(report.kronecker!.maxDifference < 1e-12);
  const s = summarize(report);
  assert.equal(s.params, params);
  assert.equal(s.hessian_top, report.hessian.top.value);
  assert.equal(s.linear_pieces, undefined);
  assert.equal(s.regions_2d_sampled, report.regions.twoD!.regions);
  const round = JSON.parse(JSON.stringify(report)) as typeof report;
  assert.deepEqual(round.regions.twoD!.region, report.regions.twoD!.region);
  assert.equal(round.hessian.ritzValues.length, report.hessian.lanczosSteps);
});

test('NaN or Inf stops the analysis and says where it first appears', () => {
  const compiled = compileGraph(doc, { batchSize: 2, dtype: 'float64' });
  const y = Tensor.from([2], [0, 1], 'float64');
  const run = (x: number[]) => () =>
    analyzeSubject(compiled, { batch: { x: Tensor.from([2, 2], x, 'float64'), y, source: 'test' } });
  assert.throws(run([0, 0, NaN, 0]), /input 'x' holds NaN at index 2/);
  // Finite inputs and weights whose product overflows: the node that makes the Inf is named.
  const weight = compiled.program.value(compiled.program.slot('h.weight'));
  const keep = Float64Array.from(weight.data);
  weight.data.fill(1e308);
  assert.throws(run([1, 1, 1, 1]), /node 'h' \(linear\) first produces Infinity at index 0/);
  weight.data.set(keep);
});
