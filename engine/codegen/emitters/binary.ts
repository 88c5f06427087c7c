/**
 * Broadcasting binary ops (add, sub, mul, div, maximum, minimum, pow). Inputs of the output's shape are read with the
 * output's index; a broadcast input is read through nested loops with its own strides (0 along
 * broadcast axes), and its gradient is summed back along those axes by the same indexing.
 */
import type { EmitCtx, LayerCode, OpEmitter } from '../emitter.js';
import { emittersFrom, sizeExpr } from '../emitter.js';
import type { OpName } from '../../ops/registry.js';
import type { SymShape } from '../ir.js';

interface BinaryRow {
  f: string;
  /** Gradient contributions given `g` (the output gradient element), `a`, `b` and `y`. */
  da: string;
  db: string;
  doc: string;
}

const BINARY = {
  add: { f: 'a + b', da: 'g', db: 'g', doc: 'y = a + b' },
  sub: { f: 'a - b', da: 'g', db: '-g', doc: 'y = a - b' },
  mul: { f: 'a * b', da: 'g * b', db: 'g * a', doc: 'y = a ⊙ b' },
  div: { f: 'a / b', da: 'g / b', db: '(-g * y) / b', doc: 'y = a / b' },
  // A tie sends half the gradient each way, as torch.maximum and torch.minimum do.
  maximum: {
    f: 'a >= b || Number.isNaN(a) ? a : b',
    da: 'a > b ? g : a === b ? g / 2 : 0',
    db: 'b > a ? g : a === b ? g / 2 : 0',
    doc: 'y = max(a, b)',
  },
  minimum: {
    f: 'a <= b || Number.isNaN(a) ? a : b',
    da: 'a < b ? g : a === b ? g / 2 : 0',
    db: 'b < a ? g : a === b ? g / 2 : 0',
    doc: 'y = min(a, b)',
  },
  pow: {
    f: 'a ** b',
    da: 'b === 0 ? 0 : g * b * a ** (b - 1)',
    db: 'a === 0 && b >= 0 ? 0 : g * y * Math.log(a)',
    doc: 'y = a^b',
  },
} satisfies Partial<Record<OpName, BinaryRow>>;

const sameShape = (p: SymShape, q: SymShape): boolean =>
  p.length === q.length && p.every((d, i) => d === q[i]);

/** The flat index of an input of shape `shape` broadcast to `out`, from loop variables i0, i1, … */
function indexExpr(shape: SymShape, out: SymShape): string {
  const offset = out.length - shape.length;
  const terms: string[] = [];
  for (let t = 0; t < shape.length; t++) {
    if (shape[t] === 1 && out[t + offset] !== 1) continue;
    const stride = sizeExpr(shape.slice(t + 1));
    terms.push(stride === '1' ? `i${t + offset}` : `i${t + offset} * ${stride}`);
  }
  return terms.length ? terms.join(' + ') : '0';
}

function substitute(expr: string, vars: Record<string, string>): string {
  return expr.replace(/\b[abgy]\b/g, (v) => vars[v] ?? v);
}

function binaryEmitter(row: BinaryRow): OpEmitter {
  return {
    emit(c: EmitCtx): LayerCode {
      const [sa, sb] = c.inShapes as [SymShape, SymShape];
      const out = c.outShape;
      const size = sizeExpr(out);
      const doc = `${row.doc}${sameShape(sa, sb) ? '' : ' (broadcasting)'}.`;
      const [needA, needB] = c.needsGrad;
      if (sameShape(sa, out) && sameShape(sb, out)) {
        const at = { a: 'a[i]', b: 'b[i]', g: 'dy[i]', y: 'y[i]' };
        const forward = [
          'const y = new Float64Array(a.length);',
          `for (let i = 0; i < a.length; i++) y[i] = ${substitute(row.f, at)};`,
          'return y;',
        ];
        const backward: string[] = [];
        for (const [need, port, expr] of [
          [needA, 'a', row.da],
          [needB, 'b', row.db],
        ] as const) {
          if (!need) continue;
          if (expr === 'g') backward.push(`const d${port} = dy.slice();`);
          else {
            backward.push(`const d${port} = new Float64Array(dy.length);`);
            backward.push(`for (let i = 0; i < dy.length; i++) d${port}[i] = ${substitute(expr, at)};`);
          }
        }
        return { doc, forward, backward };
      }
      // Broadcasting: one loop per output axis.
      const ia = indexExpr(sa, out);
      const ib = indexExpr(sb, out);
      const io = indexExpr(out, out);
      const nest = (body: string[]): string[] => {
        const lines: string[] = [];
        out.forEach((d, ax) => {
          lines.push(`${'  '.repeat(ax)}for (let i${ax} = 0; i${ax} < ${d === 'N' ? 'n' : d}; i${ax}++) {`);
        });
        for (const l of body) lines.push(`${'  '.repeat(out.length)}${l}`);
        for (let ax = out.length - 1; ax >= 0; ax--) lines.push(`${'  '.repeat(ax)}}`);
        return lines;
      };
      const at = { a: `a[${ia}]`, b: `b[${ib}]`, g: 'dy[k]', y: 'y[k]' };
      const forward = [
        `const y = new Float64Array(${size});`,
        ...nest([`y[${io}] = ${substitute(row.f, at)};`]),
        'return y;',
      ];
      const body = [`const k = ${io};`];
      if (needA) body.push(`da[${ia}] += ${substitute(row.da, at)};`);
      if (needB) body.push(`db[${ib}] += ${substitute(row.db, at)};`);
      const backward =
        needA || needB
          ? [
              ...(needA ? [`const da = new Float64Array(a.length);`] : []),
              ...(needB ? [`const db = new Float64Array(b.length);`] : []),
              ...nest(body),
            ]
          : [];
      return { doc, forward, backward };
    },
  };
}

export const BINARY_EMITTERS = emittersFrom<keyof typeof BINARY, BinaryRow>(BINARY, binaryEmitter);
