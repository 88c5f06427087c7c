/**
 * The TypeScript emitters by op name: the one table the exporter consults. An op of the registry
 * without a row here can't be exported (test/engine/codegen lists them).
 */
import type { OpEmitter } from '../emitter.js';
import { BINARY_EMITTERS } from './binary.js';
import { ELEMENTWISE_EMITTERS } from './elementwise.js';
import { linear, matmul } from './linear.js';
import { bceWithLogits, crossEntropy, huberLoss, mseLoss } from './losses.js';
import { logSoftmax, softmax } from './softmax.js';
import { SHAPE_EMITTERS } from './shape.js';
import { CONV_EMITTERS } from './conv.js';
import { NORM_EMITTERS } from './norm.js';

export const EMITTERS: Readonly<Record<string, OpEmitter>> = {
  ...ELEMENTWISE_EMITTERS,
  ...BINARY_EMITTERS,
  ...SHAPE_EMITTERS,
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
