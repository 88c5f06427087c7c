/**
 * The one table of ops. The palette, the inspector, shape inference, the JSON Schema, code export
 * and the op test suite are all driven from it: a new op is one object, one row here and one row
 * in test/engine/op-specs.ts.
 */
import type { AnyOp } from './define.js';
import { add, sub, mul, div } from './binary.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { matmul, linear } from './linalg.js';
import { LOSS_OPS } from './losses.js';
import { REDUCE_OPS } from './reduce.js';
import { SHAPE_OPS } from './shape.js';
import { input, target } from './data.js';
import { NORM_OPS } from './norm.js';
import { dropout } from './dropout.js';
import { CONV_OPS } from './conv.js';

export const OPS: readonly AnyOp[] = [
  input,
  target,
  add,
  sub,
  mul,
  div,
  matmul,
  linear,
  ...ELEMENTWISE_OPS,
  ...REDUCE_OPS,
  ...SHAPE_OPS,
  ...LOSS_OPS,
  ...NORM_OPS,
  dropout,
  ...CONV_OPS,
];

const byName = new Map(OPS.map((op) => [op.name, op]));

export function getOp(name: string): AnyOp | undefined {
  return byName.get(name);
}

export function requireOp(name: string): AnyOp {
  const op = byName.get(name);
  if (!op) throw new Error(`unknown op '${name}'; known ops: ${[...byName.keys()].join(', ')}`);
  return op;
}
