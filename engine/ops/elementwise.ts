/**
 * Elementwise unary ops from one scalar table row each: f, f' and f'' give forward, VJP, JVP and
 * the forward-over-reverse rule, so an activation is one row, not four kernels. A row may take up
 * to two numeric attributes (leaky_relu's slope, elu's alpha, clip's min and max), passed to f, f'
 * and f'' as `a` and `b` (read once at compile time into the node's plan).
 */
import { AttrSpec, defineOp, OpDef, OpCategory, type OpSpec } from './define.js';
import { shapeToString, sizeOf, type Shape, type Tensor } from '../tensor/tensor.js';
import { ShapeError } from '../tensor/broadcast.js';
import { AttrError } from './attrs.js';
import { erf } from '../tensor/special.js';
import { float32UnaryForward, float32UnaryVjp } from '../kernels/unary.js';

/**
 * A numeric attribute of a unary op. An optional one (clip's bounds) may be left out, and then
 * takes `absent` (e.g. -Infinity: no lower bound).
 */
export interface UnaryParam {
  name: string;
  spec: AttrSpec & { type: 'number' };
  absent?: number;
}

export interface UnaryRow {
  name: string;
  category?: OpCategory;
  /** The numeric attributes f depends on (at most two: `a` and `b`). */
  params?: readonly [UnaryParam] | readonly [UnaryParam, UnaryParam];
  /** f(x) */
  f: (x: number, a: number, b: number) => number;
  /** f'(x), given x and y = f(x) (often cheaper from y). */
  df: (x: number, y: number, a: number, b: number) => number;
  /** f''(x), given x and y = f(x). */
  d2f: (x: number, y: number, a: number, b: number) => number;
  /** Forward flops per element (cost model). */
  flops: number;
  doc: string;
  presets?: OpSpec<UnaryAttrs>['presets'];
}

type UnaryAttrs = Record<string, number>;

export function unaryOp(row: UnaryRow): OpDef<UnaryAttrs, Float64Array> {
  const { f, df, d2f } = row;
  const params = row.params ?? [];
  return defineOp<UnaryAttrs, Float64Array>({
    name: row.name,
    category: row.category ?? 'activations',
    inputs: ['x'],
    attrs: Object.fromEntries(params.map((p) => [p.name, p.spec])),
    shape: ([x]) => x!,
    flops: ([x]) => row.flops * sizeOf(x!),
    // [a, b]: the attributes, absent ones replaced once here rather than in every kernel call.
    plan: (_shapes, attrs) =>
      Float64Array.from([0, 1], (i) => {
        const p = params[i];
        return p ? (attrs[p.name] ?? p.absent ?? 0) : 0;
      }),
    forward: ({ plan }, xs, out) => {
      const x = xs[0];
      const xd = x!.data,
        od = out.data;
      // Float32 relu and tanh run WebAssembly SIMD (engine/kernels/unary.ts). The attributes are
      // read after it: a float read from the plan is a heap number in unoptimised code.
      if (float32UnaryForward(row.name, xd, od)) return;
      const a = plan[0]!,
        b = plan[1]!;
      for (let i = 0; i < od.length; i++) od[i] = f(xd[i]!, a, b);
    },
    vjp: ({ plan }, xs, out, g, grads) => {
      const x = xs[0],
        gx = grads[0];
      if (!gx) return;
      const xd = x!.data,
        yd = out.data,
        gd = g.data,
        r = gx.data;
      if (float32UnaryVjp(row.name, xd, yd, gd, r)) return;
      const a = plan[0]!,
        b = plan[1]!;
      for (let i = 0; i < r.length; i++) r[i]! += gd[i]! * df(xd[i]!, yd[i]!, a, b);
    },
    jvp: ({ plan }, [x], out, [tx], tout) => {
      const to = tout.data;
      if (!tx) return void to.fill(0);
      const xd = x!.data,
        yd = out.data,
        td = tx.data,
        a = plan[0]!,
        b = plan[1]!;
      for (let i = 0; i < to.length; i++) to[i] = td[i]! * df(xd[i]!, yd[i]!, a, b);
    },
    secondOrder: {
      kind: 'custom',
      // d/dt [g·f'(x)] = tg·f'(x) + g·f''(x)·tx
      vjpJvp: ({ plan }, [x], out, g, [tx], _tout, tg, [tgx]) => {
        if (!tgx) return;
        const xd = x!.data,
          yd = out.data,
          gd = g.data,
          tgd = tg.data,
          r = tgx.data,
          a = plan[0]!,
          b = plan[1]!;
        const txd: Tensor['data'] | null = tx ? tx.data : null;
        for (let i = 0; i < r.length; i++) {
          const x_ = xd[i]!,
            y_ = yd[i]!;
          r[i]! += tgd[i]! * df(x_, y_, a, b) + (txd ? gd[i]! * d2f(x_, y_, a, b) * txd[i]! : 0);
        }
      },
    },
    doc: row.doc,
    ...(row.presets ? { presets: row.presets } : {}),
  });
}

const sigmoidOf = (x: number): number => 1 / (1 + Math.exp(-x));
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
/** √(2/π) and the cubic coefficient of the tanh approximation of GELU. */
const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;
/** PyTorch's softplus returns x itself above this (beta = 1). */
const SOFTPLUS_THRESHOLD = 20;

export const tanh = unaryOp({
  name: 'tanh',
  f: Math.tanh,
  df: (_x, y) => 1 - y * y,
  d2f: (_x, y) => -2 * y * (1 - y * y),
  flops: 4,
  doc: "tanh(x) = (e^x - e^-x)/(e^x + e^-x); tanh'(x) = 1 - tanh(x)^2",
});
export const relu = unaryOp({
  name: 'relu',
  f: (x) => (x > 0 ? x : 0),
  df: (x) => (x > 0 ? 1 : 0),
  d2f: () => 0,
  flops: 1,
  doc: "relu(x) = max(x, 0); relu'(x) = [x > 0]",
});
export const leakyRelu = unaryOp({
  name: 'leaky_relu',
  params: [{ name: 'negative_slope', spec: { type: 'number', default: 0.01, doc: 'slope for x < 0' } }],
  f: (x, a) => (x > 0 ? x : a * x),
  df: (x, _y, a) => (x > 0 ? 1 : a),
  d2f: () => 0,
  flops: 1,
  doc: "leaky_relu(x) = x if x > 0 else a·x; leaky_relu'(x) = 1 or a",
});
export const elu = unaryOp({
  name: 'elu',
  params: [
    { name: 'alpha', spec: { type: 'number', default: 1, doc: 'saturation value for x → -∞ is -alpha' } },
  ],
  f: (x, a) => (x > 0 ? x : a * Math.expm1(x)),
  df: (x, y, a) => (x > 0 ? 1 : y + a),
  d2f: (x, y, a) => (x > 0 ? 0 : y + a),
  flops: 4,
  doc: "elu(x) = x if x > 0 else α(e^x - 1); elu'(x) = 1 or α·e^x",
});
export const selu = unaryOp({
  name: 'selu',
  f: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
  df: (x, y) => (x > 0 ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA),
  d2f: (x, y) => (x > 0 ? 0 : y + SELU_SCALE * SELU_ALPHA),
  flops: 5,
  doc: "selu(x) = λ·(x if x > 0 else α(e^x - 1)), λ ≈ 1.0507, α ≈ 1.6733; selu'(x) = λ or λα·e^x",
});
export const sigmoid = unaryOp({
  name: 'sigmoid',
  f: sigmoidOf,
  df: (_x, y) => y * (1 - y),
  d2f: (_x, y) => y * (1 - y) * (1 - 2 * y),
  flops: 4,
  doc: "σ(x) = 1/(1 + e^-x); σ'(x) = σ(x)(1 - σ(x))",
});
export const softplus = unaryOp({
  name: 'softplus',
  f: (x) => (x > SOFTPLUS_THRESHOLD ? x : Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))),
  df: (x) => (x > SOFTPLUS_THRESHOLD ? 1 : sigmoidOf(x)),
  d2f: (x) => {
    if (x > SOFTPLUS_THRESHOLD) return 0;
    const s = sigmoidOf(x);
    return s * (1 - s);
  },
  flops: 5,
  doc: "softplus(x) = log(1 + e^x) (x itself above 20, as PyTorch); softplus'(x) = σ(x)",
});
export const silu = unaryOp({
  name: 'silu',
  f: (x) => x * sigmoidOf(x),
  df: (x) => {
    const s = sigmoidOf(x);
    return s * (1 + x * (1 - s));
  },
  d2f: (x) => {
    const s = sigmoidOf(x);
    return s * (1 - s) * (2 + x * (1 - 2 * s));
  },
  flops: 5,
  doc: "silu(x) = x·σ(x); silu'(x) = σ(x)(1 + x(1 - σ(x)))",
});
export const gelu = unaryOp({
  name: 'gelu',
  f: (x) => 0.5 * x * (1 + erf(x * INV_SQRT2)),
  df: (x) => 0.5 * (1 + erf(x * INV_SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  d2f: (x) => INV_SQRT_2PI * Math.exp(-0.5 * x * x) * (2 - x * x),
  flops: 20,
  doc: "gelu(x) = x·Φ(x) = x(1 + erf(x/√2))/2; gelu'(x) = Φ(x) + x·φ(x)",
});
export const geluTanh = unaryOp({
  name: 'gelu_tanh',
  f: (x) => 0.5 * x * (1 + Math.tanh(GELU_K * (x + GELU_C * x * x * x))),
  df: (x) => {
    const t = Math.tanh(GELU_K * (x + GELU_C * x * x * x));
    const du = GELU_K * (1 + 3 * GELU_C * x * x);
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du;
  },
  d2f: (x) => {
    const t = Math.tanh(GELU_K * (x + GELU_C * x * x * x));
    const s = 1 - t * t;
    const du = GELU_K * (1 + 3 * GELU_C * x * x);
    const d2u = GELU_K * 6 * GELU_C * x;
    return s * du + 0.5 * x * (s * d2u - 2 * t * s * du * du);
  },
  flops: 10,
  doc: 'gelu_tanh(x) = x(1 + tanh(√(2/π)(x + 0.044715x³)))/2; derivative by the chain rule through tanh',
});
export const clip = unaryOp({
  name: 'clip',
  params: [
    {
      name: 'min',
      spec: { type: 'number', optional: true, doc: 'lower bound (none when left out)' },
      absent: -Infinity,
    },
    {
      name: 'max',
      spec: { type: 'number', optional: true, doc: 'upper bound (none when left out)' },
      absent: Infinity,
    },
  ],
  // As torch.clamp: max wins when min > max; the gradient passes where min ≤ x ≤ max.
  f: (x, lo, hi) => Math.min(Math.max(x, lo), hi),
  df: (x, _y, lo, hi) => (x >= lo && x <= hi ? 1 : 0),
  d2f: () => 0,
  flops: 2,
  presets: [
    { name: 'relu6', attrs: { min: 0, max: 6 }, doc: 'relu6(x) = min(max(x, 0), 6): clip with min 0, max 6' },
    {
      name: 'hardtanh',
      attrs: { min: -1, max: 1 },
      doc: 'hardtanh(x) = min(max(x, -1), 1): clip with min -1, max 1',
    },
  ],
  doc: "clip(x) = min(max(x, min), max) (torch.clamp; relu6 is min 0, max 6; hardtanh min -1, max 1); clip'(x) = [min ≤ x ≤ max]",
});
export const hardsigmoid = unaryOp({
  name: 'hardsigmoid',
  f: (x) => (x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5),
  df: (x) => (x > -3 && x < 3 ? 1 / 6 : 0),
  d2f: () => 0,
  flops: 3,
  doc: "hardsigmoid(x) = relu6(x + 3)/6; hardsigmoid'(x) = 1/6 on (-3, 3), else 0",
});
export const hardswish = unaryOp({
  name: 'hardswish',
  f: (x) => (x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6),
  // PyTorch's hardswish_backward: 0 below -3, x/3 + 1/2 up to 3 (inclusive), then 1.
  df: (x) => (x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1),
  d2f: (x) => (x > -3 && x < 3 ? 1 / 3 : 0),
  flops: 4,
  doc: "hardswish(x) = x·relu6(x + 3)/6; hardswish'(x) = 0 below -3, x/3 + 1/2 on [-3, 3], 1 above",
});
export const softsign = unaryOp({
  name: 'softsign',
  f: (x) => x / (1 + Math.abs(x)),
  df: (x) => 1 / (1 + Math.abs(x)) ** 2,
  d2f: (x) => (-2 * Math.sign(x)) / (1 + Math.abs(x)) ** 3,
  flops: 3,
  doc: "softsign(x) = x/(1 + |x|); softsign'(x) = 1/(1 + |x|)²",
});
/** tanh(softplus(x)), the factor of mish and its derivatives. */
const tanhSoftplus = (x: number): number => Math.tanh(Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
export const mish = unaryOp({
  name: 'mish',
  f: (x) => x * tanhSoftplus(x),
  df: (x) => {
    const t = tanhSoftplus(x);
    return t + x * sigmoidOf(x) * (1 - t * t);
  },
  d2f: (x) => {
    // d/dx tanh(sp) = sech²(sp)·σ, d/dx sech²(sp) = -2·tanh(sp)·sech²(sp)·σ, σ' = σ(1 - σ).
    const t = tanhSoftplus(x),
      s = sigmoidOf(x);
    const sech2 = 1 - t * t;
    return sech2 * s * (2 + x * (1 - s - 2 * t * s));
  },
  flops: 8,
  doc: "mish(x) = x·tanh(softplus(x)); mish'(x) = tanh(sp) + x·σ(x)·sech²(sp)",
});
type PreluAttrs = { num_parameters: number };
/** Element i of x [N, C, ...] has channel ⌊i / inner⌋ mod channels (channels 1: one shared slope). */
interface PreluPlan {
  channels: number;
  inner: number;
}

function preluChannels(x: Shape, a: PreluAttrs): number {
  const c = x.length >= 2 ? x[1]! : (x[0] ?? 1);
  if (a.num_parameters !== 1 && a.num_parameters !== c)
    throw new AttrError(
      `prelu: num_parameters must be 1 or the number of channels (axis 1 of x ${shapeToString(x)}: ${c}), got ${a.num_parameters}`,
      'num_parameters',
    );
  return a.num_parameters;
}

/**
 * PReLU (torch.nn.PReLU): y = x for x > 0, else a_c·x with a learnable slope per channel (or one
 * shared slope), starting at 0.25. Written out rather than as a unary row: the slope is a parameter.
 */
export const prelu = defineOp<PreluAttrs, PreluPlan>({
  name: 'prelu',
  category: 'activations',
  inputs: ['x'],
  params: [{ name: 'weight', role: 'slope', shape: ([x], a) => [preluChannels(x!, a)] }],
  attrs: {
    num_parameters: {
      type: 'integer',
      default: 1,
      min: 1,
      doc: 'slopes to learn: 1 (shared) or the number of channels (axis 1)',
    },
  },
  shape: ([x, w], a) => {
    const c = preluChannels(x!, a);
    if (w && (w.length !== 1 || w[0] !== c))
      throw new ShapeError(
        `prelu: weight must be [${c}] for x ${shapeToString(x!)}, got ${shapeToString(w)}`,
      );
    return x!;
  },
  deriveAttrs: (shapes) => (shapes.weight ? { num_parameters: sizeOf(shapes.weight) } : {}),
  flops: ([x]) => 2 * sizeOf(x!),
  plan: ([x], a) => {
    const channels = preluChannels(x!, a);
    return { channels, inner: channels === 1 ? 1 : sizeOf(x!.slice(2)) };
  },
  forward: ({ plan: { channels, inner } }, xs, out) => {
    const x = xs[0],
      w = xs[1];
    const xd = x!.data,
      wd = w!.data,
      od = out.data;
    for (let i = 0; i < od.length; i++) {
      const v = xd[i]!;
      od[i] = v > 0 ? v : wd[Math.floor(i / inner) % channels]! * v;
    }
  },
  vjp: ({ plan: { channels, inner } }, xs, _out, g, grads) => {
    const x = xs[0],
      w = xs[1],
      gx = grads[0],
      gw = grads[1];
    const xd = x!.data,
      wd = w!.data,
      gd = g.data;
    for (let i = 0; i < xd.length; i++) {
      const v = xd[i]!;
      if (v > 0) {
        if (gx) gx.data[i]! += gd[i]!;
        continue;
      }
      const c = Math.floor(i / inner) % channels;
      if (gx) gx.data[i]! += gd[i]! * wd[c]!;
      if (gw) gw.data[c]! += gd[i]! * v;
    }
  },
  jvp: ({ plan: { channels, inner } }, [x, w], _out, [tx, tw], tout) => {
    const xd = x!.data,
      wd = w!.data,
      to = tout.data;
    for (let i = 0; i < to.length; i++) {
      const v = xd[i]!,
        t = tx ? tx.data[i]! : 0;
      if (v > 0) to[i] = t;
      else {
        const c = Math.floor(i / inner) % channels;
        to[i] = wd[c]! * t + (tw ? tw.data[c]! * v : 0);
      }
    }
  },
  secondOrder: {
    kind: 'custom',
    // For x ≤ 0 the op is bilinear in (x, a): each gradient picks up the other operand's tangent.
    vjpJvp: ({ plan: { channels, inner } }, [x, w], _out, g, [tx, tw], _tout, tg, [tgx, tgw]) => {
      const xd = x!.data,
        wd = w!.data,
        gd = g.data,
        tgd = tg.data;
      for (let i = 0; i < xd.length; i++) {
        const v = xd[i]!;
        if (v > 0) {
          if (tgx) tgx.data[i]! += tgd[i]!;
          continue;
        }
        const c = Math.floor(i / inner) % channels;
        if (tgx) tgx.data[i]! += tgd[i]! * wd[c]! + (tw ? gd[i]! * tw.data[c]! : 0);
        if (tgw) tgw.data[c]! += tgd[i]! * v + (tx ? gd[i]! * tx.data[i]! : 0);
      }
    },
  },
  doc: 'prelu(x) = x if x > 0 else a_c·x, a learnable slope per channel (or one), starting at 0.25; ∂/∂x = 1 or a_c, ∂/∂a_c = Σ x over x ≤ 0',
});
export const exp = unaryOp({
  name: 'exp',
  category: 'math',
  f: Math.exp,
  df: (_x, y) => y,
  d2f: (_x, y) => y,
  flops: 1,
  doc: "exp(x) = e^x; exp'(x) = e^x",
});
export const log = unaryOp({
  name: 'log',
  category: 'math',
  f: Math.log,
  df: (x) => 1 / x,
  d2f: (x) => -1 / (x * x),
  flops: 1,
  doc: "log(x) (natural); log'(x) = 1/x",
});
export const sqrt = unaryOp({
  name: 'sqrt',
  category: 'math',
  f: Math.sqrt,
  df: (_x, y) => 0.5 / y,
  d2f: (x, y) => -0.25 / (x * y),
  flops: 1,
  doc: "sqrt(x) = √x; sqrt'(x) = 1/(2√x)",
});
export const square = unaryOp({
  name: 'square',
  category: 'math',
  f: (x) => x * x,
  df: (x) => 2 * x,
  d2f: () => 2,
  flops: 1,
  doc: "square(x) = x²; square'(x) = 2x",
});
export const abs = unaryOp({
  name: 'abs',
  category: 'math',
  f: Math.abs,
  df: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  d2f: () => 0,
  flops: 1,
  doc: "abs(x) = |x|; abs'(x) = sign(x) (0 at 0, as PyTorch)",
});
export const neg = unaryOp({
  name: 'neg',
  category: 'math',
  f: (x) => -x,
  df: () => -1,
  d2f: () => 0,
  flops: 1,
  doc: "neg(x) = -x; neg'(x) = -1",
});
export const sin = unaryOp({
  name: 'sin',
  category: 'math',
  f: Math.sin,
  df: (x) => Math.cos(x),
  d2f: (_x, y) => -y,
  flops: 1,
  doc: "sin(x); sin'(x) = cos(x)",
});
export const sign = unaryOp({
  name: 'sign',
  category: 'math',
  f: Math.sign,
  df: () => 0,
  d2f: () => 0,
  flops: 1,
  doc: "sign(x) = -1, 0 or 1; sign'(x) = 0 (a step at 0; PyTorch passes no gradient back)",
});
const LAMBD: UnaryParam = {
  name: 'lambd',
  spec: { type: 'number', default: 0.5, min: 0, doc: 'values with |x| ≤ lambd become 0' },
};
export const hardshrink = unaryOp({
  name: 'hardshrink',
  params: [LAMBD],
  f: (x, l) => (x > l || x < -l ? x : 0),
  df: (x, _y, l) => (x > l || x < -l ? 1 : 0),
  d2f: () => 0,
  flops: 2,
  doc: "hardshrink(x) = x if |x| > λ else 0; hardshrink'(x) = [|x| > λ]",
});
export const softshrink = unaryOp({
  name: 'softshrink',
  params: [LAMBD],
  f: (x, l) => (x > l ? x - l : x < -l ? x + l : 0),
  df: (x, _y, l) => (x > l || x < -l ? 1 : 0),
  d2f: () => 0,
  flops: 2,
  doc: "softshrink(x) = x - λ if x > λ, x + λ if x < -λ, else 0; softshrink'(x) = [|x| > λ]",
});

/** By op name (the registry spreads it; the keys are the names the registry checks). */
export const ELEMENTWISE_OPS = {
  relu,
  leaky_relu: leakyRelu,
  elu,
  selu,
  gelu,
  gelu_tanh: geluTanh,
  silu,
  sigmoid,
  tanh,
  softplus,
  clip,
  hardsigmoid,
  hardswish,
  softsign,
  mish,
  prelu,
  exp,
  log,
  sqrt,
  square,
  abs,
  neg,
  sin,
  sign,
  hardshrink,
  softshrink,
} as const;
