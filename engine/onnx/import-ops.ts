/**
 * The ONNX → registry op table used by import: one row per ONNX op type (plus the synthetic ops
 * the pattern rewrites produce). A row turns one node into one registry node, or says why it
 * can't. Rows see the concrete shapes of their dynamic inputs (the model's own batch size) so
 * that they can check axes and layouts against what the registry op computes.
 */
import { FlatNode, getAttr, resolveReshape } from './onnx-graph.js';
import { ConstTensor } from './tensor-data.js';
import { DataType } from './onnx-proto.js';
import { STUDIO_DOMAIN } from './fuse.js';
import type { Attrs } from '../ops/define.js';
import type { OpName } from '../ops/registry.js';
import type { Sizes, Spatial } from '../ops/window.js';
import type { Shape } from '../tensor/tensor.js';
import type { TensorJson } from '../tensor/tensor-json.js';

/** What a row produces: a registry node fed by the node's dynamic inputs. */
export interface Converted {
  op: OpName;
  attrs: Attrs;
  /** ONNX values feeding the op's data ports, in port order. */
  inputs: string[];
  /** Parameter and state tensors by name (running statistics go beside the weights). */
  params?: Record<string, TensorJson>;
}

export interface RowContext {
  node: FlatNode;
  opset: number;
  /** Concrete shape of a dynamic value (with the model's batch size in front). */
  shape(v: string): Shape;
  /** The constant behind a value, or undefined if it is computed. */
  constant(v: string): ConstTensor | undefined;
  /** The model's batch size (dimension 0 of the graph input). */
  batch: number;
  /**
   * The model is one sample (import.ts importGraph): its values have no batch axis, `shape` gives
   * the model's own shapes, and the graph holds each value with an axis of one in front. Rows then
   * write engine axes counted from the end (or shifted by one), and may touch the model's axis 0.
   */
  oneSample: boolean;
  /** The value has an integer type (int64, int32, int8, uint8) in the model. */
  integer(v: string): boolean;
  /**
   * Adds a registry node before the one the row returns (an op that is several registry ops:
   * a transpose, then a product); returns the name of the value it computes.
   */
  emit(step: Converted): string;
  /** Makes a constant value an operand: a `constant` node computes it (see engine/ops/constant.ts). */
  constantNode(v: string): string;
  /** Adds a constant (a factor, a reshaped operand); returns its value name. */
  addConstant(hint: string, t: ConstTensor): string;
}

type Row = (c: RowContext) => Converted;

/** Thrown by a row: this node (as written) cannot be represented. */
export class Unsupported extends Error {}

/**
 * Thrown by a row when the node works along the model's first axis, which import takes as the
 * batch axis: importing the model as one sample (RowContext.oneSample) may represent it.
 */
export class BatchAxisRefusal extends Unsupported {}

/** Thrown by a row that needs the model's own batch axis, when the model is read as one sample. */
export class LayoutRefusal extends Unsupported {}

/** Refuses (as a BatchAxisRefusal) unless the model is one sample. */
function batchAxis(c: RowContext, what: string): void {
  if (!c.oneSample) throw new BatchAxisRefusal(what);
}

/**
 * Ops whose layout is [N, C, ...] (convolutions, pools, per-channel norms) need the model's own
 * batch axis: as one sample, the graph's axis 1 would be the model's batch.
 */
function channelLayout(c: RowContext): void {
  if (c.oneSample)
    throw new LayoutRefusal(
      "it needs an [N, C, ...] layout, and the model's inputs have no shared batch axis (it was read as one sample)",
    );
}

/** The graph's shape for a reshape to the model's `dims`: the batch axis left free (-1). */
function graphShape(c: RowContext, dims: readonly number[]): number[] {
  return [-1, ...(c.oneSample ? dims : dims.slice(1))];
}

const sizeOf = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

function tensor(dims: readonly number[], data: ArrayLike<number>): TensorJson {
  return { shape: dims.slice(), data: Array.from(data) };
}

/** The node's first input, which must be computed (not a constant). */
function dynamic(c: RowContext, k = 0): string {
  const v = c.node.inputs[k];
  if (!v) throw new Unsupported(`input ${k + 1} is missing`);
  if (c.constant(v))
    throw new Unsupported(`input ${k + 1} ('${v}') is a constant; only computed values are supported here`);
  return v;
}

function constantInput(c: RowContext, k: number, what: string): ConstTensor {
  const v = c.node.inputs[k];
  const t = v ? c.constant(v) : undefined;
  if (!t) throw new Unsupported(`its ${what} (input ${k + 1}) must be a constant or an initializer`);
  return t;
}

function optionalConstant(c: RowContext, k: number, what: string): ConstTensor | undefined {
  return c.node.inputs[k] ? constantInput(c, k, what) : undefined;
}

/** `axis` of a value with the given rank as a negative index (the registry's ops take both). */
function negativeAxis(axis: number, rank: number): number {
  if (axis < -rank || axis >= rank) throw new Unsupported(`axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis : axis - rank;
}

/** A vector of `n` values from a constant that is a scalar or has n elements (bias, scale). */
function vectorOf(t: ConstTensor | undefined, n: number, fill: number, what: string): number[] {
  if (!t) return new Array<number>(n).fill(fill);
  if (t.data.length === 1) return new Array<number>(n).fill(t.data[0]!);
  if (t.data.length === n && t.dims.filter((d) => d !== 1).length <= 1) return Array.from(t.data);
  throw new Unsupported(`${what} has shape [${t.dims.join(', ')}]; expected ${n} values`);
}

function unary(op: OpName, attrs: (c: RowContext) => Attrs = () => ({})): Row {
  return (c) => ({ op, attrs: attrs(c), inputs: [dynamic(c)] });
}

function binary(op: OpName): Row {
  return (c) => ({ op, attrs: {}, inputs: broadcastable(c, c.node.inputs.slice(0, 2)) });
}

/**
 * Refuses an op whose integer form rounds (ONNX's Div of integers truncates, a mean of integers
 * too): the engine computes with real numbers.
 */
function realValued(c: RowContext, what: string): void {
  const v = c.node.inputs[0]!;
  if (c.integer(v))
    throw new Unsupported(
      `it ${what} integers ('${v}'), which ONNX rounds toward zero; the engine computes with real numbers: cast to float first`,
    );
}

/** Max, Min, Sum of two or more operands (broadcasting) as a chain of the binary op. */
function variadic(op: OpName): Row {
  return (c): Converted => {
    const operands = c.node.inputs.filter(Boolean);
    // One operand is itself: a reshape to its own shape passes it on.
    if (operands.length === 1)
      return { op: 'reshape', attrs: { shape: graphShape(c, c.shape(dynamic(c))) }, inputs: [dynamic(c)] };
    let acc = operands[0]!;
    for (const v of operands.slice(1, -1))
      acc = c.emit({ op, attrs: {}, inputs: broadcastable(c, [acc, v]) });
    return { op, attrs: {}, inputs: broadcastable(c, [acc, operands[operands.length - 1]!]) };
  };
}

/** Shrink is torch's hardshrink (bias 0) or softshrink (bias = lambd). */
function shrink(c: RowContext): Converted {
  const lambd = getAttr.float(c.node, 'lambd', 0.5);
  const bias = getAttr.float(c.node, 'bias', 0);
  if (bias !== 0 && bias !== lambd)
    throw new Unsupported(
      `bias ${bias} with lambd ${lambd}: only bias 0 (hardshrink) or bias = lambd (softshrink) are PyTorch's`,
    );
  return { op: bias === 0 ? 'hardshrink' : 'softshrink', attrs: { lambd }, inputs: [dynamic(c)] };
}

/**
 * Operands that broadcast as the model's do (NumPy's rule: aligned at the last axis), constants
 * among them as `constant` nodes. A constant spanning the model's first axis (as long as the
 * result's rank, not 1 there) ties it to one batch size: the model is then read as one sample.
 * As one sample, each value carries the graph's axis in front, so an operand of lower rank first
 * gains the model's missing axes (size 1) behind that axis.
 */
function broadcastable(c: RowContext, operands: string[]): string[] {
  if (operands.every((v) => c.constant(v)))
    throw new Unsupported('every operand is a constant (the import folds only some ops of constants)');
  const dynamicRank = Math.max(...operands.filter((v) => !c.constant(v)).map((v) => c.shape(v).length));
  const values = operands.map((v) => {
    const t = c.constant(v);
    if (!t) return v;
    if (t.dims.length > dynamicRank || (t.dims.length === dynamicRank && t.dims[0] !== 1))
      batchAxis(c, `its constant operand '${v}' [${t.dims.join(', ')}] spans the batch axis`);
    return c.constantNode(v);
  });
  if (!c.oneSample) return values;
  const rank = Math.max(...values.map((v) => c.shape(v).length));
  return values.map((v) => {
    const dims = c.shape(v);
    if (dims.length === rank) return v;
    const to = [...new Array<number>(rank - dims.length).fill(1), ...dims];
    return c.emit({ op: 'reshape', attrs: { shape: graphShape(c, to) }, inputs: [v] });
  });
}

/** y = x · Wᵀ (+ b) with W [out, in]: Gemm (transB=1 is PyTorch's layout) and fused MatMul + Add. */
function linear(c: RowContext, weight: ConstTensor, bias: ConstTensor | undefined): Converted {
  const x = dynamic(c);
  const [out, inp] = weight.dims as [number, number];
  const xs = c.shape(x);
  if (xs[xs.length - 1] !== inp) {
    throw new Unsupported(`the weight expects ${inp} input features, the input has shape [${xs.join(', ')}]`);
  }
  const params: Record<string, TensorJson> = { weight: tensor([out, inp], weight.data) };
  if (bias) params['bias'] = tensor([out], vectorOf(bias, out, 0, 'the bias'));
  return { op: 'linear', attrs: { units: out, bias: bias !== undefined }, inputs: [x], params };
}

function gemm(c: RowContext): Converted {
  const transA = getAttr.int(c.node, 'transA', 0) === 1;
  const transB = getAttr.int(c.node, 'transB', 0) === 1;
  const alpha = getAttr.float(c.node, 'alpha', 1);
  const beta = getAttr.float(c.node, 'beta', 1);
  const b = c.constant(c.node.inputs[1]!);
  const cIn = c.node.inputs[2];
  const cT = cIn ? c.constant(cIn) : undefined;
  const n = b ? (transB ? b.dims[0]! : b.dims[1]!) : 0;
  // A layer: x · Wᵀ + b with a constant weight and a constant per-output (or no) bias.
  if (!transA && b?.dims.length === 2 && (!cIn || (cT && (cT.data.length === 1 || cT.data.length === n))))
    return gemmLinear(c, b, cT, { alpha, beta, transB });
  // Otherwise the product of two values: (transposed) matmul, scaled, plus C.
  const operand = (k: number, trans: boolean) => {
    const v = c.constant(c.node.inputs[k]!) ? c.constantNode(c.node.inputs[k]!) : dynamic(c, k);
    return trans ? c.emit(transposeOf(c, v, [1, 0])) : v;
  };
  const product: Converted = { op: 'matmul', attrs: {}, inputs: [operand(0, transA), operand(1, transB)] };
  const scaled = (v: Converted, factor: number, name: string): Converted =>
    factor === 1 ? v : withScalar(c, 'mul', c.emit(v), factor, name);
  const y = scaled(product, alpha, 'alpha');
  if (!cIn || beta === 0) return y;
  let bias: string;
  if (c.constant(cIn)) bias = beta === 1 ? cIn : scaledConstant(c, cIn, beta);
  else bias = beta === 1 ? dynamic(c, 2) : c.emit(withScalar(c, 'mul', dynamic(c, 2), beta, 'beta'));
  return { op: 'add', attrs: {}, inputs: broadcastable(c, [c.emit(y), bias]) };
}

/** v · factor (or v + amount), the number a scalar `constant` node. */
function withScalar(c: RowContext, op: 'mul' | 'add', v: string, value: number, name: string): Converted {
  const k = c.addConstant(`${c.node.name}/${name}`, {
    dims: [],
    dataType: DataType.FLOAT,
    data: Float64Array.of(value),
  });
  return { op, attrs: {}, inputs: broadcastable(c, [v, k]) };
}

/** A constant times a factor, as a new constant. */
function scaledConstant(c: RowContext, v: string, factor: number): string {
  const t = c.constant(v)!;
  return c.addConstant(`${v}_scaled`, { ...t, data: t.data.map((x) => x * factor) });
}

/** Transpose of a computed value by the model's perm (see transpose). */
function transposeOf(c: RowContext, x: string, perm: number[]): Converted {
  if (c.oneSample) return { op: 'transpose', attrs: { perm: [0, ...perm.map((p) => p + 1)] }, inputs: [x] };
  if (perm[0] !== 0) batchAxis(c, `perm [${perm.join(', ')}] moves the batch axis`);
  return { op: 'transpose', attrs: { perm }, inputs: [x] };
}

/** Gemm as a linear layer: the weight in [out, in] = [n, k] layout scaled by alpha, the bias by beta. */
function gemmLinear(
  c: RowContext,
  b: ConstTensor,
  cT: ConstTensor | undefined,
  { alpha, beta, transB }: { alpha: number; beta: number; transB: boolean },
): Converted {
  const [k, n] = transB ? [b.dims[1]!, b.dims[0]!] : [b.dims[0]!, b.dims[1]!];
  const w = new Float64Array(n * k);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < k; j++) w[i * k + j] = alpha * (transB ? b.data[i * k + j]! : b.data[j * n + i]!);
  const bias = cT ? { ...cT, data: cT.data.map((v) => beta * v) } : undefined;
  return linear(c, { dims: [n, k], dataType: b.dataType, data: w }, bias);
}

function softmaxLike(op: OpName): Row {
  return (c) => {
    const x = dynamic(c);
    const rank = c.shape(x).length;
    const axis = getAttr.int(c.node, 'axis', c.opset >= 13 ? -1 : 1);
    const ax = negativeAxis(axis, rank);
    // Before opset 13 the op flattened everything from `axis` on; that is a per-axis softmax
    // only when `axis` is the last one.
    if (c.opset < 13 && ax !== -1) throw new Unsupported(`axis ${axis} before opset 13 spans several axes`);
    return { op, attrs: { axis: ax }, inputs: [x] };
  };
}

function layerNorm(c: RowContext): Converted {
  const x = dynamic(c);
  const xs = c.shape(x);
  const axis = negativeAxis(getAttr.int(c.node, 'axis', -1), xs.length);
  if (axis !== -1)
    throw new Unsupported(`normalising over axes ${axis}..-1 is not supported; only the last axis`);
  const d = xs[xs.length - 1]!;
  return {
    op: 'layer_norm',
    attrs: { eps: getAttr.float(c.node, 'epsilon', 1e-5) },
    inputs: [x],
    params: {
      weight: tensor([d], vectorOf(optionalConstant(c, 1, 'scale'), d, 1, 'the scale')),
      bias: tensor([d], vectorOf(optionalConstant(c, 2, 'bias'), d, 0, 'the bias')),
    },
  };
}

function batchNorm(c: RowContext): Converted {
  if (getAttr.int(c.node, 'training_mode', 0) !== 0)
    throw new Unsupported('training_mode=1 is not supported');
  channelLayout(c);
  const x = dynamic(c);
  const ch = c.shape(x)[1]!;
  const vec = (k: number, what: string) => tensor([ch], vectorOf(constantInput(c, k, what), ch, 0, what));
  return {
    op: 'batch_norm',
    // ONNX keeps the running statistics' weight on the old value (0.9); PyTorch on the new (0.1).
    attrs: {
      eps: getAttr.float(c.node, 'epsilon', 1e-5),
      momentum: 1 - getAttr.float(c.node, 'momentum', 0.9),
    },
    inputs: [x],
    params: {
      weight: vec(1, 'scale'),
      bias: vec(2, 'bias'),
      running_mean: vec(3, 'mean'),
      running_var: vec(4, 'var'),
    },
  };
}

/** Spatial axes of a window op from its input's rank (N, C, then 1 or 2 spatial axes). */
function spatialOf(c: RowContext, x: string): Spatial {
  channelLayout(c);
  const rank = c.shape(x).length;
  if (rank !== 3 && rank !== 4)
    throw new Unsupported(
      `only 1-D and 2-D windows ([N, C, L] or [N, C, H, W]) are supported, the input has rank ${rank}`,
    );
  return rank === 4 ? 2 : 1;
}

/** One number when every entry is the same (how PyTorch writes it), else the list. */
const compact = (v: readonly number[]): number | number[] => (v.every((e) => e === v[0]) ? v[0]! : v.slice());

/**
 * ONNX pads [begin per axis, end per axis] as the engine's padding: one number, one per axis
 * (symmetric) or per side [before, after] axis by axis; auto_pad SAME_UPPER is 'same' at stride 1.
 */
function padsOf(c: RowContext, spatial: Spatial, stride: readonly number[]): Sizes {
  const autoPad = getAttr.string(c.node, 'auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return 0;
  if (autoPad === 'SAME_UPPER' && stride.every((s) => s === 1)) return 'same';
  if (autoPad !== 'NOTSET') throw new Unsupported(`auto_pad=${autoPad} is not supported`);
  const pads = getAttr.ints(c.node, 'pads', new Array<number>(2 * spatial).fill(0));
  if (pads.length !== 2 * spatial)
    throw new Unsupported(`pads [${pads.join(', ')}] are not 2 per spatial axis`);
  const before = pads.slice(0, spatial);
  const after = pads.slice(spatial);
  if (before.every((p, i) => p === after[i])) return compact(before);
  return before.flatMap((p, i) => [p, after[i]!]);
}

/** A per-axis attribute (strides, dilations, kernel_shape) with its default. */
function axes(c: RowContext, name: string, spatial: Spatial, fallback: number): number[] {
  const v = getAttr.ints(c.node, name, new Array<number>(spatial).fill(fallback));
  if (v.length !== spatial)
    throw new Unsupported(`${name} [${v.join(', ')}] does not have ${spatial} entries`);
  return v;
}

function conv(c: RowContext): Converted {
  const x = dynamic(c);
  if (c.shape(x).length === 5 && !c.oneSample) return conv3d(c, x);
  const spatial = spatialOf(c, x);
  const w = constantInput(c, 1, 'weight');
  if (w.dims.length !== spatial + 2)
    throw new Unsupported(`the weight has shape [${w.dims.join(', ')}]; expected ${spatial + 2} axes`);
  const o = w.dims[0]!;
  const stride = axes(c, 'strides', spatial, 1);
  const bias = optionalConstant(c, 2, 'bias');
  const params: Record<string, TensorJson> = { weight: tensor(w.dims, w.data) };
  if (bias) params['bias'] = tensor([o], vectorOf(bias, o, 0, 'the bias'));
  const groups = getAttr.int(c.node, 'group', 1);
  return {
    op: spatial === 2 ? 'conv2d' : 'conv1d',
    attrs: {
      outChannels: o,
      kernel: compact(w.dims.slice(2)),
      stride: compact(stride),
      padding: padsOf(c, spatial, stride),
      dilation: compact(axes(c, 'dilations', spatial, 1)),
      groups,
      bias: bias !== undefined,
    },
    inputs: [x],
    params,
  };
}

/** Conv over [N, C, D, H, W] → conv3d (pads per side: [front, back, top, bottom, left, right]). */
function conv3d(c: RowContext, x: string): Converted {
  const w = constantInput(c, 1, 'weight');
  if (w.dims.length !== 5)
    throw new Unsupported(`the weight has shape [${w.dims.join(', ')}]; expected 5 axes`);
  const three = (name: string, fallback: number) => {
    const v = getAttr.ints(c.node, name, [fallback, fallback, fallback]);
    if (v.length !== 3) throw new Unsupported(`${name} [${v.join(', ')}] does not have 3 entries`);
    return v;
  };
  const pads = getAttr.ints(c.node, 'pads', [0, 0, 0, 0, 0, 0]);
  if (pads.length !== 6) throw new Unsupported(`pads [${pads.join(', ')}] are not 2 per spatial axis`);
  const before = pads.slice(0, 3);
  const after = pads.slice(3);
  const o = w.dims[0]!;
  const bias = optionalConstant(c, 2, 'bias');
  const params: Record<string, TensorJson> = { weight: tensor(w.dims, w.data) };
  if (bias) params['bias'] = tensor([o], vectorOf(bias, o, 0, 'the bias'));
  return {
    op: 'conv3d',
    attrs: {
      outChannels: o,
      kernel: compact(w.dims.slice(2)),
      stride: compact(three('strides', 1)),
      padding: before.every((p, i) => p === after[i])
        ? compact(before)
        : before.flatMap((p, i) => [p, after[i]!]),
      dilation: compact(three('dilations', 1)),
      groups: getAttr.int(c.node, 'group', 1),
      bias: bias !== undefined,
    },
    inputs: [x],
    params,
  };
}

function convTranspose(c: RowContext): Converted {
  const x = dynamic(c);
  if (spatialOf(c, x) !== 2) throw new Unsupported('only 2-D transposed convolutions are supported');
  if (c.node.attrs.has('output_shape')) throw new Unsupported('output_shape is not supported; give pads');
  const w = constantInput(c, 1, 'weight');
  if (w.dims.length !== 4)
    throw new Unsupported(`the weight has shape [${w.dims.join(', ')}]; expected 4 axes`);
  const groups = getAttr.int(c.node, 'group', 1);
  const o = w.dims[1]! * groups;
  const stride = axes(c, 'strides', 2, 1);
  const autoPad = getAttr.string(c.node, 'auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID')
    throw new Unsupported(`auto_pad=${autoPad} is not supported`);
  const bias = optionalConstant(c, 2, 'bias');
  const params: Record<string, TensorJson> = { weight: tensor(w.dims, w.data) };
  if (bias) params['bias'] = tensor([o], vectorOf(bias, o, 0, 'the bias'));
  return {
    op: 'conv_transpose2d',
    attrs: {
      outChannels: o,
      kernel: compact(w.dims.slice(2)),
      stride: compact(stride),
      padding: padsOf(c, 2, [1, 1]),
      output_padding: compact(axes(c, 'output_padding', 2, 0)),
      dilation: compact(axes(c, 'dilations', 2, 1)),
      groups,
      bias: bias !== undefined,
    },
    inputs: [x],
    params,
  };
}

function pool(kind: 'max' | 'avg'): Row {
  return (c) => {
    const x = dynamic(c);
    if (kind === 'max' && c.node.outputs.length > 1 && c.node.outputs[1])
      throw new Unsupported('the Indices output is not supported');
    if (c.shape(x).length === 5 && !c.oneSample) return pool3d(c, kind, x);
    const spatial = spatialOf(c, x);
    const kernel = axes(c, 'kernel_shape', spatial, 1);
    const stride = axes(c, 'strides', spatial, 1);
    const attrs: Attrs = {
      kernel: compact(kernel),
      stride: compact(stride),
      padding: padsOf(c, spatial, [0]),
      ceil_mode: getAttr.int(c.node, 'ceil_mode', 0) === 1,
    };
    if (kind === 'max') attrs['dilation'] = compact(axes(c, 'dilations', spatial, 1));
    else {
      if (axes(c, 'dilations', spatial, 1).some((d) => d !== 1))
        throw new Unsupported('dilated average pooling is not supported');
      attrs['count_include_pad'] = getAttr.int(c.node, 'count_include_pad', 0) === 1;
    }
    const name: OpName =
      kind === 'max'
        ? spatial === 2
          ? 'max_pool2d'
          : 'max_pool1d'
        : spatial === 2
          ? 'avg_pool2d'
          : 'avg_pool1d';
    return { op: name, attrs, inputs: [x] };
  };
}

/**
 * A 3-D pool over [N, C, D, H, W] as two 2-D pools: over (H, W) with the depth folded into the
 * channels, then over D with each face's pixels in one axis. A box's max is the max over its
 * depth of its faces' maxima, and its mean the mean of its faces' means (PyTorch's divisor is a
 * product of per-axis counts, with the padding or without), so this is the 3-D pool, gradients
 * included; it takes three reshapes more than a pool3d op would.
 */
function pool3d(c: RowContext, kind: 'max' | 'avg', x: string): Converted {
  const [, ch, depth, h, w] = c.shape(x) as [number, number, number, number, number];
  const three = (name: string, fallback: number) => {
    const v = getAttr.ints(c.node, name, [fallback, fallback, fallback]);
    if (v.length !== 3) throw new Unsupported(`${name} [${v.join(', ')}] does not have 3 entries`);
    return v;
  };
  const kernel = three('kernel_shape', 1);
  const stride = three('strides', 1);
  const dilation = three('dilations', 1);
  const pads = getAttr.ints(c.node, 'pads', [0, 0, 0, 0, 0, 0]);
  if (pads.length !== 6) throw new Unsupported(`pads [${pads.join(', ')}] are not 2 per spatial axis`);
  const ceil = getAttr.int(c.node, 'ceil_mode', 0) === 1;
  const op: OpName = kind === 'max' ? 'max_pool2d' : 'avg_pool2d';
  const extra = (axes: number[]): Attrs => {
    if (kind === 'max') return { dilation: axes.map((a) => (a < 0 ? 1 : dilation[a]!)) };
    if (dilation.some((d) => d !== 1)) throw new Unsupported('dilated average pooling is not supported');
    return { count_include_pad: getAttr.int(c.node, 'count_include_pad', 0) === 1 };
  };
  // Axes 0, 1, 2 of the window are D, H, W; -1 is an axis of size 1 (no pooling along it).
  const window = (axes: number[]): Attrs => ({
    kernel: axes.map((a) => (a < 0 ? 1 : kernel[a]!)),
    stride: axes.map((a) => (a < 0 ? 1 : stride[a]!)),
    padding: axes.flatMap((a) => (a < 0 ? [0, 0] : [pads[a]!, pads[a + 3]!])),
    ceil_mode: ceil,
    ...extra(axes),
  });
  const faces = c.emit({ op: 'reshape', attrs: { shape: [-1, ch * depth, h, w] }, inputs: [x] });
  const pooledFaces = c.emit({ op, attrs: window([1, 2]), inputs: [faces] });
  const [, , oh, ow] = c.shape(pooledFaces) as [number, number, number, number];
  const columns = c.emit({
    op: 'reshape',
    attrs: { shape: [-1, ch, depth, oh * ow] },
    inputs: [pooledFaces],
  });
  const pooled = c.emit({ op, attrs: window([0, -1]), inputs: [columns] });
  const od = c.shape(pooled)[2]!;
  return { op: 'reshape', attrs: { shape: [-1, ch, od, oh, ow] }, inputs: [pooled] };
}

/** ONNX Pad (opset 11+: pads and the constant as inputs) as F.pad's amounts, last axis first. */
function padOp(c: RowContext): Converted {
  const x = dynamic(c);
  const rank = c.shape(x).length;
  const mode = getAttr.string(c.node, 'mode', 'constant');
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge')
    throw new Unsupported(`mode '${mode}' is not supported`);
  const pads = c.opset >= 11 ? [...constantInput(c, 1, 'pads').data] : getAttr.ints(c.node, 'pads');
  if (pads.length !== 2 * rank) throw new Unsupported(`pads [${pads.join(', ')}] are not 2 per axis`);
  if (c.node.inputs[3]) throw new Unsupported('padding only some axes (the axes input) is not supported');
  if (pads[0] !== 0 || pads[rank] !== 0) batchAxis(c, 'it pads the batch axis');
  const value =
    c.opset >= 11
      ? (optionalConstant(c, 2, 'constant_value')?.data[0] ?? 0)
      : getAttr.float(c.node, 'value', 0);
  // Trailing axes only, from the last backwards, stopping after the first padded axis from the front.
  let first = c.oneSample ? 0 : 1;
  while (first < rank && pads[first] === 0 && pads[first + rank] === 0) first++;
  const amounts: number[] = [];
  for (let axis = rank - 1; axis >= first; axis--) amounts.push(pads[axis]!, pads[axis + rank]!);
  return {
    op: 'pad',
    attrs: { pad: amounts, mode: mode === 'edge' ? 'replicate' : mode, value },
    inputs: [x],
  };
}

function flatten(c: RowContext): Converted {
  const x = dynamic(c);
  const from = c.shape(x);
  const axis = getAttr.int(c.node, 'axis', 1);
  const at = axis < 0 ? axis + from.length : axis;
  if (at === 1 && !c.oneSample) return { op: 'flatten', attrs: {}, inputs: [x] };
  batchAxis(c, `axis ${axis}: it flattens across the batch axis`);
  // [d0, …, d(at-1) | d(at), …] → [their product, the rest's product].
  const dims = [sizeOf(from.slice(0, at)), sizeOf(from.slice(at))];
  return { op: 'reshape', attrs: { shape: graphShape(c, dims) }, inputs: [x] };
}

function reshape(c: RowContext): Converted {
  const x = dynamic(c);
  const spec = [...constantInput(c, 1, 'target shape').data];
  const from = c.shape(x);
  const dims = resolveReshape(from, spec, getAttr.int(c.node, 'allowzero', 0) === 1);
  if (sizeOf(dims) !== sizeOf(from))
    throw new Unsupported(`[${from.join(', ')}] cannot become [${dims.join(', ')}]`);
  if (dims[0] !== from[0]) batchAxis(c, `it reshapes across the batch axis (to [${dims.join(', ')}])`);
  // The batch axis stays inferred (-1) so that the graph runs at any batch size.
  return { op: 'reshape', attrs: { shape: graphShape(c, dims) }, inputs: [x] };
}

function transpose(c: RowContext): Converted {
  const x = dynamic(c);
  const rank = c.shape(x).length;
  const perm = getAttr.ints(
    c.node,
    'perm',
    Array.from({ length: rank }, (_, i) => rank - 1 - i),
  );
  return transposeOf(c, x, perm);
}

function concat(c: RowContext): Converted {
  const inputs = c.node.inputs.map((_, i) => dynamic(c, i));
  const rank = c.shape(inputs[0]!).length;
  const axis = negativeAxis(getAttr.int(c.node, 'axis'), rank);
  if (axis === -rank) batchAxis(c, 'it concatenates along the batch axis');
  return { op: 'concat', attrs: { axis, ...(inputs.length !== 2 ? { count: inputs.length } : {}) }, inputs };
}

/** Gather of rows of a constant table at computed indices (torch.nn.Embedding's export). */
function gather(c: RowContext): Converted {
  const table = constantInput(c, 0, 'table (data)');
  if (getAttr.int(c.node, 'axis', 0) !== 0) throw new Unsupported('only rows (axis 0) can be gathered');
  if (table.dims.length !== 2)
    throw new Unsupported(`the table must be a matrix, got [${table.dims.join(', ')}]`);
  const [num, dim] = table.dims as [number, number];
  return {
    op: 'embedding',
    attrs: { num, dim },
    inputs: [dynamic(c, 1)],
    params: { weight: tensor([num, dim], table.data) },
  };
}

/** Split into pieces along an axis: the sizes (an input since opset 13), else equal pieces. */
function splitOp(c: RowContext): Converted {
  const x = dynamic(c);
  const rank = c.shape(x).length;
  const axis = negativeAxis(getAttr.int(c.node, 'axis', 0), rank);
  if (axis === -rank) batchAxis(c, 'it splits the batch axis');
  const given = optionalConstant(c, 1, 'split sizes');
  const sizes = given ? Array.from(given.data) : [];
  return {
    op: 'split',
    attrs: sizes.length ? { axis, sizes } : { axis, parts: c.node.outputs.length },
    inputs: [x],
  };
}

function gelu(c: RowContext): Converted {
  const approximate = c.node.attrs.has('approximate') ? getAttr.string(c.node, 'approximate') : 'none';
  return { op: approximate === 'tanh' ? 'gelu_tanh' : 'gelu', attrs: {}, inputs: [dynamic(c)] };
}

/** Clip: bounds as attributes before opset 11, as optional constant inputs from 11. */
function clip(c: RowContext): Converted {
  const x = dynamic(c);
  const bounds = c.opset >= 11 ? ([1, 2] as const).map((k) => c.node.inputs[k] || undefined) : [];
  if (bounds.some((v) => v !== undefined && !c.constant(v))) {
    // Computed bounds: min(max(x, min), max), as ONNX defines Clip (and torch.clamp computes).
    const steps = (['maximum', 'minimum'] as const)
      .map((op, k) => [op, bounds[k]] as const)
      .filter((s): s is readonly ['maximum' | 'minimum', string] => s[1] !== undefined);
    let v = x;
    for (const [op, bound] of steps.slice(0, -1))
      v = c.emit({ op, attrs: {}, inputs: broadcastable(c, [v, bound]) });
    const [op, bound] = steps[steps.length - 1]!;
    return { op, attrs: {}, inputs: broadcastable(c, [v, bound]) };
  }
  const attrs: Attrs = {};
  for (const [k, name] of [
    [1, 'min'],
    [2, 'max'],
  ] as const) {
    if (c.opset < 11) {
      if (c.node.attrs.has(name)) attrs[name] = getAttr.float(c.node, name);
      continue;
    }
    const t = optionalConstant(c, k, name);
    if (!t) continue;
    if (t.data.length !== 1)
      throw new Unsupported(`its ${name} has shape [${t.dims.join(', ')}]; a scalar is needed`);
    // float32 limits (±3.4e38) mean no bound, as PyTorch writes them for a one-sided clamp.
    if (Math.abs(t.data[0]!) < 3e38) attrs[name] = t.data[0]!;
  }
  return { op: 'clip', attrs, inputs: [x] };
}

/**
 * HardSigmoid(alpha, beta) = clip(alpha·x + beta, 0, 1): PyTorch's hardsigmoid with alpha 1/6,
 * beta 1/2; otherwise the formula itself (mul, add, clip).
 */
function hardsigmoid(c: RowContext): Converted {
  const alpha = getAttr.float(c.node, 'alpha', 0.2);
  const beta = getAttr.float(c.node, 'beta', 0.5);
  const x = dynamic(c);
  if (Math.abs(alpha - 1 / 6) <= 1e-6 && Math.abs(beta - 0.5) <= 1e-6)
    return { op: 'hardsigmoid', attrs: {}, inputs: [x] };
  const line = c.emit(withScalar(c, 'add', c.emit(withScalar(c, 'mul', x, alpha, 'alpha')), beta, 'beta'));
  return { op: 'clip', attrs: { min: 0, max: 1 }, inputs: [line] };
}

/** Selu(alpha, gamma) = gamma·elu(x, alpha): PyTorch's selu with its constants, else elu and a product. */
function selu(c: RowContext): Converted {
  const alpha = getAttr.float(c.node, 'alpha', 1.67326319217681884765625);
  const gamma = getAttr.float(c.node, 'gamma', 1.05070102214813232421875);
  const x = dynamic(c);
  if (Math.abs(alpha - 1.6732632) <= 1e-6 && Math.abs(gamma - 1.050701) <= 1e-6)
    return { op: 'selu', attrs: {}, inputs: [x] };
  return withScalar(c, 'mul', c.emit({ op: 'elu', attrs: { alpha }, inputs: [x] }), gamma, 'gamma');
}

/** PRelu with a constant slope: one shared value, or one per channel (axis 1) shaped [C] or [C, 1, ...]. */
function prelu(c: RowContext): Converted {
  const x = dynamic(c);
  const slope = constantInput(c, 1, 'slope');
  const xs = c.shape(x);
  const n = slope.data.length;
  const perChannel = xs.length >= 2 && n === xs[1] && slope.dims.filter((d) => d !== 1).length === 1;
  // [C] broadcasts to axis 1 only when x is [N, C]; [C, 1, ...] must have the rank of x minus one.
  const placed =
    slope.dims.length === 1 ? xs.length === 2 : slope.dims.length === xs.length - 1 && slope.dims[0] === n;
  if (n !== 1) channelLayout(c);
  if (n !== 1 && !(perChannel && placed))
    throw new Unsupported(
      `its slope [${slope.dims.join(', ')}] is neither one value nor one per channel of [${xs.join(', ')}]`,
    );
  return {
    op: 'prelu',
    attrs: { num_parameters: n },
    inputs: [x],
    params: { weight: tensor([n], slope.data) },
  };
}

function instanceNorm(c: RowContext): Converted {
  channelLayout(c);
  const x = dynamic(c);
  const xs = c.shape(x);
  if (xs.length < 3) throw new Unsupported(`x has shape [${xs.join(', ')}]; [N, C, L, ...] is needed`);
  const ch = xs[1]!;
  const vec = (k: number, what: string) => tensor([ch], vectorOf(constantInput(c, k, what), ch, 0, what));
  return {
    op: 'instance_norm',
    attrs: { eps: getAttr.float(c.node, 'epsilon', 1e-5), affine: true },
    inputs: [x],
    params: { weight: vec(1, 'scale'), bias: vec(2, 'bias') },
  };
}

/** The fused group norm (fuse.ts): x, then weight and bias per channel (empty when not affine). */
function groupNorm(c: RowContext): Converted {
  channelLayout(c);
  const x = dynamic(c);
  const xs = c.shape(x);
  const ch = xs[1]!;
  const weight = optionalConstant(c, 1, 'scale');
  const bias = optionalConstant(c, 2, 'bias');
  // A per-channel constant broadcast from the right: [C] for [N, C], [C, 1, ...] for more axes.
  for (const [t, what] of [
    [weight, 'scale'],
    [bias, 'bias'],
  ] as const)
    if (t && t.data.length !== 1 && !(t.dims[0] === ch && t.dims.length === xs.length - 1))
      throw new Unsupported(
        `its ${what} [${t.dims.join(', ')}] is not one value per channel of [${xs.join(', ')}]`,
      );
  const affine = weight !== undefined || bias !== undefined;
  return {
    op: 'group_norm',
    attrs: {
      num_groups: getAttr.int(c.node, 'num_groups'),
      eps: getAttr.float(c.node, 'epsilon', 1e-5),
      affine,
    },
    inputs: [x],
    ...(affine
      ? {
          params: {
            weight: tensor([ch], vectorOf(weight, ch, 1, 'the scale')),
            bias: tensor([ch], vectorOf(bias, ch, 0, 'the bias')),
          },
        }
      : {}),
  };
}

/** The axes input of a node in its current form (see upgrade.ts), normalised to 0..rank-1. */
function axesOf(c: RowContext, rank: number): number[] | undefined {
  const t = optionalConstant(c, 1, 'axes');
  if (!t) return undefined;
  return [...t.data].map((a) => {
    if (a < -rank || a >= rank) throw new Unsupported(`axis ${a} is out of range for rank ${rank}`);
    return a < 0 ? a + rank : a;
  });
}

/**
 * Squeeze → squeeze and one-axis Unsqueeze → unsqueeze, with negative axes so the graph runs at any
 * batch size; several new axes at once become a reshape to the output's (known) shape.
 */
function squeeze(kind: 'Squeeze' | 'Unsqueeze'): Row {
  return (c): Converted => {
    const x = dynamic(c);
    const from = c.shape(x);
    if (kind === 'Squeeze') {
      const axes =
        axesOf(c, from.length) ?? from.flatMap((d, i) => (d === 1 && (i > 0 || c.oneSample) ? [i] : []));
      if (axes.includes(0)) batchAxis(c, 'it removes the batch axis');
      const bad = axes.find((a) => from[a] !== 1);
      if (bad !== undefined) throw new Unsupported(`axis ${bad} has size ${from[bad]}, not 1`);
      if (axes.length === 0) return { op: 'reshape', attrs: { shape: graphShape(c, from) }, inputs: [x] };
      return { op: 'squeeze', attrs: { axis: axes.map((a) => a - from.length) }, inputs: [x] };
    }
    const rank = from.length + (optionalConstant(c, 1, 'axes')?.data.length ?? 0);
    const axes = axesOf(c, rank) ?? [];
    if (axes.includes(0)) batchAxis(c, 'it inserts an axis before the batch axis');
    if (axes.length === 1) return { op: 'unsqueeze', attrs: { axis: axes[0]! - rank }, inputs: [x] };
    const to: number[] = [];
    let k = 0;
    for (let i = 0; i < rank; i++) to.push(axes.includes(i) ? 1 : from[k++]!);
    return { op: 'reshape', attrs: { shape: graphShape(c, to) }, inputs: [x] };
  };
}

/** ReduceSum/Mean/Max/Min over constant axes (not the batch axis) → sum / mean / max / min. */
function reduce(op: 'sum' | 'mean' | 'max' | 'min'): Row {
  return (c) => {
    const x = dynamic(c);
    const rank = c.shape(x).length;
    let axes = axesOf(c, rank);
    if (!axes || axes.length === 0) {
      if (getAttr.int(c.node, 'noop_with_empty_axes', 0) === 1)
        throw new Unsupported('noop_with_empty_axes=1 is not supported');
      batchAxis(c, 'it reduces every axis, the batch axis with them');
      axes = Array.from({ length: rank }, (_, i) => i);
    }
    if (axes.includes(0)) batchAxis(c, 'it reduces over the batch axis');
    const keepdim = getAttr.int(c.node, 'keepdims', 1) === 1;
    const negative = axes.map((a) => a - rank);
    return { op, attrs: { axis: negative.length === 1 ? negative[0]! : negative, keepdim }, inputs: [x] };
  };
}

/** ArgMax along one axis (not the batch axis), the first largest index → argmax (as floats). */
function argmax(c: RowContext): Converted {
  const x = dynamic(c);
  const rank = c.shape(x).length;
  const axis = negativeAxis(getAttr.int(c.node, 'axis', 0), rank);
  if (axis === -rank) batchAxis(c, 'it searches along the batch axis');
  if (getAttr.int(c.node, 'select_last_index', 0) !== 0)
    throw new Unsupported('select_last_index=1 is not supported (torch.argmax returns the first)');
  return { op: 'argmax', attrs: { axis, keepdim: getAttr.int(c.node, 'keepdims', 1) === 1 }, inputs: [x] };
}

/** Slice with constant starts, ends, axes and steps (attributes before opset 10); steps ≥ 1. */
function sliceOp(c: RowContext): Converted {
  const x = dynamic(c);
  const from = c.shape(x);
  const rank = from.length;
  const list = (k: number, name: string): number[] | undefined =>
    c.opset < 10
      ? c.node.attrs.has(name)
        ? getAttr.ints(c.node, name)
        : undefined
      : optionalConstant(c, k, name) && [...constantInput(c, k, name).data];
  const starts = list(1, 'starts'),
    ends = list(2, 'ends');
  if (!starts || !ends) throw new Unsupported('its starts and ends must be constants');
  const axes = (list(3, 'axes') ?? starts.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const steps = list(4, 'steps') ?? starts.map(() => 1);
  if (steps.some((s) => s < 1))
    throw new Unsupported(`steps [${steps.join(', ')}]: only steps ≥ 1 (as torch)`);
  // ONNX writes "to the end" as a huge int64; Python slicing clamps the same way.
  const clampEnd = (e: number) => Math.max(Math.min(e, 2 ** 31 - 1), -(2 ** 31));
  const keep = axes.map((a, i) => {
    const d = from[a]!;
    const start = starts[i]! < 0 ? starts[i]! + d : starts[i]!;
    const end = ends[i]! < 0 ? ends[i]! + d : ends[i]!;
    return c.oneSample || !(a === 0 && start <= 0 && end >= d && steps[i] === 1);
  });
  if (axes.some((a, i) => a === 0 && keep[i])) batchAxis(c, 'it slices the batch axis');
  const pick = <T>(v: T[]) => v.filter((_, i) => keep[i]);
  return {
    op: 'slice',
    attrs: {
      axes: pick(axes).map((a) => a - rank),
      starts: pick(starts).map((v) => clampEnd(v)),
      ends: pick(ends).map(clampEnd),
      steps: pick(steps),
    },
    inputs: [x],
  };
}

/** Expand (broadcasting both ways) → expand to the broadcast shape, the batch axis kept as -1. */
function expandOp(c: RowContext): Converted {
  const x = dynamic(c);
  const from = c.shape(x);
  const spec = [...constantInput(c, 1, 'shape').data];
  // New axes would go in front of the graph's batch axis (torch's expand puts them first).
  if (spec.length > from.length)
    throw new Unsupported(`it adds axes in front of [${from.join(', ')}]; expand to the same rank`);
  const n = from.length;
  const padded = [...new Array<number>(n - spec.length).fill(1), ...spec];
  if (padded[0] !== 1 && padded[0] !== from[0]) batchAxis(c, 'it expands the batch axis');
  const shape = from.map((d, i) => {
    const e = padded[i]!;
    if (e !== 1 && d !== 1 && e !== d)
      throw new Unsupported(`[${from.join(', ')}] does not broadcast to [${spec.join(', ')}]`);
    return (i === 0 && !c.oneSample) || e === 1 ? -1 : e;
  });
  return { op: 'expand', attrs: { shape: c.oneSample ? [-1, ...shape] : shape }, inputs: [x] };
}

/** Tile with constant repeats, the batch axis repeated once. */
function tileOp(c: RowContext): Converted {
  const x = dynamic(c);
  const reps = [...constantInput(c, 1, 'repeats').data];
  if (reps[0] !== 1) batchAxis(c, `repeats [${reps.join(', ')}] repeat the batch axis`);
  if (reps.some((r) => r < 1)) throw new Unsupported(`repeats [${reps.join(', ')}] must be at least 1`);
  return { op: 'tile', attrs: { reps: c.oneSample ? [1, ...reps] : reps }, inputs: [x] };
}

/**
 * MatMul of two computed values. As one sample, a vector operand would gain the graph's axis and
 * be read as a matrix [1, k]; the model's own vectors are refused there.
 */
function matmul(c: RowContext): Converted {
  const inputs = [dynamic(c, 0), dynamic(c, 1)];
  const vector = inputs.find((v) => c.shape(v).length < 2);
  if (c.oneSample && vector !== undefined)
    throw new Unsupported(
      `its operand '${vector}' is a vector [${c.shape(vector).join(', ')}]; matrices are needed`,
    );
  return { op: 'matmul', attrs: {}, inputs };
}

/**
 * The attention pattern fuse.ts recognises, as scaled_dot_product_attention (scale left out at
 * 1/√d); q, k and v's batch axes broadcast as MatMul's do (the op's shape rule checks them).
 */
function attention(c: RowContext): Converted {
  const inputs = [dynamic(c, 0), dynamic(c, 1), dynamic(c, 2)];
  const q = c.shape(inputs[0]!);
  const scale = c.node.attrs.has('scale') ? getAttr.float(c.node, 'scale') : 1;
  const attrs: Attrs = {};
  if (getAttr.int(c.node, 'causal', 0) === 1) attrs['causal'] = true;
  if (Math.abs(scale * Math.sqrt(q[q.length - 1]!) - 1) > 1e-6) attrs['scale'] = scale;
  return { op: 'scaled_dot_product_attention', attrs, inputs };
}

/** Rows by ONNX op type (default domain) or `${domain}:${opType}` for the synthetic ops. */
export const IMPORT_ROWS: Record<string, Row> = {
  Gemm: gemm,
  [`${STUDIO_DOMAIN}:Linear`]: (c) =>
    linear(c, constantInput(c, 1, 'weight'), c.node.inputs[2] ? constantInput(c, 2, 'bias') : undefined),
  [`${STUDIO_DOMAIN}:Silu`]: unary('silu'),
  MatMul: matmul,
  [`${STUDIO_DOMAIN}:Attention`]: attention,
  Add: binary('add'),
  Sub: binary('sub'),
  Mul: binary('mul'),
  Div: (c) => (realValued(c, 'divides'), binary('div')(c)),
  Pow: binary('pow'),
  Max: variadic('maximum'),
  Min: variadic('minimum'),
  Sum: variadic('add'),
  Sign: unary('sign'),
  Shrink: shrink,
  Relu: unary('relu'),
  LeakyRelu: unary('leaky_relu', (c) => ({ negative_slope: getAttr.float(c.node, 'alpha', 0.01) })),
  Tanh: unary('tanh'),
  Sigmoid: unary('sigmoid'),
  Exp: unary('exp'),
  Log: unary('log'),
  Sqrt: unary('sqrt'),
  Abs: unary('abs'),
  Neg: unary('neg'),
  Sin: unary('sin'),
  Softplus: unary('softplus'),
  Clip: clip,
  HardSigmoid: hardsigmoid,
  HardSwish: unary('hardswish'),
  Softsign: unary('softsign'),
  Mish: unary('mish'),
  PRelu: prelu,
  InstanceNormalization: instanceNorm,
  [`${STUDIO_DOMAIN}:GroupNorm`]: groupNorm,
  Elu: unary('elu', (c) => ({ alpha: getAttr.float(c.node, 'alpha', 1) })),
  Selu: selu,
  Gelu: gelu,
  Softmax: softmaxLike('softmax'),
  LogSoftmax: softmaxLike('log_softmax'),
  LayerNormalization: layerNorm,
  BatchNormalization: batchNorm,
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool('max'),
  AveragePool: (c) => (realValued(c, 'averages'), pool('avg')(c)),
  GlobalAveragePool: (c) => (channelLayout(c), realValued(c, 'averages'), unary('global_avg_pool')(c)),
  GlobalMaxPool: (c) => (channelLayout(c), unary('global_max_pool')(c)),
  Pad: padOp,
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Concat: concat,
  Gather: gather,
  Split: splitOp,
  Squeeze: squeeze('Squeeze'),
  Unsqueeze: squeeze('Unsqueeze'),
  ReduceSum: reduce('sum'),
  ReduceMean: (c) => (realValued(c, 'averages'), reduce('mean')(c)),
  ReduceMax: reduce('max'),
  ReduceMin: reduce('min'),
  ArgMax: argmax,
  Slice: sliceOp,
  Expand: expandOp,
  Tile: tileOp,
};

export function rowFor(node: Pick<FlatNode, 'opType' | 'domain'>): Row | undefined {
  return IMPORT_ROWS[
    node.domain && node.domain !== 'ai.onnx' ? `${node.domain}:${node.opType}` : node.opType
  ];
}
