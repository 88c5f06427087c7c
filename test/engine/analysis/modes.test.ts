import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyzeMlp,
  analyzeModes,
  measureModes,
  mlpFormula,
  modelModes,
} from '../../../engine/analysis/modes.js';
import { paramLayout } from '../../../engine/analysis/params.js';
import { buildMlp } from '../../../engine/nn/mlp.js';
import { ProgramBuilder } from '../../../engine/autodiff/program.js';
import { Tensor } from '../../../engine/tensor/tensor.js';
import { Rng } from '../../../engine/tensor/random.js';

function randomMlp(layers: number[], batch: number, seed: number) {
  const rng = new Rng(seed);
  const params: Record<string, Tensor> = {};
  for (let l = 1; l < layers.length; l++) {
    const [o, i] = [layers[l]!, layers[l - 1]!];
    params[`W${l}`] = Tensor.from(
      [o, i],
      Array.from({ length: o * i }, () => rng.normal()),
      'float64',
    );
    params[`b${l}`] = Tensor.from(
      [o],
      Array.from({ length: o }, () => rng.normal()),
      'float64',
    );
  }
  const mlp = buildMlp({ layers, activation: 'tanh', loss: 'mse', batch, dtype: 'float64', params });
  mlp.program.value(mlp.input).data.set(Array.from({ length: batch * layers[0]! }, () => rng.normal()));
  mlp.program.value(mlp.target).data.set(Array.from({ length: batch * layers.at(-1)! }, () => rng.normal()));
  return mlp;
}

/** The dense Jacobian of `output` w.r.t. all parameters by central differences (float64). */
function finiteDifferenceJacobian(mlp: ReturnType<typeof randomMlp>): Float64Array {
  const { program, output } = mlp;
  const layout = paramLayout(program);
  const rows = program.value(output).size;
  const j = new Float64Array(rows * layout.size);
  const h = 1e-6;
  for (const b of layout.blocks) {
    const w = program.value(b.slot).data;
    for (let i = 0; i < b.size; i++) {
      const keep = w[i]!;
      w[i] = keep + h;
      program.forward();
      const plus = Float64Array.from(program.value(output).data);
      w[i] = keep - h;
      program.forward();
      const minus = program.value(output).data;
      w[i] = keep;
      for (let r = 0; r < rows; r++) j[r * layout.size + b.offset + i] = (plus[r]! - minus[r]!) / (2 * h);
    }
  }
  program.forward();
  return j;
}

test('forward mode (JVP per parameter) and reverse mode (VJP per output) give the same Jacobian as finite differences', () => {
  const mlp = randomMlp([3, 5, 2], 4, 1);
  const fd = finiteDifferenceJacobian(mlp);
  const m = measureModes(mlp.program, mlp.output, mlp.program.params());
  const p = paramLayout(mlp.program).size;
  assert.equal(p, 3 * 5 + 5 + 5 * 2 + 2);
  assert.equal(m.forward.directions, p);
  assert.equal(m.reverse.directions, 4 * 2);
  assert.ok(m.maxDifference < 1e-12, `forward vs reverse ${m.maxDifference}`);
  for (const jac of m.jacobians)
    jac.forEach((v, i) =>
      assert.ok(Math.abs(v - fd[i]!) < 1e-7 * (1 + Math.abs(fd[i]!)), `J[${i}] ${v} vs ${fd[i]}`),
    );
});

test('the direction limit stops a mode early and extrapolates its time', () => {
  const mlp = randomMlp([3, 5, 2], 4, 2);
  let t = 0;
  const m = measureModes(mlp.program, mlp.output, mlp.program.params(), {
    maxDirections: 5,
    clock: () => (t += 1),
  });
  assert.equal(m.forward.directions, 5);
  assert.ok(m.forward.ms > 0);
  assert.equal(m.forward.msAll, (m.forward.ms * 32) / 5);
  assert.ok(Number.isNaN(m.jacobians[0][5 * 32 + 31]!));
});

test('cost model of one linear layer: forward pass F, forward mode F + (weights + biases)·F, reverse 2F per output', () => {
  const b = new ProgramBuilder('float64');
  const x = b.input('x', [4, 3]);
  const y = b.node('fc', 'linear', [x], { units: 2 });
  const program = b.build();
  const f = 4 * 2 * (2 * 3 + 1);
  const m = modelModes(program, y, program.params());
  assert.deepEqual([m.rows, m.cols], [8, 8]);
  assert.equal(m.forward.flops, f + 8 * f);
  // Each VJP computes the weight gradient and the bias gradient (x needs none): 2F per output.
  assert.equal(m.reverse.flops, f + 8 * 2 * f);
  // Reverse mode keeps the tape (the output, 8 values) and the parameter gradients (8).
  const persistent = 12 + 8;
  assert.equal(m.reverse.bytes, 8 * (persistent + 8 + 8 + 8));
  assert.equal(m.forward.bytes, 8 * (persistent + 6 + 16));
});

test('loss gradient: reverse mode needs one VJP, forward mode one JVP per parameter, and the model says reverse wins', () => {
  const mlp = randomMlp([4, 8, 8, 1], 6, 3);
  const r = analyzeModes(mlp.program, { input: mlp.input, prediction: mlp.output, loss: mlp.loss });
  assert.equal(r.gradient.reverse.directions, 1);
  assert.equal(r.gradient.forward.directions, 4 * 8 + 8 + 8 * 8 + 8 + 8 + 1);
  assert.ok(r.gradient.forward.flops > 20 * r.gradient.reverse.flops);
  assert.ok(r.gradient.reverse.bytes > r.gradient.forward.bytes, 'reverse mode caches activations');
  assert.ok(r.gradient.measured!.maxDifference < 1e-12);
  assert.ok(r.jacobian.measured!.maxDifference < 1e-12);
});

test("the lecture's MLP formulas: d0 Σ d_l d_{l-1} forward, d_L Σ d_l d_{l+1} reverse", () => {
  const f = mlpFormula([3, 5, 4, 2]);
  assert.equal(f.forwardMultiplyAdds, 3 * (5 * 3 + 4 * 5 + 2 * 4));
  assert.equal(f.reverseMultiplyAdds, 2 * (3 * 5 + 5 * 4 + 4 * 2));
  assert.match(f.forwardFormula, /= 129$/);
});

for (const widths of [
  [2, 16, 16, 1],
  [8, 4, 16],
  [3, 5, 4, 2],
]) {
  test(`MLP ${widths.join('-')}: input Jacobian measured both ways agrees; model flops = 2 × formula multiply-adds + biases and activations`, () => {
    const mlp = randomMlp(widths, 3, 4);
    const r = analyzeMlp(mlp.program, mlp.input, mlp.output)!;
    assert.deepEqual(r.formula.widths, widths);
    assert.equal(r.model.forward.directions, widths[0]);
    assert.equal(r.model.reverse.directions, widths.at(-1));
    assert.ok(r.model.measured!.maxDifference < 1e-12);
    // One example: F = Σ d_l(2 d_{l-1} + 1) (linear) + 4·Σ hidden widths (tanh).
    const L = widths.length - 1;
    let lin = 0,
      act = 0;
    for (let l = 1; l <= L; l++) lin += widths[l]! * (2 * widths[l - 1]! + 1);
    for (let l = 1; l < L; l++) act += 4 * widths[l]!;
    const forwardPass = lin + act;
    const biases = widths.slice(1).reduce((s, d) => s + d, 0);
    assert.equal(
      r.model.forward.flops,
      forwardPass + widths[0]! * ((2 * r.formula.forwardMultiplyAdds) / widths[0]! + biases + act),
    );
    assert.equal(
      r.model.reverse.flops,
      forwardPass + widths.at(-1)! * ((2 * r.formula.reverseMultiplyAdds) / widths.at(-1)! + biases + act),
    );
  });
}

test('a graph that is not a chain of linear layers and activations has no MLP formula', () => {
  const b = new ProgramBuilder('float64');
  const x = b.input('x', [2, 3]);
  const h = b.node('fc', 'linear', [x], { units: 3 });
  const s = b.node('skip', 'add', [h, x]);
  const p = b.build();
  assert.equal(analyzeMlp(p, x, s), null);
});
