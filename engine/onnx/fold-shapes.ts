/**
 * Shape arithmetic folded at import. Exporters compute sizes from the running tensors (PyTorch
 * writes `x.size(0)`, MultiheadAttention's head split and q/k/v chunks, as Shape → Gather →
 * Unsqueeze → Concat → Reshape, with Mul, Div, Add and Cast along the way). An imported graph's
 * sizes are fixed except the batch, so such a value is a constant, or depends on the batch size N
 * in a way a reshape can say without knowing N: this pass infers the shapes of the model's values
 * (each size a known number or a whole multiple of N, plus a number), evaluates the integer
 * arithmetic on them, and replaces
 * - a value that does not depend on N by a constant (its nodes go away);
 * - a Reshape target that does by a constant one: the entry that is the input's own size along
 *   that axis becomes 0 (copy), the one other entry that depends on N becomes -1 (inferred).
 * What it can't fold stays as it was (and import says which op it can't read).
 */
import { FlatGraph, FlatNode, foldConstNode, getAttr, INTEGER_TYPES } from './onnx-graph.js';
import { DataType } from './onnx-proto.js';
import type { ConstTensor } from './tensor-data.js';

/** A size: n·N + c, N the batch size. */
interface Lin {
  n: number;
  c: number;
}

/** An integer tensor (a shape or part of one) whose entries may depend on N. */
interface SymTensor {
  dims: number[];
  dataType: number;
  data: Lin[];
}

const lit = (c: number): Lin => ({ n: 0, c });
const known = (x: Lin) => x.n === 0;
const same = (a: Lin, b: Lin) => a.n === b.n && a.c === b.c;

function mulLin(a: Lin, b: Lin): Lin | null {
  if (known(a)) return { n: a.c * b.n, c: a.c * b.c };
  if (known(b)) return { n: b.c * a.n, c: b.c * a.c };
  return null;
}

/** a / b: integer division truncates (ONNX Div of integers); with N in a, only when it divides evenly. */
function divLin(a: Lin, b: Lin, integer: boolean): Lin | null {
  if (!known(b) || b.c === 0) return null;
  if (known(a)) return lit(integer ? Math.trunc(a.c / b.c) : a.c / b.c);
  return a.n % b.c === 0 && a.c % b.c === 0 ? { n: a.n / b.c, c: a.c / b.c } : null;
}

function productLin(xs: readonly Lin[]): Lin | null {
  let p: Lin | null = lit(1);
  for (const x of xs) p = p && mulLin(p, x);
  return p;
}

const toSym = (t: ConstTensor): SymTensor => ({
  dims: t.dims,
  dataType: t.dataType,
  data: Array.from(t.data, lit),
});

/** Broadcasts two shapes of sizes; null where they don't provably broadcast. */
function broadcastLin(a: readonly Lin[], b: readonly Lin[]): Lin[] | null {
  const n = Math.max(a.length, b.length);
  const out: Lin[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? lit(1);
    const y = b[b.length - n + i] ?? lit(1);
    if (same(x, y) || (known(y) && y.c === 1)) out.push(x);
    else if (known(x) && x.c === 1) out.push(y);
    else return null;
  }
  return out;
}

const axisOf = (a: number, rank: number) => (a < 0 ? a + rank : a);

/** Ops whose output has their first input's shape. */
const SAME_SHAPE = new Set([
  'Relu',
  'LeakyRelu',
  'Elu',
  'Selu',
  'Celu',
  'PRelu',
  'Sigmoid',
  'HardSigmoid',
  'HardSwish',
  'Tanh',
  'Softmax',
  'LogSoftmax',
  'Softplus',
  'Softsign',
  'Erf',
  'Exp',
  'Log',
  'Sqrt',
  'Neg',
  'Abs',
  'Reciprocal',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
  'Sin',
  'Cos',
  'Clip',
  'Cast',
  'Gelu',
  'Mish',
  'Identity',
  'Dropout',
  'LayerNormalization',
  'BatchNormalization',
  'InstanceNormalization',
  'LpNormalization',
  'LRN',
]);
const ELEMENTWISE = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Max',
  'Min',
  'Where',
  'Equal',
  'Less',
  'Greater',
]);

/** The ops `evaluate` computes on sizes. */
const EVALUATED = new Set([
  'Shape',
  'Size',
  'Cast',
  'Identity',
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Concat',
  'Slice',
  'Add',
  'Sub',
  'Mul',
  'Div',
]);
/** The most elements a constant read as sizes has (a shape's rank, with room to spare). */
const SHAPE_VALUES = 64;

/** Everything the pass knows while it walks the graph. */
class Folding {
  /** Shapes of the model's computed values (not constants). */
  readonly shapes = new Map<string, Lin[]>();
  /** Integer values that depend on N (the ones that don't are in consts). */
  readonly sym = new Map<string, SymTensor>();

  constructor(readonly consts: Map<string, ConstTensor>) {}

  shape(v: string): Lin[] | undefined {
    const c = this.consts.get(v);
    return c ? c.dims.map(lit) : this.shapes.get(v);
  }

  /** A value as sizes: a small constant (shape arithmetic's; weights are not), or one that depends on N. */
  value(v: string): SymTensor | undefined {
    const c = this.consts.get(v);
    return c ? (c.data.length <= SHAPE_VALUES ? toSym(c) : undefined) : this.sym.get(v);
  }

  ints(v: string | undefined): number[] | undefined {
    const c = v ? this.consts.get(v) : undefined;
    return c ? [...c.data] : undefined;
  }

  /** The integer value a node computes from shapes, or undefined when it isn't one. */
  evaluate(n: FlatNode): SymTensor | null | undefined {
    if (!EVALUATED.has(n.opType)) return undefined;
    const ins = n.inputs.map((v) => (v ? this.value(v) : undefined));
    const [a, b] = ins;
    switch (n.opType) {
      case 'Shape': {
        const s = this.shape(n.inputs[0]!);
        if (!s) return undefined;
        const start = axisOf(getAttr.int(n, 'start', 0), s.length);
        const endAttr = n.attrs.has('end') ? getAttr.int(n, 'end') : s.length;
        const data = s.slice(Math.max(0, start), Math.min(s.length, axisOf(endAttr, s.length)));
        return { dims: [data.length], dataType: DataType.INT64, data };
      }
      case 'Size': {
        const s = this.shape(n.inputs[0]!);
        const p = s && productLin(s);
        return p ? { dims: [], dataType: DataType.INT64, data: [p] } : undefined;
      }
    }
    if (!a || ins.some((x, i) => n.inputs[i] && !x)) return undefined;
    switch (n.opType) {
      case 'Cast':
        return { ...a, dataType: getAttr.int(n, 'to') };
      case 'Identity':
        return a;
      case 'Gather': {
        if (a.dims.length !== 1 || !b || b.data.some((e) => !known(e))) return undefined;
        if (getAttr.int(n, 'axis', 0) !== 0) return undefined;
        const data = b.data.map((i) => a.data[axisOf(i.c, a.data.length)]);
        return data.every((x) => x) ? { dims: b.dims, dataType: a.dataType, data: data as Lin[] } : undefined;
      }
      case 'Unsqueeze':
      case 'Squeeze': {
        if (a.dims.length > 1) return undefined;
        if (b?.data.some((e) => !known(e))) return undefined;
        const axes = b ? b.data.map((e) => e.c) : getAttr.ints(n, 'axes', []);
        const rank = n.opType === 'Unsqueeze' ? a.dims.length + axes.length : a.dims.length - axes.length;
        if (rank > 1 || (n.opType === 'Squeeze' && axes.length === 0 && a.dims.length > 0 && a.dims[0] !== 1))
          return undefined;
        return { ...a, dims: rank === 1 ? [a.data.length] : [] };
      }
      case 'Concat': {
        if (ins.some((x) => !x || x.dims.length !== 1)) return undefined;
        return {
          dims: [ins.reduce((p, x) => p + x!.data.length, 0)],
          dataType: a.dataType,
          data: ins.flatMap((x) => x!.data),
        };
      }
      case 'Slice': {
        if (ins.slice(1).some((x) => x?.data.some((e) => !known(e)))) return undefined;
        const [starts, ends, axes, steps] = ins.slice(1, 5).map((x) => x?.data.map((e) => e.c));
        if (a.dims.length !== 1 || !starts || !ends || (axes && axes.some((x) => axisOf(x, 1) !== 0)))
          return undefined;
        const len = a.data.length;
        const step = steps?.[0] ?? 1;
        if (step !== 1) return undefined;
        const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + len : v, 0), len);
        const data = a.data.slice(clamp(starts[0]!), clamp(ends[0]!));
        return { dims: [data.length], dataType: a.dataType, data };
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div': {
        if (!b || a.dims.length > 1 || b.dims.length > 1) return undefined;
        const len = Math.max(a.data.length, b.data.length);
        if ((a.data.length !== 1 && a.data.length !== len) || (b.data.length !== 1 && b.data.length !== len))
          return undefined;
        const integer = INTEGER_TYPES.has(a.dataType);
        const data: (Lin | null)[] = [];
        for (let i = 0; i < len; i++) {
          const x = a.data[a.data.length === 1 ? 0 : i]!;
          const y = b.data[b.data.length === 1 ? 0 : i]!;
          data.push(
            n.opType === 'Add'
              ? { n: x.n + y.n, c: x.c + y.c }
              : n.opType === 'Sub'
                ? { n: x.n - y.n, c: x.c - y.c }
                : n.opType === 'Mul'
                  ? mulLin(x, y)
                  : divLin(x, y, integer),
          );
        }
        if (data.some((x) => !x)) return null;
        return {
          dims: a.dims.length >= b.dims.length ? a.dims : b.dims,
          dataType: a.dataType,
          data: data as Lin[],
        };
      }
    }
    return undefined;
  }

  /** The output shape of a computed value's node, where the pass can tell it. */
  infer(n: FlatNode): Lin[] | undefined {
    const s = n.inputs.map((v) => (v ? this.shape(v) : undefined));
    const x = s[0];
    if (SAME_SHAPE.has(n.opType)) return x;
    if (ELEMENTWISE.has(n.opType)) {
      let out: Lin[] | null = [];
      for (const y of s) out = out && y ? broadcastLin(out, y) : null;
      return out ?? undefined;
    }
    if (!x) return undefined;
    const rank = x.length;
    switch (n.opType) {
      case 'Transpose': {
        const perm = getAttr.ints(
          n,
          'perm',
          x.map((_, i) => rank - 1 - i),
        );
        return perm.map((p) => x[p]!);
      }
      case 'MatMul': {
        const y = s[1];
        if (!y || rank < 2 || y.length < 2) return undefined;
        const batch = broadcastLin(x.slice(0, -2), y.slice(0, -2));
        return batch ? [...batch, x[rank - 2]!, y[y.length - 1]!] : undefined;
      }
      case 'Gemm': {
        const y = s[1];
        if (!y || rank !== 2 || y.length !== 2) return undefined;
        const m = x[getAttr.int(n, 'transA', 0) ? 1 : 0]!;
        return [m, y[getAttr.int(n, 'transB', 0) ? 0 : 1]!];
      }
      case 'Reshape': {
        const spec = this.ints(n.inputs[1]);
        if (!spec) return undefined;
        const allowZero = getAttr.int(n, 'allowzero', 0) === 1;
        const dims = spec.map((d, i) => (d === 0 && !allowZero ? x[i] : lit(d)));
        if (dims.some((d) => !d)) return undefined;
        const inferred = dims.findIndex((d) => known(d!) && d!.c === -1);
        if (inferred < 0) return dims as Lin[];
        const rest = productLin(dims.filter((_, i) => i !== inferred) as Lin[]);
        const total = productLin(x);
        const missing = rest && total && divLin(total, rest, true);
        if (!missing || !rest || (known(rest) && known(total!) && total!.c % rest.c !== 0)) return undefined;
        return dims.map((d, i) => (i === inferred ? missing : d!));
      }
      case 'Flatten': {
        const axis = axisOf(getAttr.int(n, 'axis', 1), rank);
        const [outer, inner] = [productLin(x.slice(0, axis)), productLin(x.slice(axis))];
        return outer && inner ? [outer, inner] : undefined;
      }
      case 'Concat': {
        const axis = axisOf(getAttr.int(n, 'axis'), rank);
        if (s.some((y) => !y || y.length !== rank)) return undefined;
        const sum = s.reduce<Lin>((p, y) => ({ n: p.n + y![axis]!.n, c: p.c + y![axis]!.c }), lit(0));
        return x.map((d, i) => (i === axis ? sum : d));
      }
      case 'Slice': {
        const [starts, ends, axes, steps] = [2, 3, 4, 5].map((k) => this.ints(n.inputs[k - 1]));
        if (!starts || !ends) return undefined;
        const out = x.slice();
        for (const [i, axis] of (axes ?? starts.map((_, j) => j)).entries()) {
          const ax = axisOf(axis, rank);
          const d = x[ax]!;
          const step = steps?.[i] ?? 1;
          if (!known(d)) {
            // All of an axis of size N: from the start to the end.
            if (step === 1 && starts[i] === 0 && ends[i]! >= 2 ** 31 - 1) continue;
            return undefined;
          }
          const clamp = (v: number, lo: number, hi: number) =>
            Math.min(Math.max(v < 0 ? v + d.c : v, lo), hi);
          const b = step > 0 ? clamp(starts[i]!, 0, d.c) : clamp(starts[i]!, -1, d.c - 1);
          const e = step > 0 ? clamp(ends[i]!, 0, d.c) : clamp(ends[i]!, -1, d.c - 1);
          out[ax] = lit(Math.max(0, Math.ceil((e - b) / step)));
        }
        return out;
      }
      case 'Unsqueeze': {
        const axes = this.ints(n.inputs[1]) ?? getAttr.ints(n, 'axes', []);
        const r = rank + axes.length;
        const at = new Set(axes.map((a) => axisOf(a, r)));
        const out: Lin[] = [];
        for (let i = 0, j = 0; i < r; i++) out.push(at.has(i) ? lit(1) : x[j++]!);
        return out;
      }
      case 'Squeeze': {
        const axes = this.ints(n.inputs[1]) ?? getAttr.ints(n, 'axes', []);
        const at = new Set(axes.map((a) => axisOf(a, rank)));
        return axes.length ? x.filter((_, i) => !at.has(i)) : undefined;
      }
      case 'ReduceMean':
      case 'ReduceSum':
      case 'ReduceMax':
      case 'ReduceMin': {
        const axes =
          this.ints(n.inputs[1]) ??
          getAttr.ints(
            n,
            'axes',
            x.map((_, i) => i),
          );
        const at = new Set(axes.map((a) => axisOf(a, rank)));
        const keep = getAttr.int(n, 'keepdims', 1) === 1;
        return x.flatMap((d, i) => (!at.has(i) ? [d] : keep ? [lit(1)] : []));
      }
      case 'GlobalAveragePool':
      case 'GlobalMaxPool':
        return x.map((d, i) => (i < 2 ? d : lit(1)));
    }
    return undefined;
  }

  /**
   * A Reshape target that depends on N as a constant one: the input's own size (same axis) →
   * 0, one other entry → -1. Undefined when it can't be said so.
   */
  reshapeTarget(n: FlatNode, spec: SymTensor): ConstTensor | undefined {
    const from = this.shape(n.inputs[0]!);
    const allowZero = getAttr.int(n, 'allowzero', 0) === 1;
    const data = spec.data.map((d, i) =>
      known(d) ? d.c : !allowZero && from && from[i] && same(from[i], d) ? 0 : null,
    );
    const open = data.flatMap((d, i) => (d === null ? [i] : []));
    if (open.length > 1 || (open.length === 1 && data.includes(-1))) return undefined;
    return { dims: spec.dims, dataType: DataType.INT64, data: Float64Array.from(data, (d) => d ?? -1) };
  }
}

/** The graph with its shape arithmetic folded (the input is not changed). */
export function foldShapes(g: FlatGraph): FlatGraph {
  const consts = new Map(g.consts);
  const f = new Folding(consts);
  const batch = g.inputs[0]?.dims[0];
  for (const x of g.inputs) {
    const dims = x.dims.map((d, i) =>
      typeof d === 'number' ? lit(d) : i === 0 && d === batch ? { n: 1, c: 0 } : null,
    );
    if (dims.every((d) => d)) f.shapes.set(x.name, dims as Lin[]);
  }
  const nodes: FlatNode[] = [];
  for (const node of g.nodes) {
    const n = { ...node, inputs: node.inputs.slice() };
    const present = n.inputs.filter((v) => v);
    if (!n.domain && present.length > 0 && present.every((v) => consts.has(v))) {
      const folded = foldConstNode(
        n,
        n.inputs.map((v) => (v ? consts.get(v) : undefined)),
      );
      if (folded) {
        consts.set(n.outputs[0]!, folded);
        continue;
      }
    }
    const value = n.domain || n.outputs.length !== 1 ? undefined : f.evaluate(n);
    if (value) {
      if (value.data.every(known)) {
        consts.set(n.outputs[0]!, {
          dims: value.dims,
          dataType: value.dataType,
          data: Float64Array.from(value.data, (e) => e.c),
        });
        continue;
      }
      f.sym.set(n.outputs[0]!, value);
    }
    if (!n.domain && n.opType === 'Reshape' && f.sym.has(n.inputs[1] ?? '')) {
      const target = f.reshapeTarget(n, f.sym.get(n.inputs[1]!)!);
      if (target) {
        const name = `${n.name}/shape`;
        consts.set(name, target);
        n.inputs[1] = name;
      }
    }
    if (!n.domain && !value) {
      const s = f.infer(n);
      if (s) f.shapes.set(n.outputs[0]!, s);
    }
    nodes.push(n);
  }
  // The arithmetic nothing reads any more (every use became a constant) goes.
  const read = new Set(g.outputs);
  const kept = nodes.reverse().filter((n) => {
    const live = !n.outputs.every((o) => f.sym.has(o) || consts.has(o)) || n.outputs.some((o) => read.has(o));
    if (live) n.inputs.forEach((v) => read.add(v));
    return live;
  });
  return { ...g, nodes: kept.reverse(), consts };
}
