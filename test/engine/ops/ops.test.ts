/**
 * Every op in the registry, from its row in op-specs.ts, in float64: the VJP and JVP against
 * central finite differences, the adjoint identity <vjp(u), v> = <u, jvp(v)>, the second-order
 * rule against finite differences of the VJP, shape and flops against the forward, and the errors
 * bad calls raise. (The forward, VJP and JVP against PyTorch are in reference.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPS, requireOp } from '../../../engine/ops/registry.js';
import { Program, ProgramBuilder } from '../../../engine/autodiff/program.js';
import { Tensor, sameShape, sizeOf } from '../../../engine/tensor/tensor.js';
import { Rng } from '../../../engine/tensor/random.js';
import { relativeError } from '../../../engine/tensor/compare.js';
import { differentiableInputs, inputPorts, type AttrSpec } from '../../../engine/ops/define.js';
import { resolveAttrs } from '../../../engine/ops/attrs.js';
import { OP_SPECS, draw, type OpSpecRow } from './op-specs.js';

const EPS = 1e-6;
/** Central differences with step 1e-6 are good to ~1e-9 here; 1e-6 leaves room for curvature. */
const FD_TOL = 1e-6;

interface Case {
  program: Program;
  out: number;
  /** Slots that receive a gradient: differentiable inputs and parameters. */
  diff: number[];
  /** Replays the dropout masks of the first forward pass. */
  run: () => Float64Array;
  /** Restores the random state of the first forward pass. */
  rewind: () => void;
  rng: Rng;
}

function build(row: OpSpecRow, seed = 1): Case {
  const op = requireOp(row.op);
  const rng = new Rng(seed);
  const b = new ProgramBuilder('float64', 99);
  const attrs = resolveAttrs(op, row.attrs ?? {});
  const ports = inputPorts(op, attrs);
  const differentiable = differentiableInputs(op, attrs);
  const ins = row.inputs.map((shape, i) => {
    const port = ports[i] ?? `x${i}`;
    const value = draw(rng, shape, row.gen?.[port]);
    return b.input(port, shape, { value, differentiable: differentiable[i] ?? false });
  });
  const out = b.node('n', row.op, ins, row.attrs ?? {}, { output: row.output ?? 0 });
  const program = b.build();
  program.setTraining(row.training ?? true);
  for (const p of program.params()) program.value(p).data.set(draw(rng, program.value(p).shape).data);
  const diff = program.slots.flatMap((s, i) => (s.grad && s.kind !== 'node' ? [i] : []));
  const state = program.randomState;
  const rewind = () => {
    program.randomState = state;
  };
  const run = () => {
    rewind();
    program.forward();
    return Float64Array.from(program.value(out).data);
  };
  return { program, out, diff, run, rewind, rng };
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** Tangents for every differentiable slot. */
function directions(c: Case): Map<number, Tensor> {
  return new Map(c.diff.map((s) => [s, draw(c.rng, c.program.value(s).shape)]));
}

/** Output at x + h·v for the given tangents. */
function shifted(c: Case, v: Map<number, Tensor>, h: number): Float64Array {
  for (const [s, t] of v) for (let i = 0; i < t.size; i++) c.program.value(s).data[i]! += h * t.data[i]!;
  const y = c.run();
  for (const [s, t] of v) for (let i = 0; i < t.size; i++) c.program.value(s).data[i]! -= h * t.data[i]!;
  return y;
}

test('every registry op has exactly one spec row', () => {
  const rows: readonly string[] = OP_SPECS.map((r) => r.op);
  assert.deepEqual(
    OPS.map((op) => op.name).filter((n) => !rows.includes(n)),
    [],
    'ops without a row in test/engine/ops/op-specs.ts',
  );
  const ids = OP_SPECS.map((r) => r.id ?? r.op);
  assert.deepEqual(
    ids.filter((n, i) => ids.indexOf(n) !== i),
    [],
    'duplicate rows',
  );
  assert.deepEqual(
    rows.filter((n) => !OPS.some((op) => op.name === n)),
    [],
    'rows for unknown ops',
  );
});

/** Data ops (input, target): no inputs, no cost, nothing flows through them. */
function dataOpTests(row: OpSpecRow): void {
  test(`${row.op}: a data op takes no inputs and passes nothing back`, () => {
    const op = requireOp(row.op);
    assert.equal(op.allInputs.length, 0);
    const b = new ProgramBuilder('float64');
    const out = b.node('n', row.op, [], row.attrs ?? {});
    const extra = b.input('extra', [2]);
    assert.throws(
      () => b.node('m', row.op, [extra], row.attrs ?? {}),
      (e: Error) => e.message.includes(row.op),
    );
    const program = b.build();
    assert.equal(program.grad(out), null);
    assert.equal(op.flops([], program.nodes[0]!.ctx.attrs), 0);
    program.value(out).fill(2);
    program.forward();
    assert.ok(
      program.value(out).data.every((x) => x === 2),
      'forward leaves the fed values alone',
    );
  });
}

for (const row of OP_SPECS) {
  const op = requireOp(row.op);
  const name = row.id ?? row.op;
  if (op.category === 'data') {
    dataOpTests(row);
    continue;
  }

  if (!op.differentiable.some(Boolean)) {
    test(`${name}: a non-differentiable op passes nothing back`, () => {
      const c = build(row);
      c.run();
      assert.deepEqual(c.diff, []);
      assert.throws(
        () => c.program.backwardFrom(c.out, draw(c.rng, c.program.value(c.out).shape)),
        /does not depend on any parameter or input/,
      );
    });
  } else {
    test(`${name}: the VJP matches central differences`, () => {
      const c = build(row);
      c.run();
      const u = draw(c.rng, c.program.value(c.out).shape);
      c.program.backwardFrom(c.out, u);
      assert.ok(c.diff.length > 0, 'something is differentiable');
      for (const s of c.diff) {
        const analytic = Float64Array.from(c.program.grad(s)!.data);
        const numeric = new Float64Array(analytic.length);
        const x = c.program.value(s).data;
        for (let i = 0; i < x.length; i++) {
          const x0 = x[i]!;
          x[i] = x0 + EPS;
          const fp = dot(u.data, c.run());
          x[i] = x0 - EPS;
          const fm = dot(u.data, c.run());
          x[i] = x0;
          numeric[i] = (fp - fm) / (2 * EPS);
        }
        const err = relativeError(analytic, numeric);
        assert.ok(err < FD_TOL, `${c.program.slots[s]!.name}: relative error ${err}`);
      }
    });

    test(`${name}: the JVP matches central differences`, () => {
      const c = build(row);
      const v = directions(c);
      c.run();
      const jvp = c.program.jvp(v)[c.out]!.data;
      const plus = shifted(c, v, EPS),
        minus = shifted(c, v, -EPS);
      const numeric = plus.map((p, i) => (p - minus[i]!) / (2 * EPS));
      const err = relativeError(jvp, numeric);
      assert.ok(err < FD_TOL, `relative error ${err}`);
    });

    test(`${name}: <vjp(u), v> = <u, jvp(v)>`, () => {
      const c = build(row);
      const v = directions(c);
      c.run();
      const u = draw(c.rng, c.program.value(c.out).shape);
      const right = dot(u.data, c.program.jvp(v)[c.out]!.data);
      c.program.backwardFrom(c.out, u);
      let left = 0;
      for (const [s, t] of v) left += dot(c.program.grad(s)!.data, t.data);
      assert.ok(Math.abs(left - right) <= 1e-12 * Math.max(1, Math.abs(left)), `${left} vs ${right}`);
    });

    test(`${name}: the second-order rule matches differences of the VJP`, () => {
      const c = build(row);
      assert.ok(op.vjpJvp, `${row.op} has no second-order rule`);
      const v = directions(c);
      c.run();
      const u = draw(c.rng, c.program.value(c.out).shape);
      const w = draw(c.rng, u.shape);
      c.rewind();
      const tg = c.program.forwardOverReverse(c.out, u, w, v).map((t) => t && Float64Array.from(t.data));
      const gradsAt = (h: number): Map<number, Float64Array> => {
        for (const [s, t] of v)
          for (let i = 0; i < t.size; i++) c.program.value(s).data[i]! += h * t.data[i]!;
        c.run();
        const uh = Tensor.from(
          u.shape,
          u.data.map((x, i) => x + h * w.data[i]!),
          'float64',
        );
        c.program.backwardFrom(c.out, uh);
        for (const [s, t] of v)
          for (let i = 0; i < t.size; i++) c.program.value(s).data[i]! -= h * t.data[i]!;
        return new Map(c.diff.map((s) => [s, Float64Array.from(c.program.grad(s)!.data)]));
      };
      const gp = gradsAt(EPS),
        gm = gradsAt(-EPS);
      for (const s of c.diff) {
        const numeric = gp.get(s)!.map((p, i) => (p - gm.get(s)![i]!) / (2 * EPS));
        const err = relativeError(tg[s]!, numeric);
        assert.ok(err < FD_TOL, `${c.program.slots[s]!.name}: relative error ${err}`);
      }
    });
  }

  test(`${name}: shape and flops agree with the forward pass`, () => {
    const c = build(row);
    const outT = c.program.value(c.out);
    outT.fill(NaN);
    c.run();
    assert.ok(
      outT.data.every((x) => !Number.isNaN(x)),
      'forward writes every output element',
    );
    const node = c.program.nodes[0]!;
    const shapes = node.inputs.map((s) => c.program.slots[s]!.shape);
    assert.ok(sameShape(op.shape(shapes, node.ctx.attrs, node.ctx.output), outT.shape));
    const flops = op.flops(shapes, node.ctx.attrs);
    assert.ok(Number.isInteger(flops) && flops >= 0, `flops ${flops}`);
    if (op.category !== 'shape') assert.ok(flops >= sizeOf(outT.shape), `flops ${flops} < output size`);
    assert.match(op.doc, /\S/);
  });

  test(`${name}: bad calls throw errors naming the op`, () => {
    const b = new ProgramBuilder('float64');
    const ins = row.inputs.map((shape, i) => b.input(`in${i}`, shape));
    assert.throws(
      () => b.node('wrong-arity', row.op, [...ins, ins[0]!], row.attrs ?? {}),
      (e: Error) => e.message.includes(row.op) && /input/.test(e.message),
    );
    assert.throws(
      () => b.node('unknown-attr', row.op, ins, { ...row.attrs, noSuchAttr: 1 }),
      (e: Error) => e.message.includes(row.op) && e.message.includes('noSuchAttr'),
    );
    for (const [name, spec] of Object.entries(op.attrs as Record<string, AttrSpec>)) {
      const wrong = spec.type === 'boolean' || spec.type === 'string' ? 3 : 'three';
      assert.throws(
        () => b.node(`bad-${name}`, row.op, ins, { ...row.attrs, [name]: wrong }),
        (e: Error) => e.message.includes(`${row.op}.${name}`),
      );
    }
    for (const bad of row.bad ?? []) {
      const bins = bad.inputs.map((shape, i) => b.input(`bad${i}`, shape));
      assert.throws(
        () => b.node('bad-shapes', row.op, bins, bad.attrs ?? row.attrs ?? {}),
        (e: Error) => e.message.includes(row.op) && bad.message.test(e.message),
      );
    }
  });
}
