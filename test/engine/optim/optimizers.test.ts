import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOptimizer, ParamGrad } from '../../../engine/optim/optimizers.js';
import { clipGradNorm, globalNorm } from '../../../engine/optim/clip.js';
import type { OptimizerConfig } from '../../../engine/graph/document.js';
import { DType, Tensor } from '../../../engine/tensor/tensor.js';

const CONFIGS: OptimizerConfig[] = [
  { kind: 'sgd', lr: 0.1 },
  { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
  { kind: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0.5 },
  { kind: 'adam', lr: 0.05, amsgrad: true, weightDecay: 0.01 },
  { kind: 'adamw', lr: 0.05 },
  { kind: 'rmsprop', lr: 0.01, momentum: 0.5 },
  { kind: 'adagrad', lr: 0.5 },
];

/** Minimises f(p) = ½|p - c|² (gradient p - c) for `steps` steps; returns the trajectory. */
function descend(config: OptimizerConfig, dtype: DType, steps: number, reuse?: ReturnType<typeof setup>) {
  const s = reuse ?? setup(config, dtype);
  const trace: number[] = [];
  for (let t = 0; t < steps; t++) {
    for (let k = 0; k < 3; k++) s.pg.grad.data[k] = s.pg.param.data[k]! - s.target[k]!;
    s.opt.step();
    trace.push(...s.pg.param.data);
  }
  return { trace, s };
}

function setup(config: OptimizerConfig, dtype: DType) {
  const pg: ParamGrad = { param: Tensor.from([3], [1, -2, 0.5], dtype), grad: Tensor.zeros([3], dtype) };
  return { pg, target: [0.25, 0.5, -1], opt: createOptimizer(config, [pg]) };
}

for (const config of CONFIGS) {
  test(`${JSON.stringify(config)} moves towards the minimum of a quadratic`, () => {
    const { s } = descend(config, 'float64', 200);
    const dist = Math.hypot(...[...s.pg.param.data].map((v, k) => v - s.target[k]!));
    assert.ok(dist < 0.2, `distance to the minimum after 200 steps: ${dist}`);
    assert.equal(s.opt.steps, 200);
  });

  test(`${JSON.stringify(config)} after reset() repeats its first steps bit for bit`, () => {
    const first = descend(config, 'float32', 5);
    first.s.pg.param.data.set([1, -2, 0.5]);
    first.s.opt.reset();
    const again = descend(config, 'float32', 5, first.s);
    assert.deepEqual(again.trace, first.trace);
  });
}

test('SGD without momentum is p -= lr * g', () => {
  const pg = { param: Tensor.from([2], [1, 2], 'float64'), grad: Tensor.from([2], [0.5, -4], 'float64') };
  const opt = createOptimizer({ kind: 'sgd', lr: 0.1 }, [pg]);
  opt.step();
  assert.deepEqual([...pg.param.data], [1 - 0.05, 2 + 0.4]);
  opt.lr = 1;
  opt.step();
  assert.deepEqual([...pg.param.data], [1 - 0.05 - 0.5, 2 + 0.4 + 4]);
});

test('optimiser configuration errors say what is wrong', () => {
  const pg = { param: Tensor.zeros([2], 'float32'), grad: Tensor.zeros([3], 'float32') };
  assert.throws(() => createOptimizer({ kind: 'sgd', lr: 0.1 }, [pg]), /parameter 0 .*\[2\].*\[3\]/);
  const ok = { param: Tensor.zeros([2]), grad: Tensor.zeros([2]) };
  assert.throws(() => createOptimizer({ kind: 'sgd', lr: 0.1, nesterov: true }, [ok]), /Nesterov/);
  assert.throws(() => createOptimizer({ kind: 'adam', lr: -1 }, [ok]), /lr/);
});

test('clipGradNorm scales to the maximum norm and reports the norm before clipping', () => {
  const a = Tensor.from([2], [3, 0], 'float64');
  const b = Tensor.from([1], [4], 'float64');
  assert.equal(clipGradNorm([a, b], 1), 5);
  assert.ok(Math.abs(globalNorm([a, b]) - 5 / (5 + 1e-6)) < 1e-15);
  assert.deepEqual(
    [...a.data, ...b.data],
    [3, 0, 4].map((v) => v * (1 / (5 + 1e-6))),
  );
  const c = Tensor.from([2], [0.3, 0.4], 'float64');
  assert.equal(clipGradNorm([c], 1), 0.5);
  assert.deepEqual([...c.data], [0.3, 0.4]);
});
