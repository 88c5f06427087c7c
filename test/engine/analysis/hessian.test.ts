import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyzeHessian, denseHessian, hessianOperator } from '../../../engine/analysis/hessian.js';
import { paramLayout } from '../../../engine/analysis/params.js';
import { buildMlp } from '../../../engine/nn/mlp.js';
import { symmetricEigen } from '../../../engine/linalg/symmetric-eigen.js';
import { Tensor } from '../../../engine/tensor/tensor.js';
import { Rng } from '../../../engine/tensor/random.js';

interface RefTensor {
  shape: number[];
  data: number[];
}
interface HessianCase {
  kind: 'hessian';
  layers: number[];
  activation: string;
  x: RefTensor;
  y: RefTensor;
  params: Record<string, RefTensor>;
  param_order: string[];
  loss_value: number;
  hessian: RefTensor;
  eigenvalues: RefTensor;
}

const reference = JSON.parse(
  readFileSync(resolve(__dirname, '../../../../shared/reference/pytorch-reference.json'), 'utf8'),
) as { cases: { kind: string }[] };
const hcase = reference.cases.find((c) => c.kind === 'hessian') as HessianCase;

const tensor = (t: RefTensor) => Tensor.from(t.shape, t.data, 'float64');

function referenceNet() {
  const params = Object.fromEntries(Object.entries(hcase.params).map(([k, v]) => [k, tensor(v)]));
  const mlp = buildMlp({
    layers: hcase.layers,
    activation: hcase.activation,
    loss: 'mse',
    batch: hcase.x.shape[0]!,
    dtype: 'float64',
    params,
  });
  mlp.program.value(mlp.input).data.set(hcase.x.data);
  mlp.program.value(mlp.target).data.set(hcase.y.data);
  return mlp;
}

test('the dense Hessian from HVPs equals the PyTorch reference Hessian (tanh 1-4-1, MSE)', () => {
  const { program, loss } = referenceNet();
  // The reference flattens W1, b1, W2, b2 row-major: the same order as the program's parameters.
  assert.deepEqual(
    paramLayout(program).blocks.map((b) => b.size),
    hcase.param_order.map((k) => hcase.params[k]!.data.length),
  );
  const h = denseHessian(program, loss);
  assert.ok(Math.abs(program.value(loss).data[0]! - hcase.loss_value) < 1e-12);
  hcase.hessian.data.forEach((want, i) =>
    assert.ok(Math.abs(h[i]! - want) < 1e-10 * (1 + Math.abs(want)), `H[${i}]: ${h[i]} vs ${want}`),
  );
});

test('Lanczos extremes and the dense eigenvalues match the reference eigenvalues', () => {
  const { program, loss } = referenceNet();
  const want = hcase.eigenvalues.data;
  const r = analyzeHessian(program, loss, { steps: 13 });
  assert.equal(r.params, 13);
  assert.ok(Math.abs(r.top.value - want[want.length - 1]!) < 1e-9, `top ${r.top.value}`);
  assert.ok(Math.abs(r.bottom.value - want[0]!) < 1e-9, `bottom ${r.bottom.value}`);
  r.dense!.eigenvalues!.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-10));
  assert.ok(r.dense!.asymmetry < 1e-12);
  assert.ok(r.dense!.topError! < 1e-9 && r.dense!.bottomError! < 1e-9);
  assert.equal(r.hvps, 13 + 13);
  const shares = r.top.byParam.reduce((s, p) => s + p.share, 0);
  assert.ok(Math.abs(shares - 1) < 1e-12);
});

test('Lanczos with k ≪ n finds the extremes of a 205-parameter Hessian (checked against the dense one)', () => {
  const rng = new Rng(11);
  const layers = [2, 12, 12, 1];
  const params: Record<string, Tensor> = {};
  for (let l = 1; l < layers.length; l++) {
    params[`W${l}`] = Tensor.from(
      [layers[l]!, layers[l - 1]!],
      Array.from({ length: layers[l]! * layers[l - 1]! }, () => rng.normal() / Math.sqrt(layers[l - 1]!)),
      'float64',
    );
    params[`b${l}`] = Tensor.from(
      [layers[l]!],
      Array.from({ length: layers[l]! }, () => 0.1 * rng.normal()),
      'float64',
    );
  }
  const n = 16;
  const mlp = buildMlp({ layers, activation: 'tanh', loss: 'mse', batch: n, dtype: 'float64', params });
  mlp.program.value(mlp.input).data.set(Array.from({ length: 2 * n }, () => rng.normal()));
  mlp.program.value(mlp.target).data.set(Array.from({ length: n }, () => rng.normal()));
  const r = analyzeHessian(mlp.program, mlp.loss, { steps: 40 });
  assert.equal(r.params, 2 * 12 + 12 + 12 * 12 + 12 + 12 + 1);
  assert.equal(r.lanczosSteps, 40);
  const eig = r.dense!.eigenvalues!;
  const spread = eig[eig.length - 1]! - eig[0]!;
  assert.ok(r.dense!.topError! < 1e-8 * spread, `top error ${r.dense!.topError}`);
  assert.ok(r.dense!.bottomError! < 1e-3 * spread, `bottom error ${r.dense!.bottomError}`);
  assert.ok(r.top.residual < 1e-6 * spread, `top residual ${r.top.residual}`);
});

test('a feature that is always zero leaves its weights undetermined: the bottom eigenvector names them', () => {
  // Linear regression y = W x + b with x₁ ≡ 0: the loss does not depend on W[0, 1] at all, so the
  // Hessian has a zero eigenvalue whose eigenvector is that one weight.
  const n = 8;
  const mlp = buildMlp({ layers: [2, 1], activation: 'tanh', loss: 'mse', batch: n, dtype: 'float64' });
  const rng = new Rng(3);
  const x = mlp.program.value(mlp.input).data;
  for (let i = 0; i < n; i++) x[2 * i] = rng.normal();
  mlp.program.value(mlp.target).data.set(Array.from({ length: n }, () => rng.normal()));
  const r = analyzeHessian(mlp.program, mlp.loss, { components: 1 });
  assert.ok(Math.abs(r.bottom.value) < 1e-12, `bottom ${r.bottom.value}`);
  assert.deepEqual(
    r.bottom.largest.map(({ node, param, at }) => ({ node, param, at })),
    [{ node: 'fc1', param: 'weight', at: [0, 1] }],
  );
  assert.ok(Math.abs(Math.abs(r.bottom.largest[0]!.value) - 1) < 1e-12);
  // The MSE Hessian of a linear model is 2/N·[X 1]ᵀ[X 1] per output: check the top by hand.
  const h = denseHessian(mlp.program, mlp.loss);
  const { values } = symmetricEigen(h, 3);
  assert.ok(Math.abs(values[2]! - r.top.value) < 1e-12);
});

test('a non-finite Hessian-vector product names the parameter it appears at', () => {
  const mlp = buildMlp({ layers: [1, 1], activation: 'tanh', loss: 'mse', batch: 2, dtype: 'float64' });
  mlp.program.value(mlp.input).data.set([1, 2]);
  mlp.program.value(mlp.program.slot('fc1.bias')).data[0] = Infinity;
  assert.throws(
    () => hessianOperator(mlp.program, mlp.loss)(Float64Array.from([0, 1])),
    /a Hessian-vector product is NaN at fc1\.weight\[0, 0\]/,
  );
});
