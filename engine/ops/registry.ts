/**
 * The one table of ops. The palette, the inspector, shape inference, the JSON Schema, code export
 * and the op test suite are all driven from it: a new op is one object, one row here and one row
 * in test/engine/ops/op-specs.ts (engine/ops/define.ts says what else the compiler then asks for).
 *
 * The table is keyed by op name, so `OpName` (the union of the names) types every other table of
 * per-op facts: the TypeScript emitters, the ONNX export rows, the ops ONNX import may produce,
 * the linear-region kinks, the init gains. A row for an op that does not exist, or a missing row
 * in a table that must cover every op, is a compile error.
 */
import type { AnyOp } from './define.js';
import { add, sub, mul, div, maximum, minimum, pow } from './binary.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { matmul, linear } from './linalg.js';
import { LOSS_OPS } from './losses.js';
import { REDUCE_OPS } from './reduce.js';
import { SHAPE_OPS } from './shape.js';
import { input, target } from './data.js';
import { NORM_OPS } from './norm.js';
import { dropout } from './dropout.js';
import { CONV_OPS } from './conv.js';
import { POOL_OPS } from './pool.js';
import { pad } from './pad.js';
import { split } from './split.js';
import { embedding } from './embedding.js';
import { constant } from './constant.js';
import { conv3d } from './conv3d.js';
import { scaledDotProductAttention } from './attention.js';

/** Every op by its name; the order is the palette's. */
export const OP_TABLE = {
  input,
  target,
  add,
  sub,
  mul,
  div,
  maximum,
  minimum,
  pow,
  matmul,
  linear,
  embedding,
  scaled_dot_product_attention: scaledDotProductAttention,
  ...ELEMENTWISE_OPS,
  ...REDUCE_OPS,
  ...SHAPE_OPS,
  ...LOSS_OPS,
  ...NORM_OPS,
  dropout,
  ...CONV_OPS,
  conv3d,
  ...POOL_OPS,
  pad,
  split,
  constant,
} as const satisfies Readonly<Record<string, AnyOp>>;

/** The name of a registry op: the key type of every per-op table. */
export type OpName = keyof typeof OP_TABLE;

export const OPS: readonly AnyOp[] = Object.values(OP_TABLE);

// A key and its op's name can only disagree by a typo in this file's spread modules; say so at load.
for (const [key, op] of Object.entries(OP_TABLE)) {
  if (op.name !== key) throw new Error(`registry: op '${op.name}' is listed under the key '${key}'`);
}

const byName = new Map<string, AnyOp>(OPS.map((op) => [op.name, op]));

export function isOpName(name: string): name is OpName {
  return byName.has(name);
}

export function getOp(name: string): AnyOp | undefined {
  return byName.get(name);
}

export function requireOp(name: string): AnyOp {
  const op = byName.get(name);
  if (!op) throw new Error(`unknown op '${name}'; known ops: ${[...byName.keys()].join(', ')}`);
  return op;
}
