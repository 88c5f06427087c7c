/**
 * A flat view of an ONNX model's main graph, the shape import works on: model-local functions
 * inlined (PyTorch's newer exporter wraps modules in them), Constant nodes and initializers
 * gathered into one table of constants, Identity (and inference-mode Dropout) resolved to
 * aliases, and nodes whose inputs are all constant folded into constants.
 */
import {
  AttributeProto,
  DataType,
  FunctionProto,
  ModelProto,
  NodeProto,
  ValueInfoProto,
} from './onnx-proto.js';
import { utf8Decode } from './protobuf.js';
import { ConstTensor, ExternalDataReader, readTensor } from './tensor-data.js';
import { broadcastIndex, broadcastShapes } from '../tensor/broadcast.js';

/** Bad or unsupported model structure, naming the node or value concerned. */
export class OnnxImportError extends Error {
  constructor(
    message: string,
    /** Every problem found (the message lists them all too). */
    readonly problems: string[] = [message],
  ) {
    super(message);
    this.name = 'OnnxImportError';
  }
}

export interface FlatNode {
  /** The ONNX node's name (made unique), or `${opType}_${index}` when it had none. */
  name: string;
  opType: string;
  domain: string;
  /** Value names, aliases resolved; '' for an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Map<string, AttributeProto>;
}

export interface FlatGraph {
  /** Version of the default ('ai.onnx') opset. */
  opset: number;
  nodes: FlatNode[];
  consts: Map<string, ConstTensor>;
  /** Graph inputs that are not initializers: what the model is fed. */
  inputs: { name: string; dims: (number | string)[]; elemType: number }[];
  /** Graph output value names, aliases resolved. */
  outputs: string[];
}

function isDefaultDomain(d: string | undefined): boolean {
  return !d || d === 'ai.onnx';
}

export function attrMap(node: NodeProto): Map<string, AttributeProto> {
  return new Map(node.attribute.map((a) => [a.name ?? '', a]));
}

/** Typed attribute getters with ONNX defaults; a wrong type is an OnnxImportError naming the node. */
export const getAttr = {
  int(n: FlatNode, name: string, dflt?: number): number {
    const a = n.attrs.get(name);
    if (!a) return required(n, name, dflt);
    if (a.i === undefined)
      throw new OnnxImportError(`node '${n.name}' (${n.opType}): attribute ${name} must be an int`);
    return a.i;
  },
  float(n: FlatNode, name: string, dflt?: number): number {
    const a = n.attrs.get(name);
    if (!a) return required(n, name, dflt);
    if (a.f === undefined)
      throw new OnnxImportError(`node '${n.name}' (${n.opType}): attribute ${name} must be a float`);
    return shortestFloat32(a.f);
  },
  ints(n: FlatNode, name: string, dflt?: number[]): number[] {
    const a = n.attrs.get(name);
    if (!a) return required(n, name, dflt);
    return a.ints.slice();
  },
  string(n: FlatNode, name: string, dflt?: string): string {
    const a = n.attrs.get(name);
    if (!a) return required(n, name, dflt);
    if (a.s === undefined)
      throw new OnnxImportError(`node '${n.name}' (${n.opType}): attribute ${name} must be a string`);
    return utf8Decode(a.s);
  },
};

/**
 * The shortest decimal that is the same float32 (ONNX stores float attributes in 32 bits:
 * 1e-5 arrives as 0.000009999999747378752 and should read 1e-5 in the document).
 */
export function shortestFloat32(v: number): number {
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

function required<T>(n: FlatNode, name: string, dflt: T | undefined): T {
  if (dflt === undefined)
    throw new OnnxImportError(`node '${n.name}' (${n.opType}): attribute ${name} is missing`);
  return dflt;
}

// ---- Function inlining -------------------------------------------------------------------------

function functionKey(domain: string | undefined, name: string | undefined, overload?: string): string {
  return `${domain ?? ''}::${name ?? ''}::${overload ?? ''}`;
}

/**
 * Replaces calls of model-local functions by their bodies: values inside a body are renamed
 * under the call's name, the body's inputs and outputs become the call's, and attribute
 * references take the call's attribute (or the function's default).
 */
function inlineFunctions(nodes: NodeProto[], functions: Map<string, FunctionProto>, depth = 0): NodeProto[] {
  if (depth > 32)
    throw new OnnxImportError('model-local functions nest more than 32 deep (recursive functions?)');
  const out: NodeProto[] = [];
  nodes.forEach((call, index) => {
    const fn = functions.get(functionKey(call.domain, call.opType, call.overload));
    if (!fn) {
      out.push(call);
      return;
    }
    const prefix = `${call.name || `${fn.name}_${index}`}/`;
    const rename = new Map<string, string>();
    fn.input.forEach((v, i) => rename.set(v, call.input[i] ?? ''));
    fn.output.forEach((v, i) => rename.set(v, call.output[i] ?? `${prefix}${v}`));
    const mapName = (v: string) => (v === '' ? '' : (rename.get(v) ?? `${prefix}${v}`));
    const callAttrs = attrMap(call);
    const defaults = new Map(fn.attributeProto.map((a) => [a.name ?? '', a]));
    const body = fn.node.map((n) => ({
      ...n,
      name: `${prefix}${n.name ?? n.opType}`,
      input: n.input.map(mapName),
      output: n.output.map(mapName),
      attribute: n.attribute.flatMap((a) => {
        if (!a.refAttrName) return [a];
        const given = callAttrs.get(a.refAttrName) ?? defaults.get(a.refAttrName);
        return given ? [{ ...given, name: a.name }] : [];
      }),
    }));
    out.push(...inlineFunctions(body, functions, depth + 1));
  });
  return out;
}

// ---- Constants ---------------------------------------------------------------------------------

function constantNodeValue(n: FlatNode): ConstTensor {
  const [a] = [...n.attrs.values()];
  if (!a || n.attrs.size !== 1) {
    throw new OnnxImportError(`node '${n.name}' (Constant): expected exactly one value attribute`);
  }
  switch (a.name) {
    case 'value':
      if (!a.t) break;
      return readTensor(a.t);
    case 'value_float':
      return { dims: [], dataType: DataType.FLOAT, data: Float64Array.of(a.f ?? 0) };
    case 'value_floats':
      return { dims: [a.floats.length], dataType: DataType.FLOAT, data: Float64Array.from(a.floats) };
    case 'value_int':
      return { dims: [], dataType: DataType.INT64, data: Float64Array.of(a.i ?? 0) };
    case 'value_ints':
      return { dims: [a.ints.length], dataType: DataType.INT64, data: Float64Array.from(a.ints) };
  }
  throw new OnnxImportError(`node '${n.name}' (Constant): attribute '${a.name}' is not supported`);
}

/** ONNX's integer element types (token indices, sizes). */
export const INTEGER_TYPES = new Set<number>([DataType.INT64, DataType.INT32, DataType.INT8, DataType.UINT8]);

const sizeOfDims = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** Elementwise binary folding with NumPy broadcasting (the engine's broadcast tables). */
function foldBinary(a: ConstTensor, b: ConstTensor, f: (x: number, y: number) => number): ConstTensor {
  const dims = broadcastShapes(a.dims, b.dims);
  const ia = broadcastIndex(a.dims, dims);
  const ib = broadcastIndex(b.dims, dims);
  const data = new Float64Array(sizeOfDims(dims));
  for (let k = 0; k < data.length; k++) data[k] = f(a.data[ia ? ia[k]! : k]!, b.data[ib ? ib[k]! : k]!);
  return { dims, dataType: a.dataType, data };
}

export function transposeConst(t: ConstTensor, perm: readonly number[]): ConstTensor {
  const dims = perm.map((p) => t.dims[p]!);
  const inStrides = t.dims.map((_, i) => sizeOfDims(t.dims.slice(i + 1)));
  const data = new Float64Array(t.data.length);
  const idx = new Array<number>(dims.length).fill(0);
  for (let k = 0; k < data.length; k++) {
    let src = 0;
    for (let ax = 0; ax < dims.length; ax++) src += idx[ax]! * inStrides[perm[ax]!]!;
    data[k] = t.data[src]!;
    for (let ax = dims.length - 1; ax >= 0; ax--) {
      if (++idx[ax]! < dims[ax]!) break;
      idx[ax] = 0;
    }
  }
  return { dims, dataType: t.dataType, data };
}

/** ONNX Reshape's target dims: 0 copies the input dim, -1 is inferred. */
export function resolveReshape(
  from: readonly number[],
  spec: readonly number[],
  allowZero = false,
): number[] {
  const dims = spec.map((d, i) => (d === 0 && !allowZero ? from[i]! : d));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return dims.map((d) => (d === -1 ? sizeOfDims(from) / known : d));
}

type Folder = (n: FlatNode, xs: ConstTensor[]) => ConstTensor | null;

const binary =
  (f: (x: number, y: number) => number): Folder =>
  (_n, [a, b]) =>
    foldBinary(a!, b!, f);
/** Constants joined along `axis` (every other axis equal). */
function concatConst(xs: ConstTensor[], axis: number): ConstTensor {
  const first = xs[0]!;
  const rank = first.dims.length;
  const ax = axis < 0 ? axis + rank : axis;
  const outer = first.dims.slice(0, ax).reduce((p, d) => p * d, 1);
  const inner = first.dims.slice(ax + 1).reduce((p, d) => p * d, 1);
  const dims = first.dims.slice();
  dims[ax] = xs.reduce((p, x) => p + x.dims[ax]!, 0);
  const data = new Float64Array(dims.reduce((p, d) => p * d, 1));
  let q = 0;
  for (let o = 0; o < outer; o++)
    for (const x of xs) {
      const n = x.dims[ax]! * inner;
      data.set(x.data.subarray(o * n, (o + 1) * n), q);
      q += n;
    }
  return { dims, dataType: first.dataType, data };
}

/** ONNX Slice of a constant: per axis start, end (clamped, negative from the end) and step. */
function sliceConst(
  a: ConstTensor,
  starts: number[],
  ends: number[],
  axes: number[] | undefined,
  steps: number[] | undefined,
): ConstTensor {
  const rank = a.dims.length;
  const from = a.dims.map(() => 0);
  const step = a.dims.map(() => 1);
  const count = a.dims.slice();
  (axes ?? starts.map((_, i) => i)).forEach((axis, i) => {
    const ax = axis < 0 ? axis + rank : axis;
    const len = a.dims[ax]!;
    const st = steps?.[i] ?? 1;
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + len : v, lo), hi);
    const b = st > 0 ? clamp(starts[i]!, 0, len) : clamp(starts[i]!, -1, len - 1);
    const e = st > 0 ? clamp(ends[i]!, 0, len) : clamp(ends[i]!, -1, len - 1);
    from[ax] = b;
    step[ax] = st;
    count[ax] = Math.max(0, Math.ceil((e - b) / st));
  });
  const strides = a.dims.map((_, i) => a.dims.slice(i + 1).reduce((p, d) => p * d, 1));
  const data = new Float64Array(count.reduce((p, d) => p * d, 1));
  const index = count.map(() => 0);
  for (let q = 0; q < data.length; q++) {
    let src = 0;
    for (let ax = 0; ax < rank; ax++) src += (from[ax]! + index[ax]! * step[ax]!) * strides[ax]!;
    data[q] = a.data[src]!;
    for (let ax = rank - 1; ax >= 0; ax--) {
      if (++index[ax]! < count[ax]!) break;
      index[ax] = 0;
    }
  }
  return { dims: count, dataType: a.dataType, data };
}

const unary =
  (f: (x: number) => number): Folder =>
  (_n, [a]) => ({ ...a!, data: a!.data.map(f) });

/** Ops folded when every input is a constant (shape arithmetic and weight preprocessing). */
const FOLDERS: Record<string, Folder> = {
  Add: binary((x, y) => x + y),
  Sub: binary((x, y) => x - y),
  Mul: binary((x, y) => x * y),
  // Integers divide as ONNX (and PyTorch's exported `//` on sizes) do: truncated.
  Div: (_n, [a, b]) =>
    foldBinary(a!, b!, INTEGER_TYPES.has(a!.dataType) ? (x, y) => Math.trunc(x / y) : (x, y) => x / y),
  Pow: binary((x, y) => x ** y),
  Sqrt: unary(Math.sqrt),
  Neg: unary((x) => -x),
  Reciprocal: unary((x) => 1 / x),
  Cast: (n, [a]) => ({ ...a!, dataType: getAttr.int(n, 'to') }),
  Transpose: (n, [a]) =>
    transposeConst(
      a!,
      getAttr.ints(
        n,
        'perm',
        a!.dims.map((_, i) => a!.dims.length - 1 - i),
      ),
    ),
  Reshape: (n, [a, shape]) => ({
    ...a!,
    dims: resolveReshape(a!.dims, [...shape!.data], getAttr.int(n, 'allowzero', 0) === 1),
  }),
  Unsqueeze: (n, [a, axesT]) => {
    const axes = axesT ? [...axesT.data] : getAttr.ints(n, 'axes');
    const rank = a!.dims.length + axes.length;
    const norm = new Set(axes.map((x) => (x < 0 ? x + rank : x)));
    const dims: number[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) dims.push(norm.has(i) ? 1 : a!.dims[j++]!);
    return { ...a!, dims };
  },
  // Shape arithmetic PyTorch emits around Pad (F.pad's amounts reordered into ONNX's).
  ConstantOfShape: (n, [shape]) => {
    const dims = [...shape!.data];
    const v = n.attrs.get('value')?.t;
    const fill = v ? readTensor(v) : { dims: [1], dataType: DataType.FLOAT, data: Float64Array.of(0) };
    return {
      dims,
      dataType: fill.dataType,
      data: new Float64Array(dims.reduce((p, d) => p * d, 1)).fill(fill.data[0]!),
    };
  },
  Concat: (n, xs) => concatConst(xs, getAttr.int(n, 'axis')),
  Slice: (_n, [a, starts, ends, axesT, stepsT]) =>
    sliceConst(
      a!,
      [...starts!.data],
      [...ends!.data],
      axesT ? [...axesT.data] : undefined,
      stepsT ? [...stepsT.data] : undefined,
    ),
  Squeeze: (n, [a, axesT]) => {
    const rank = a!.dims.length;
    const axes = axesT ? [...axesT.data] : getAttr.ints(n, 'axes', []);
    const norm = new Set(axes.map((x) => (x < 0 ? x + rank : x)));
    return { ...a!, dims: a!.dims.filter((d, i) => (norm.size ? !norm.has(i) : d !== 1)) };
  },
};

/** A node of the default domain whose inputs are all constants, folded; null when it can't be. */
export function foldConstNode(n: FlatNode, xs: (ConstTensor | undefined)[]): ConstTensor | null {
  const folder = FOLDERS[n.opType];
  return folder ? folder(n, xs as ConstTensor[]) : null;
}

// ---- The flat graph ----------------------------------------------------------------------------

/** Ops that pass their first input through unchanged in an inference graph. */
const PASS_THROUGH = new Set(['Identity', 'Dropout']);

export function flattenModel(model: ModelProto, external?: ExternalDataReader): FlatGraph {
  const g = model.graph;
  if (!g) throw new OnnxImportError('the model has no graph');
  const opsetEntry = model.opsetImport.find((o) => isDefaultDomain(o.domain));
  if (!opsetEntry?.version)
    throw new OnnxImportError('the model imports no version of the default ONNX opset');
  const functions = new Map(model.functions.map((f) => [functionKey(f.domain, f.name, f.overload), f]));
  const nodes = inlineFunctions(g.node, functions);

  const consts = new Map<string, ConstTensor>();
  for (const init of g.initializer) consts.set(init.name ?? '', readTensor(init, external));
  const alias = new Map<string, string>();
  const resolve = (v: string): string => {
    let cur = v;
    while (alias.has(cur)) cur = alias.get(cur)!;
    return cur;
  };

  const used = new Set<string>();
  const flat: FlatNode[] = [];
  nodes.forEach((n, i) => {
    let name = n.name || `${n.opType}_${i}`;
    while (used.has(name)) name = `${name}_${i}`;
    used.add(name);
    const node: FlatNode = {
      name,
      opType: n.opType ?? '',
      domain: n.domain ?? '',
      inputs: n.input.map((v) => (v === '' ? '' : resolve(v))),
      outputs: n.output.slice(),
      attrs: attrMap(n),
    };
    if (isDefaultDomain(node.domain) && node.opType === 'Constant') {
      consts.set(node.outputs[0]!, constantNodeValue(node));
      return;
    }
    if (isDefaultDomain(node.domain) && PASS_THROUGH.has(node.opType)) {
      alias.set(node.outputs[0]!, node.inputs[0]!);
      return;
    }
    const folder = isDefaultDomain(node.domain) ? FOLDERS[node.opType] : undefined;
    const present = node.inputs.filter((v) => v !== '');
    if (folder && present.length > 0 && present.every((v) => consts.has(v))) {
      const xs = node.inputs.map((v) => (v === '' ? undefined : consts.get(v))) as ConstTensor[];
      const folded = folder(node, xs);
      if (folded) {
        consts.set(node.outputs[0]!, folded);
        return;
      }
    }
    flat.push(node);
  });

  const initNames = new Set(g.initializer.map((t) => t.name));
  const inputs = g.input.filter((v) => !initNames.has(v.name)).map(valueInfoInput);
  return {
    opset: opsetEntry.version,
    nodes: flat,
    consts,
    inputs,
    outputs: g.output.map((o) => resolve(o.name ?? '')),
  };
}

function valueInfoInput(v: ValueInfoProto): FlatGraph['inputs'][number] {
  const t = v.type?.tensorType;
  if (!t) throw new OnnxImportError(`graph input '${v.name}' is not a tensor`);
  return {
    name: v.name ?? '',
    elemType: t.elemType ?? 0,
    dims: (t.shape?.dim ?? []).map((d) => d.dimValue ?? d.dimParam ?? '?'),
  };
}
