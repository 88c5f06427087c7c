/**
 * Elementwise ops, one row each: the forward formula of one element and its derivative, written
 * as expressions of `x` (the input element), `y` (the output element) and `a` (the op's numeric
 * attribute, if any), the same formulas as engine/ops/elementwise.ts.
 */
import { emittersFrom, type EmitCtx, type LayerCode, type OpEmitter } from '../emitter.js';
import type { OpName } from '../../ops/registry.js';
import type { HelperName } from '../helpers.js';

interface UnaryRow {
  /** The attribute passed as `a`, e.g. leaky_relu's negative_slope. */
  attr?: string;
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

const UNARY = {
  relu: { f: 'x > 0 ? x : 0', df: 'x > 0 ? 1 : 0', doc: 'y = max(x, 0)' },
  leaky_relu: {
    attr: 'negative_slope',
    f: 'x > 0 ? x : a * x',
    df: 'x > 0 ? 1 : a',
    doc: 'y = x if x > 0, else slope·x',
  },
  elu: {
    attr: 'alpha',
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
  exp: { f: 'Math.exp(x)', df: 'y', doc: 'y = eˣ' },
  log: { f: 'Math.log(x)', df: '1 / x', doc: 'y = log x' },
  sqrt: { f: 'Math.sqrt(x)', df: '0.5 / y', doc: 'y = √x' },
  square: { f: 'x * x', df: '2 * x', doc: 'y = x²' },
  abs: { f: 'Math.abs(x)', df: 'x > 0 ? 1 : x < 0 ? -1 : 0', doc: 'y = |x|' },
  neg: { f: '-x', df: '-1', doc: 'y = -x' },
  sin: { f: 'Math.sin(x)', df: 'Math.cos(x)', doc: 'y = sin x' },
} satisfies Partial<Record<OpName, UnaryRow>>;

const mentions = (expr: string, v: string): number =>
  (expr.match(new RegExp(`\\b${v}\\b`, 'g')) ?? []).length;

/**
 * `expr` with x, y, a bound: single uses of x/y are inlined as `x[i]`/`y[i]`, repeated ones read
 * into a local first so the loop body stays legible.
 */
function bind(
  expr: string,
  a: string | null,
  indexed: { x: string; y: string },
): { pre: string[]; expr: string } {
  const pre: string[] = [];
  let e = a === null ? expr : expr.replace(/\ba\b/g, a);
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
      const a = row.attr ? String(c.attrs[row.attr]) : null;
      const doc = row.attr ? `${row.doc} (${row.attr} = ${a}).` : `${row.doc}.`;
      const forward = [
        'const y = new Float64Array(x.length);',
        ...loop('y[i]', 'x.length', bind(row.f, a, { x: 'x[i]', y: 'y[i]' })),
        'return y;',
      ];
      if (!c.needsGrad[0]) return { doc, forward, backward: [] };
      const d = bind(row.df, a, { x: 'x[i]', y: 'y[i]' });
      const backward = [
        'const dx = new Float64Array(dy.length);',
        ...loop('dx[i]', 'dy.length', { pre: d.pre, expr: `dy[i] * (${d.expr})` }),
      ];
      return { doc, forward, backward };
    },
  };
}

export const ELEMENTWISE_EMITTERS = emittersFrom<keyof typeof UNARY, UnaryRow>(UNARY, unaryEmitter);
