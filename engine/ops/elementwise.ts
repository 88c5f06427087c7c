/**
 * Elementwise unary ops from one scalar table row each: f, f' and f'' give forward, VJP, JVP and
 * the forward-over-reverse rule, so an activation is one row, not four kernels.
 */
import { defineOp, OpDef, OpCategory } from './define.js';
import type { Tensor } from '../tensor/tensor.js';

export interface UnaryRow {
  name: string;
  category?: OpCategory;
  /** f(x) */
  f: (x: number) => number;
  /** f'(x), given x and y = f(x) (often cheaper from y). */
  df: (x: number, y: number) => number;
  /** f''(x), given x and y = f(x). */
  d2f: (x: number, y: number) => number;
  /** Forward flops per element (cost model). */
  flops: number;
  doc: string;
}

type NoAttrs = Record<string, never>;

export function unaryOp(row: UnaryRow): OpDef<NoAttrs> {
  const { f, df, d2f } = row;
  return defineOp<NoAttrs>({
    name: row.name,
    category: row.category ?? 'activations',
    inputs: ['x'],
    attrs: {},
    shape: ([x]) => x!,
    flops: ([x]) => row.flops * x!.reduce((a, b) => a * b, 1),
    forward: (_ctx, [x], out) => {
      const xd = x!.data,
        od = out.data;
      for (let i = 0; i < od.length; i++) od[i] = f(xd[i]!);
    },
    vjp: (_ctx, [x], out, g, [gx]) => {
      if (!gx) return;
      const xd = x!.data,
        yd = out.data,
        gd = g.data,
        r = gx.data;
      for (let i = 0; i < r.length; i++) r[i]! += gd[i]! * df(xd[i]!, yd[i]!);
    },
    jvp: (_ctx, [x], out, [tx], tout) => {
      const to = tout.data;
      if (!tx) return void to.fill(0);
      const xd = x!.data,
        yd = out.data,
        td = tx.data;
      for (let i = 0; i < to.length; i++) to[i] = td[i]! * df(xd[i]!, yd[i]!);
    },
    secondOrder: {
      kind: 'custom',
      // d/dt [g·f'(x)] = tg·f'(x) + g·f''(x)·tx
      vjpJvp: (_ctx, [x], out, g, [tx], _tout, tg, [tgx]) => {
        if (!tgx) return;
        const xd = x!.data,
          yd = out.data,
          gd = g.data,
          tgd = tg.data,
          r = tgx.data;
        const txd: Tensor['data'] | null = tx ? tx.data : null;
        for (let i = 0; i < r.length; i++) {
          const x_ = xd[i]!,
            y_ = yd[i]!;
          r[i]! += tgd[i]! * df(x_, y_) + (txd ? gd[i]! * d2f(x_, y_) * txd[i]! : 0);
        }
      },
    },
    doc: row.doc,
  });
}

export const tanh = unaryOp({
  name: 'tanh',
  f: Math.tanh,
  df: (_x, y) => 1 - y * y,
  d2f: (_x, y) => -2 * y * (1 - y * y),
  flops: 4,
  doc: "tanh(x) = (e^x - e^-x)/(e^x + e^-x); tanh'(x) = 1 - tanh(x)^2",
});
