import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  activationGain,
  fans,
  initialize,
  kaimingNormalStd,
  kaimingUniformBound,
  torchDefaultBound,
  xavierNormalStd,
  xavierUniformBound,
} from '../../../engine/nn/init.js';
import { Tensor } from '../../../engine/tensor/tensor.js';
import { Rng } from '../../../engine/tensor/random.js';
import type { InitKind } from '../../../engine/ops/init-kinds.js';

interface InitCase {
  kind: 'init';
  name: string;
  fan_in: number;
  fan_out: number;
  xavier_uniform_bound: number;
  xavier_normal_std: number;
  kaiming_uniform_relu_bound: number;
  kaiming_normal_relu_std: number;
  torch_linear_default_bound: number;
  gain_tanh: number;
  gain_relu: number;
}

const reference = JSON.parse(
  readFileSync(join(__dirname, '../../../../shared/reference/pytorch-reference.json'), 'utf8'),
) as { cases: { kind: string }[] };
const cases = reference.cases.filter((c): c is InitCase => c.kind === 'init');

test('the reference has init cases', () => assert.ok(cases.length >= 3));

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

for (const c of cases) {
  const f = fans([c.fan_out, c.fan_in]);
  test(`${c.name}: bounds and standard deviations match PyTorch`, () => {
    assert.deepEqual(f, { fanIn: c.fan_in, fanOut: c.fan_out });
    close(xavierUniformBound(f), c.xavier_uniform_bound);
    close(xavierNormalStd(f), c.xavier_normal_std);
    close(kaimingUniformBound(f, activationGain('relu')), c.kaiming_uniform_relu_bound);
    close(kaimingNormalStd(f, activationGain('relu')), c.kaiming_normal_relu_std);
    close(torchDefaultBound(f), c.torch_linear_default_bound);
    close(activationGain('tanh'), c.gain_tanh);
    close(activationGain('relu'), c.gain_relu);
  });

  test(`${c.name}: sampled weights stay in the bounds and have the right spread`, () => {
    const uniform: [InitKind, number][] = [
      ['xavier_uniform', c.xavier_uniform_bound],
      ['he_uniform', c.kaiming_uniform_relu_bound],
      ['default', c.torch_linear_default_bound],
    ];
    const w = Tensor.zeros([c.fan_out, c.fan_in], 'float64');
    for (const [kind, bound] of uniform) {
      initialize(w, kind, 'weight', { fans: f, activation: 'relu' }, new Rng(7));
      const xavierGain = kind === 'xavier_uniform' ? activationGain('relu') : 1;
      const max = maxAbs(w.data);
      assert.ok(max <= bound * xavierGain, `${kind}: ${max} > ${bound}`);
      // A uniform variable on ±b has standard deviation b/√3.
      assert.ok(Math.abs(std(w.data) / ((bound * xavierGain) / Math.sqrt(3)) - 1) < tolerance(w.size), kind);
    }
    for (const [kind, sd] of [
      ['xavier_normal', c.xavier_normal_std],
      ['he_normal', c.kaiming_normal_relu_std],
    ] as const) {
      initialize(w, kind, 'weight', { fans: f }, new Rng(11));
      assert.ok(Math.abs(std(w.data) / sd - 1) < tolerance(w.size), kind);
    }
  });
}

test('biases: U(±1/√fan_in) with the default, zero otherwise; ones/zeros roles ignore the kind', () => {
  const f = fans([16, 4, 3, 3]);
  assert.deepEqual(f, { fanIn: 36, fanOut: 144 });
  const b = Tensor.zeros([200], 'float64');
  initialize(b, 'default', 'bias', { fans: f }, new Rng(1));
  assert.ok(b.data.every((x) => Math.abs(x) <= 1 / 6) && b.data.some((x) => Math.abs(x) > 0.1));
  initialize(b, 'he_uniform', 'bias', { fans: f }, new Rng(1));
  assert.ok(b.data.every((x) => x === 0));
  initialize(b, 'he_uniform', 'ones', { fans: f }, new Rng(1));
  assert.ok(b.data.every((x) => x === 1));
});

test('xavier takes the gain of the following activation (tanh: 5/3)', () => {
  const f = { fanIn: 100, fanOut: 100 };
  const w = Tensor.zeros([100, 100], 'float64');
  initialize(w, 'xavier_uniform', 'weight', { fans: f, activation: 'tanh' }, new Rng(3));
  const bound = xavierUniformBound(f, 5 / 3);
  assert.ok(maxAbs(w.data) > xavierUniformBound(f) * 1.2);
  assert.ok(maxAbs(w.data) <= bound);
});

test('the same seed gives the same weights', () => {
  const a = Tensor.zeros([8, 8]);
  const b = Tensor.zeros([8, 8]);
  initialize(a, 'he_normal', 'weight', { fans: fans([8, 8]) }, new Rng(42));
  initialize(b, 'he_normal', 'weight', { fans: fans([8, 8]) }, new Rng(42));
  assert.deepEqual(a.data, b.data);
});

function maxAbs(d: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < d.length; i++) m = Math.max(m, Math.abs(d[i]!));
  return m;
}

function std(d: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < d.length; i++) m += d[i]!;
  m /= d.length;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += (d[i]! - m) ** 2;
  return Math.sqrt(v / d.length);
}

/** Relative tolerance on a sample standard deviation: about 5 standard errors. */
function tolerance(n: number): number {
  return 5 / Math.sqrt(2 * n) + 0.01;
}
