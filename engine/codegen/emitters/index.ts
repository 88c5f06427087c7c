/**
 * The TypeScript emitters by op name: the one table the exporter consults. Every registry op has
 * a row (the compiler insists); null marks an op with no TypeScript form, which export refuses by
 * name (test/engine/codegen lists them). Data ops are the module's parameters, not layers.
 */
import type { OpEmitter } from '../emitter.js';
import type { OpName } from '../../ops/registry.js';
import { BINARY_EMITTERS } from './binary.js';
import { ELEMENTWISE_EMITTERS } from './elementwise.js';
import { linear, matmul } from './linear.js';
import { bceWithLogits, crossEntropy, huberLoss, mseLoss } from './losses.js';
import { logSoftmax, softmax } from './softmax.js';
import { SHAPE_EMITTERS } from './shape.js';
import { constant, embedding, split } from './pieces.js';
import { CONV_EMITTERS } from './conv.js';
import { conv3d } from './conv3d.js';
import { NORM_EMITTERS } from './norm.js';
import { scaledDotProductAttention } from './attention.js';

export const EMITTERS: Readonly<Record<OpName, OpEmitter | null>> = {
  input: null,
  target: null,
  conv3d,
  ...ELEMENTWISE_EMITTERS,
  ...BINARY_EMITTERS,
  ...SHAPE_EMITTERS,
  embedding,
  scaled_dot_product_attention: scaledDotProductAttention,
  split,
  constant,
  ...CONV_EMITTERS,
  ...NORM_EMITTERS,
  linear,
  matmul,
  softmax,
  log_softmax: logSoftmax,
  cross_entropy: crossEntropy,
  mse_loss: mseLoss,
  huber_loss: huberLoss,
  bce_with_logits: bceWithLogits,
};

/** The emitter for an op named in a document, or undefined (unknown op, or no TypeScript form). */
export function emitterFor(op: string): OpEmitter | undefined {
  return Object.hasOwn(EMITTERS, op) ? (EMITTERS[op as OpName] ?? undefined) : undefined;
}
