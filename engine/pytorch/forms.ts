/**
 * Each registry op in PyTorch: the torch.nn module a node becomes (its parameters and state are the
 * module's, under the engine's names: weight, bias, running_mean, running_var) and the expression
 * its output is. The one table the PyTorch export consults; an op of the registry without a row
 * here is refused by name (test/engine/pytorch/coverage.test.ts lists them: there should be none).
 */
import type { Attrs } from '../ops/define.js';
import type { SymbolicShape } from '../graph/check.js';

export interface FormCtx {
  readonly attrs: Attrs;
  /** Python expressions of the node's data inputs, in port order. */
  readonly inputs: readonly string[];
  readonly inShapes: readonly SymbolicShape[];
  readonly outShape: SymbolicShape;
  /** The node's submodule, `self.<name>` (for forms that have one). */
  readonly module: string;
}

export interface PyTorchForm {
  /** The constructor call of the node's torch.nn module, when it has one. */
  module?: (c: FormCtx) => string;
  /** The output as a Python expression; forms with a module call it on their inputs by default. */
  call?: (c: FormCtx) => string;
}

/** A Python literal for a number, boolean, string or list of numbers. */
export function py(v: number | boolean | string | readonly number[]): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  return `[${v.map((d) => py(d)).join(', ')}]`;
}

const num = (a: Attrs, k: string): number => a[k] as number;
const last = (s: SymbolicShape): number => {
  const d = s[s.length - 1];
  if (typeof d !== 'number') throw new Error('the feature axis must have a fixed size');
  return d;
};
const dim = (s: SymbolicShape, i: number): number => {
  const d = s[i];
  if (typeof d !== 'number') throw new Error(`axis ${i} must have a fixed size`);
  return d;
};

/** A parameter-free torch.nn module (activations, softmax, flatten). */
function layer(ctor: (a: Attrs) => string): PyTorchForm {
  return { module: (c) => ctor(c.attrs) };
}
const fn = (f: (x: string, a: Attrs) => string): PyTorchForm => ({ call: (c) => f(c.inputs[0]!, c.attrs) });
const infix = (op: string): PyTorchForm => ({ call: (c) => `${c.inputs[0]} ${op} ${c.inputs[1]}` });
const loss = (cls: string, extra: (a: Attrs) => string = () => ''): PyTorchForm => ({
  module: (c) => `nn.${cls}(reduction=${py(c.attrs['reduction'] as string)}${extra(c.attrs)})`,
});

/** sum/mean: over one axis, or over all of them (keepdim keeps every axis as size 1). */
function reduce(name: 'sum' | 'mean'): PyTorchForm {
  return {
    call: ({ inputs: [x], attrs }) => {
      const keep = attrs['keepdim'] === true;
      if (attrs['axis'] !== undefined) return `${x}.${name}(dim=${num(attrs, 'axis')}, keepdim=${py(keep)})`;
      return keep ? `${x}.${name}(dim=tuple(range(${x}.dim())), keepdim=True)` : `${x}.${name}()`;
    },
  };
}

function pool(cls: 'MaxPool2d' | 'AvgPool2d'): PyTorchForm {
  // AvgPool2d counts padded zeros (count_include_pad=True, its default), as the engine does.
  return {
    module: ({ attrs }) =>
      `nn.${cls}(${num(attrs, 'kernel')}, stride=${(attrs['stride'] as number | undefined) ?? num(attrs, 'kernel')}, padding=${num(attrs, 'padding')})`,
  };
}

export const PYTORCH_FORMS: Readonly<Record<string, PyTorchForm>> = {
  linear: {
    module: ({ attrs, inShapes }) =>
      `nn.Linear(${last(inShapes[0]!)}, ${num(attrs, 'units')}, bias=${py(attrs['bias'] !== false)})`,
  },
  matmul: infix('@'),
  add: infix('+'),
  sub: infix('-'),
  mul: infix('*'),
  div: infix('/'),
  relu: layer(() => 'nn.ReLU()'),
  leaky_relu: layer((a) => `nn.LeakyReLU(negative_slope=${py(num(a, 'negative_slope'))})`),
  elu: layer((a) => `nn.ELU(alpha=${py(num(a, 'alpha'))})`),
  selu: layer(() => 'nn.SELU()'),
  gelu: layer(() => 'nn.GELU()'),
  // approximate='tanh' arrived in PyTorch 1.12.
  gelu_tanh: layer(() => "nn.GELU(approximate='tanh')"),
  silu: layer(() => 'nn.SiLU()'),
  sigmoid: layer(() => 'nn.Sigmoid()'),
  tanh: layer(() => 'nn.Tanh()'),
  softplus: layer(() => 'nn.Softplus()'),
  exp: fn((x) => `torch.exp(${x})`),
  log: fn((x) => `torch.log(${x})`),
  sqrt: fn((x) => `torch.sqrt(${x})`),
  square: fn((x) => `${x} * ${x}`),
  abs: fn((x) => `torch.abs(${x})`),
  neg: fn((x) => `-${x}`),
  sin: fn((x) => `torch.sin(${x})`),
  sum: reduce('sum'),
  mean: reduce('mean'),
  softmax: layer((a) => `nn.Softmax(dim=${num(a, 'axis')})`),
  log_softmax: layer((a) => `nn.LogSoftmax(dim=${num(a, 'axis')})`),
  transpose: {
    call: ({ inputs: [x], attrs, inShapes }) => {
      const perm = attrs['perm'] as readonly number[];
      const rank = inShapes[0]!.length;
      const p = perm.length ? perm : Array.from({ length: rank }, (_, i) => rank - 1 - i);
      return `${x}.permute(${p.join(', ')})`;
    },
  },
  // The engine's shape includes the batch axis, as torch.reshape's does.
  reshape: fn((x, a) => `${x}.reshape(${(a['shape'] as readonly number[]).join(', ')})`),
  flatten: layer(() => 'nn.Flatten()'),
  concat: { call: ({ inputs: [a, b], attrs }) => `torch.cat([${a}, ${b}], dim=${num(attrs, 'axis')})` },
  conv2d: {
    module: ({ attrs, inShapes }) =>
      `nn.Conv2d(${dim(inShapes[0]!, 1)}, ${num(attrs, 'outChannels')}, ${num(attrs, 'kernel')}, stride=${num(attrs, 'stride')}, padding=${num(attrs, 'padding')}, bias=${py(attrs['bias'] !== false)})`,
  },
  max_pool2d: pool('MaxPool2d'),
  avg_pool2d: pool('AvgPool2d'),
  layer_norm: {
    module: ({ attrs, inShapes }) => `nn.LayerNorm(${last(inShapes[0]!)}, eps=${py(num(attrs, 'eps'))})`,
  },
  batch_norm: {
    // Statistics per channel (axis 1) over the batch and every further axis, as BatchNorm1d/2d/3d.
    module: ({ attrs, inShapes }) => {
      const rank = inShapes[0]!.length;
      const args = `${dim(inShapes[0]!, 1)}, eps=${py(num(attrs, 'eps'))}, momentum=${py(num(attrs, 'momentum'))}`;
      return `nn.BatchNorm${rank === 4 ? '2' : rank === 5 ? '3' : '1'}d(${args})`;
    },
    call: ({ module, inputs: [x], inShapes }) =>
      inShapes[0]!.length <= 5 ? `${module}(${x})` : `${module}(${x}.flatten(2)).reshape(${x}.shape)`,
  },
  dropout: layer((a) => `nn.Dropout(p=${py(num(a, 'p'))})`),
  mse_loss: loss('MSELoss'),
  // HuberLoss arrived in PyTorch 1.9.
  huber_loss: loss('HuberLoss', (a) => `, delta=${py(num(a, 'delta'))}`),
  // Class indices travel as the model's float dtype; CrossEntropyLoss wants them as integers.
  cross_entropy: {
    ...loss('CrossEntropyLoss'),
    call: (c) => `${c.module}(${c.inputs[0]}, ${c.inputs[1]}.long())`,
  },
  bce_with_logits: loss('BCEWithLogitsLoss'),
};

/** The form of an op, or undefined when it has none. */
export function pytorchForm(op: string): PyTorchForm | undefined {
  return Object.prototype.hasOwnProperty.call(PYTORCH_FORMS, op) ? PYTORCH_FORMS[op] : undefined;
}
