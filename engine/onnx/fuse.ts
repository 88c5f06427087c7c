/**
 * Pattern rewrites on the flat ONNX graph: subgraphs that exporters emit for one framework layer
 * are replaced by the single op they compute, so that import maps them to one registry op.
 * - GELU's erf form, x · 0.5 · (1 + erf(x / √2)), in any association of the products → Gelu;
 *   its tanh form likewise → Gelu(approximate='tanh'); x · sigmoid(x) → Silu; x · tanh(softplus(x))
 *   → Mish; x · HardSigmoid(x) → HardSwish; x / (1 + |x|) → Softsign.
 * - GroupNorm as Reshape, InstanceNormalization, Reshape (and Mul γ, Add β) → GroupNorm.
 * - LayerNorm spelt out: ReduceMean, Sub, Pow (or Mul), ReduceMean, Add ε, Sqrt, Div (or
 *   Reciprocal and Mul), then optionally Mul γ and Add β → LayerNormalization.
 * - Attention spelt out: MatMul(q, Transpose(k)), optionally Div or Mul by a scalar, optionally
 *   Add of a causal mask (-∞ above the diagonal), Softmax over the last axis, MatMul by v →
 *   Attention(q, k, v) (STUDIO_DOMAIN: scaled_dot_product_attention), k's Transpose rewritten.
 * - MatMul by a constant weight, optionally followed by Add of a constant bias → Linear
 *   (this project's own op in the 'backprop-studio' domain: weight [out, in], bias [out]).
 * - torch.nn.MultiheadAttention as PyTorch 1.13 exports it (heads folded into the batch axis, once
 *   fold-shapes.ts has made its sizes constants and the two rewrites above have run) → the same
 *   computation batch first: a Linear each for q, k and v, Reshape and Transpose to heads,
 *   Attention, back, and the out-projection's Linear.
 * A rewrite only happens when every intermediate value is used inside the pattern alone, so
 * nothing another node reads disappears.
 */
import { FlatGraph, FlatNode, getAttr, transposeConst } from './onnx-graph.js';
import { ConstTensor } from './tensor-data.js';
import { DataType } from './onnx-proto.js';
import { attr } from './builder.js';

/** Domain of the synthetic ops the rewrites produce (never written to a file). */
export const STUDIO_DOMAIN = 'backprop-studio';

const TOL = 1e-6;

interface Index {
  producer: Map<string, FlatNode>;
  consumers: Map<string, FlatNode[]>;
  outputs: Set<string>;
}

function index(g: FlatGraph): Index {
  const producer = new Map<string, FlatNode>();
  const consumers = new Map<string, FlatNode[]>();
  for (const n of g.nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of new Set(n.inputs)) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  return { producer, consumers, outputs: new Set(g.outputs) };
}

/** A pattern match: the nodes it replaces and the node that replaces them (after `before`). */
interface Rewrite {
  remove: FlatNode[];
  add: FlatNode;
  before?: FlatNode[];
}

class Matcher {
  constructor(
    readonly g: FlatGraph,
    readonly ix: Index,
  ) {}

  const(v: string): ConstTensor | undefined {
    return this.g.consts.get(v);
  }

  /** The scalar value of a constant with one element, else undefined. */
  scalar(v: string): number | undefined {
    const c = this.const(v);
    return c && c.data.length === 1 ? c.data[0] : undefined;
  }

  isScalar(v: string, value: number, tol = TOL): boolean {
    const s = this.scalar(v);
    return s !== undefined && Math.abs(s - value) <= tol * Math.max(1, Math.abs(value));
  }

  /** The node producing `v` if it is `opType` (default domain). */
  producedBy(v: string, opType: string): FlatNode | undefined {
    const p = this.ix.producer.get(v);
    return p && p.opType === opType && !p.domain ? p : undefined;
  }

  /** The single consumer of `v`, if there is exactly one and `v` is not a graph output. */
  onlyConsumer(v: string): FlatNode | undefined {
    const c = this.ix.consumers.get(v) ?? [];
    return c.length === 1 && !this.ix.outputs.has(v) ? c[0] : undefined;
  }

  /** For a commutative binary node with input `v`, the other input. */
  other(n: FlatNode, v: string): string | undefined {
    if (n.inputs.length !== 2) return undefined;
    if (n.inputs[0] === v) return n.inputs[1];
    if (n.inputs[1] === v) return n.inputs[0];
    return undefined;
  }

  /** Values used only by the given nodes (and not graph outputs). */
  private internal(nodes: FlatNode[], v: string): boolean {
    if (this.ix.outputs.has(v)) return false;
    return (this.ix.consumers.get(v) ?? []).every((c) => nodes.includes(c));
  }

  /** True when every output of the nodes except `out` is used inside the nodes only. */
  sealed(nodes: FlatNode[], out: string): boolean {
    return nodes.every((n) => n.outputs.every((o) => o === out || this.internal(nodes, o)));
  }

  /**
   * The factors of a product tree rooted at `v`: descends into Mul nodes whose output is used
   * only inside the tree. Returns the factor values and the Mul nodes walked.
   */
  factors(v: string, root = true): { values: string[]; nodes: FlatNode[] } {
    const mul = this.producedBy(v, 'Mul');
    if (!mul || (!root && !this.onlyConsumer(v))) return { values: [v], nodes: [] };
    const parts = mul.inputs.map((x) => this.factors(x, false));
    return { values: parts.flatMap((p) => p.values), nodes: [mul, ...parts.flatMap((p) => p.nodes)] };
  }
}

/**
 * The tail both GELU forms share: `inner` (erf or tanh of something) + 1, multiplied by x and
 * 0.5 in any association. Climbs at most two Muls above the Add and takes the largest product
 * that is exactly x · (1 + inner) · 0.5; returns the nodes and the product's value.
 */
function halfXTimesOnePlus(m: Matcher, x: string, inner: string): { nodes: FlatNode[]; out: string } | null {
  const add = m.onlyConsumer(inner);
  if (!add || add.opType !== 'Add') return null;
  const one = m.other(add, inner);
  if (one === undefined || !m.isScalar(one, 1)) return null;
  let best: { nodes: FlatNode[]; out: string } | null = null;
  let top = add.outputs[0]!;
  for (let level = 0; level < 2; level++) {
    const next = m.onlyConsumer(top);
    if (!next || next.opType !== 'Mul') break;
    top = next.outputs[0]!;
    const f = m.factors(top);
    const consts = f.values.filter((v) => m.const(v));
    const rest = f.values.filter((v) => !m.const(v));
    const product = consts.reduce((p, v) => p * (m.scalar(v) ?? NaN), 1);
    const ok =
      rest.length === 2 &&
      rest.includes(x) &&
      rest.includes(add.outputs[0]!) &&
      Math.abs(product - 0.5) <= TOL &&
      consts.length === f.values.length - 2;
    if (ok) best = { nodes: [add, ...f.nodes], out: top };
  }
  return best;
}

/** `x / c` or `x · (1/c)` (either operand order) with the given c: returns x and the node. */
function dividedBy(m: Matcher, v: string, c: number): { x: string; node: FlatNode } | null {
  const div = m.producedBy(v, 'Div');
  if (div && m.isScalar(div.inputs[1]!, c, 1e-4)) return { x: div.inputs[0]!, node: div };
  const mul = m.producedBy(v, 'Mul');
  if (!mul) return null;
  const [a, b] = mul.inputs as [string, string];
  if (m.isScalar(b, 1 / c, 1e-4)) return { x: a, node: mul };
  if (m.isScalar(a, 1 / c, 1e-4)) return { x: b, node: mul };
  return null;
}

/** x · 0.5 · (1 + erf(x / √2)) → Gelu(x). Anchored at Erf. */
function matchGelu(m: Matcher, erf: FlatNode): Rewrite | null {
  const u = erf.inputs[0]!;
  const pre = dividedBy(m, u, Math.SQRT2);
  if (!pre || !m.onlyConsumer(u)) return null;
  const tail = halfXTimesOnePlus(m, pre.x, erf.outputs[0]!);
  if (!tail) return null;
  const nodes = [pre.node, erf, ...tail.nodes];
  return m.sealed(nodes, tail.out)
    ? { remove: nodes, add: synthetic('Gelu', '', [pre.x], tail.out, erf) }
    : null;
}

/**
 * 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))) → Gelu(x, approximate='tanh'). Anchored at
 * Tanh; x³ may be Pow(x, 3) or x · x · x.
 */
function matchGeluTanh(m: Matcher, tanh: FlatNode): Rewrite | null {
  const scaled = tanh.inputs[0]!;
  const pre = dividedBy(m, scaled, 1 / Math.sqrt(2 / Math.PI));
  if (!pre || !m.onlyConsumer(scaled)) return null;
  const sum = m.producedBy(pre.x, 'Add');
  if (!sum || !m.onlyConsumer(pre.x)) return null;
  // One addend is x, the other 0.044715 · x³.
  for (const [x, cubic] of [sum.inputs, [...sum.inputs].reverse()] as [string, string][]) {
    const f = m.factors(cubic);
    const consts = f.values.filter((v) => m.const(v));
    const rest = f.values.filter((v) => !m.const(v));
    const coeff = consts.reduce((p, v) => p * (m.scalar(v) ?? NaN), 1);
    let cubeNodes: FlatNode[] = [];
    if (rest.length === 3 && rest.every((v) => v === x)) cubeNodes = [];
    else if (rest.length === 1) {
      const pow = m.producedBy(rest[0]!, 'Pow');
      if (!pow || pow.inputs[0] !== x || !m.isScalar(pow.inputs[1]!, 3) || !m.onlyConsumer(rest[0]!))
        continue;
      cubeNodes = [pow];
    } else continue;
    if (Math.abs(coeff - 0.044715) > 1e-6) continue;
    const tail = halfXTimesOnePlus(m, x, tanh.outputs[0]!);
    if (!tail) return null;
    const nodes = [...cubeNodes, ...f.nodes, sum, pre.node, tanh, ...tail.nodes];
    if (!m.sealed(nodes, tail.out)) return null;
    const gelu = synthetic('Gelu', '', [x], tail.out, tanh);
    gelu.attrs.set('approximate', attr.string('approximate', 'tanh'));
    return { remove: nodes, add: gelu };
  }
  return null;
}

/** x · sigmoid(x) → Silu (a STUDIO_DOMAIN op; ONNX has none). Anchored at Sigmoid. */
function matchSilu(m: Matcher, sigmoid: FlatNode): Rewrite | null {
  const x = sigmoid.inputs[0]!;
  const mul = m.onlyConsumer(sigmoid.outputs[0]!);
  if (!mul || mul.opType !== 'Mul' || m.other(mul, sigmoid.outputs[0]!) !== x) return null;
  return { remove: [sigmoid, mul], add: synthetic('Silu', STUDIO_DOMAIN, [x], mul.outputs[0]!, sigmoid) };
}

/** x / (1 + |x|) → Softsign (older PyTorch exporters spell it out). Anchored at Abs. */
function matchSoftsign(m: Matcher, abs: FlatNode): Rewrite | null {
  const x = abs.inputs[0]!;
  const add = m.onlyConsumer(abs.outputs[0]!);
  const one = add?.opType === 'Add' ? m.other(add, abs.outputs[0]!) : undefined;
  if (!add || one === undefined || !m.isScalar(one, 1)) return null;
  const div = m.onlyConsumer(add.outputs[0]!);
  if (!div || div.opType !== 'Div' || div.inputs[0] !== x || div.inputs[1] !== add.outputs[0]) return null;
  return { remove: [abs, add, div], add: synthetic('Softsign', '', [x], div.outputs[0]!, abs) };
}

/** x · tanh(softplus(x)) → Mish (opset 18's op; PyTorch writes it out before then). Anchored at Softplus. */
function matchMish(m: Matcher, softplus: FlatNode): Rewrite | null {
  const x = softplus.inputs[0]!;
  const tanh = m.onlyConsumer(softplus.outputs[0]!);
  if (!tanh || tanh.opType !== 'Tanh' || tanh.domain) return null;
  const mul = m.onlyConsumer(tanh.outputs[0]!);
  if (!mul || mul.opType !== 'Mul' || m.other(mul, tanh.outputs[0]!) !== x) return null;
  return { remove: [softplus, tanh, mul], add: synthetic('Mish', '', [x], mul.outputs[0]!, softplus) };
}

/** x · HardSigmoid(x; 1/6, 1/2) → HardSwish (PyTorch's form before opset 14). Anchored at HardSigmoid. */
function matchHardSwish(m: Matcher, hs: FlatNode): Rewrite | null {
  const x = hs.inputs[0]!;
  if (
    Math.abs(getAttr.float(hs, 'alpha', 0.2) - 1 / 6) > TOL ||
    Math.abs(getAttr.float(hs, 'beta', 0.5) - 0.5) > TOL
  )
    return null;
  const mul = m.onlyConsumer(hs.outputs[0]!);
  if (!mul || mul.opType !== 'Mul' || m.other(mul, hs.outputs[0]!) !== x) return null;
  return { remove: [hs, mul], add: synthetic('HardSwish', '', [x], mul.outputs[0]!, hs) };
}

/**
 * GroupNorm as PyTorch writes it before opset 18: Reshape(x, [0, G, -1]), InstanceNormalization
 * with unit scale and zero bias, Reshape back (to a constant shape or Shape(x)), then optionally
 * Mul by a constant weight and Add a constant bias → GroupNorm(x, weight, bias) (STUDIO_DOMAIN).
 * Anchored at InstanceNormalization.
 */
function matchGroupNorm(m: Matcher, inst: FlatNode): Rewrite | null {
  const [grouped, scale, shift] = inst.inputs as [string, string, string];
  const split = m.producedBy(grouped, 'Reshape');
  const target = split && m.const(split.inputs[1]!);
  if (!split || !target || target.data.length !== 3 || target.data[0] !== 0 || target.data[2] !== -1)
    return null;
  const groups = target.data[1]!;
  const s = m.const(scale),
    b = m.const(shift);
  if (!s || !b || s.data.some((v) => v !== 1) || b.data.some((v) => v !== 0) || !m.onlyConsumer(grouped))
    return null;
  const x = split.inputs[0]!;
  const back = m.onlyConsumer(inst.outputs[0]!);
  if (!back || back.opType !== 'Reshape' || back.inputs[0] !== inst.outputs[0]) return null;
  const nodes = [split, inst, back];
  const shapeOf = m.producedBy(back.inputs[1]!, 'Shape');
  if (shapeOf && shapeOf.inputs[0] === x && m.onlyConsumer(back.inputs[1]!)) nodes.push(shapeOf);
  else if (!m.const(back.inputs[1]!)) return null;
  let out = back.outputs[0]!;
  let weight = '',
    bias = '';
  const mul = m.onlyConsumer(out);
  const w = mul?.opType === 'Mul' ? m.other(mul, out) : undefined;
  if (mul && w !== undefined && m.const(w)) {
    nodes.push(mul);
    weight = w;
    out = mul.outputs[0]!;
  }
  const add = m.onlyConsumer(out);
  const c = add?.opType === 'Add' ? m.other(add, out) : undefined;
  if (add && c !== undefined && m.const(c)) {
    nodes.push(add);
    bias = c;
    out = add.outputs[0]!;
  }
  if (!m.sealed(nodes, out)) return null;
  const node = synthetic('GroupNorm', STUDIO_DOMAIN, [x, weight, bias], out, inst);
  node.attrs.set('num_groups', attr.int('num_groups', groups));
  node.attrs.set('epsilon', attr.float('epsilon', getAttr.float(inst, 'epsilon', 1e-5)));
  return { remove: nodes, add: node };
}

/** The axes of a ReduceMean (attribute before opset 18, input from 18), or undefined. */
function reduceAxes(m: Matcher, r: FlatNode): number[] | undefined {
  if (getAttr.int(r, 'keepdims', 1) !== 1) return undefined;
  if (r.inputs[1]) {
    const c = m.const(r.inputs[1]);
    return c ? [...c.data] : undefined;
  }
  return r.attrs.has('axes') ? getAttr.ints(r, 'axes') : undefined;
}

/** The spelt-out LayerNorm → LayerNormalization. Anchored at the first ReduceMean. */
function matchLayerNorm(m: Matcher, mean: FlatNode): Rewrite | null {
  const x = mean.inputs[0]!;
  const axes = reduceAxes(m, mean);
  if (!axes || axes.length !== 1) return null;
  const sub = (m.ix.consumers.get(mean.outputs[0]!) ?? []).find(
    (c) => c.opType === 'Sub' && c.inputs[0] === x && c.inputs[1] === mean.outputs[0],
  );
  if (!sub || !m.onlyConsumer(mean.outputs[0]!)) return null;
  const d = sub.outputs[0]!;
  const users = m.ix.consumers.get(d) ?? [];
  const sq = users.find(
    (u) =>
      (u.opType === 'Pow' && u.inputs[0] === d && m.isScalar(u.inputs[1]!, 2)) ||
      (u.opType === 'Mul' && u.inputs[0] === d && u.inputs[1] === d),
  );
  if (!sq) return null;
  const mean2 = m.onlyConsumer(sq.outputs[0]!);
  if (!mean2 || mean2.opType !== 'ReduceMean' || String(reduceAxes(m, mean2)) !== String(axes)) return null;
  const addEps = m.onlyConsumer(mean2.outputs[0]!);
  const epsValue = addEps?.opType === 'Add' ? m.other(addEps, mean2.outputs[0]!) : undefined;
  const eps = epsValue !== undefined ? m.scalar(epsValue) : undefined;
  if (!addEps || eps === undefined) return null;
  const sqrt = m.onlyConsumer(addEps.outputs[0]!);
  if (!sqrt || sqrt.opType !== 'Sqrt') return null;
  const nodes = [mean, sub, sq, mean2, addEps, sqrt];
  let normed: string;
  const afterSqrt = m.onlyConsumer(sqrt.outputs[0]!);
  if (afterSqrt?.opType === 'Div' && afterSqrt.inputs[0] === d) {
    nodes.push(afterSqrt);
    normed = afterSqrt.outputs[0]!;
  } else if (afterSqrt?.opType === 'Reciprocal') {
    const mul = m.onlyConsumer(afterSqrt.outputs[0]!);
    if (!mul || mul.opType !== 'Mul' || m.other(mul, afterSqrt.outputs[0]!) !== d) return null;
    nodes.push(afterSqrt, mul);
    normed = mul.outputs[0]!;
  } else return null;
  if (users.length !== 2 || !users.includes(nodes[nodes.length - 1]!)) return null;
  // Optional affine part: · γ then + β, with constants of the normalised size.
  let out = normed;
  let gamma: string | undefined;
  let beta: string | undefined;
  const mulG = m.onlyConsumer(out);
  const g = mulG?.opType === 'Mul' ? m.other(mulG, out) : undefined;
  if (mulG && g !== undefined && m.const(g)) {
    nodes.push(mulG);
    gamma = g;
    out = mulG.outputs[0]!;
  }
  const addB = m.onlyConsumer(out);
  const b = addB?.opType === 'Add' ? m.other(addB, out) : undefined;
  if (addB && b !== undefined && m.const(b)) {
    nodes.push(addB);
    beta = b;
    out = addB.outputs[0]!;
  }
  if (!m.sealed(nodes, out)) return null;
  const node = synthetic('LayerNormalization', '', [x, gamma ?? '', beta ?? ''], out, mean);
  node.attrs.set('axis', attr.int('axis', axes[0]!));
  node.attrs.set('epsilon', attr.float('epsilon', eps));
  return { remove: nodes, add: node };
}

/** A constant [T, S] causal mask: 0 where j ≤ i, -∞ (or below -1e9: e^x is 0 either way) where j > i. */
function isCausalMask(m: Matcher, v: string): boolean {
  const c = m.const(v);
  if (!c || c.dims.length < 2 || c.dims.slice(0, -2).some((d) => d !== 1)) return false;
  const S = c.dims[c.dims.length - 1]!;
  return c.data.every((x, e) => (e % S > Math.floor(e / S) ? x <= -1e9 : x === 0));
}

/** `v` as x / c or x · c (either order) with a scalar constant c, read by one node only: x and the scale. */
function scaledBy(m: Matcher, v: string): { x: string; scale: number; node: FlatNode } | null {
  if (!m.onlyConsumer(v)) return null;
  const div = m.producedBy(v, 'Div');
  const c = div && m.scalar(div.inputs[1]!);
  if (div && c !== undefined) return { x: div.inputs[0]!, scale: 1 / c, node: div };
  const mul = m.producedBy(v, 'Mul');
  const k = mul?.inputs.find((x) => m.scalar(x) !== undefined);
  return mul && k !== undefined ? { x: m.other(mul, k)!, scale: m.scalar(k)!, node: mul } : null;
}

/**
 * softmax(q·kᵀ (/ c or · c) (+ causal mask), axis -1)·v → Attention(q, k, v) with `scale` (absent
 * when nothing scales the scores: scale 1; q / c before the product counts too) and `causal`.
 * Anchored at Softmax. kᵀ must come from a Transpose: k itself is that Transpose with its last two axes swapped back, which replaces it (or
 * transposes its output again, when something else reads it).
 */
function matchAttention(m: Matcher, softmax: FlatNode): Rewrite | null {
  const axis = softmax.attrs.has('axis') ? getAttr.int(softmax, 'axis') : m.g.opset >= 13 ? -1 : 1;
  let logits = softmax.inputs[0]!;
  const nodes: FlatNode[] = [softmax];
  let causal = false;
  const add = m.producedBy(logits, 'Add');
  if (add && m.onlyConsumer(logits)) {
    const mask = add.inputs.find((x) => isCausalMask(m, x));
    if (mask !== undefined) {
      causal = true;
      nodes.push(add);
      logits = m.other(add, mask)!;
    }
  }
  const onScores = scaledBy(m, logits);
  if (onScores) nodes.push(onScores.node);
  const scores = onScores?.x ?? logits;
  const qk = m.producedBy(scores, 'MatMul');
  if (!qk || !m.onlyConsumer(scores)) return null;
  const [scaledQ, kt] = qk.inputs as [string, string];
  // torch.nn.MultiheadAttention scales q before the product instead.
  const onQ = scaledBy(m, scaledQ);
  if (onQ) nodes.push(onQ.node);
  const q = onQ?.x ?? scaledQ;
  const scale = onScores || onQ ? (onScores?.scale ?? 1) * (onQ?.scale ?? 1) : undefined;
  const transpose = m.producedBy(kt, 'Transpose');
  if (!transpose || !transpose.attrs.has('perm') || m.const(q)) return null;
  const perm = getAttr.ints(transpose, 'perm');
  const rank = perm.length;
  if (rank < 2 || (axis !== -1 && axis !== rank - 1)) return null;
  const pv = m.onlyConsumer(softmax.outputs[0]!);
  if (!pv || pv.opType !== 'MatMul' || pv.domain || pv.inputs[0] !== softmax.outputs[0]) return null;
  nodes.push(qk, pv);
  const swapLast = (p: number[]): number[] => [...p.slice(0, -2), p[rank - 1]!, p[rank - 2]!];
  const alone = m.onlyConsumer(kt) !== undefined;
  // k = kᵀ with its last two axes swapped back: the Transpose's input itself when the Transpose
  // only swapped them (swapaxes, this project's export), else a Transpose in its place.
  const kPerm = swapLast(alone ? perm : perm.map((_, i) => i));
  let k = alone ? transpose.inputs[0]! : kt;
  const before: FlatNode[] = [];
  if (kPerm.some((p, i) => p !== i)) {
    k = `${softmax.name}/k`;
    const name = alone ? transpose.name : `${transpose.name}/k`;
    const kNode: FlatNode = {
      name,
      opType: 'Transpose',
      domain: '',
      inputs: [transpose.inputs[0]!],
      outputs: [k],
      attrs: new Map(),
    };
    if (!alone) kNode.inputs = [kt];
    kNode.attrs.set('perm', attr.ints('perm', kPerm));
    before.push(kNode);
  }
  if (alone) nodes.push(transpose);
  if (!m.sealed(nodes, pv.outputs[0]!)) return null;
  const node = synthetic('Attention', STUDIO_DOMAIN, [q, k, pv.inputs[1]!], pv.outputs[0]!, softmax);
  if (scale !== undefined) node.attrs.set('scale', attr.float('scale', scale));
  node.attrs.set('causal', attr.int('causal', causal ? 1 : 0));
  return { remove: nodes, add: node, before };
}

/** A transpose of `v`'s producer by `perm`, read by one node only: the transposed value and the node. */
function transposed(m: Matcher, v: string, perm: readonly number[]): { x: string; node: FlatNode } | null {
  const t = m.producedBy(v, 'Transpose');
  if (!t || !m.onlyConsumer(v) || String(getAttr.ints(t, 'perm', [])) !== String(perm)) return null;
  return { x: t.inputs[0]!, node: t };
}

/** `v` as Reshape(x, target) with a constant target, read by one node only. */
function reshaped(m: Matcher, v: string): { x: string; target: number[]; node: FlatNode } | null {
  const r = m.producedBy(v, 'Reshape');
  const target = r && m.const(r.inputs[1]!);
  return r && target && m.onlyConsumer(v) ? { x: r.inputs[0]!, target: [...target.data], node: r } : null;
}

/** A projection x · Wᵀ + b of a batch-first x, sequence first: W [out, in] and b [out]. */
interface SeqFirstProjection {
  x: string;
  weight: ConstTensor;
  bias: ConstTensor | undefined;
  nodes: FlatNode[];
}

/**
 * `v` [T, N, E] as Linear(Transpose(x, [1, 0, 2])) or a Slice of it along the features (the q, k
 * and v of one packed in-projection): x [N, T, E] and the rows of the weight and bias it takes.
 */
function seqFirstProjection(m: Matcher, v: string): SeqFirstProjection | null {
  const slice = m.producedBy(v, 'Slice');
  if (slice) {
    const [starts, ends, axes, steps] = slice.inputs.slice(1).map((x) => (x ? m.const(x)?.data : undefined));
    const whole = slice.inputs[0]!;
    const p = seqFirstProjection(m, whole);
    if (!p || !starts || !ends || starts.length !== 1 || (steps && steps[0] !== 1)) return null;
    if (axes && axes[0] !== -1 && axes[0] !== 2) return null;
    const [out, inp] = p.weight.dims as [number, number];
    const from = Math.max(0, starts[0]! < 0 ? starts[0]! + out : starts[0]!);
    const to = Math.min(out, ends[0]! < 0 ? ends[0]! + out : ends[0]!);
    if (to <= from) return null;
    return {
      x: p.x,
      weight: {
        dims: [to - from, inp],
        dataType: p.weight.dataType,
        data: p.weight.data.slice(from * inp, to * inp),
      },
      bias: p.bias && { dims: [to - from], dataType: p.bias.dataType, data: p.bias.data.slice(from, to) },
      nodes: [...p.nodes, slice],
    };
  }
  const lin = m.ix.producer.get(v);
  if (!lin || lin.domain !== STUDIO_DOMAIN || lin.opType !== 'Linear') return null;
  const t = m.producedBy(lin.inputs[0]!, 'Transpose');
  if (!t || String(getAttr.ints(t, 'perm', [])) !== '1,0,2') return null;
  const weight = m.const(lin.inputs[1]!)!;
  const bias = lin.inputs[2] ? m.const(lin.inputs[2]) : undefined;
  return { x: t.inputs[0]!, weight, bias, nodes: [t, lin] };
}

/** `v` [M, E] as Gemm(x, W, b) with constant W and b (torch's layout or not), or Linear: W [out, in], b [out]. */
function outProjection(
  m: Matcher,
  v: string,
): { x: string; weight: ConstTensor; bias: ConstTensor | undefined; node: FlatNode } | null {
  const n = m.ix.producer.get(v);
  if (n?.domain === STUDIO_DOMAIN && n.opType === 'Linear')
    return {
      x: n.inputs[0]!,
      weight: m.const(n.inputs[1]!)!,
      bias: n.inputs[2] ? m.const(n.inputs[2]) : undefined,
      node: n,
    };
  const gemm = m.producedBy(v, 'Gemm');
  const w = gemm && m.const(gemm.inputs[1]!);
  const b = gemm?.inputs[2] ? m.const(gemm.inputs[2]) : undefined;
  if (!gemm || !w || w.dims.length !== 2 || (gemm.inputs[2] && (!b || b.dims.length !== 1))) return null;
  if (
    getAttr.int(gemm, 'transA', 0) ||
    getAttr.float(gemm, 'alpha', 1) !== 1 ||
    getAttr.float(gemm, 'beta', 1) !== 1
  )
    return null;
  const weight = getAttr.int(gemm, 'transB', 0) ? w : transposeConst(w, [1, 0]);
  return { x: gemm.inputs[0]!, weight, bias: b, node: gemm };
}

/**
 * torch.nn.MultiheadAttention (batch_first) as PyTorch 1.13 exports it, after the shape arithmetic
 * is folded and the attention and linears are fused: x [N, T, E] transposed to [T, N, E], the
 * in-projection (packed: one Linear sliced into q, k, v), each reshaped to [T, N·H, d] and
 * transposed to [N·H, T, d] for Attention, then back to [T·N, E], the out-projection (Gemm),
 * reshaped to [T, N, E] and transposed to [N, T, E]. Heads folded into the batch axis can't be a
 * graph's layout; the same computation with the batch in front can: a Linear each for q, k and v,
 * reshape to [N, T, H, d], transpose to [N, H, T, d], Attention, and back, then the out-projection.
 * Anchored at the Attention.
 */
function matchMultiheadAttention(
  m: Matcher,
  att: FlatNode,
  newConsts: Map<string, ConstTensor>,
): Rewrite | null {
  const nodes: FlatNode[] = [att];
  const heads: (SeqFirstProjection & { tokens: number; depth: number; merged: number })[] = [];
  for (const value of att.inputs) {
    const t = transposed(m, value, [1, 0, 2]);
    const r = t && reshaped(m, t.x);
    const p = r && m.onlyConsumer(r.x) ? seqFirstProjection(m, r.x) : null;
    if (!t || !r || !p || r.target.length !== 3) return null;
    nodes.push(t.node, r.node);
    heads.push({ ...p, tokens: r.target[0]!, depth: r.target[2]!, merged: r.target[1]! });
  }
  const [q, k, v] = heads as [(typeof heads)[0], (typeof heads)[0], (typeof heads)[0]];
  const embed = q.weight.dims[0]!;
  const count = embed / q.depth;
  if (!Number.isInteger(count) || k.weight.dims[0] !== embed || v.weight.dims[0] !== embed) return null;
  if (k.tokens !== v.tokens || k.depth !== q.depth || v.depth !== q.depth) return null;
  // The batch size N where the reshapes say it: -1 (a batch axis left free, folded from the
  // shape arithmetic), or the model's own fixed batch (exported without a dynamic axis).
  const n = m.g.inputs[0]?.dims[0];
  const isBatch = (size: number | undefined, per: number) =>
    size === -1 || (typeof n === 'number' && size === n * per);
  if (heads.some((h) => !isBatch(h.merged, count))) return null;
  // Back: Transpose [1, 0, 2] → Reshape [-1, E] → out-projection → Reshape [T, -1, E] → Transpose [1, 0, 2].
  const after = m.onlyConsumer(att.outputs[0]!);
  if (!after || after.opType !== 'Transpose' || String(getAttr.ints(after, 'perm', [])) !== '1,0,2')
    return null;
  const merge = m.onlyConsumer(after.outputs[0]!);
  const mergeTo = merge?.opType === 'Reshape' ? m.const(merge.inputs[1]!) : undefined;
  if (
    !merge ||
    mergeTo?.data.length !== 2 ||
    !isBatch(mergeTo.data[0], q.tokens) ||
    mergeTo.data[1] !== embed
  )
    return null;
  const projNode = m.onlyConsumer(merge.outputs[0]!);
  const out = projNode && outProjection(m, projNode.outputs[0]!);
  if (!out || out.x !== merge.outputs[0]) return null;
  const split = m.onlyConsumer(out.node.outputs[0]!);
  const splitTo = split?.opType === 'Reshape' ? m.const(split.inputs[1]!) : undefined;
  const units = out.weight.dims[0]!;
  const [splitT, splitN, splitE] = splitTo?.data ?? [];
  if (!split || splitTo?.data.length !== 3 || splitT !== q.tokens || !isBatch(splitN, 1) || splitE !== units)
    return null;
  const back = m.onlyConsumer(split.outputs[0]!);
  const y = back?.outputs[0];
  if (!back || !y || !transposed(m, y, [1, 0, 2])) return null;
  nodes.push(after, merge, out.node, split, back);
  for (const p of [q, k, v]) for (const n of p.nodes) if (!nodes.includes(n)) nodes.push(n);
  if (!m.sealed(nodes, y)) return null;

  // The module's name (`/attn/Softmax` → `/attn`) names the new nodes' values and node ids.
  const prefix = att.name.split('/').slice(0, -1).join('/');
  const made: FlatNode[] = [];
  const node = (
    name: string,
    opType: string,
    domain: string,
    inputs: string[],
    output = `${prefix}/${name}_output`,
  ) => {
    const n: FlatNode = {
      name: `${prefix}/${name}`,
      opType,
      domain,
      inputs,
      outputs: [output],
      attrs: new Map(),
    };
    made.push(n);
    return n;
  };
  const constant = (name: string, t: ConstTensor) => {
    newConsts.set(`${prefix}/${name}`, t);
    return `${prefix}/${name}`;
  };
  const ints = (xs: number[]): ConstTensor => ({
    dims: [xs.length],
    dataType: DataType.INT64,
    data: Float64Array.from(xs),
  });
  const linear = (
    name: string,
    x: string,
    weight: ConstTensor,
    bias: ConstTensor | undefined,
    output?: string,
  ) =>
    node(
      `${name}/Linear`,
      'Linear',
      STUDIO_DOMAIN,
      [x, constant(`${name}.weight`, weight), bias ? constant(`${name}.bias`, bias) : ''],
      output,
    ).outputs[0]!;
  const swap = (name: string, x: string) => {
    const t = node(name, 'Transpose', '', [x]);
    t.attrs.set('perm', attr.ints('perm', [0, 2, 1, 3]));
    return t.outputs[0]!;
  };
  const [qh, kh, vh] = heads.map((p, i) => {
    const name = 'qkv'[i]!;
    const projected = linear(`${name}_proj`, p.x, p.weight, p.bias);
    const split = node(`${name}_split/Reshape`, 'Reshape', '', [
      projected,
      constant(`${name}_split.shape`, ints([0, p.tokens, count, p.depth])),
    ]);
    return swap(`${name}_heads/Transpose`, split.outputs[0]!);
  });
  const attention = node('Attention', 'Attention', STUDIO_DOMAIN, [qh!, kh!, vh!]);
  for (const [key, value] of att.attrs) attention.attrs.set(key, value);
  const merged = swap('merge_heads/Transpose', attention.outputs[0]!);
  const flat = node('merge/Reshape', 'Reshape', '', [
    merged,
    constant('merge.shape', ints([0, q.tokens, embed])),
  ]);
  linear('out_proj', flat.outputs[0]!, out.weight, out.bias, y);
  return { remove: nodes, add: made.pop()!, before: made };
}

/** MatMul(x, W) [+ b] with constant W [in, out] (and b [out]) → Linear(x, Wᵀ, b). */
function matchLinear(m: Matcher, mm: FlatNode, newConsts: Map<string, ConstTensor>): Rewrite | null {
  const [x, w] = mm.inputs as [string, string];
  const W = m.const(w);
  if (!W || W.dims.length !== 2 || m.const(x)) return null;
  const out = W.dims[1]!;
  const nodes = [mm];
  let result = mm.outputs[0]!;
  let bias = '';
  const add = m.onlyConsumer(result);
  const b = add?.opType === 'Add' ? m.other(add, result) : undefined;
  const B = b !== undefined ? m.const(b) : undefined;
  if (
    add &&
    b !== undefined &&
    B &&
    B.data.length === out &&
    B.dims.every((d, i) => d === 1 || i === B.dims.length - 1)
  ) {
    nodes.push(add);
    bias = `${mm.name}/bias`;
    newConsts.set(bias, { dims: [out], dataType: DataType.FLOAT, data: B.data });
    result = add.outputs[0]!;
  }
  const weight = `${mm.name}/weight`;
  newConsts.set(weight, transposeConst(W, [1, 0]));
  return { remove: nodes, add: synthetic('Linear', STUDIO_DOMAIN, [x, weight, bias], result, mm) };
}

function synthetic(
  opType: string,
  domain: string,
  inputs: string[],
  output: string,
  from: FlatNode,
): FlatNode {
  return { name: from.name, opType, domain, inputs, outputs: [output], attrs: new Map() };
}

/**
 * Applies every rewrite that matches and returns the new graph (the input is not changed).
 * Replacement nodes take the place of the last node they replace, so the list stays in
 * topological order.
 */
export function fusePatterns(g: FlatGraph): FlatGraph {
  const consts = new Map(g.consts);
  let nodes = g.nodes;
  const passes: [string, (m: Matcher, n: FlatNode) => Rewrite | null][] = [
    ['Erf', matchGelu],
    ['Tanh', matchGeluTanh],
    ['Sigmoid', matchSilu],
    ['Abs', matchSoftsign],
    ['Softplus', matchMish],
    ['HardSigmoid', matchHardSwish],
    ['InstanceNormalization', matchGroupNorm],
    ['ReduceMean', matchLayerNorm],
    ['Softmax', matchAttention],
    ['MatMul', (m, n) => matchLinear(m, n, consts)],
    [`${STUDIO_DOMAIN}:Attention`, (m, n) => matchMultiheadAttention(m, n, consts)],
  ];
  for (const [anchor, match] of passes) {
    const m = new Matcher({ ...g, nodes, consts }, index({ ...g, nodes, consts }));
    const removed = new Set<FlatNode>();
    const placeAfter = new Map<FlatNode, FlatNode[]>();
    for (const n of nodes) {
      if ((n.domain ? `${n.domain}:${n.opType}` : n.opType) !== anchor || removed.has(n)) continue;
      const r = match(m, n);
      if (!r || r.remove.some((x) => removed.has(x))) continue;
      r.remove.forEach((x) => removed.add(x));
      const last = nodes.filter((x) => r.remove.includes(x)).pop()!;
      placeAfter.set(last, [...(r.before ?? []), r.add]);
    }
    nodes = nodes.flatMap((n) => {
      const add = placeAfter.get(n);
      return add ? add : removed.has(n) ? [] : [n];
    });
  }
  return { ...g, nodes, consts };
}
