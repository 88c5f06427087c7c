/**
 * Older opsets (the files PyTorch wrote at opset 6-12, ONNX's own test data) read as the current
 * form of each op, so that the import rows know one form: attributes that later opsets turned
 * into inputs become constant inputs, and legacy semantics (opset 6's axis broadcasting, PRelu's
 * per-channel slope, BatchNormalization's `spatial`, `auto_pad`) are rewritten into what they meant
 * or refused.
 * Runs per node during import, where the shapes of its dynamic inputs are known.
 */
import { FlatNode, getAttr } from './onnx-graph.js';
import { ConstTensor } from './tensor-data.js';
import { AttributeType, DataType } from './onnx-proto.js';

/** Thrown when an old form has no equivalent the importer can represent; the message says why. */
export class UpgradeRefusal extends Error {}

export interface UpgradeContext {
  /** The model's default opset. */
  opset: number;
  constant(v: string): ConstTensor | undefined;
  /** Adds a constant; returns its value name. */
  addConstant(hint: string, t: ConstTensor): string;
  /** Concrete shape of a dynamic value, if known. */
  shape(v: string): readonly number[] | undefined;
}

/** A node in the form of opset `opset` (the model's own, or the newer one it was upgraded to). */
export interface Upgraded {
  node: FlatNode;
  opset: number;
}

const ints = (values: readonly number[]): ConstTensor => ({
  dims: [values.length],
  dataType: DataType.INT64,
  data: Float64Array.from(values),
});
const scalar = (v: number): ConstTensor => ({ dims: [], dataType: DataType.FLOAT, data: Float64Array.of(v) });

/** The node with attribute `attr` moved to input `index` (a constant), if it was given. */
function attrToInput(
  n: FlatNode,
  c: UpgradeContext,
  moves: { attr: string; index: number; value: (n: FlatNode) => ConstTensor }[],
): FlatNode {
  const inputs = n.inputs.slice();
  const attrs = new Map(n.attrs);
  for (const m of moves) {
    if (!n.attrs.has(m.attr)) continue;
    while (inputs.length < m.index) inputs.push('');
    inputs[m.index] = c.addConstant(`${n.name}/${m.attr}`, m.value(n));
    attrs.delete(m.attr);
  }
  return { ...n, inputs, attrs };
}

const axesToInput = (n: FlatNode, c: UpgradeContext) =>
  attrToInput(n, c, [{ attr: 'axes', index: 1, value: (m) => ints(getAttr.ints(m, 'axes')) }]);

/** Per op type: [the first opset of the current form, the rewrite from older forms]. */
const UPGRADES: Record<string, [number, (n: FlatNode, c: UpgradeContext) => FlatNode]> = {
  Pad: [
    11,
    (n, c) =>
      attrToInput(n, c, [
        { attr: 'pads', index: 1, value: (m) => ints(getAttr.ints(m, 'pads')) },
        { attr: 'value', index: 2, value: (m) => scalar(getAttr.float(m, 'value', 0)) },
      ]),
  ],
  Clip: [
    11,
    (n, c) =>
      attrToInput(n, c, [
        { attr: 'min', index: 1, value: (m) => scalar(getAttr.float(m, 'min')) },
        { attr: 'max', index: 2, value: (m) => scalar(getAttr.float(m, 'max')) },
      ]),
  ],
  Squeeze: [13, axesToInput],
  Unsqueeze: [13, axesToInput],
  ReduceSum: [13, axesToInput],
  ReduceMean: [18, axesToInput],
  ReduceMax: [18, axesToInput],
  ReduceMin: [18, axesToInput],
  ReduceProd: [18, axesToInput],
  ReduceL2: [18, axesToInput],
  Split: [
    13,
    (n, c) => attrToInput(n, c, [{ attr: 'split', index: 1, value: (m) => ints(getAttr.ints(m, 'split')) }]),
  ],
  Reshape: [
    5,
    (n, c) => attrToInput(n, c, [{ attr: 'shape', index: 1, value: (m) => ints(getAttr.ints(m, 'shape')) }]),
  ],
  BatchNormalization: [
    9,
    (n) => {
      // spatial=0 normalised every (channel, position) with its own statistics; the engine's
      // batch_norm (and PyTorch's) has one per channel, which is spatial=1, the default.
      if (getAttr.int(n, 'spatial', 1) !== 1)
        throw new UpgradeRefusal('spatial=0 (statistics per position, opset < 9) is not supported');
      const attrs = new Map(n.attrs);
      for (const old of ['spatial', 'is_test', 'consumed_inputs']) attrs.delete(old);
      return { ...n, attrs };
    },
  ],
  // Gemm's `broadcast` (opset < 7) only allowed C to broadcast, as it always may now.
  Gemm: [
    7,
    (n) => {
      const attrs = new Map(n.attrs);
      attrs.delete('broadcast');
      return { ...n, attrs };
    },
  ],
  Add: [7, legacyBroadcast],
  Sub: [7, legacyBroadcast],
  Mul: [7, legacyBroadcast],
  Div: [7, legacyBroadcast],
  Pow: [7, legacyBroadcast],
  PRelu: [7, preluPerChannel],
};

/**
 * Opset < 7 binary ops broadcast B only with broadcast=1, aligned at `axis` of A (default: the
 * trailing axes, as NumPy). A constant B is reshaped with trailing 1s so NumPy's rule does the same.
 */
function legacyBroadcast(n: FlatNode, c: UpgradeContext): FlatNode {
  const attrs = new Map(n.attrs);
  attrs.delete('broadcast');
  attrs.delete('axis');
  attrs.delete('consumed_inputs');
  const upgraded = { ...n, attrs };
  if (getAttr.int(n, 'broadcast', 0) !== 1 || !n.attrs.has('axis')) return upgraded;
  const [a, b] = n.inputs as [string, string];
  const aRank = (c.constant(a)?.dims ?? c.shape(a))?.length;
  const bConst = c.constant(b);
  const bRank = (bConst?.dims ?? c.shape(b))?.length;
  if (aRank === undefined || bRank === undefined)
    throw new UpgradeRefusal('broadcast with axis (opset < 7) on operands of unknown rank');
  const axis = getAttr.int(n, 'axis');
  const trailing = aRank - (axis < 0 ? axis + aRank : axis) - bRank;
  if (trailing < 0)
    throw new UpgradeRefusal(`broadcast axis ${axis} does not fit ranks ${aRank} and ${bRank}`);
  if (trailing === 0) return upgraded;
  if (!bConst)
    throw new UpgradeRefusal(
      `broadcast of a computed operand along axis ${axis} (opset < 7) is not supported`,
    );
  const reshaped = { ...bConst, dims: [...bConst.dims, ...new Array<number>(trailing).fill(1)] };
  return { ...upgraded, inputs: [a, c.addConstant(`${n.name}/B`, reshaped)] };
}

/** Opset < 7 PRelu: a slope of C values is one per channel (axis 1), not NumPy-broadcast. */
function preluPerChannel(n: FlatNode, c: UpgradeContext): FlatNode {
  const [x, s] = n.inputs as [string, string];
  const slope = c.constant(s);
  const rank = c.shape(x)?.length;
  if (!slope || rank === undefined || slope.dims.length !== 1 || slope.data.length === 1 || rank <= 2)
    return n;
  const placed = { ...slope, dims: [slope.data.length, ...new Array<number>(rank - 2).fill(1)] };
  return { ...n, inputs: [x, c.addConstant(`${n.name}/slope`, placed)] };
}

/**
 * `auto_pad` (deprecated in every opset) as the explicit `pads` it means for this input's shape:
 * SAME_UPPER / SAME_LOWER pad so that the output is ceil(input / stride), the odd one at the end /
 * the beginning; VALID pads nothing. The rows then see one form.
 */
function explicitPads(n: FlatNode, c: UpgradeContext): FlatNode {
  const mode = n.attrs.has('auto_pad') ? getAttr.string(n, 'auto_pad') : 'NOTSET';
  if (mode === 'NOTSET') return n;
  const shape = c.shape(n.inputs[0]!);
  const weight = n.opType === 'Conv' ? c.constant(n.inputs[1] ?? '') : undefined;
  const spatial = shape ? shape.length - 2 : (weight?.dims.length ?? 2) - 2;
  const ones = new Array<number>(Math.max(spatial, 0)).fill(1);
  const kernel = n.attrs.has('kernel_shape') ? getAttr.ints(n, 'kernel_shape') : weight?.dims.slice(2);
  const strides = getAttr.ints(n, 'strides', ones);
  const dilations = getAttr.ints(n, 'dilations', ones);
  let pads: number[];
  if (mode === 'VALID') pads = new Array<number>(2 * spatial).fill(0);
  else if (mode === 'SAME_UPPER' || mode === 'SAME_LOWER') {
    if (!shape || !kernel || kernel.length !== spatial)
      throw new UpgradeRefusal(`auto_pad=${mode} needs the input's shape and the kernel size`);
    const total = kernel.map((k, i) => {
      const size = shape[i + 2]!;
      const out = Math.ceil(size / strides[i]!);
      return Math.max(0, (out - 1) * strides[i]! + (k - 1) * dilations[i]! + 1 - size);
    });
    const small = total.map((t) => Math.floor(t / 2));
    const large = total.map((t, i) => t - small[i]!);
    pads = mode === 'SAME_UPPER' ? [...small, ...large] : [...large, ...small];
  } else throw new UpgradeRefusal(`auto_pad=${mode} is not an ONNX padding mode`);
  const attrs = new Map(n.attrs);
  attrs.delete('auto_pad');
  attrs.set('pads', {
    name: 'pads',
    type: AttributeType.INTS,
    ints: pads,
    floats: [],
    strings: [],
    tensors: [],
    graphs: [],
  });
  return { ...n, attrs };
}

const EXPLICIT_PADS = new Set(['Conv', 'MaxPool', 'AveragePool', 'LpPool']);

/** The node in its current form, and the opset that form belongs to. */
export function upgradeNode(n: FlatNode, c: UpgradeContext): Upgraded {
  const current = !n.domain || n.domain === 'ai.onnx';
  const node = current && EXPLICIT_PADS.has(n.opType) ? explicitPads(n, c) : n;
  const entry = current ? UPGRADES[n.opType] : undefined;
  if (!entry || c.opset >= entry[0]) return { node, opset: c.opset };
  return { node: entry[1](node, c), opset: entry[0] };
}
