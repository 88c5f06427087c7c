/**
 * One row per registry op: the shapes and attributes the op tests run it on, how to draw its
 * inputs, and calls it must reject. test/engine/ops/ops.test.ts fails for a registry op without a row.
 */
import { Tensor, type Shape } from '../../../engine/tensor/tensor.js';
import type { Rng } from '../../../engine/tensor/random.js';
import type { OpName } from '../../../engine/ops/registry.js';

/**
 * How an input's values are drawn: standard normal by default; 'wide' is normal times 4 (to reach
 * the outer pieces of clip and the hard activations).
 */
export type Gen = 'normal' | 'wide' | 'positive' | 'unit' | { classes: number };

/** A float64 tensor of the shape with values drawn as `gen` says. */
export function draw(rng: Rng, shape: Shape, gen: Gen = 'normal'): Tensor {
  const t = Tensor.zeros(shape, 'float64');
  for (let i = 0; i < t.size; i++) {
    if (gen === 'normal') t.data[i] = rng.normal();
    else if (gen === 'wide') t.data[i] = 4 * rng.normal();
    else if (gen === 'positive') t.data[i] = rng.uniform(0.5, 2);
    else if (gen === 'unit') t.data[i] = rng.next();
    else t.data[i] = rng.int(gen.classes);
  }
  return t;
}

export interface BadCall {
  inputs: Shape[];
  attrs?: Record<string, unknown>;
  /** The error must match this (beyond naming the op, which every error must). */
  message: RegExp;
}

export interface OpSpecRow {
  op: OpName;
  /** Names a second row of the same op (another mode or layout); defaults to the op name. */
  id?: string;
  /** Shapes of the data inputs, in port order (parameters follow from the attributes). */
  inputs: Shape[];
  attrs?: Record<string, unknown>;
  gen?: Record<string, Gen>;
  /** Run in training mode (default true). */
  training?: boolean;
  /** For an op with several outputs: the one this row checks (default 0). */
  output?: number;
  bad?: BadCall[];
}

const unary = (op: OpName, gen: Gen = 'normal', attrs: Record<string, unknown> = {}): OpSpecRow => ({
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
  { op: 'maximum', inputs: [[3, 4], [4]], bad: broadcastBad },
  {
    op: 'minimum',
    inputs: [
      [2, 3, 4],
      [3, 1],
    ],
    bad: broadcastBad,
  },
  { op: 'pow', inputs: [[3, 4], [4]], gen: { a: 'positive' }, bad: broadcastBad },
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
  // Spread wide enough that clip's and the hard activations' pieces are all visited.
  { op: 'clip', inputs: [[4, 5]], attrs: { min: -0.5, max: 0.8 }, gen: { x: 'wide' } },
  { op: 'clip', id: 'clip/relu6', inputs: [[4, 5]], attrs: { min: 0, max: 6 }, gen: { x: 'wide' } },
  { op: 'clip', id: 'clip/min-only', inputs: [[3, 4]], attrs: { min: 0.1 } },
  { op: 'hardsigmoid', inputs: [[4, 5]], gen: { x: 'wide' } },
  { op: 'hardswish', inputs: [[4, 5]], gen: { x: 'wide' } },
  unary('softsign'),
  unary('mish'),
  {
    op: 'prelu',
    inputs: [[2, 3, 2, 2]],
    attrs: { num_parameters: 3 },
    bad: [{ inputs: [[2, 3, 4]], attrs: { num_parameters: 4 }, message: /num_parameters.*\[2, 3, 4\]: 3/ }],
  },
  { op: 'prelu', id: 'prelu/shared', inputs: [[3, 4]] },
  unary('exp'),
  unary('log', 'positive'),
  unary('sqrt', 'positive'),
  unary('square'),
  unary('abs'),
  unary('neg'),
  unary('sin'),
  unary('sign'),
  { op: 'hardshrink', inputs: [[4, 5]], attrs: { lambd: 1 }, gen: { x: 'wide' } },
  { op: 'softshrink', inputs: [[4, 5]], attrs: { lambd: 1 }, gen: { x: 'wide' } },
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
      {
        inputs: [
          [2, 3, 4],
          [3, 4, 2],
        ],
        message: /batch axes.*\[2\] and \[3\]/,
      },
    ],
  },
  {
    op: 'matmul',
    id: 'matmul/batched-broadcast',
    inputs: [
      [2, 1, 3, 4],
      [3, 4, 2],
    ],
  },
  {
    op: 'matmul',
    id: 'matmul/vector-matrix',
    inputs: [[4], [2, 4, 3]],
  },
  {
    op: 'matmul',
    id: 'matmul/matrix-vector',
    inputs: [[2, 3, 4], [4]],
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
    bad: [
      { inputs: [[3, 4]], attrs: { axis: 2 }, message: /axis 2.*\[3, 4\]/ },
      { inputs: [[3, 4]], attrs: { axis: [1, -1] }, message: /names an axis twice.*\[3, 4\]/ },
    ],
  },
  { op: 'sum', id: 'sum/axes-keepdim', inputs: [[2, 3, 4]], attrs: { axis: [0, 2], keepdim: true } },
  { op: 'mean', inputs: [[2, 3, 4]], attrs: { axis: -2, keepdim: true } },
  { op: 'mean', id: 'mean/axes', inputs: [[2, 3, 4]], attrs: { axis: [-1, 1] } },
  { op: 'max', inputs: [[3, 4, 2]], attrs: { axis: 1 } },
  { op: 'max', id: 'max/all', inputs: [[3, 4]] },
  { op: 'min', inputs: [[2, 3, 4]], attrs: { axis: [0, 2], keepdim: true } },
  { op: 'var', inputs: [[3, 5]], attrs: { axis: 1 } },
  { op: 'var', id: 'var/axes-population', inputs: [[2, 3, 4]], attrs: { axis: [0, 2], correction: 0 } },
  { op: 'std', inputs: [[2, 3, 4]], attrs: { axis: -1, keepdim: true } },
  { op: 'std', id: 'std/all', inputs: [[3, 4]] },
  { op: 'argmax', inputs: [[3, 5]], attrs: { axis: 1 } },
  { op: 'argmax', id: 'argmax/flat-keepdim', inputs: [[2, 3, 4]], attrs: { keepdim: true } },
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
    op: 'swapaxes',
    inputs: [[2, 3, 4]],
    bad: [{ inputs: [[2, 3]], attrs: { axis0: 0, axis1: 2 }, message: /axis 2.*\[2, 3\]/ }],
  },
  { op: 'swapaxes', id: 'swapaxes/0-2', inputs: [[2, 3, 4]], attrs: { axis0: 0, axis1: 2 } },
  { op: 'squeeze', inputs: [[2, 1, 3, 1]] },
  { op: 'squeeze', id: 'squeeze/axis', inputs: [[2, 1, 3, 1]], attrs: { axis: [1, 2] } },
  {
    op: 'unsqueeze',
    inputs: [[2, 3]],
    attrs: { axis: -1 },
    bad: [{ inputs: [[2, 3]], attrs: { axis: 3 }, message: /axis 3.*\[2, 3, 1\]/ }],
  },
  {
    op: 'slice',
    inputs: [[3, 5, 4]],
    attrs: { axes: [1, -1], starts: [1, -3], ends: [100, 4], steps: [2, 1] },
    bad: [
      {
        inputs: [[3, 5]],
        attrs: { axes: [1], starts: [4], ends: [2] },
        message: /axis 1.*\[4:2:1\] selects nothing of its 5 entries in x \[3, 5\]/,
      },
      { inputs: [[3, 5]], attrs: { axes: [1], starts: [0], ends: [5], steps: [0] }, message: /step 0/ },
    ],
  },
  {
    op: 'expand',
    inputs: [[3, 1]],
    attrs: { shape: [2, -1, 4] },
    bad: [{ inputs: [[3, 2]], attrs: { shape: [3, 4] }, message: /\[3, 2\].*\[3, 4\].*axis 1 has size 2/ }],
  },
  {
    op: 'tile',
    inputs: [[2, 3]],
    attrs: { reps: [2, 1, 2] },
    bad: [{ inputs: [[2, 3]], attrs: { reps: [0, 1] }, message: /reps \[0, 1\].*\[2, 3\]/ }],
  },
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
    op: 'concat',
    id: 'concat of four along the last axis',
    inputs: [
      [2, 3, 2],
      [2, 3, 1],
      [2, 3, 4],
      [2, 3, 2],
    ],
    attrs: { axis: -1, count: 4 },
    bad: [
      {
        inputs: [
          [2, 3],
          [2, 3],
          [3, 3],
        ],
        attrs: { axis: 1, count: 3 },
        message: /a \[2, 3\] and c \[3, 3\]/,
      },
    ],
  },
  {
    op: 'stack',
    inputs: [
      [2, 3],
      [2, 3],
      [2, 3],
    ],
    attrs: { count: 3 },
    bad: [
      {
        inputs: [
          [2, 3],
          [2, 4],
        ],
        attrs: { count: 2 },
        message: /a \[2, 3\] and b \[2, 4\]/,
      },
    ],
  },
  {
    op: 'split',
    inputs: [[2, 5, 3]],
    attrs: { sizes: [1, 3, 1] },
    output: 1,
    bad: [{ inputs: [[2, 5, 3]], attrs: { sizes: [2, 2] }, message: /sizes \[2, 2\].*\(5\)/ }],
  },
  {
    op: 'split',
    id: 'split in equal parts, the last one',
    inputs: [[2, 3, 4]],
    attrs: { axis: -1, parts: 2 },
    output: 1,
    bad: [{ inputs: [[2, 3, 5]], message: /5 entries, which don't make 2 equal parts/ }],
  },
  {
    op: 'constant',
    inputs: [],
    attrs: { shape: [2, 3] },
    bad: [{ inputs: [], attrs: { shape: [2, 0] }, message: /shape must list positive sizes/ }],
  },
  {
    op: 'embedding',
    inputs: [[3, 4]],
    attrs: { num: 5, dim: 3 },
    gen: { indices: { classes: 5 } },
  },
  {
    op: 'scaled_dot_product_attention',
    inputs: [
      [2, 2, 3, 4],
      [2, 2, 5, 4],
      [2, 2, 5, 3],
    ],
    bad: [
      {
        inputs: [
          [2, 3, 4],
          [2, 5, 6],
          [2, 5, 3],
        ],
        message: /q \[2, 3, 4\] and k \[2, 5, 6\] differ in the last axis \(4 vs 6\)/,
      },
      {
        inputs: [
          [2, 3, 4],
          [2, 5, 4],
          [2, 6, 3],
        ],
        message: /k \[2, 5, 4\] and v \[2, 6, 3\] differ in the second-to-last axis \(5 vs 6\)/,
      },
      {
        inputs: [
          [2, 3, 4],
          [3, 5, 4],
          [3, 5, 4],
        ],
        message: /batch axes/,
      },
    ],
  },
  {
    op: 'scaled_dot_product_attention',
    id: 'scaled_dot_product_attention/k and v shared by the heads',
    inputs: [
      [2, 3, 4, 2],
      [2, 1, 5, 2],
      [2, 1, 5, 3],
    ],
  },
  {
    op: 'scaled_dot_product_attention',
    id: 'scaled_dot_product_attention/causal, q [3, T, d] and k [2, 1, S, d] broadcast both ways, v [S, dv]',
    inputs: [
      [3, 4, 3],
      [2, 1, 4, 3],
      [4, 2],
    ],
    attrs: { causal: true },
  },
  {
    op: 'scaled_dot_product_attention',
    id: 'scaled_dot_product_attention/causal with a scale',
    inputs: [
      [2, 4, 3],
      [2, 4, 3],
      [2, 4, 2],
    ],
    attrs: { causal: true, scale: 0.7 },
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
    op: 'cross_entropy',
    id: 'cross_entropy/N-C-T',
    inputs: [
      [3, 4, 5],
      [3, 5],
    ],
    attrs: { reduction: 'mean' },
    gen: { target: { classes: 4 } },
  },
  {
    op: 'bce_with_logits',
    inputs: [
      [4, 2],
      [4, 2],
    ],
    gen: { target: 'unit' },
  },
  {
    op: 'layer_norm',
    inputs: [[3, 5]],
    bad: [{ inputs: [[3, 5]], attrs: { axis: 0 }, message: /last axis.*\[3, 5\]/ }],
  },
  {
    op: 'batch_norm',
    inputs: [[4, 3]],
    bad: [{ inputs: [[4]], message: /\[N, C\].*\[4\]/ }],
  },
  { op: 'batch_norm', id: 'batch_norm/NCHW', inputs: [[2, 3, 2, 2]] },
  { op: 'batch_norm', id: 'batch_norm/eval', inputs: [[4, 3]], training: false },
  { op: 'batch_norm', id: 'batch_norm/NCL', inputs: [[3, 2, 4]] },
  {
    op: 'group_norm',
    inputs: [[2, 4, 3, 2]],
    attrs: { num_groups: 2 },
    bad: [
      { inputs: [[2, 6, 3]], attrs: { num_groups: 4 }, message: /6 channels.*\[2, 6, 3\].*num_groups 4/ },
    ],
  },
  { op: 'group_norm', id: 'group_norm/NC-plain', inputs: [[3, 4]], attrs: { num_groups: 1, affine: false } },
  {
    op: 'instance_norm',
    inputs: [[2, 3, 5]],
    bad: [{ inputs: [[4, 3]], message: /rank ≥ 3.*\[4, 3\]/ }],
  },
  { op: 'instance_norm', id: 'instance_norm/affine', inputs: [[2, 2, 3, 2]], attrs: { affine: true } },
  { op: 'dropout', inputs: [[4, 5]], attrs: { p: 0.3 } },
  { op: 'dropout', id: 'dropout/eval', inputs: [[4, 5]], training: false },
  {
    op: 'conv3d',
    inputs: [[2, 2, 4, 3, 4]],
    attrs: { outChannels: 3, kernel: [2, 2, 3], stride: [1, 2, 1], padding: [1, 0, 0, 1, 1, 0] },
    bad: [
      { inputs: [[2, 2, 4, 3]], message: /x must be \[N, C, D, H, W\]/ },
      {
        inputs: [[2, 3, 4, 3, 4]],
        attrs: { outChannels: 2, kernel: 2, groups: 2 },
        message: /groups 2 does not divide the 3 input channels/,
      },
    ],
  },
  {
    op: 'conv3d',
    id: 'conv3d/groups-dilation-no-bias',
    inputs: [[1, 4, 5, 4, 5]],
    attrs: { outChannels: 2, kernel: 2, groups: 2, dilation: [2, 1, 2], stride: 2, bias: false },
  },
  {
    op: 'conv2d',
    inputs: [[2, 2, 5, 4]],
    attrs: { outChannels: 3, kernel: 3, stride: 2, padding: 1 },
    bad: [
      { inputs: [[2, 2, 2, 2]], attrs: { outChannels: 3, kernel: 5 }, message: /5×5.*\[2, 2, 2, 2\]/ },
      {
        inputs: [[2, 3, 5, 5]],
        attrs: { outChannels: 4, kernel: 3, groups: 2 },
        message: /groups 2 does not divide the 3 input channels/,
      },
      {
        inputs: [[2, 2, 5, 5]],
        attrs: { outChannels: 2, kernel: 3, padding: 2 },
        message: /padding 2 is more than half/,
      },
      {
        inputs: [[2, 2, 5, 5]],
        attrs: { outChannels: 2, kernel: 3, stride: 2, padding: 'same' },
        message: /'same' needs stride 1/,
      },
    ],
  },
  {
    op: 'conv2d',
    id: 'conv2d/no-bias',
    inputs: [[1, 2, 4, 4]],
    attrs: { outChannels: 2, kernel: 2, bias: false },
  },
  {
    op: 'conv2d',
    id: 'conv2d/groups-dilation-per-side',
    inputs: [[2, 4, 6, 7]],
    attrs: {
      outChannels: 6,
      kernel: [2, 3],
      stride: [2, 1],
      dilation: [1, 2],
      groups: 2,
      padding: [1, 0, 2, 1],
    },
  },
  {
    op: 'conv2d',
    id: 'conv2d/depthwise-same',
    inputs: [[1, 3, 4, 4]],
    attrs: { outChannels: 3, kernel: 3, groups: 3, padding: 'same' },
  },
  {
    op: 'conv1d',
    inputs: [[2, 4, 9]],
    attrs: { outChannels: 4, kernel: 3, stride: 2, padding: [1, 2], dilation: 2, groups: 2 },
    bad: [{ inputs: [[2, 4, 3]], attrs: { outChannels: 2, kernel: 5 }, message: /5 kernel.*\[2, 4, 3\]/ }],
  },
  {
    op: 'conv_transpose2d',
    inputs: [[2, 4, 3, 3]],
    attrs: { outChannels: 6, kernel: [3, 2], stride: 2, padding: 1, output_padding: 1, groups: 2 },
    bad: [
      {
        inputs: [[2, 4, 3, 3]],
        attrs: { outChannels: 2, kernel: 3, stride: 2, output_padding: 2 },
        message: /output_padding 2 must be smaller/,
      },
    ],
  },
  {
    op: 'conv_transpose2d',
    id: 'conv_transpose2d/dilated-no-bias',
    inputs: [[1, 2, 3, 4]],
    attrs: { outChannels: 2, kernel: 2, dilation: 2, bias: false },
  },
  {
    op: 'max_pool2d',
    inputs: [[2, 2, 5, 5]],
    attrs: { kernel: 3, stride: 2, padding: 1 },
    bad: [
      { inputs: [[2, 5, 5]], attrs: { kernel: 2 }, message: /\[N, C, H, W\].*\[2, 5, 5\]/ },
      { inputs: [[2, 2, 5, 5]], attrs: { kernel: 3, padding: 2 }, message: /padding 2 is more than half/ },
      { inputs: [[2, 2, 2, 2]], attrs: { kernel: 3 }, message: /3×3 kernel is larger than x \[2, 2, 2, 2\]/ },
    ],
  },
  {
    op: 'max_pool2d',
    id: 'max_pool2d/dilated-ceil',
    inputs: [[2, 2, 6, 7]],
    attrs: { kernel: [3, 2], stride: 2, dilation: [1, 2], padding: 1, ceil_mode: true },
  },
  { op: 'max_pool1d', inputs: [[2, 3, 9]], attrs: { kernel: 3, stride: 2, padding: 1, ceil_mode: true } },
  { op: 'avg_pool2d', inputs: [[2, 2, 6, 6]], attrs: { kernel: 2 } },
  {
    op: 'avg_pool2d',
    id: 'avg_pool2d/ceil-exclude-pad',
    inputs: [[2, 2, 5, 6]],
    attrs: { kernel: 3, stride: 2, padding: 1, ceil_mode: true, count_include_pad: false },
  },
  {
    op: 'avg_pool2d',
    id: 'avg_pool2d/ceil-include-pad',
    inputs: [[2, 2, 5, 6]],
    attrs: { kernel: [3, 2], stride: [2, 1], padding: [1, 1], ceil_mode: true },
  },
  { op: 'avg_pool1d', inputs: [[2, 2, 7]], attrs: { kernel: 3, stride: 2, padding: 1, ceil_mode: true } },
  {
    op: 'global_avg_pool',
    inputs: [[2, 3, 4, 5]],
    bad: [{ inputs: [[2, 3]], message: /at least one spatial axis/ }],
  },
  { op: 'global_max_pool', inputs: [[2, 3, 5]] },
  {
    op: 'pad',
    inputs: [[2, 3, 4, 5]],
    attrs: { pad: [1, 2, 2, 0], value: 0.5 },
    bad: [
      { inputs: [[2, 3]], attrs: { pad: [1, 1, 1, 1] }, message: /pad covers 2 axes/ },
      {
        inputs: [[2, 3, 4]],
        attrs: { pad: [4, 0], mode: 'reflect' },
        message: /reflect padding 4 must be less than the size 4/,
      },
    ],
  },
  { op: 'pad', id: 'pad/reflect', inputs: [[2, 3, 4, 5]], attrs: { pad: [2, 1, 1, 3], mode: 'reflect' } },
  { op: 'pad', id: 'pad/replicate', inputs: [[2, 3, 4]], attrs: { pad: [3, 0], mode: 'replicate' } },
];
