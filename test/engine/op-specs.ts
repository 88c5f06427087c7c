/**
 * One row per registry op: the shapes and attributes the op tests run it on, how to draw its
 * inputs, and calls it must reject. test/engine/ops.test.ts fails for a registry op without a row.
 */
import type { Shape } from '../../engine/tensor/tensor.js';

/** How an input's values are drawn: standard normal by default. */
export type Gen = 'normal' | 'positive' | 'unit' | { classes: number };

export interface BadCall {
  inputs: Shape[];
  attrs?: Record<string, unknown>;
  /** The error must match this (beyond naming the op, which every error must). */
  message: RegExp;
}

export interface OpSpecRow {
  op: string;
  /** Shapes of the data inputs, in port order (parameters follow from the attributes). */
  inputs: Shape[];
  attrs?: Record<string, unknown>;
  gen?: Record<string, Gen>;
  /** Run in training mode (default true). */
  training?: boolean;
  bad?: BadCall[];
}

const unary = (op: string, gen: Gen = 'normal', attrs: Record<string, unknown> = {}): OpSpecRow => ({
  op,
  inputs: [[3, 4]],
  attrs,
  gen: { x: gen },
});

const broadcastBad: BadCall[] = [
  {
    inputs: [
      [3, 4],
      [2, 4],
    ],
    message: /\[3, 4\].*\[2, 4\]/,
  },
];

export const OP_SPECS: readonly OpSpecRow[] = [
  // Data ops are fed by the compiler: ops.test.ts checks that they take nothing and pass nothing back.
  { op: 'input', inputs: [], attrs: { features: 3 } },
  { op: 'target', inputs: [], attrs: { classes: 4 } },
  { op: 'add', inputs: [[3, 4], [4]], bad: broadcastBad },
  {
    op: 'sub',
    inputs: [
      [3, 1],
      [1, 4],
    ],
    bad: broadcastBad,
  },
  {
    op: 'mul',
    inputs: [
      [2, 3, 4],
      [3, 1],
    ],
    bad: broadcastBad,
  },
  { op: 'div', inputs: [[3, 4], [4]], gen: { b: 'positive' }, bad: broadcastBad },
  unary('relu'),
  unary('leaky_relu', 'normal', { negative_slope: 0.1 }),
  unary('elu', 'normal', { alpha: 0.7 }),
  unary('selu'),
  unary('gelu'),
  unary('gelu_tanh'),
  unary('silu'),
  unary('sigmoid'),
  unary('tanh'),
  unary('softplus'),
  unary('exp'),
  unary('log', 'positive'),
  unary('sqrt', 'positive'),
  unary('square'),
  unary('abs'),
  unary('neg'),
  unary('sin'),
  {
    op: 'matmul',
    inputs: [
      [3, 4],
      [4, 2],
    ],
    bad: [
      {
        inputs: [
          [3, 4],
          [3, 2],
        ],
        message: /inner dimensions differ: a \[3, 4\] and b \[3, 2\]/,
      },
    ],
  },
  {
    op: 'linear',
    inputs: [[5, 3]],
    attrs: { units: 4 },
    bad: [{ inputs: [[5]], attrs: { units: 0 }, message: /units/ }],
  },
  {
    op: 'sum',
    inputs: [[3, 4]],
    bad: [{ inputs: [[3, 4]], attrs: { axis: 2 }, message: /axis 2.*\[3, 4\]/ }],
  },
  { op: 'mean', inputs: [[2, 3, 4]], attrs: { axis: -2, keepdim: true } },
  { op: 'softmax', inputs: [[2, 3, 4]], attrs: { axis: 1 } },
  { op: 'log_softmax', inputs: [[3, 5]] },
  {
    op: 'transpose',
    inputs: [[2, 3, 4]],
    attrs: { perm: [1, 2, 0] },
    bad: [{ inputs: [[2, 3]], attrs: { perm: [0, 0] }, message: /perm/ }],
  },
  {
    op: 'reshape',
    inputs: [[2, 3, 4]],
    attrs: { shape: [-1, 6] },
    bad: [{ inputs: [[2, 3, 4]], attrs: { shape: [5, -1] }, message: /\[2, 3, 4\].*\[5, -1\]/ }],
  },
  { op: 'flatten', inputs: [[2, 3, 2, 2]] },
  {
    op: 'concat',
    inputs: [
      [2, 3, 2],
      [2, 1, 2],
    ],
    bad: [
      {
        inputs: [
          [2, 3],
          [3, 3],
        ],
        message: /\[2, 3\].*\[3, 3\]/,
      },
    ],
  },
  {
    op: 'mse_loss',
    inputs: [
      [4, 2],
      [4, 2],
    ],
    bad: [{ inputs: [[4, 1], [4]], message: /pred \[4, 1\] and target \[4\]/ }],
  },
  {
    op: 'huber_loss',
    inputs: [
      [4, 3],
      [4, 3],
    ],
    attrs: { delta: 0.8, reduction: 'sum' },
  },
  {
    op: 'cross_entropy',
    inputs: [[4, 3], [4]],
    gen: { target: { classes: 3 } },
    bad: [
      {
        inputs: [
          [4, 3],
          [4, 3],
        ],
        message: /target \[4, 3\]/,
      },
    ],
  },
  {
    op: 'bce_with_logits',
    inputs: [
      [4, 2],
      [4, 2],
    ],
    gen: { target: 'unit' },
  },
];
