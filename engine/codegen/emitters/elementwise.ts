/**
 * Elementwise ops, one row each: the forward formula of one element and its derivative, written
 * as expressions of `x` (the input element), `y` (the output element) and `a`, `b` (the op's
 * numeric attributes, if any), the same formulas as engine/ops/elementwise.ts.
 */
import { emittersFrom, type EmitCtx, type LayerCode, type OpEmitter } from '../emitter.js';
import type { OpName } from '../../ops/registry.js';
import type { HelperName } from '../helpers.js';
import { sizeOfStatic } from '../ir.js';

interface UnaryRow {
  /** The attributes passed as `a` and `b`, e.g. leaky_relu's negative_slope, clip's min and max. */
  attrs?: readonly string[];
  /** Their values when left out (clip's absent bounds: ±Infinity). */
  absent?: readonly number[];
  f: string;
  /** d y / d x, in terms of x, y and a. */
  df: string;
  doc: string;
  helpers?: HelperName[];
}

const SIGMOID = '1 / (1 + Math.exp(-x))';
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_U = `${GELU_K} * (x + 0.044715 * x * x * x)`;
const TANH_SOFTPLUS = 'Math.tanh(Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))))';

const UNARY = {
  relu: { f: 'x > 0 ? x : 0', df: 'x > 0 ? 1 : 0', doc: 'y = max(x, 0)' },
  leaky_relu: {
    attrs: ['negative_slope'],
    f: 'x > 0 ? x : a * x',
    df: 'x > 0 ? 1 : a',
    doc: 'y = x if x > 0, else slope·x',
  },
  elu: {
    attrs: ['alpha'],
    f: 'x > 0 ? x : a * Math.expm1(x)',
    df: 'x > 0 ? 1 : y + a',
    doc: 'y = x if x > 0, else α(eˣ - 1)',
  },
  selu: {
    f: `1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x))`,
    df: `x > 0 ? 1.0507009873554805 : y + 1.0507009873554805 * 1.6732632423543772`,
    doc: 'y = λ·(x if x > 0, else α(eˣ - 1))',
  },
  sigmoid: { f: SIGMOID, df: 'y * (1 - y)', doc: 'y = σ(x) = 1 / (1 + e⁻ˣ)' },
  tanh: { f: 'Math.tanh(x)', df: '1 - y * y', doc: 'y = tanh(x)' },
  softplus: {
    f: 'x > 20 ? x : Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))',
    df: `x > 20 ? 1 : ${SIGMOID}`,
    doc: 'y = log(1 + eˣ) (x itself above 20)',
  },
  silu: {
    f: `x / (1 + Math.exp(-x))`,
    df: `(1 + x * (1 - ${SIGMOID})) / (1 + Math.exp(-x))`,
    doc: 'y = x·σ(x)',
  },
  gelu: {
    f: '0.5 * x * (1 + erf(x * Math.SQRT1_2))',
    df: `0.5 * (1 + erf(x * Math.SQRT1_2)) + x * ${INV_SQRT_2PI} * Math.exp(-0.5 * x * x)`,
    doc: 'y = x·Φ(x) = x(1 + erf(x/√2))/2',
    helpers: ['erf'],
  },
  gelu_tanh: {
    f: `0.5 * x * (1 + Math.tanh(${GELU_U}))`,
    df: `0.5 * (1 + Math.tanh(${GELU_U})) + 0.5 * x * (1 - Math.tanh(${GELU_U}) ** 2) * ${GELU_K} * (1 + 3 * 0.044715 * x * x)`,
    doc: 'y = x(1 + tanh(√(2/π)(x + 0.044715x³)))/2',
  },
  clip: {
    attrs: ['min', 'max'],
    absent: [-Infinity, Infinity],
    f: 'Math.min(Math.max(x, a), b)',
    df: 'x >= a && x <= b ? 1 : 0',
    doc: 'y = min(max(x, min), max)',
  },
  hardsigmoid: {
    f: 'x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5',
    df: 'x > -3 && x < 3 ? 1 / 6 : 0',
    doc: 'y = relu6(x + 3) / 6',
  },
  hardswish: {
    f: 'x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6',
    df: 'x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1',
    doc: 'y = x·relu6(x + 3) / 6',
  },
  softsign: { f: 'x / (1 + Math.abs(x))', df: '1 / (1 + Math.abs(x)) ** 2', doc: 'y = x / (1 + |x|)' },
  mish: {
    f: `x * ${TANH_SOFTPLUS}`,
    df: `${TANH_SOFTPLUS} + (x / (1 + Math.exp(-x))) * (1 - ${TANH_SOFTPLUS} ** 2)`,
    doc: 'y = x·tanh(softplus(x))',
  },
  exp: { f: 'Math.exp(x)', df: 'y', doc: 'y = eˣ' },
  log: { f: 'Math.log(x)', df: '1 / x', doc: 'y = log x' },
  sqrt: { f: 'Math.sqrt(x)', df: '0.5 / y', doc: 'y = √x' },
  square: { f: 'x * x', df: '2 * x', doc: 'y = x²' },
  abs: { f: 'Math.abs(x)', df: 'x > 0 ? 1 : x < 0 ? -1 : 0', doc: 'y = |x|' },
  neg: { f: '-x', df: '-1', doc: 'y = -x' },
  sin: { f: 'Math.sin(x)', df: 'Math.cos(x)', doc: 'y = sin x' },
  sign: { f: 'Math.sign(x)', df: '0', doc: 'y = sign x' },
  hardshrink: {
    attrs: ['lambd'],
    f: 'x > a || x < -a ? x : 0',
    df: 'x > a || x < -a ? 1 : 0',
    doc: 'y = x if |x| > λ, else 0',
  },
  softshrink: {
    attrs: ['lambd'],
    f: 'x > a ? x - a : x < -a ? x + a : 0',
    df: 'x > a || x < -a ? 1 : 0',
    doc: 'y = x ∓ λ beyond ±λ, else 0',
  },
} satisfies Partial<Record<OpName, UnaryRow>>;

const mentions = (expr: string, v: string): number =>
  (expr.match(new RegExp(`\\b${v}\\b`, 'g')) ?? []).length;

/**
 * `expr` with x, y, a bound: single uses of x/y are inlined as `x[i]`/`y[i]`, repeated ones read
 * into a local first so the loop body stays legible.
 */
function bind(
  expr: string,
  values: readonly string[],
  indexed: { x: string; y: string },
): { pre: string[]; expr: string } {
  const pre: string[] = [];
  let e = expr;
  values.forEach((v, i) => (e = e.replace(new RegExp(`\\b${'ab'[i]}\\b`, 'g'), v)));
  for (const v of ['x', 'y'] as const) {
    const count = mentions(e, v);
    if (count === 0) continue;
    if (count === 1) e = e.replace(new RegExp(`\\b${v}\\b`), indexed[v]);
    else {
      const local = `${v}i`;
      pre.push(`const ${local} = ${indexed[v]};`);
      e = e.replace(new RegExp(`\\b${v}\\b`, 'g'), local);
    }
  }
  return { pre, expr: e };
}

function loop(target: string, length: string, b: { pre: string[]; expr: string }): string[] {
  if (b.pre.length === 0) return [`for (let i = 0; i < ${length}; i++) ${target} = ${b.expr};`];
  return [
    `for (let i = 0; i < ${length}; i++) {`,
    ...b.pre.map((l) => `  ${l}`),
    `  ${target} = ${b.expr};`,
    '}',
  ];
}

function unaryEmitter(row: UnaryRow): OpEmitter {
  return {
    emit(c: EmitCtx): LayerCode {
      for (const h of row.helpers ?? []) c.helper(h);
      const names = row.attrs ?? [];
      const values = names.map((n, i) => String((c.attrs[n] as number | undefined) ?? row.absent?.[i]));
      const doc = names.length
        ? `${row.doc} (${names.map((n, i) => `${n} = ${values[i]}`).join(', ')}).`
        : `${row.doc}.`;
      const forward = [
        'const y = new Float64Array(x.length);',
        ...loop('y[i]', 'x.length', bind(row.f, values, { x: 'x[i]', y: 'y[i]' })),
        'return y;',
      ];
      if (!c.needsGrad[0]) return { doc, forward, backward: [] };
      const d = bind(row.df, values, { x: 'x[i]', y: 'y[i]' });
      const backward = [
        'const dx = new Float64Array(dy.length);',
        ...loop('dx[i]', 'dy.length', { pre: d.pre, expr: `dy[i] * (${d.expr})` }),
      ];
      return { doc, forward, backward };
    },
  };
}

/** prelu: y = x for x > 0, else the channel's slope times x; the slopes are a parameter. */
export const prelu: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const k = c.attrs['num_parameters'] as number;
    const inner = k === 1 ? 1 : sizeOfStatic(c.inShapes[0]!.slice(2) as number[]);
    const channel = k === 1 ? '0' : inner === 1 ? `i % ${k}` : `Math.floor(i / ${inner}) % ${k}`;
    const forward = [
      `const w = ${c.param('weight')};`,
      'const y = new Float64Array(x.length);',
      `for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : w[${channel}] * x[i];`,
      'return y;',
    ];
    const needX = c.needsGrad[0];
    const backward = [
      `const w = ${c.param('weight')};`,
      ...(needX ? ['const dx = new Float64Array(x.length);'] : []),
      'for (let i = 0; i < x.length; i++) {',
      ...(needX
        ? ['  if (x[i] > 0) {', '    dx[i] = dy[i];', '    continue;', '  }']
        : ['  if (x[i] > 0) continue;']),
      `  const c = ${channel};`,
      ...(needX ? ['  dx[i] = dy[i] * w[c];'] : []),
      '  grad.weight[c] += dy[i] * x[i];',
      '}',
    ];
    return {
      doc: `y = x if x > 0, else a·x with ${k === 1 ? 'one learnt slope a' : `a learnt slope a per channel (${k})`}.`,
      forward,
      backward,
    };
  },
};

export const ELEMENTWISE_EMITTERS = {
  ...emittersFrom<keyof typeof UNARY, UnaryRow>(UNARY, unaryEmitter),
  prelu,
};
