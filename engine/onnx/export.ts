/**
 * Graph document + weights → ONNX model (opset 17). Exports the inference graph: the nodes the
 * prediction depends on (the value feeding the loss's first port), not the target or the loss.
 * One row per registry op in EXPORT_ROWS emits the ONNX nodes and initializers for it; an op
 * without a row is named in the error. Node names follow PyTorch's `/<module>/<Op>` pattern
 * with the node id as the module, so importing the file back gives the same ids.
 */
import { analyzeGraph, forwardPath, sourceKeys, valueKey, type ResolvedNode } from '../graph/check.js';
import type { GraphDoc, NodeId } from '../graph/document.js';
import type { Attrs } from '../ops/define.js';
import type { OpName } from '../ops/registry.js';
import { paddingOf, perAxis, type Sizes, type Spatial } from '../ops/window.js';
import { attr, makeGraph, makeModel, makeNode, tensorValueInfo } from './builder.js';
import { AttributeProto, DataType, encodeModel, ModelProto, NodeProto, TensorProto } from './onnx-proto.js';
import { floatTensor, int64Tensor } from './tensor-data.js';
import type { Weights } from '../graph/weights.js';

export const EXPORT_OPSET = 17;

/** Bad input for export: the document has errors, weights are missing, or ops have no ONNX form. */
export class OnnxExportError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message);
    this.name = 'OnnxExportError';
  }
}

interface RowContext {
  id: NodeId;
  attrs: Attrs;
  /** Value names of the op's data inputs, in port order. */
  inputs: string[];
  /** Symbolic shapes of the data inputs ('N' = batch). */
  shapes: (number | 'N')[][];
  /** Per data input: whether it is an integer graph input (an `input` of dtype int, int64 in ONNX). */
  integer: boolean[];
  /** The value this node must produce (its first output's, for an op with several). */
  output: string;
  /** The values of every output port, for an op with several (split); else [output]. */
  outputs: string[];
  /** Adds an ONNX node named `/<id>/<opType>` (suffixed when repeated), with one output or several. */
  emit(opType: string, inputs: string[], output: string | string[], attrs?: AttributeProto[]): void;
  /** An initializer holding this node's parameter or state tensor; returns its value name. */
  param(name: string): string;
  /** An initializer holding a scalar float constant; returns its value name. */
  scalar(name: string, v: number): string;
  /** An initializer holding a float tensor constant (e.g. a normalisation's unit scale). */
  floats(name: string, dims: number[], values: ArrayLike<number>): string;
  /** An initializer holding int64 values (shapes, axes); returns its value name. */
  ints(name: string, values: number[]): string;
  /** A fresh intermediate value name. */
  temp(name: string): string;
}

type Row = (c: RowContext) => void;

const num = (a: Attrs, k: string) => a[k] as number;

function unary(opType: string, attrs: (a: Attrs) => AttributeProto[] = () => []): Row {
  return (c) => c.emit(opType, [c.inputs[0]!], c.output, attrs(c.attrs));
}

function binary(opType: string): Row {
  return (c) => c.emit(opType, c.inputs, c.output);
}

/**
 * The window attributes ONNX's Conv, ConvTranspose and pools share, from a window op's attributes:
 * kernel_shape, strides, pads ([begin per axis, then end per axis]) and, where asked, dilations.
 */
function windowAttrs(a: Attrs, spatial: Spatial, withDilation: boolean): AttributeProto[] {
  const kernel = perAxis(a['kernel'] as Sizes, spatial, 1);
  const dilation = perAxis(a['dilation'] as Sizes | undefined, spatial, 1);
  const pad = paddingOf(
    a['padding'] as Sizes,
    spatial,
    kernel.map((k, i) => dilation[i]! * (k - 1) + 1),
  );
  const out = [
    attr.ints('kernel_shape', kernel),
    attr.ints('strides', perAxis((a['stride'] ?? a['kernel']) as Sizes, spatial, 1)),
    attr.ints('pads', [...pad.before, ...pad.after]),
  ];
  if (withDilation) out.push(attr.ints('dilations', dilation));
  return out;
}

function conv(spatial: Spatial): Row {
  return (c) => {
    const inputs = [c.inputs[0]!, c.param('weight')];
    if (c.attrs['bias'] !== false) inputs.push(c.param('bias'));
    c.emit('Conv', inputs, c.output, [
      ...windowAttrs(c.attrs, spatial, true),
      attr.int('group', num(c.attrs, 'groups')),
    ]);
  };
}

function pool(opType: 'MaxPool' | 'AveragePool', spatial: Spatial): Row {
  return (c) => {
    const attrs = [
      ...windowAttrs(c.attrs, spatial, opType === 'MaxPool'),
      attr.int('ceil_mode', c.attrs['ceil_mode'] ? 1 : 0),
    ];
    if (opType === 'AveragePool')
      attrs.push(attr.int('count_include_pad', c.attrs['count_include_pad'] ? 1 : 0));
    c.emit(opType, [c.inputs[0]!], c.output, attrs);
  };
}

/** stack: every input gets the new axis (Unsqueeze takes its axes as an input since opset 13), then Concat. */
const stackRow: Row = (c) => {
  const raw = num(c.attrs, 'axis');
  const axis = raw < 0 ? raw + c.shapes[0]!.length + 1 : raw;
  const axes = c.ints('axes', [axis]);
  const unsqueezed = c.inputs.map((x) => {
    const t = c.temp('unsqueezed');
    c.emit('Unsqueeze', [x, axes], t);
    return t;
  });
  c.emit('Concat', unsqueezed, c.output, [attr.int('axis', axis)]);
};

/** F.pad's amounts (last axis first, before/after) as ONNX Pad's (every axis: all begins, then all ends). */
const padRow: Row = (c) => {
  const pads = c.attrs['pad'] as number[];
  const rank = c.shapes[0]!.length;
  const begin = new Array<number>(rank).fill(0);
  const end = new Array<number>(rank).fill(0);
  for (let k = 0; k < pads.length / 2; k++) {
    begin[rank - 1 - k] = pads[2 * k]!;
    end[rank - 1 - k] = pads[2 * k + 1]!;
  }
  const mode = c.attrs['mode'] as string;
  const inputs = [c.inputs[0]!, c.ints('pads', [...begin, ...end])];
  if (mode === 'constant') inputs.push(c.scalar('value', num(c.attrs, 'value')));
  c.emit('Pad', inputs, c.output, [attr.string('mode', mode === 'replicate' ? 'edge' : mode)]);
};

/** gelu(x) = x · 0.5 · (1 + erf(x / √2)), the form PyTorch exports before opset 20 (import fuses it back). */
const gelu: Row = (c) => {
  const x = c.inputs[0]!;
  const [u, e, a, m] = ['div', 'erf', 'add', 'mul'].map((n) => c.temp(n)) as [string, string, string, string];
  c.emit('Div', [x, c.scalar('sqrt2', Math.SQRT2)], u);
  c.emit('Erf', [u], e);
  c.emit('Add', [e, c.scalar('one', 1)], a);
  c.emit('Mul', [x, a], m);
  c.emit('Mul', [m, c.scalar('half', 0.5)], c.output);
};

/** gelu_tanh(x) = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))). */
const geluTanh: Row = (c) => {
  const x = c.inputs[0]!;
  const t = (n: string) => c.temp(n);
  const [x3, k, inner, scaled, th, onePlus, half] = [
    'cube',
    'k',
    'inner',
    'scaled',
    'tanh',
    'one_plus',
    'half_x',
  ].map(t) as string[];
  c.emit('Pow', [x, c.scalar('three', 3)], x3!);
  c.emit('Mul', [x3!, c.scalar('coeff', 0.044715)], k!);
  c.emit('Add', [x, k!], inner!);
  c.emit('Mul', [inner!, c.scalar('sqrt_2_over_pi', Math.sqrt(2 / Math.PI))], scaled!);
  c.emit('Tanh', [scaled!], th!);
  c.emit('Add', [th!, c.scalar('one', 1)], onePlus!);
  c.emit('Mul', [x, c.scalar('half', 0.5)], half!);
  c.emit('Mul', [half!, onePlus!], c.output);
};

/** Clip takes its bounds as inputs since opset 11; an absent one is the empty name. */
const clip: Row = (c) => {
  const bound = (k: 'min' | 'max') => (typeof c.attrs[k] === 'number' ? c.scalar(k, num(c.attrs, k)) : '');
  const inputs = [c.inputs[0]!, bound('min'), bound('max')];
  while (inputs[inputs.length - 1] === '') inputs.pop();
  c.emit('Clip', inputs, c.output);
};

/** mish(x) = x · tanh(softplus(x)): ONNX's Mish arrives in opset 18. */
const mish: Row = (c) => {
  const [sp, th] = [c.temp('softplus'), c.temp('tanh')];
  c.emit('Softplus', [c.inputs[0]!], sp);
  c.emit('Tanh', [sp], th);
  c.emit('Mul', [c.inputs[0]!, th], c.output);
};

/** PRelu broadcasts its slope from the right: a per-channel slope becomes [C, 1, ...]. */
const prelu: Row = (c) => {
  const rank = c.shapes[0]!.length;
  const k = num(c.attrs, 'num_parameters');
  if (k === 1 || rank <= 2) return c.emit('PRelu', [c.inputs[0]!, c.param('weight')], c.output);
  const slope = c.temp('slope');
  c.emit(
    'Reshape',
    [c.param('weight'), c.ints('slope_shape', [k, ...Array<number>(rank - 2).fill(1)])],
    slope,
  );
  c.emit('PRelu', [c.inputs[0]!, slope], c.output);
};

/** Per-channel weight and bias of an affine normalisation, or ones and zeros. */
function scaleAndBias(c: RowContext, channels: number): [string, string] {
  if (c.attrs['affine']) return [c.param('weight'), c.param('bias')];
  return [
    c.floats('scale', [channels], new Float64Array(channels).fill(1)),
    c.floats('bias', [channels], new Float64Array(channels)),
  ];
}

const instanceNorm: Row = (c) => {
  const ch = c.shapes[0]![1] as number;
  c.emit('InstanceNormalization', [c.inputs[0]!, ...scaleAndBias(c, ch)], c.output, [
    attr.float('epsilon', num(c.attrs, 'eps')),
  ]);
};

/**
 * group_norm as PyTorch exports it before opset 18: reshape to [N, G, -1], instance-normalise
 * (unit scale), reshape back, then the per-channel weight and bias ([C, 1, ...] to broadcast).
 */
const groupNorm: Row = (c) => {
  const shape = c.shapes[0]!;
  const ch = shape[1] as number;
  const g = num(c.attrs, 'num_groups');
  const [grouped, normed, back] = [c.temp('grouped'), c.temp('normed'), c.temp('ungrouped')];
  c.emit('Reshape', [c.inputs[0]!, c.ints('group_shape', [0, g, -1])], grouped);
  c.emit(
    'InstanceNormalization',
    [
      grouped,
      c.floats('unit_scale', [g], new Float64Array(g).fill(1)),
      c.floats('zero_bias', [g], new Float64Array(g)),
    ],
    normed,
    [attr.float('epsilon', num(c.attrs, 'eps'))],
  );
  const xShape = c.ints('x_shape', [0, ...(shape.slice(1) as number[])]);
  c.emit('Reshape', [normed, xShape], c.attrs['affine'] ? back : c.output);
  if (!c.attrs['affine']) return;
  const perChannel = [ch, ...Array<number>(shape.length - 2).fill(1)];
  const [w, b, scaled] = [c.temp('weight'), c.temp('bias'), c.temp('scaled')];
  c.emit('Reshape', [c.param('weight'), c.ints('channel_shape', perChannel)], w);
  c.emit('Reshape', [c.param('bias'), c.ints('channel_shape', perChannel)], b);
  c.emit('Mul', [back, w], scaled);
  c.emit('Add', [scaled, b], c.output);
};

const keepdims = (c: RowContext): AttributeProto => attr.int('keepdims', c.attrs['keepdim'] ? 1 : 0);

/** A reduction's axes as ONNX lists them, or null for all of them (absent or []: every axis). */
function reducedAxesOf(c: RowContext): number[] | null {
  const axis = c.attrs['axis'] as number | readonly number[] | undefined;
  const list = axis === undefined ? [] : typeof axis === 'number' ? [axis] : axis;
  return list.length ? list.slice() : null;
}

/** The reductions that still take their axes as an attribute in opset 17. */
function reduceWithAxesAttr(opType: string): Row {
  return (c) => {
    const axes = reducedAxesOf(c);
    c.emit(opType, [c.inputs[0]!], c.output, [keepdims(c), ...(axes ? [attr.ints('axes', axes)] : [])]);
  };
}

/**
 * var and std (ONNX has no variance): Σ (x - mean)² / (n - correction), with n the size of the
 * reduced axes, which must be known: a reduction over the batch axis has no fixed n to export.
 */
function spread(sqrt: boolean): Row {
  return (c) => {
    const shape = c.shapes[0]!;
    const axes = reducedAxesOf(c) ?? shape.map((_, i) => i);
    const sizes = axes.map((a) => shape[a < 0 ? a + shape.length : a]!);
    if (sizes.includes('N'))
      throw new OnnxExportError(
        `node '${c.id}': ${sqrt ? 'std' : 'var'} over the batch axis has no fixed count to divide by in ONNX; reduce over other axes`,
      );
    const n = (sizes as number[]).reduce((p, d) => p * d, 1);
    const [mu, d, sq, total] = ['mean', 'centred', 'squared', 'total'].map((k) => c.temp(k)) as string[];
    c.emit('ReduceMean', [c.inputs[0]!], mu!, [attr.int('keepdims', 1), attr.ints('axes', axes)]);
    c.emit('Sub', [c.inputs[0]!, mu!], d!);
    c.emit('Mul', [d!, d!], sq!);
    c.emit('ReduceSum', [sq!, c.ints('axes', axes)], total!, [keepdims(c)]);
    const divisor = c.scalar('divisor', n - num(c.attrs, 'correction'));
    if (!sqrt) return c.emit('Div', [total!, divisor], c.output);
    const v = c.temp('var');
    c.emit('Div', [total!, divisor], v);
    c.emit('Sqrt', [v], c.output);
  };
}

/**
 * One row per registry op (the compiler insists): how it becomes ONNX nodes, or null where it has
 * no ONNX form (data ops are the graph's input, losses are not part of the inference graph);
 * export refuses such an op by name.
 */
export const EXPORT_ROWS: Record<OpName, Row | null> = {
  input: null,
  target: null,
  mse_loss: null,
  huber_loss: null,
  cross_entropy: null,
  bce_with_logits: null,
  linear: (c) => {
    const inputs = [c.inputs[0]!, c.param('weight')];
    if (c.attrs['bias'] !== false) inputs.push(c.param('bias'));
    if (c.shapes[0]!.length === 2) {
      c.emit('Gemm', inputs, c.output, [
        attr.float('alpha', 1),
        attr.float('beta', 1),
        attr.int('transB', 1),
      ]);
      return;
    }
    // Gemm is 2-D only: x · Wᵀ (+ b) for inputs with more axes.
    const wt = c.temp('weight_t');
    c.emit('Transpose', [inputs[1]!], wt, [attr.ints('perm', [1, 0])]);
    if (inputs.length === 2) return c.emit('MatMul', [inputs[0]!, wt], c.output);
    const mm = c.temp('matmul');
    c.emit('MatMul', [inputs[0]!, wt], mm);
    c.emit('Add', [mm, inputs[2]!], c.output);
  },
  matmul: binary('MatMul'),
  add: binary('Add'),
  sub: binary('Sub'),
  mul: binary('Mul'),
  div: binary('Div'),
  maximum: binary('Max'),
  minimum: binary('Min'),
  pow: binary('Pow'),
  relu: unary('Relu'),
  leaky_relu: unary('LeakyRelu', (a) => [attr.float('alpha', num(a, 'negative_slope'))]),
  elu: unary('Elu', (a) => [attr.float('alpha', num(a, 'alpha'))]),
  selu: unary('Selu'),
  sigmoid: unary('Sigmoid'),
  tanh: unary('Tanh'),
  softplus: unary('Softplus'),
  clip,
  hardsigmoid: unary('HardSigmoid', () => [attr.float('alpha', 1 / 6), attr.float('beta', 0.5)]),
  hardswish: unary('HardSwish'),
  softsign: unary('Softsign'),
  mish,
  prelu,
  silu: (c) => {
    const s = c.temp('sigmoid');
    c.emit('Sigmoid', [c.inputs[0]!], s);
    c.emit('Mul', [c.inputs[0]!, s], c.output);
  },
  gelu,
  gelu_tanh: geluTanh,
  exp: unary('Exp'),
  log: unary('Log'),
  sqrt: unary('Sqrt'),
  square: (c) => c.emit('Mul', [c.inputs[0]!, c.inputs[0]!], c.output),
  abs: unary('Abs'),
  sign: unary('Sign'),
  hardshrink: unary('Shrink', (a) => [attr.float('lambd', num(a, 'lambd')), attr.float('bias', 0)]),
  softshrink: unary('Shrink', (a) => [
    attr.float('lambd', num(a, 'lambd')),
    attr.float('bias', num(a, 'lambd')),
  ]),
  neg: unary('Neg'),
  sin: unary('Sin'),
  softmax: unary('Softmax', (a) => [attr.int('axis', num(a, 'axis'))]),
  log_softmax: unary('LogSoftmax', (a) => [attr.int('axis', num(a, 'axis'))]),
  sum: (c) => {
    const axes = reducedAxesOf(c);
    // ReduceSum takes its axes as an input since opset 13; no axes reduces everything.
    c.emit('ReduceSum', axes ? [c.inputs[0]!, c.ints('axes', axes)] : [c.inputs[0]!], c.output, [
      keepdims(c),
    ]);
  },
  mean: reduceWithAxesAttr('ReduceMean'),
  max: reduceWithAxesAttr('ReduceMax'),
  min: reduceWithAxesAttr('ReduceMin'),
  var: spread(false),
  std: spread(true),
  argmax: (c) => {
    const axis = c.attrs['axis'] as number | undefined;
    const index = c.temp('index');
    if (axis !== undefined) c.emit('ArgMax', [c.inputs[0]!], index, [attr.int('axis', axis), keepdims(c)]);
    else {
      // torch.argmax without an axis searches the flattened x.
      const flat = c.temp('flat');
      c.emit('Reshape', [c.inputs[0]!, c.ints('flat_shape', [-1])], flat);
      c.emit('ArgMax', [flat], index, [attr.int('axis', 0), attr.int('keepdims', 0)]);
    }
    const ones = c.shapes[0]!.map(() => 1);
    const cast = axis === undefined && c.attrs['keepdim'] ? c.temp('cast') : c.output;
    // The engine carries indices as floats.
    c.emit('Cast', [index], cast, [attr.int('to', DataType.FLOAT)]);
    if (cast !== c.output) c.emit('Reshape', [cast, c.ints('ones', ones)], c.output);
  },
  transpose: (c) => {
    const perm = c.attrs['perm'] as number[];
    const rank = c.shapes[0]!.length;
    c.emit('Transpose', [c.inputs[0]!], c.output, [
      attr.ints('perm', perm.length ? perm : Array.from({ length: rank }, (_, i) => rank - 1 - i)),
    ]);
  },
  swapaxes: (c) => {
    const rank = c.shapes[0]!.length;
    const [a, b] = [num(c.attrs, 'axis0'), num(c.attrs, 'axis1')].map((v) => (v < 0 ? v + rank : v));
    const perm = Array.from({ length: rank }, (_, i) => (i === a ? b! : i === b ? a! : i));
    c.emit('Transpose', [c.inputs[0]!], c.output, [attr.ints('perm', perm)]);
  },
  // torch leaves a named axis whose size is not 1 in place; ONNX would refuse it, so it is not named.
  squeeze: (c) => {
    const shape = c.shapes[0]!;
    const axis = c.attrs['axis'] as number | readonly number[] | undefined;
    const named =
      axis === undefined
        ? null
        : (typeof axis === 'number' ? [axis] : axis).map((a) => (a < 0 ? a + shape.length : a));
    const axes = shape.flatMap((d, i) => (d === 1 && (!named || named.includes(i)) ? [i] : []));
    if (axes.length === 0) return c.emit('Identity', [c.inputs[0]!], c.output);
    c.emit('Squeeze', [c.inputs[0]!, c.ints('axes', axes)], c.output);
  },
  unsqueeze: (c) => c.emit('Unsqueeze', [c.inputs[0]!, c.ints('axes', [num(c.attrs, 'axis')])], c.output),
  slice: (c) => {
    const list = (k: string) => (c.attrs[k] as number[]).slice();
    const axes = list('axes');
    const steps = list('steps');
    c.emit(
      'Slice',
      [
        c.inputs[0]!,
        c.ints('starts', list('starts')),
        c.ints('ends', list('ends')),
        c.ints('axes', axes),
        c.ints('steps', steps.length ? steps : axes.map(() => 1)),
      ],
      c.output,
    );
  },
  // ONNX's Expand broadcasts both ways: a 1 keeps x's own size where torch writes -1.
  expand: (c) =>
    c.emit(
      'Expand',
      [
        c.inputs[0]!,
        c.ints(
          'shape',
          (c.attrs['shape'] as number[]).map((d) => (d === -1 ? 1 : d)),
        ),
      ],
      c.output,
    ),
  // ONNX's Tile takes one repeat per axis of x: torch.tile's reps are aligned to the last axes.
  tile: (c) => {
    const rank = c.shapes[0]!.length;
    const reps = c.attrs['reps'] as number[];
    let x = c.inputs[0]!;
    if (reps.length > rank) {
      x = c.temp('unsqueezed');
      const lead = Array.from({ length: reps.length - rank }, (_, i) => i);
      c.emit('Unsqueeze', [c.inputs[0]!, c.ints('lead_axes', lead)], x);
    }
    const full = [...new Array<number>(Math.max(0, rank - reps.length)).fill(1), ...reps];
    c.emit('Tile', [x, c.ints('repeats', full)], c.output);
  },
  reshape: (c) =>
    c.emit('Reshape', [c.inputs[0]!, c.ints('shape', (c.attrs['shape'] as number[]).slice())], c.output),
  flatten: unary('Flatten', () => [attr.int('axis', 1)]),
  conv1d: conv(1),
  conv2d: conv(2),
  conv3d: conv(3),
  conv_transpose2d: (c) => {
    const inputs = [c.inputs[0]!, c.param('weight')];
    if (c.attrs['bias'] !== false) inputs.push(c.param('bias'));
    c.emit('ConvTranspose', inputs, c.output, [
      ...windowAttrs(c.attrs, 2, true),
      attr.ints('output_padding', perAxis(c.attrs['output_padding'] as Sizes, 2, 0)),
      attr.int('group', num(c.attrs, 'groups')),
    ]);
  },
  max_pool1d: pool('MaxPool', 1),
  max_pool2d: pool('MaxPool', 2),
  avg_pool1d: pool('AveragePool', 1),
  avg_pool2d: pool('AveragePool', 2),
  global_avg_pool: unary('GlobalAveragePool'),
  global_max_pool: unary('GlobalMaxPool'),
  pad: padRow,
  layer_norm: (c) =>
    c.emit('LayerNormalization', [c.inputs[0]!, c.param('weight'), c.param('bias')], c.output, [
      attr.int('axis', num(c.attrs, 'axis')),
      attr.float('epsilon', num(c.attrs, 'eps')),
    ]),
  batch_norm: (c) =>
    c.emit(
      'BatchNormalization',
      [c.inputs[0]!, c.param('weight'), c.param('bias'), c.param('running_mean'), c.param('running_var')],
      c.output,
      // ONNX weighs the old running value by momentum; PyTorch (and the engine) the new one.
      [attr.float('epsilon', num(c.attrs, 'eps')), attr.float('momentum', 1 - num(c.attrs, 'momentum'))],
    ),
  group_norm: groupNorm,
  instance_norm: instanceNorm,
  // In an inference graph dropout passes its input through.
  dropout: unary('Identity'),
  concat: (c) => c.emit('Concat', c.inputs, c.output, [attr.int('axis', num(c.attrs, 'axis'))]),
  stack: stackRow,
  // Gather wants whole-number indices: the graph's values are floats, so they are cast first.
  embedding: (c) => {
    let indices = c.inputs[0]!;
    if (!c.integer[0]) {
      indices = c.temp('indices');
      c.emit('Cast', [c.inputs[0]!], indices, [attr.int('to', DataType.INT64)]);
    }
    c.emit('Gather', [c.param('weight'), indices], c.output, [attr.int('axis', 0)]);
  },
  // The value is an initializer; Identity names it as the node's output.
  constant: (c) => c.emit('Identity', [c.param('value')], c.output),
  scaled_dot_product_attention: (c) => sdpaRow(c),
  split: (c) => {
    const x = c.shapes[0]!;
    const raw = num(c.attrs, 'axis');
    const axis = raw < 0 ? raw + x.length : raw;
    const given = c.attrs['sizes'] as readonly number[];
    const parts = num(c.attrs, 'parts');
    const sizes = given.length ? [...given] : Array<number>(parts).fill((x[axis] as number) / parts);
    c.emit('Split', [c.inputs[0]!, c.ints('split', sizes)], c.outputs, [attr.int('axis', axis)]);
  },
};

/**
 * scaled_dot_product_attention as the nodes PyTorch's exporter writes for the formula:
 * MatMul(q, Transpose(k)), Mul by the scale, Add of a -∞ mask above the diagonal when causal,
 * Softmax over the last axis, MatMul by v (import recognises the same pattern).
 */
function sdpaRow(c: RowContext): void {
  const [q, k, v] = c.inputs as [string, string, string];
  const [qs, ks] = c.shapes as [(number | 'N')[], (number | 'N')[]];
  const rank = qs.length;
  // k's own rank: its batch axes broadcast against q's (MatMul's rule), so it may have fewer.
  const kRank = ks.length;
  const perm = [...Array.from({ length: kRank - 2 }, (_, i) => i), kRank - 1, kRank - 2];
  const kt = c.temp('k_t');
  c.emit('Transpose', [k], kt, [attr.ints('perm', perm)]);
  const scores = c.temp('scores');
  c.emit('MatMul', [q, kt], scores);
  const d = qs[rank - 1] as number;
  const scaled = c.temp('scaled');
  c.emit(
    'Mul',
    [scores, c.scalar('scale', (c.attrs['scale'] as number | undefined) ?? 1 / Math.sqrt(d))],
    scaled,
  );
  let logits = scaled;
  if (c.attrs['causal'] === true) {
    const [T, S] = [qs[rank - 2], ks[kRank - 2]];
    if (typeof T !== 'number' || typeof S !== 'number')
      throw new OnnxExportError(
        `node '${c.id}': a causal mask needs fixed token axes, got q [${qs.join(', ')}] and k [${ks.join(', ')}]`,
      );
    const mask = Array.from({ length: T * S }, (_, e) => (e % S > Math.floor(e / S) ? -Infinity : 0));
    logits = c.temp('masked');
    c.emit('Add', [scaled, c.floats('causal_mask', [T, S], mask)], logits);
  }
  const weights = c.temp('weights');
  c.emit('Softmax', [logits], weights, [attr.int('axis', -1)]);
  c.emit('MatMul', [weights, v], c.output);
}

interface ExportPlan {
  /** Nodes the prediction depends on, in order, without the input nodes. */
  nodes: ResolvedNode[];
  /** The input nodes the prediction depends on: the model's inputs, in graph order. */
  inputs: ResolvedNode[];
  prediction: NodeId;
  shapes: Map<NodeId, (number | 'N')[]>;
}

/** The part of the document that computes the prediction; throws if the document has errors. */
function planExport(doc: GraphDoc): ExportPlan {
  const a = analyzeGraph(doc);
  // Only the inference graph is exported: a broken loss or dataset doesn't stop it.
  const path = forwardPath(doc, a);
  if (path.errors.length > 0) {
    const list = path.errors.map((d) => (d.node ? `${d.node}: ${d.message}` : d.message));
    throw new OnnxExportError(`the graph has errors; fix them first:\n  ${list.join('\n  ')}`, list);
  }
  const prediction = path.prediction!;
  const needed = path.nodes;
  const inputs = a.order.filter((r) => r.op.name === 'input' && needed.has(r.node.id));
  const other = a.order.find(
    (r) => r.op.category === 'data' && r.op.name !== 'input' && needed.has(r.node.id),
  );
  if (other)
    throw new OnnxExportError(
      `the prediction depends on '${other.node.id}' (${other.op.name}), not only on the input`,
    );
  return {
    nodes: a.order.filter((r) => needed.has(r.node.id) && r.op.name !== 'input'),
    inputs,
    prediction,
    shapes: a.shapes,
  };
}

/** The export row of an op named in a document, or undefined (unknown op, or no ONNX form). */
export function exportRow(op: string): Row | undefined {
  return Object.hasOwn(EXPORT_ROWS, op) ? (EXPORT_ROWS[op as OpName] ?? undefined) : undefined;
}

/** Ops of the inference graph that have no ONNX form, as `op (node 'id')`. */
export function unexportableOps(doc: GraphDoc): string[] {
  return planExport(doc)
    .nodes.filter((r) => !exportRow(r.op.name))
    .map((r) => `${r.op.name} (node '${r.node.id}')`);
}

/**
 * The ONNX model for a document and its weights: input 'input' [N, ...], output 'output'.
 * Throws OnnxExportError naming the ops that can't be exported or the weights that are missing.
 */
export function exportOnnx(doc: GraphDoc, weights: Weights): Uint8Array {
  return encodeModel(exportModel(doc, weights));
}

/**
 * When exportOnnxFiles puts weights in a data file beside the model: above `model` bytes of
 * weights in all, each tensor of at least `tensor` bytes (smaller ones stay inside, as with
 * onnx.save_model's size_threshold).
 */
export const EXTERNAL_DATA_THRESHOLD = { model: 32 * 1024 * 1024, tensor: 1024 };

export interface OnnxFiles {
  model: Uint8Array;
  /** The weights file `model` refers to (`<model file name>.data`), when the weights went there. */
  data: { location: string; bytes: Uint8Array } | null;
}

/**
 * The model for `<modelFileName>`, with its weights in `<modelFileName>.data` beside it when they
 * pass `threshold.model` bytes (ONNX's external data: location, offset, length per tensor, as
 * `onnx.save_model(..., save_as_external_data=True)` writes it; onnxruntime and onnx read it).
 * Keeps a big model's .onnx small and loadable by tools that cap protobuf messages.
 */
export function exportOnnxFiles(
  doc: GraphDoc,
  weights: Weights,
  modelFileName: string,
  threshold: { model: number; tensor: number } = EXTERNAL_DATA_THRESHOLD,
): OnnxFiles {
  const model = exportModel(doc, weights);
  const initializers = model.graph!.initializer;
  const total = initializers.reduce((n, t) => n + (t.rawData?.length ?? 0), 0);
  if (total <= threshold.model) return { model: encodeModel(model), data: null };
  const location = `${modelFileName.slice(modelFileName.lastIndexOf('/') + 1)}.data`;
  const moved = initializers.filter((t) => (t.rawData?.length ?? 0) >= threshold.tensor);
  // Each tensor starts on a 64-byte boundary, so a reader can map it as aligned float32s.
  const align = (n: number) => Math.ceil(n / 64) * 64;
  let size = 0;
  const offsets = moved.map((t) => {
    const at = align(size);
    size = at + t.rawData!.length;
    return at;
  });
  const bytes = new Uint8Array(size);
  moved.forEach((t, k) => {
    const raw = t.rawData!;
    bytes.set(raw, offsets[k]!);
    delete t.rawData;
    t.dataLocation = 1;
    t.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offsets[k]) },
      { key: 'length', value: String(raw.length) },
    ];
  });
  return { model: encodeModel(model), data: { location, bytes } };
}

function exportModel(doc: GraphDoc, weights: Weights): ModelProto {
  const plan = planExport(doc);
  const missing = plan.nodes
    .filter((r) => !exportRow(r.op.name))
    .map((r) => `${r.op.name} (node '${r.node.id}')`);
  if (missing.length > 0) {
    throw new OnnxExportError(`these ops have no ONNX form: ${missing.join(', ')}`, missing);
  }
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const problems: string[] = [];
  const usedNames = new Set<string>();
  // One input is the model's `input`; several keep their node ids (what the graph calls them).
  const inputName = (r: ResolvedNode) => (plan.inputs.length === 1 ? 'input' : r.node.id);
  const inputNames = new Map(plan.inputs.map((r) => [r.node.id, inputName(r)]));
  // Values by value key (a node's id, or `id:port` for one output of several).
  const integerInputs = new Set(plan.inputs.filter((r) => r.attrs['dtype'] === 'int').map((r) => r.node.id));
  const valueOf = (key: string) => inputNames.get(key) ?? (key === plan.prediction ? 'output' : key);

  for (const r of plan.nodes) {
    const id = r.node.id;
    const fresh = (base: string) => {
      let name = base;
      for (let k = 1; usedNames.has(name); k++) name = `${base}_${k}`;
      usedNames.add(name);
      return name;
    };
    const ctx: RowContext = {
      id,
      attrs: r.attrs,
      inputs: sourceKeys(r).map(valueOf),
      shapes: sourceKeys(r).map((s) => plan.shapes.get(s)!),
      integer: r.sources.map((s, k) => r.sourcePorts[k] === undefined && integerInputs.has(s)),
      output: valueOf(r.outputs ? valueKey(id, r.outputs[0]) : id),
      outputs: (r.outputs ?? [undefined]).map((port) => valueOf(valueKey(id, port))),
      emit: (opType, inputs, output, attrs = []) => {
        const outputs = typeof output === 'string' ? [output] : output;
        nodes.push(makeNode(opType, inputs, outputs, attrs, { name: fresh(`/${id}/${opType}`) }));
      },
      param: (name) => {
        const t = weights.weights[id]?.[name];
        const value = fresh(`${id}.${name}`);
        if (!t) problems.push(`node '${id}' (${r.op.name}): the weights have no '${name}'`);
        else initializers.push(floatTensor(value, t.shape, t.data));
        return value;
      },
      scalar: (name, v) => {
        const value = fresh(`${id}/${name}`);
        initializers.push(floatTensor(value, [], [v]));
        return value;
      },
      floats: (name, dims, values) => {
        const value = fresh(`${id}/${name}`);
        initializers.push(floatTensor(value, dims, values));
        return value;
      },
      ints: (name, values) => {
        const value = fresh(`${id}/${name}`);
        initializers.push(int64Tensor(value, [values.length], values));
        return value;
      },
      temp: (name) => fresh(`${id}/${name}`),
    };
    exportRow(r.op.name)!(ctx);
  }
  if (problems.length > 0)
    throw new OnnxExportError(`missing weights:\n  ${problems.join('\n  ')}`, problems);

  const dims = (s: (number | 'N')[]) => s.map((d) => (d === 'N' ? 'N' : d));
  const graph = makeGraph({
    name: 'backprop_studio',
    node: nodes,
    input: plan.inputs.map((r) =>
      tensorValueInfo(
        inputName(r),
        dims(plan.shapes.get(r.node.id)!),
        integerInputs.has(r.node.id) ? DataType.INT64 : DataType.FLOAT,
      ),
    ),
    output: [tensorValueInfo('output', dims(plan.shapes.get(plan.prediction)!))],
    initializer: initializers,
  });
  return makeModel({ graph, opsetImport: [{ domain: '', version: EXPORT_OPSET }] });
}
