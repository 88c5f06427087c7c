/**
 * Broadcasting binary ops from one scalar row each: f(a, b), its partials and second partials.
 * The broadcast index tables (engine/tensor/broadcast.ts) are the single place where a gradient
 * is reduced back to a broadcast input's shape: the VJP accumulates through the same index.
 */
import { defineOp, OpDef } from './define.js';
import { broadcastIndex, broadcastShapes } from '../tensor/broadcast.js';
import { sizeOf } from '../tensor/tensor.js';
import { float32Add } from '../kernels/unary.js';
import { wasmFloat32 } from '../kernels/gemm.js';

export interface BinaryRow {
  name: string;
  f: (a: number, b: number) => number;
  /** ∂f/∂a and ∂f/∂b at (a, b) with y = f(a, b). */
  da: (a: number, b: number, y: number) => number;
  db: (a: number, b: number, y: number) => number;
  /** Second partials ∂²f/∂a², ∂²f/∂a∂b, ∂²f/∂b² (for Hessian-vector products). */
  d2: (a: number, b: number) => readonly [number, number, number];
  doc: string;
}

type NoAttrs = Record<string, never>;
interface Plan {
  ia: Int32Array | null;
  ib: Int32Array | null;
}

export function binaryOp(row: BinaryRow): OpDef<NoAttrs, Plan> {
  const { f, da, db, d2 } = row;
  // Float32 a + b of one shape, and its gradients, run in WebAssembly (engine/kernels/unary.ts).
  const sameShapeSum = row.name === 'add';
  return defineOp<NoAttrs, Plan>({
    name: row.name,
    category: 'math',
    inputs: ['a', 'b'],
    attrs: {},
    shape: ([a, b]) => broadcastShapes(a!, b!, row.name),
    flops: ([a, b]) => sizeOf(broadcastShapes(a!, b!)),
    plan: ([a, b]) => {
      const out = broadcastShapes(a!, b!);
      return { ia: broadcastIndex(a!, out), ib: broadcastIndex(b!, out) };
    },
    forward: ({ plan: { ia, ib } }, xs, out) => {
      const a = xs[0],
        b = xs[1];
      const ad = a!.data,
        bd = b!.data,
        od = out.data;
      if (sameShapeSum && !ia && !ib && float32Add(ad, bd, od)) return;
      for (let k = 0; k < od.length; k++) od[k] = f(ad[ia ? ia[k]! : k]!, bd[ib ? ib[k]! : k]!);
    },
    vjp: ({ plan: { ia, ib } }, xs, out, g, grads) => {
      const a = xs[0],
        b = xs[1],
        ga = grads[0],
        gb = grads[1];
      const ad = a!.data,
        bd = b!.data,
        od = out.data,
        gd = g.data;
      // a + b without broadcasting: each gradient is g added whole.
      if (sameShapeSum && !ia && !ib && wasmFloat32(gd)) {
        if (ga) float32Add(ga.data, gd, ga.data);
        if (gb) float32Add(gb.data, gd, gb.data);
        return;
      }
      for (let k = 0; k < gd.length; k++) {
        const i = ia ? ia[k]! : k,
          j = ib ? ib[k]! : k;
        if (ga) ga.data[i]! += gd[k]! * da(ad[i]!, bd[j]!, od[k]!);
        if (gb) gb.data[j]! += gd[k]! * db(ad[i]!, bd[j]!, od[k]!);
      }
    },
    jvp: ({ plan: { ia, ib } }, [a, b], out, [ta, tb], tout) => {
      const ad = a!.data,
        bd = b!.data,
        od = out.data,
        to = tout.data;
      for (let k = 0; k < to.length; k++) {
        const i = ia ? ia[k]! : k,
          j = ib ? ib[k]! : k;
        let t = 0;
        if (ta) t += ta.data[i]! * da(ad[i]!, bd[j]!, od[k]!);
        if (tb) t += tb.data[j]! * db(ad[i]!, bd[j]!, od[k]!);
        to[k] = t;
      }
    },
    secondOrder: {
      kind: 'custom',
      vjpJvp: ({ plan: { ia, ib } }, [a, b], out, g, [ta, tb], _tout, tg, [tga, tgb]) => {
        const ad = a!.data,
          bd = b!.data,
          od = out.data,
          gd = g.data,
          tgd = tg.data;
        for (let k = 0; k < gd.length; k++) {
          const i = ia ? ia[k]! : k,
            j = ib ? ib[k]! : k;
          const av = ad[i]!,
            bv = bd[j]!,
            y = od[k]!;
          const [aa, ab, bb] = d2(av, bv);
          const dta = ta ? ta.data[i]! : 0,
            dtb = tb ? tb.data[j]! : 0;
          if (tga) tga.data[i]! += tgd[k]! * da(av, bv, y) + gd[k]! * (aa * dta + ab * dtb);
          if (tgb) tgb.data[j]! += tgd[k]! * db(av, bv, y) + gd[k]! * (ab * dta + bb * dtb);
        }
      },
    },
    doc: row.doc,
  });
}

const ZERO = [0, 0, 0] as const;
const MUL = [0, 1, 0] as const;

export const add = binaryOp({
  name: 'add',
  f: (a, b) => a + b,
  da: () => 1,
  db: () => 1,
  d2: () => ZERO,
  doc: 'a + b (broadcasting); ∂/∂a = 1, ∂/∂b = 1, summed over broadcast axes',
});
export const sub = binaryOp({
  name: 'sub',
  f: (a, b) => a - b,
  da: () => 1,
  db: () => -1,
  d2: () => ZERO,
  doc: 'a - b (broadcasting); ∂/∂a = 1, ∂/∂b = -1',
});
export const mul = binaryOp({
  name: 'mul',
  f: (a, b) => a * b,
  da: (_a, b) => b,
  db: (a) => a,
  d2: () => MUL,
  doc: 'a ⊙ b (broadcasting); ∂/∂a = b, ∂/∂b = a',
});
export const div = binaryOp({
  name: 'div',
  f: (a, b) => a / b,
  da: (_a, b) => 1 / b,
  db: (_a, b, y) => -y / b,
  d2: (a, b) => [0, -1 / (b * b), (2 * a) / (b * b * b)],
  doc: 'a / b (broadcasting); ∂/∂a = 1/b, ∂/∂b = -a/b²',
});

/** PyTorch splits the gradient of a tie evenly between the operands (torch.maximum's backward). */
const tieShare = (mine: number, other: number): number => (mine > other ? 1 : mine === other ? 0.5 : 0);

export const maximum = binaryOp({
  name: 'maximum',
  f: (a, b) => (a >= b || Number.isNaN(a) ? a : b),
  da: (a, b) => tieShare(a, b),
  db: (a, b) => tieShare(b, a),
  d2: () => ZERO,
  doc: 'maximum(a, b) elementwise (broadcasting), as torch.maximum; ∂/∂a = [a > b] (½ at a tie), ∂/∂b likewise',
});
export const minimum = binaryOp({
  name: 'minimum',
  f: (a, b) => (a <= b || Number.isNaN(a) ? a : b),
  da: (a, b) => tieShare(b, a),
  db: (a, b) => tieShare(a, b),
  d2: () => ZERO,
  doc: 'minimum(a, b) elementwise (broadcasting), as torch.minimum; ∂/∂a = [a < b] (½ at a tie), ∂/∂b likewise',
});
/**
 * a^b as torch.pow. The exponent's partial a^b·ln a is 0 where a = 0 and b ≥ 0 (PyTorch's choice;
 * the limit), NaN for a < 0 (ln a is not real).
 */
export const pow = binaryOp({
  name: 'pow',
  f: (a, b) => a ** b,
  da: (a, b) => (b === 0 ? 0 : b * a ** (b - 1)),
  db: (a, b, y) => (a === 0 && b >= 0 ? 0 : y * Math.log(a)),
  d2: (a, b) => {
    const log = Math.log(a);
    return [b === 0 ? 0 : b * (b - 1) * a ** (b - 2), a ** (b - 1) * (1 + b * log), a ** b * log * log];
  },
  doc: 'pow(a, b) = a^b (broadcasting), as torch.pow; ∂/∂a = b·a^(b-1), ∂/∂b = a^b·ln a (0 where a = 0)',
});
