/**
 * Every emitter against the engine: each case is a small branch (parameters upstream so that
 * gradients flow through the op under test). Cases trained with mse_loss run side by side in one
 * graph (their outputs summed through linear heads), the other losses in graphs of their own; each
 * generated module typechecks under --strict and reproduces the engine's forward values, loss and
 * parameter gradients in float64. (Few modules keep the typecheck, the slow part, short.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgramBuilder } from '../../../engine/autodiff/program.js';
import { Rng } from '../../../engine/tensor/random.js';
import type { TrainingConfig } from '../../../engine/graph/document.js';
import { graphFromProgram } from '../../../engine/codegen/from-program.js';
import { generateTypeScript } from '../../../engine/codegen/typescript.js';
import { loadGenerated, strictDiagnostics } from './generated-module.js';
import { flat, relError, relErrorAll, rows } from './compare.js';

type Loss = 'mse_loss' | 'cross_entropy' | 'bce_with_logits' | 'huber_loss';

/** ProgramBuilder.node, with each case's node ids kept apart by a prefix. */
/** `output`: which output of an op with several (split) this application computes. */
type AddNode = (
  id: string,
  op: string,
  inputs: number[],
  attrs?: Record<string, unknown>,
  output?: number,
) => number;

interface OpCase {
  name: string;
  /** Shape of one sample (default [3]); cases with the same shape and loss share a graph. */
  sample?: number[];
  /** Builds the case from the input slot; returns its output slot. */
  build: (node: AddNode, x: number) => number;
  loss: Loss;
}

const unary = (op: string, attrs: Record<string, unknown> = {}): OpCase => ({
  name: op,
  build: (node, x) =>
    node('head', 'linear', [node('act', op, [node('pre', 'linear', [x], { units: 4 })], attrs)], {
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
    'sign',
  ].map((op) => unary(op)),
  unary('hardshrink', { lambd: 0.3 }),
  unary('softshrink', { lambd: 0.3 }),
  unary('leaky_relu', { negative_slope: 0.2 }),
  ...['hardsigmoid', 'hardswish', 'softsign', 'mish', 'prelu'].map((op) => unary(op)),
  { ...unary('clip', { min: -0.4, max: 0.5 }), name: 'clip' },
  { ...unary('clip', { min: 0 }), name: 'clip, min only' },
  {
    name: 'prelu per channel, group_norm, instance_norm (affine and not)',
    sample: [4, 3],
    build: (node, x) => {
      const p = node('p', 'prelu', [x], { num_parameters: 4 });
      const g = node('g', 'group_norm', [p], { num_groups: 2 });
      const i = node('i', 'instance_norm', [node('t', 'tanh', [g])], { affine: true });
      return node('plain', 'instance_norm', [node('s', 'mish', [i])]);
    },
    loss: 'mse_loss',
  },
  ...['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow'].map((op): OpCase => ({
    name: op,
    build: (node, x) => {
      const p = node('p', 'linear', [x], { units: 3 });
      const q = node('q', 'linear', [x], { units: 3 });
      const positive = (v: number) => node('pos', 'exp', [v]);
      if (op === 'pow') return node('out', op, [positive(p), q]);
      return node('out', op, [p, op === 'div' ? positive(q) : q]);
    },
    loss: 'mse_loss',
  })),
  {
    name: 'constant operand (no gradient flows into it)',
    build: (node, x) => {
      const h = node('h', 'linear', [x], { units: 3 });
      return node('shifted', 'mul', [h, node('k', 'constant', [], { shape: [1, 3] })]);
    },
    loss: 'mse_loss',
  },
  {
    name: 'add with fan-out',
    build: (node, x) => {
      const h = node('h', 'linear', [x], { units: 3 });
      const t = node('t', 'tanh', [h]);
      return node('res', 'add', [h, t]);
    },
    loss: 'mse_loss',
  },
  {
    name: 'exp, log, sqrt',
    build: (node, x) => {
      const e = node('e', 'exp', [node('h', 'linear', [x], { units: 3 })]);
      return node('out', 'add', [node('l', 'log', [e]), node('r', 'sqrt', [e])]);
    },
    loss: 'mse_loss',
  },
  ...[
    { axis: 0, shape: 'row [1, 3]' },
    { axis: 1, shape: 'column [N, 1]' },
  ].map(({ axis, shape }): OpCase => ({
    name: `add broadcasting a ${shape} (mean with keepdim)`,
    build: (node, x) => {
      const h = node('h', 'linear', [x], { units: 3 });
      const m = node('m', 'mean', [node('q', 'linear', [x], { units: 3 })], { axis, keepdim: true });
      return node('out', 'mul', [node('s', 'add', [h, m]), m]);
    },
    loss: 'mse_loss',
  })),
  {
    name: 'sum over all elements, broadcast back',
    build: (node, x) => {
      const h = node('h', 'linear', [x], { units: 3 });
      return node('out', 'sub', [h, node('total', 'sum', [h])]);
    },
    loss: 'mse_loss',
  },
  ...['softmax', 'log_softmax'].map((op): OpCase => ({
    name: op,
    build: (node, x) => node('p', op, [node('h', 'linear', [x], { units: 4 })], { axis: -1 }),
    loss: 'mse_loss',
  })),
  {
    name: 'reshape, flatten, concat',
    build: (node, x) => {
      const r = node('r', 'reshape', [node('h', 'linear', [x], { units: 6 })], { shape: [-1, 2, 3] });
      const f = node('f', 'flatten', [node('t', 'tanh', [r])]);
      return node('c', 'concat', [f, node('g', 'linear', [x], { units: 2 })], { axis: 1 });
    },
    loss: 'mse_loss',
  },
  {
    name: 'split into three, concat of three, stack',
    build: (node, x) => {
      const h = node('h', 'linear', [x], { units: 6 });
      const [a, b, c] = [0, 1, 2].map((k) => node('s', 'split', [h], { sizes: [1, 2, 3] }, k));
      const joined = node('c', 'concat', [c!, node('ta', 'tanh', [a!]), b!], { count: 3 });
      const twice = node('st', 'stack', [joined, node('sq', 'square', [joined])], { axis: 1 });
      return node('f', 'flatten', [twice]);
    },
    loss: 'mse_loss',
  },
  {
    name: 'matmul and transpose',
    build: (node, x) => {
      const p = node('p', 'linear', [x], { units: 3 });
      const q = node('q', 'linear', [x], { units: 3 });
      const gram = node('gram', 'matmul', [node('pt', 'transpose', [p]), q]);
      return node('out', 'matmul', [p, gram]);
    },
    loss: 'mse_loss',
  },
  {
    name: 'scaled_dot_product_attention, causal, k and v [N, 1, S, d] shared by the heads',
    sample: [4, 6],
    build: (node, x) => {
      const split = (id: string, units: number, shape: number[]) =>
        node(id, 'reshape', [node(`${id}_proj`, 'linear', [x], { units })], { shape });
      const q = node('qh', 'swapaxes', [split('q', 6, [-1, 4, 2, 3])], { axis0: 1, axis1: 2 });
      const k = split('k', 3, [-1, 1, 4, 3]);
      const v = split('v', 2, [-1, 1, 4, 2]);
      return node('att', 'scaled_dot_product_attention', [q, k, v], { causal: true });
    },
    loss: 'mse_loss',
  },
  {
    name: 'attention parts: batched and broadcast matmul, swapaxes, softmax on the last axis',
    sample: [4, 6],
    build: (node, x) => {
      const heads = node(
        'heads',
        'swapaxes',
        [node('split', 'reshape', [node('h', 'linear', [x], { units: 6 })], { shape: [-1, 4, 2, 3] })],
        {
          axis0: 1,
          axis1: 2,
        },
      );
      const kt = node('kt', 'swapaxes', [heads]);
      const p = node('p', 'softmax', [node('scores', 'matmul', [heads, kt])], { axis: -1 });
      const o = node('o', 'matmul', [p, heads]);
      const shared = node(
        'shared',
        'reshape',
        [node('w', 'linear', [node('fx', 'flatten', [x])], { units: 6 })],
        {
          shape: [-1, 1, 3, 2],
        },
      );
      return node('out', 'matmul', [o, shared]);
    },
    loss: 'mse_loss',
  },
  {
    name: 'sum, mean, max, min, var, std over chosen axes',
    sample: [3, 4],
    build: (node, x) => {
      const h = node('h', 'linear', [x], { units: 4 });
      const total = node('total', 'sum', [h], { axis: [1, 2], keepdim: true });
      const avg = node('avg', 'mean', [h], { axis: [-1, -2], keepdim: true });
      const hi = node('hi', 'max', [h], { axis: -1, keepdim: true });
      const lo = node('lo', 'min', [h], { axis: 1, keepdim: true });
      const v = node('v', 'var', [h], { axis: [2], keepdim: true });
      const sd = node('sd', 'std', [h], { axis: 1, keepdim: true, correction: 0 });
      const a = node('a', 'add', [node('hm', 'mul', [h, hi]), lo]);
      const b = node('b', 'mul', [v, sd]);
      return node('out', 'add', [node('ab', 'add', [a, b]), node('ta', 'add', [total, avg])]);
    },
    loss: 'mse_loss',
  },
  {
    name: 'slice, unsqueeze, tile, expand, squeeze',
    sample: [6],
    build: (node, x) => {
      const h = node('h', 'linear', [x], { units: 6 });
      const picked = node('picked', 'slice', [h], { axes: [1], starts: [1], ends: [6], steps: [2] });
      const u = node('u', 'unsqueeze', [picked], { axis: 1 });
      const t = node('t', 'tile', [u], { reps: [2, 1] });
      const e = node('e', 'expand', [u], { shape: [-1, 4, -1] });
      const first = node('first', 'slice', [e], { axes: [1], starts: [-2], ends: [100] });
      const both = node('both', 'add', [t, first]);
      return node('sq', 'squeeze', [node('u2', 'unsqueeze', [both], { axis: -1 })], { axis: -1 });
    },
    loss: 'mse_loss',
  },
  {
    name: 'layer_norm, batch_norm, dropout',
    sample: [4],
    build: (node, x) => {
      const ln = node('ln', 'layer_norm', [node('h', 'linear', [x], { units: 5 })]);
      const bn = node('bn', 'batch_norm', [node('g', 'linear', [ln], { units: 3 })], { momentum: 0.3 });
      return node('drop', 'dropout', [node('r', 'tanh', [bn])], { p: 0.4 });
    },
    loss: 'mse_loss',
  },
  {
    name: 'conv2d (padding), relu, max_pool2d',
    sample: [2, 5, 5],
    build: (node, x) => {
      const conv = node('conv', 'conv2d', [x], { outChannels: 3, kernel: 3, padding: 1 });
      return node('pool', 'max_pool2d', [node('act', 'relu', [conv])], { kernel: 2 });
    },
    loss: 'mse_loss',
  },
  {
    name: 'grouped and depthwise conv2d, relu6 (clip)',
    sample: [2, 5, 5],
    build: (node, x) => {
      const grouped = node('grouped', 'conv2d', [x], { outChannels: 4, kernel: 3, padding: 1, groups: 2 });
      const six = node('six', 'clip', [grouped], { min: 0, max: 6 });
      return node('depthwise', 'conv2d', [six], { outChannels: 4, kernel: 3, groups: 4, bias: false });
    },
    loss: 'mse_loss',
  },
  {
    name: 'conv3d (padding, bias), tanh, conv3d (non-cubic kernel, stride, dilation, groups, per-side padding, no bias)',
    sample: [2, 4, 5, 5],
    build: (node, x) => {
      const a = node('a', 'conv3d', [x], { outChannels: 4, kernel: 3, padding: 1 });
      return node('b', 'conv3d', [node('act', 'tanh', [a])], {
        outChannels: 2,
        kernel: [2, 3, 2],
        stride: [1, 2, 1],
        dilation: [2, 1, 1],
        groups: 2,
        padding: [1, 0, 0, 1, 1, 1],
        bias: false,
      });
    },
    loss: 'mse_loss',
  },
  {
    name: 'global average and max pools',
    sample: [2, 5, 5],
    build: (node, x) => {
      const a = node('a', 'conv2d', [x], { outChannels: 3, kernel: 2 });
      return node('both', 'add', [node('avg', 'global_avg_pool', [a]), node('max', 'global_max_pool', [a])]);
    },
    loss: 'mse_loss',
  },
  {
    name: 'conv2d (stride 2, no bias), batch_norm, avg_pool2d (padding)',
    sample: [2, 5, 5],
    build: (node, x) => {
      const conv = node('conv', 'conv2d', [x], { outChannels: 2, kernel: 2, stride: 2, bias: false });
      const bn = node('bn', 'batch_norm', [conv]);
      return node('pool', 'avg_pool2d', [bn], { kernel: 2, stride: 1, padding: 1 });
    },
    loss: 'mse_loss',
  },
  {
    name: 'conv2d (2×3 kernel, groups, dilation, per-side padding), max_pool2d (ceil mode)',
    sample: [2, 6, 7],
    build: (node, x) => {
      const conv = node('conv', 'conv2d', [x], {
        outChannels: 4,
        kernel: [2, 3],
        stride: [2, 1],
        dilation: [1, 2],
        groups: 2,
        padding: [1, 0, 2, 1],
      });
      return node('pool', 'max_pool2d', [conv], { kernel: 2, stride: 2, padding: 1, ceil_mode: true });
    },
    loss: 'mse_loss',
  },
  {
    name: "depthwise 'same' conv2d, conv_transpose2d, avg_pool2d (ceil, padding not counted), reflect pad, global_avg_pool",
    sample: [2, 5, 5],
    build: (node, x) => {
      const dw = node('dw', 'conv2d', [x], { outChannels: 2, kernel: 3, groups: 2, padding: 'same' });
      const up = node('up', 'conv_transpose2d', [dw], {
        outChannels: 4,
        kernel: [3, 2],
        stride: 2,
        padding: 1,
        output_padding: 1,
        groups: 2,
      });
      const avg = node('avg', 'avg_pool2d', [up], {
        kernel: 3,
        stride: 2,
        padding: 1,
        ceil_mode: true,
        count_include_pad: false,
      });
      const padded = node('pad', 'pad', [avg], { pad: [1, 1, 2, 0], mode: 'reflect' });
      return node('gap', 'global_avg_pool', [padded]);
    },
    loss: 'mse_loss',
  },
  {
    name: 'conv1d (groups, dilation), max_pool1d, avg_pool1d (ceil), replicate and constant pads, global_max_pool',
    sample: [4, 9],
    build: (node, x) => {
      const conv = node('c1', 'conv1d', [x], {
        outChannels: 4,
        kernel: 3,
        stride: 2,
        padding: [1, 2],
        dilation: 2,
        groups: 2,
      });
      const mp = node('mp', 'max_pool1d', [conv], { kernel: 3, stride: 2, padding: 1, ceil_mode: true });
      const ap = node('ap', 'avg_pool1d', [mp], { kernel: 2, stride: 2, ceil_mode: true });
      const rep = node('rep', 'pad', [ap], { pad: [2, 1], mode: 'replicate' });
      const con = node('con', 'pad', [rep], { pad: [1, 0], value: 0.5 });
      return node('gmp', 'global_max_pool', [con]);
    },
    loss: 'mse_loss',
  },
  {
    name: 'huber_loss',
    build: (node, x) => node('h', 'linear', [x], { units: 3 }),
    loss: 'huber_loss',
  },
  {
    name: 'cross_entropy',
    build: (node, x) =>
      node('logits', 'linear', [node('h', 'relu', [node('h0', 'linear', [x], { units: 5 })])], {
        units: 3,
      }),
    loss: 'cross_entropy',
  },
  {
    name: 'bce_with_logits',
    build: (node, x) => node('logit', 'linear', [x], { units: 1 }),
    loss: 'bce_with_logits',
  },
  {
    name: 'linear without bias',
    build: (node, x) => node('nobias', 'linear', [x], { units: 2, bias: false }),
    loss: 'mse_loss',
  },
];

const TRAINING: TrainingConfig = {
  dataset: { kind: 'sine' },
  optimizer: { kind: 'sgd', lr: 0.1 },
  batchSize: 4,
  epochs: 1,
};

interface Group {
  name: string;
  cases: OpCase[];
  sample: number[];
  loss: Loss;
}

const sampleOf = (c: OpCase): number[] => c.sample ?? [3];
const GROUPS: Group[] = [
  ...[...new Set(CASES.filter((c) => c.loss === 'mse_loss').map((c) => sampleOf(c).join('x')))].map(
    (key): Group => {
      const cases = CASES.filter((c) => c.loss === 'mse_loss' && sampleOf(c).join('x') === key);
      return { name: `mse_loss cases on ${key}`, cases, sample: sampleOf(cases[0]!), loss: 'mse_loss' };
    },
  ),
  ...CASES.filter((c) => c.loss !== 'mse_loss').map((c) => ({
    name: c.name,
    cases: [c],
    sample: sampleOf(c),
    loss: c.loss,
  })),
];

function buildGroup(group: Group, batch: number) {
  const b = new ProgramBuilder('float64', 1);
  const x = b.input('x', [batch, ...group.sample]);
  const outputs = group.cases.map((c) => {
    const prefix = `${c.name.replace(/\W+/g, '_')}__`;
    const node: AddNode = (id, op, inputs, attrs = {}, output = 0) =>
      b.node(prefix + id, op, inputs, attrs, { output });
    const out = c.build(node, x);
    if (group.cases.length === 1) return out;
    const flat = b.shapeOf(out).length > 2 ? node('flat', 'flatten', [out]) : out;
    return node('group_head', 'linear', [flat], { units: 2 });
  });
  const pred = outputs.reduce((sum, o, i) => b.node(`sum${i}`, 'add', [sum, o]));
  const predShape = b.shapeOf(pred);
  const classTargets = group.loss === 'cross_entropy';
  const y = b.input('y', classTargets ? [batch] : predShape);
  const loss = b.node('loss', group.loss, [pred, y]);
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
    yd[i] = classTargets ? rng.int(classes) : group.loss === 'bce_with_logits' ? rng.int(2) : rng.normal();
  return { program, x, y, pred, loss };
}

test('every op case: the generated module typechecks under --strict and matches the engine', () => {
  const built = GROUPS.map((c) => {
    const a = buildGroup(c, 5);
    const other = buildGroup(c, 6);
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
    built.map(({ c, code }, i) => [`/gen/group${i}-${c.name.replace(/\W/g, '_')}.ts`, code]),
  );
  assert.deepEqual(strictDiagnostics(files), []);
  for (const { c, a, code, names } of built) {
    const m = loadGenerated(code);
    const { program } = a;
    program.setTraining(false);
    program.forward();
    const inputs = rows(program.value(a.x).data, program.value(a.x).size / 5);
    const yv = program.value(a.y);
    const targets = yv.shape.length === 1 ? Array.from(yv.data) : rows(yv.data, yv.size / 5);
    const predicted = m.forward(inputs);
    assert.ok(relError(flat(predicted), program.value(a.pred).data) <= 1e-12, `${c.name}: forward`);
    const engineLoss = program.value(a.loss).data[0]!;
    assert.ok(relError([m.loss(inputs, targets)], [engineLoss]) <= 1e-12, `${c.name}: loss`);
    // Training mode (batch statistics, dropout masks from the same random stream).
    program.setTraining(true);
    m.setRandomSeed?.(program.randomState);
    program.forward();
    program.backward(a.loss);
    const { loss, grads } = m.gradients(inputs, targets);
    const trainingLoss = program.value(a.loss).data[0]!;
    assert.ok(relError([loss], [trainingLoss]) <= 1e-12, `${c.name}: gradients().loss`);
    const pairs = program.params().map((p) => {
      const s = program.slots[p]!;
      const g = grads[names.get(s.owner!.node)!]?.[s.owner!.param];
      assert.ok(g, `${c.name}: gradient of ${s.name} is missing`);
      return [g, program.grad(p)!.data] as const;
    });
    const err = relErrorAll(pairs);
    assert.ok(err <= 1e-9, `${c.name}: the gradients differ by ${err}`);
  }
});
