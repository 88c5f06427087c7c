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

const broadcastBad: BadCall[] = [{ inputs: [[3, 4], [2, 4]], message: /\[3, 4\].*\[2, 4\]/ }];

export const OP_SPECS: readonly OpSpecRow[] = [
  { op: 'add', inputs: [[3, 4], [4]], bad: broadcastBad },
  { op: 'sub', inputs: [[3, 1], [1, 4]], bad: broadcastBad },
  { op: 'mul', inputs: [[2, 3, 4], [3, 1]], bad: broadcastBad },
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
];
