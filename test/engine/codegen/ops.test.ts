/**
 * One tiny graph per emitter (input → op under test → loss, with parameters upstream so that
 * gradients flow through the op): the generated module typechecks under --strict and reproduces
 * the engine's forward values, loss and parameter gradients in float64.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgramBuilder } from '../../../engine/autodiff/program.js';
import { Rng } from '../../../engine/tensor/random.js';
import type { TrainingConfig } from '../../../engine/graph/document.js';
import { graphFromProgram } from '../../../engine/codegen/from-program.js';
import { generateTypeScript } from '../../../engine/codegen/typescript.js';
import { loadGenerated, strictDiagnostics } from './generated-module.js';
import { flat, relError, rows } from './compare.js';

type Loss = 'mse_loss' | 'cross_entropy' | 'bce_with_logits';

interface OpCase {
  name: string;
  /** Shape of one input sample. */
  sample: number[];
  /** Builds the graph from the input slot; returns the slot fed to the loss. */
  build: (b: ProgramBuilder, x: number) => number;
  loss: Loss;
}

const unary = (op: string, attrs: Record<string, unknown> = {}): OpCase => ({
  name: op,
  sample: [3],
  build: (b, x) =>
    b.node('head', 'linear', [b.node('act', op, [b.node('pre', 'linear', [x], { units: 4 })], attrs)], {
      units: 2,
    }),
  loss: 'mse_loss',
});

const CASES: OpCase[] = [
  ...[
    'relu',
    'tanh',
    'sigmoid',
    'gelu',
    'gelu_tanh',
    'elu',
    'selu',
    'silu',
    'softplus',
    'abs',
    'neg',
    'sin',
    'square',
  ].map((op) => unary(op)),
  unary('leaky_relu', { negative_slope: 0.2 }),
  ...['add', 'sub', 'mul', 'div'].map((op): OpCase => ({
    name: op,
    sample: [3],
    build: (b, x) => {
      const p = b.node('p', 'linear', [x], { units: 3 });
      const q = b.node('q', 'linear', [x], { units: 3 });
      return b.node('out', op, [p, op === 'div' ? b.node('pos', 'exp', [q]) : q]);
    },
    loss: 'mse_loss',
  })),
  {
    name: 'add with fan-out',
    sample: [3],
    build: (b, x) => {
      const h = b.node('h', 'linear', [x], { units: 3 });
      const t = b.node('t', 'tanh', [h]);
      return b.node('res', 'add', [h, t]);
    },
    loss: 'mse_loss',
  },
  {
    name: 'cross_entropy',
    sample: [2],
    build: (b, x) =>
      b.node('logits', 'linear', [b.node('h', 'relu', [b.node('h0', 'linear', [x], { units: 5 })])], {
        units: 3,
      }),
    loss: 'cross_entropy',
  },
  {
    name: 'bce_with_logits',
    sample: [2],
    build: (b, x) => b.node('logit', 'linear', [x], { units: 1 }),
    loss: 'bce_with_logits',
  },
  {
    name: 'linear without bias',
    sample: [4],
    build: (b, x) => b.node('nobias', 'linear', [x], { units: 2, bias: false }),
    loss: 'mse_loss',
  },
];

const TRAINING: TrainingConfig = {
  dataset: { kind: 'sine' },
  optimizer: { kind: 'sgd', lr: 0.1 },
  batchSize: 4,
  epochs: 1,
};

function buildCase(c: OpCase, batch: number) {
  const b = new ProgramBuilder('float64', 1);
  const x = b.input('x', [batch, ...c.sample]);
  const pred = c.build(b, x);
  const predShape = b.shapeOf(pred);
  const classTargets = c.loss === 'cross_entropy';
  const y = b.input('y', classTargets ? [batch] : predShape);
  const loss = b.node('loss', c.loss, [pred, y]);
  const program = b.build();
  const rng = new Rng(42);
  for (const p of program.params()) {
    const d = program.value(p).data;
    for (let i = 0; i < d.length; i++) d[i] = rng.normal() * 0.7;
  }
  const xd = program.value(x).data;
  for (let i = 0; i < xd.length; i++) xd[i] = rng.normal();
  const yd = program.value(y).data;
  const classes = predShape[predShape.length - 1]!;
  for (let i = 0; i < yd.length; i++)
    yd[i] = classTargets ? rng.int(classes) : c.loss === 'bce_with_logits' ? rng.int(2) : rng.normal();
  return { program, x, y, pred, loss };
}

test('every op case: the generated module typechecks under --strict and matches the engine', () => {
  const built = CASES.map((c) => {
    const a = buildCase(c, 5);
    const other = buildCase(c, 6);
    const graph = graphFromProgram({
      program: a.program,
      other: other.program,
      input: a.x,
      target: a.y,
      loss: a.loss,
      prediction: a.pred,
      training: TRAINING,
    });
    const { code, names } = generateTypeScript(graph, { name: c.name, weights: { kind: 'embedded' } });
    return { c, a, code, names };
  });
  const files = new Map(
    built.map(({ c, code }, i) => [`/gen/case${i}-${c.name.replace(/\W/g, '_')}.ts`, code]),
  );
  assert.deepEqual(strictDiagnostics(files), []);

  for (const { c, a, code, names } of built) {
    const m = loadGenerated(code);
    const { program } = a;
    program.setTraining(false);
    program.forward();
    program.backward(a.loss);
    const inputs = rows(program.value(a.x).data, program.value(a.x).size / 5);
    const yv = program.value(a.y);
    const targets = yv.shape.length === 1 ? Array.from(yv.data) : rows(yv.data, yv.size / 5);
    const predicted = m.forward(inputs);
    assert.ok(relError(flat(predicted), program.value(a.pred).data) <= 1e-12, `${c.name}: forward`);
    const engineLoss = program.value(a.loss).data[0]!;
    assert.ok(relError([m.loss(inputs, targets)], [engineLoss]) <= 1e-12, `${c.name}: loss`);
    const { loss, grads } = m.gradients(inputs, targets);
    assert.ok(relError([loss], [engineLoss]) <= 1e-12, `${c.name}: gradients().loss`);
    for (const p of program.params()) {
      const s = program.slots[p]!;
      const g = grads[names.get(s.owner!.node)!]?.[s.owner!.param];
      assert.ok(g, `${c.name}: gradient of ${s.name} is missing`);
      const err = relError(g, program.grad(p)!.data);
      assert.ok(err <= 1e-9, `${c.name}: gradient of ${s.name} differs by ${err}`);
    }
  }
});
