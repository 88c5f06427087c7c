/** The gradient check: agreement on correct gradients, detection of a wrong one, replayed randomness. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgramBuilder, type Program } from '../../../engine/autodiff/program.js';
import { gradCheck, gradCheckSteps } from '../../../engine/autodiff/gradcheck.js';
import type { AnyOp } from '../../../engine/ops/define.js';
import { Rng } from '../../../engine/tensor/random.js';

/** x → linear (no bias) → batch_norm → tanh → dropout → linear → cross_entropy, random values, float64. */
function network(dtype: 'float32' | 'float64' = 'float64'): { program: Program; loss: number } {
  const rng = new Rng(5);
  const b = new ProgramBuilder(dtype, 11);
  const x = b.input('x', [6, 3], { differentiable: true });
  const y = b.input('y', [6]);
  // No bias before batch_norm: its centring cancels a bias exactly (gradient 0, all noise).
  let h = b.node('fc1', 'linear', [x], { units: 5, bias: false });
  h = b.node('bn', 'batch_norm', [h]);
  h = b.node('act', 'tanh', [h]);
  h = b.node('drop', 'dropout', [h], { p: 0.4 });
  h = b.node('fc2', 'linear', [h], { units: 4 });
  const loss = b.node('loss', 'cross_entropy', [h, y]);
  const program = b.build();
  for (const s of [x, ...program.params()]) {
    const d = program.value(s).data;
    for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  }
  program.value(y).data.set([0, 1, 2, 3, 1, 0]);
  return { program, loss };
}

test('reverse mode agrees with central differences on every tensor, dropout included', () => {
  const { program, loss } = network();
  const checks = gradCheck(program, loss);
  assert.deepEqual(
    checks.map((c) => c.name),
    ['x', 'fc1.weight', 'bn.weight', 'bn.bias', 'fc2.weight', 'fc2.bias'],
  );
  for (const c of checks) assert.ok(c.error < 1e-7 && c.scale > 1e-3, `${c.name}: ${c.error}`);
});

test('a wrong gradient shows up as a large error in that tensor only', () => {
  const { program, loss } = network();
  const node = program.nodes.find((n) => n.id === 'fc2')! as { op: AnyOp };
  const op = node.op;
  node.op = { ...op, vjp: (ctx, xs, out, g, gx) => op.vjp(ctx, xs, out, g, [gx[0]!, gx[1]!, null]) };
  const checks = gradCheck(program, loss);
  const byName = new Map(checks.map((c) => [c.name, c.error]));
  assert.ok(byName.get('fc2.bias')! > 0.5, String(byName.get('fc2.bias')));
  assert.ok(byName.get('fc2.weight')! < 1e-7);
});

test('the check leaves values, gradients and running statistics as they were', () => {
  const { program, loss } = network();
  const before = Float64Array.from(program.nodes.find((n) => n.id === 'bn')!.ctx.state.running_var!.data);
  const checks = gradCheck(program, loss, { maxElements: 4 });
  assert.ok(checks.every((c) => c.checked <= 4 && c.checked > 0));
  assert.deepEqual(
    Array.from(program.nodes.find((n) => n.id === 'bn')!.ctx.state.running_var!.data),
    Array.from(before),
  );
  const g = Float64Array.from(program.grad(program.slot('fc1.weight'))!.data);
  program.randomState = 11;
  program.forward();
  program.backward(loss);
  assert.ok(g.some((v) => v !== 0));
});

test('the check refuses float32 programs', () => {
  const { program, loss } = network('float32');
  assert.throws(() => gradCheck(program, loss), /float64/);
});

test('an element with a ReLU kink within ε is left out as a kink, not reported as a wrong gradient', () => {
  // loss = mse(relu(x), t): x[1] sits 3e-7 from relu’s kink, closer than ε = 1e-4, where the slope
  // jumps from 0 to 2(0 + 1)/3.
  const b = new ProgramBuilder('float64', 1);
  const x = b.input('x', [1, 3], { differentiable: true });
  const t = b.input('t', [1, 3]);
  const loss = b.node('loss', 'mse_loss', [b.node('r', 'relu', [x]), t]);
  const program = b.build();
  program.value(x).data.set([0.5, 3e-7, -0.4]);
  program.value(t).data.set([0, -1, 0]);
  const [plain] = gradCheck(program, loss, { slots: [x], kinkCheck: false });
  assert.ok(plain!.error > 1e-3, `without the kink check the quotient is wrong there: ${plain!.error}`);
  const [checked] = gradCheck(program, loss, { slots: [x] });
  assert.equal(checked!.kinks, 1);
  assert.equal(checked!.checked, 2);
  assert.ok(checked!.error < 1e-8, String(checked!.error));
});

/** Every slot's value and gradient, every running statistic, and the random state, copied. */
function snapshot(program: Program): unknown {
  return {
    slots: program.slots.map((s, i) => [
      Array.from(program.value(i).data),
      program.grad(i) && Array.from(program.grad(i)!.data),
      s.name,
    ]),
    state: program.nodes.map((n) => Object.values(n.ctx.state).map((t) => Array.from(t.data))),
    random: program.randomState,
  };
}

test('the incremental check counts every element differenced and gives exactly the plain result', () => {
  const plain = network();
  const expected = gradCheck(plain.program, plain.loss, { maxElements: 6 });
  const { program, loss } = network();
  const steps = gradCheckSteps(program, loss, { maxElements: 6 });
  const done: number[] = [];
  let r = steps.next();
  for (; !r.done; r = steps.next()) {
    assert.equal(
      r.value.total,
      expected.reduce((n, c) => n + c.checked + c.kinks, 0),
    );
    done.push(r.value.done);
  }
  assert.deepEqual(
    done,
    done.map((_, i) => i + 1),
    'one yield per element, counting up to the total',
  );
  assert.deepEqual(r.value, expected);
  assert.deepEqual(snapshot(program), snapshot(plain.program));
});

test('abandoning the check midway leaves the program as a finished check does', () => {
  const finished = network();
  gradCheck(finished.program, finished.loss);
  const { program, loss } = network();
  const params = program.params().map((s) => Array.from(program.value(s).data));
  const steps = gradCheckSteps(program, loss);
  let p = steps.next();
  while (!p.done && p.value.done < p.value.total / 2) p = steps.next();
  assert.ok(!p.done, 'still midway');
  steps.return([]);
  assert.deepEqual(
    program.params().map((s) => Array.from(program.value(s).data)),
    params,
    'every parameter as it was',
  );
  assert.deepEqual(snapshot(program), snapshot(finished.program));
  assert.deepEqual(steps.next(), { done: true, value: undefined }, 'an abandoned check is over');
});
