/**
 * Each registry op in PyTorch: the torch.nn module a node becomes (its parameters and state are the
 * module's, under the engine's names: weight, bias, running_mean, running_var) and the expression
 * its output is. The one table the PyTorch export consults. Every registry op has a row (the
 * compiler insists); null marks an op with no PyTorch form (data ops are the model's arguments),
 * which export refuses by name (test/engine/pytorch/forms.test.ts lists them: there should be none).
 * Only torch.nn as of PyTorch 1.13, so the code runs on 1.13 and 2.x alike.
 */
import type { Attrs } from '../ops/define.js';
import type { SymbolicShape } from '../graph/check.js';
import type { OpName } from '../ops/registry.js';
import { paddingOf, perAxis, type Sizes, type Spatial } from '../ops/window.js';

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

/** The `axis` attribute (one axis, several, or absent: all) as torch's `dim=` argument. */
function dimArg(x: string, axis: unknown): string {
  if (axis === undefined || (Array.isArray(axis) && axis.length === 0)) return `tuple(range(${x}.dim()))`;
  return typeof axis === 'number' ? String(axis) : pyTuple(axis as readonly number[]);
}

/**
 * The reductions as torch calls: sum, mean, amax/amin (max/min over several axes), var and std
 * with their correction. All axes reduce to a scalar unless keepdim keeps each as size 1.
 */
function reduce(method: string, extra: (a: Attrs) => string = () => ''): PyTorchForm {
  return {
    call: ({ inputs: [x], attrs }) =>
      `torch.${method}(${x}, dim=${dimArg(x!, attrs['axis'])}${extra(attrs)}, keepdim=${py(attrs['keepdim'] === true)})`,
  };
}
const correction = (a: Attrs): string => `, correction=${num(a, 'correction')}`;

/** Python's index expression for slice's attributes over a tensor of the given rank. */
function sliceIndex(a: Attrs, rank: number): string {
  const parts = new Array<string>(rank).fill(':');
  (a['axes'] as readonly number[]).forEach((axis, i) => {
    const step = (a['steps'] as readonly number[])[i] ?? 1;
    const ax = axis < 0 ? axis + rank : axis;
    parts[ax] =
      `${(a['starts'] as readonly number[])[i]}:${(a['ends'] as readonly number[])[i]}${step === 1 ? '' : `:${step}`}`;
  });
  return parts.join(', ');
}

/** A window attribute as torch.nn takes it: one number, or a list per axis. */
const sizes = (v: Sizes | undefined, spatial: Spatial, fallback: number): string => {
  const a = perAxis(v, spatial, fallback);
  return a.every((e) => e === a[0]) ? py(a[0]!) : py(a);
};

/**
 * Padding as torch.nn's convolutions take it ('same', 'valid', a number or one per axis), or null
 * when the sides of an axis differ: torch.nn has no per-side padding, so the form pads first.
 */
function torchPadding(a: Attrs, spatial: Spatial): string | null {
  const v = a['padding'] as Sizes;
  if (typeof v === 'string') return py(v);
  const p = paddingOf(v, spatial, new Array<number>(spatial).fill(1));
  if (p.before.some((b, i) => b !== p.after[i])) return null;
  return sizes(p.before, spatial, 0);
}

/** F.pad's amounts for per-side padding: last axis first, before then after. */
function fPadAmounts(a: Attrs, spatial: Spatial): number[] {
  const p = paddingOf(a['padding'] as Sizes, spatial, new Array<number>(spatial).fill(1));
  const out: number[] = [];
  for (let i = spatial - 1; i >= 0; i--) out.push(p.before[i]!, p.after[i]!);
  return out;
}

function conv(spatial: Spatial): PyTorchForm {
  return {
    module: ({ attrs, inShapes }) => {
      const padding = torchPadding(attrs, spatial) ?? '0';
      return `nn.Conv${spatial}d(${dim(inShapes[0]!, 1)}, ${num(attrs, 'outChannels')}, ${sizes(attrs['kernel'] as Sizes, spatial, 1)}, stride=${sizes(attrs['stride'] as Sizes, spatial, 1)}, padding=${padding}, dilation=${sizes(attrs['dilation'] as Sizes, spatial, 1)}, groups=${num(attrs, 'groups')}, bias=${py(attrs['bias'] !== false)})`;
    },
    call: ({ attrs, module, inputs: [x] }) =>
      torchPadding(attrs, spatial) === null
        ? `${module}(torch.nn.functional.pad(${x}, ${pyTuple(fPadAmounts(attrs, spatial))}))`
        : `${module}(${x})`,
  };
}

const pyTuple = (v: readonly number[]): string => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;

/** Max and average pools: torch.nn's MaxPool/AvgPool of the same rank and options. */
function pool(kind: 'Max' | 'Avg', spatial: Spatial): PyTorchForm {
  return {
    module: ({ attrs }) => {
      const padding = torchPadding(attrs, spatial);
      if (padding === null)
        throw new Error('pools with different padding on the two sides of an axis have no torch.nn form');
      const extra =
        kind === 'Max'
          ? `dilation=${sizes(attrs['dilation'] as Sizes, spatial, 1)}, `
          : `count_include_pad=${py(attrs['count_include_pad'] === true)}, `;
      return `nn.${kind}Pool${spatial}d(${sizes(attrs['kernel'] as Sizes, spatial, 1)}, stride=${sizes((attrs['stride'] ?? attrs['kernel']) as Sizes, spatial, 1)}, padding=${padding}, ${extra}ceil_mode=${py(attrs['ceil_mode'] === true)})`;
    },
  };
}

/** Per-sample norms over the positions: InstanceNorm1d/2d/3d by rank, 1d on the flattened positions beyond. */
function perRank(cls: string, rank: number): string {
  return `nn.${cls}${rank === 4 ? '2' : rank === 5 ? '3' : '1'}d`;
}
const flattenedBeyond3d: PyTorchForm['call'] = ({ module, inputs: [x], inShapes }) =>
  inShapes[0]!.length <= 5 ? `${module}(${x})` : `${module}(${x}.flatten(2)).reshape(${x}.shape)`;

/**
 * torch.nn.functional.scaled_dot_product_attention where PyTorch has it (2.0 on), else its formula
 * (PyTorch 1.13). A scale other than the default goes into q, since 2.0's function takes no `scale`.
 */
function sdpaCall({ inputs: [q, k, v], attrs, inShapes }: FormCtx): string {
  const qs = inShapes[0]!;
  const d = last(qs);
  const given = attrs['scale'] as number | undefined;
  const scale = given ?? 1 / Math.sqrt(d);
  const causal = attrs['causal'] === true;
  const T = dim(qs, qs.length - 2);
  const ks = inShapes[1]!;
  // k's own rank: its batch axes may be fewer than q's (they broadcast).
  const S = dim(ks, ks.length - 2);
  const qArg = given === undefined ? q! : `${q} * ${py(given * Math.sqrt(d))}`;
  const fused = `torch.nn.functional.scaled_dot_product_attention(${qArg}, ${k}, ${v}${causal ? ', is_causal=True' : ''})`;
  const mask = causal
    ? ` + torch.full((${T}, ${S}), float("-inf"), dtype=${q}.dtype, device=${q}.device).triu(1)`
    : '';
  const formula = `torch.softmax(${q} @ ${k}.transpose(-2, -1) * ${py(scale)}${mask}, dim=-1) @ ${v}`;
  return `(${fused} if hasattr(torch.nn.functional, "scaled_dot_product_attention") else ${formula})`;
}

export const PYTORCH_FORMS: Readonly<Record<OpName, PyTorchForm | null>> = {
  input: null,
  target: null,
  linear: {
    module: ({ attrs, inShapes }) =>
      `nn.Linear(${last(inShapes[0]!)}, ${num(attrs, 'units')}, bias=${py(attrs['bias'] !== false)})`,
  },
  matmul: infix('@'),
  add: infix('+'),
  sub: infix('-'),
  mul: infix('*'),
  div: infix('/'),
  maximum: { call: (c) => `torch.maximum(${c.inputs[0]}, ${c.inputs[1]})` },
  minimum: { call: (c) => `torch.minimum(${c.inputs[0]}, ${c.inputs[1]})` },
  pow: { call: (c) => `torch.pow(${c.inputs[0]}, ${c.inputs[1]})` },
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
  clip: fn((x, a) => {
    const bounds = (['min', 'max'] as const)
      .filter((k) => a[k] !== undefined)
      .map((k) => `${k}=${py(num(a, k))}`);
    return `torch.clamp(${[x, ...bounds].join(', ')})`;
  }),
  hardsigmoid: layer(() => 'nn.Hardsigmoid()'),
  hardswish: layer(() => 'nn.Hardswish()'),
  softsign: layer(() => 'nn.Softsign()'),
  // Mish arrived in PyTorch 1.9.
  mish: layer(() => 'nn.Mish()'),
  prelu: layer((a) => `nn.PReLU(num_parameters=${num(a, 'num_parameters')})`),
  exp: fn((x) => `torch.exp(${x})`),
  log: fn((x) => `torch.log(${x})`),
  sqrt: fn((x) => `torch.sqrt(${x})`),
  square: fn((x) => `${x} * ${x}`),
  abs: fn((x) => `torch.abs(${x})`),
  sign: fn((x) => `torch.sign(${x})`),
  hardshrink: layer((a) => `nn.Hardshrink(lambd=${py(num(a, 'lambd'))})`),
  softshrink: layer((a) => `nn.Softshrink(lambd=${py(num(a, 'lambd'))})`),
  neg: fn((x) => `-${x}`),
  sin: fn((x) => `torch.sin(${x})`),
  sum: reduce('sum'),
  mean: reduce('mean'),
  max: reduce('amax'),
  min: reduce('amin'),
  var: reduce('var', correction),
  std: reduce('std', correction),
  // The engine carries indices in the model's float dtype.
  argmax: fn(
    (x, a) =>
      `torch.argmax(${x}${a['axis'] === undefined ? '' : `, dim=${num(a, 'axis')}`}, keepdim=${py(a['keepdim'] === true)}).to(${x}.dtype)`,
  ),
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
  swapaxes: fn((x, a) => `${x}.swapaxes(${num(a, 'axis0')}, ${num(a, 'axis1')})`),
  // torch 1.13 squeezes one axis per call: the highest first, so the others keep their place.
  squeeze: {
    call: ({ inputs: [x], attrs, inShapes }) => {
      const axis = attrs['axis'] as number | readonly number[] | undefined;
      if (axis === undefined) return `${x}.squeeze()`;
      const rank = inShapes[0]!.length;
      const axes = (typeof axis === 'number' ? [axis] : axis).map((a) => (a < 0 ? a + rank : a));
      return `${x}${[...axes]
        .sort((p, q) => q - p)
        .map((a) => `.squeeze(${a})`)
        .join('')}`;
    },
  },
  unsqueeze: fn((x, a) => `${x}.unsqueeze(${num(a, 'axis')})`),
  slice: { call: ({ inputs: [x], attrs, inShapes }) => `${x}[${sliceIndex(attrs, inShapes[0]!.length)}]` },
  expand: fn((x, a) => `${x}.expand(${(a['shape'] as readonly number[]).join(', ')})`),
  tile: fn((x, a) => `${x}.tile(${pyTuple(a['reps'] as readonly number[])})`),
  // The engine's shape includes the batch axis, as torch.reshape's does.
  reshape: fn((x, a) => `${x}.reshape(${(a['shape'] as readonly number[]).join(', ')})`),
  flatten: layer(() => 'nn.Flatten()'),
  concat: { call: ({ inputs, attrs }) => `torch.cat([${inputs.join(', ')}], dim=${num(attrs, 'axis')})` },
  stack: { call: ({ inputs, attrs }) => `torch.stack([${inputs.join(', ')}], dim=${num(attrs, 'axis')})` },
  // The graph's values are floats; nn.Embedding takes whole-number (long) indices.
  embedding: {
    module: ({ attrs }) => `nn.Embedding(${num(attrs, 'num')}, ${num(attrs, 'dim')})`,
    call: ({ inputs: [x], module }) => `${module}(${x}.long())`,
  },
  scaled_dot_product_attention: { call: sdpaCall },
  // A tuple of the pieces: the export reads output k as `<name>[k]`.
  // torch.nn has no module that only holds a tensor: a ParameterDict whose one entry never
  // takes a gradient (the optimiser skips it), loaded and saved under the engine's name.
  constant: {
    module: ({ attrs }) =>
      `nn.ParameterDict({"value": nn.Parameter(torch.zeros(${py(attrs['shape'] as readonly number[])}), requires_grad=False)})`,
    call: (c) => `${c.module}.value`,
  },
  split: {
    call: ({ inputs: [x], attrs, inShapes }) => {
      const shape = inShapes[0]!;
      const raw = num(attrs, 'axis');
      const axis = raw < 0 ? raw + shape.length : raw;
      const given = attrs['sizes'] as readonly number[];
      const sizes = given.length
        ? given
        : Array<number>(num(attrs, 'parts')).fill(dim(shape, axis) / num(attrs, 'parts'));
      return `torch.split(${x}, ${py(sizes)}, dim=${axis})`;
    },
  },
  conv1d: conv(1),
  conv2d: conv(2),
  conv3d: conv(3),
  conv_transpose2d: {
    module: ({ attrs, inShapes }) => {
      const padding = torchPadding(attrs, 2) ?? '0';
      return `nn.ConvTranspose2d(${dim(inShapes[0]!, 1)}, ${num(attrs, 'outChannels')}, ${sizes(attrs['kernel'] as Sizes, 2, 1)}, stride=${sizes(attrs['stride'] as Sizes, 2, 1)}, padding=${padding}, output_padding=${sizes(attrs['output_padding'] as Sizes, 2, 0)}, groups=${num(attrs, 'groups')}, bias=${py(attrs['bias'] !== false)}, dilation=${sizes(attrs['dilation'] as Sizes, 2, 1)})`;
    },
    // Different padding on the two sides of an axis: no padding, then crop the full output.
    call: ({ attrs, module, inputs: [x], outShape }) => {
      if (torchPadding(attrs, 2) !== null) return `${module}(${x})`;
      const p = paddingOf(attrs['padding'] as Sizes, 2, [1, 1]);
      return `${module}(${x})[:, :, ${p.before[0]}:${p.before[0]! + dim(outShape, 2)}, ${p.before[1]}:${p.before[1]! + dim(outShape, 3)}]`;
    },
  },
  max_pool1d: pool('Max', 1),
  max_pool2d: pool('Max', 2),
  avg_pool1d: pool('Avg', 1),
  avg_pool2d: pool('Avg', 2),
  global_avg_pool: fn((x) => `${x}.mean(dim=tuple(range(2, ${x}.dim())), keepdim=True)`),
  global_max_pool: fn((x) => `${x}.amax(dim=tuple(range(2, ${x}.dim())), keepdim=True)`),
  pad: fn((x, a) => {
    const mode = a['mode'] as string;
    const value = mode === 'constant' ? `, value=${py(num(a, 'value'))}` : '';
    return `torch.nn.functional.pad(${x}, ${pyTuple(a['pad'] as readonly number[])}, mode=${py(mode)}${value})`;
  }),
  layer_norm: {
    module: ({ attrs, inShapes }) => `nn.LayerNorm(${last(inShapes[0]!)}, eps=${py(num(attrs, 'eps'))})`,
  },
  batch_norm: {
    // Statistics per channel (axis 1) over the batch and every further axis, as BatchNorm1d/2d/3d.
    module: ({ attrs, inShapes }) => {
      const rank = inShapes[0]!.length;
      const args = `${dim(inShapes[0]!, 1)}, eps=${py(num(attrs, 'eps'))}, momentum=${py(num(attrs, 'momentum'))}`;
      return `${perRank('BatchNorm', rank)}(${args})`;
    },
    call: flattenedBeyond3d,
  },
  group_norm: {
    module: ({ attrs, inShapes }) =>
      `nn.GroupNorm(${num(attrs, 'num_groups')}, ${dim(inShapes[0]!, 1)}, eps=${py(num(attrs, 'eps'))}, affine=${py(attrs['affine'] === true)})`,
  },
  // track_running_stats=False (InstanceNorm's default): statistics of the sample, training or not.
  instance_norm: {
    module: ({ attrs, inShapes }) =>
      `${perRank('InstanceNorm', inShapes[0]!.length)}(${dim(inShapes[0]!, 1)}, eps=${py(num(attrs, 'eps'))}, affine=${py(attrs['affine'] === true)})`,
    call: flattenedBeyond3d,
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

/** The form of an op named in a document, or undefined (unknown op, or no PyTorch form). */
export function pytorchForm(op: string): PyTorchForm | undefined {
  return Object.hasOwn(PYTORCH_FORMS, op) ? (PYTORCH_FORMS[op as OpName] ?? undefined) : undefined;
}
