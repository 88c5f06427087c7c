/**
 * Elementwise unary ops from one scalar table row each: f, f' and f'' give forward, VJP, JVP and
 * the forward-over-reverse rule, so an activation is one row, not four kernels. A row may take one
 * numeric attribute (leaky_relu's slope, elu's alpha), passed to f, f' and f'' as `p`.
 */
import { AttrSpec, defineOp, OpDef, OpCategory } from './define.js';
import { sizeOf, type Tensor } from '../tensor/tensor.js';
import { erf } from '../tensor/special.js';

export interface UnaryRow {
  name: string;
  category?: OpCategory;
  /** The one numeric attribute f depends on, if any. */
  param?: { name: string; spec: AttrSpec & { type: 'number' } };
  /** f(x) */
  f: (x: number, p: number) => number;
  /** f'(x), given x and y = f(x) (often cheaper from y). */
  df: (x: number, y: number, p: number) => number;
  /** f''(x), given x and y = f(x). */
  d2f: (x: number, y: number, p: number) => number;
  /** Forward flops per element (cost model). */
  flops: number;
  doc: string;
}

type UnaryAttrs = Record<string, number>;

export function unaryOp(row: UnaryRow): OpDef<UnaryAttrs> {
  const { f, df, d2f } = row;
  const pname = row.param?.name;
  const param = (a: UnaryAttrs): number => (pname ? a[pname]! : 0);
  return defineOp<UnaryAttrs>({
    name: row.name,
    category: row.category ?? 'activations',
    inputs: ['x'],
    attrs: row.param ? { [row.param.name]: row.param.spec } : {},
    shape: ([x]) => x!,
    flops: ([x]) => row.flops * sizeOf(x!),
    forward: ({ attrs }, [x], out) => {
      const xd = x!.data,
        od = out.data,
        p = param(attrs);
      for (let i = 0; i < od.length; i++) od[i] = f(xd[i]!, p);
    },
    vjp: ({ attrs }, [x], out, g, [gx]) => {
      if (!gx) return;
      const xd = x!.data,
        yd = out.data,
        gd = g.data,
        r = gx.data,
        p = param(attrs);
      for (let i = 0; i < r.length; i++) r[i]! += gd[i]! * df(xd[i]!, yd[i]!, p);
    },
    jvp: ({ attrs }, [x], out, [tx], tout) => {
      const to = tout.data;
      if (!tx) return void to.fill(0);
      const xd = x!.data,
        yd = out.data,
        td = tx.data,
        p = param(attrs);
      for (let i = 0; i < to.length; i++) to[i] = td[i]! * df(xd[i]!, yd[i]!, p);
    },
    secondOrder: {
      kind: 'custom',
      // d/dt [g·f'(x)] = tg·f'(x) + g·f''(x)·tx
      vjpJvp: ({ attrs }, [x], out, g, [tx], _tout, tg, [tgx]) => {
        if (!tgx) return;
        const xd = x!.data,
          yd = out.data,
          gd = g.data,
          tgd = tg.data,
          r = tgx.data,
          p = param(attrs);
        const txd: Tensor['data'] | null = tx ? tx.data : null;
        for (let i = 0; i < r.length; i++) {
          const x_ = xd[i]!,
            y_ = yd[i]!;
          r[i]! += tgd[i]! * df(x_, y_, p) + (txd ? gd[i]! * d2f(x_, y_, p) * txd[i]! : 0);
        }
      },
    },
    doc: row.doc,
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
  param: {
    name: 'negative_slope',
    spec: { type: 'number', default: 0.01, doc: 'slope for x < 0' },
  },
  f: (x, a) => (x > 0 ? x : a * x),
  df: (x, _y, a) => (x > 0 ? 1 : a),
  d2f: () => 0,
  flops: 1,
  doc: "leaky_relu(x) = x if x > 0 else a·x; leaky_relu'(x) = 1 or a",
});
export const elu = unaryOp({
  name: 'elu',
  param: {
    name: 'alpha',
    spec: { type: 'number', default: 1, doc: 'saturation value for x → -∞ is -alpha' },
  },
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
  exp,
  log,
  sqrt,
  square,
  abs,
  neg,
  sin,
} as const;
