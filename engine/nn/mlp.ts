/**
 * A multilayer perceptron as a Program: hidden layers h = act(h·Wᵀ + b), the last layer linear,
 * then a loss. Parameters are named as the reference file and the lecture name them: W1, b1, W2, …
 * (W stored [out, in], PyTorch's layout).
 */
import { Program, ProgramBuilder } from '../autodiff/program.js';
import type { DType, Tensor } from '../tensor/tensor.js';
import type { OpName } from '../ops/registry.js';

export interface MlpSpec {
  /** Widths from input to output, e.g. [2, 16, 16, 1]. */
  layers: readonly number[];
  /** A unary op name: tanh, relu, sigmoid, … */
  activation: string;
  /** A loss op name (mse_loss, cross_entropy, …) or the short names mse / xent / bce. */
  loss: string;
  reduction?: 'mean' | 'sum';
  batch: number;
  dtype: DType;
  /** Initial values by parameter name (W1, b1, …); zeros where absent. */
  params?: Record<string, Tensor>;
  /** Class-index targets ([batch]) rather than values ([batch, out]); default: loss is cross_entropy. */
  classTargets?: boolean;
}

export interface Mlp {
  program: Program;
  input: number;
  target: number;
  /** The last layer's output (logits or predictions). */
  output: number;
  loss: number;
  /** Parameter slots in order W1, b1, W2, b2, … */
  params: Map<string, number>;
}

const LOSS_OPS: Readonly<Record<string, OpName>> = {
  mse: 'mse_loss',
  xent: 'cross_entropy',
  bce: 'bce_with_logits',
};

export function buildMlp(spec: MlpSpec): Mlp {
  const { layers, batch } = spec;
  if (layers.length < 2) throw new Error(`an MLP needs at least two widths, got [${layers.join(', ')}]`);
  const lossOp = LOSS_OPS[spec.loss] ?? spec.loss;
  const classTargets = spec.classTargets ?? lossOp === 'cross_entropy';
  const b = new ProgramBuilder(spec.dtype);
  const input = b.input('x', [batch, layers[0]!]);
  const target = b.input('y', classTargets ? [batch] : [batch, layers[layers.length - 1]!]);
  let h = input;
  for (let i = 1; i < layers.length; i++) {
    const params: Record<string, Tensor> = {};
    const w = spec.params?.[`W${i}`];
    const bias = spec.params?.[`b${i}`];
    if (w) params.weight = w;
    if (bias) params.bias = bias;
    h = b.node(`fc${i}`, 'linear', [h], { units: layers[i]! }, { params });
    if (i < layers.length - 1) h = b.node(`act${i}`, spec.activation, [h]);
  }
  const loss = b.node('loss', lossOp, [h, target], { reduction: spec.reduction ?? 'mean' });
  const program = b.build();
  const params = new Map<string, number>();
  for (let i = 1; i < layers.length; i++) {
    params.set(`W${i}`, program.slot(`fc${i}.weight`));
    params.set(`b${i}`, program.slot(`fc${i}.bias`));
  }
  return { program, input, target, output: h, loss, params };
}
