/**
 * Losses. mse_loss, huber_loss and bce_with_logits are sums of a pointwise f(p, t) over two inputs
 * of exactly the same shape (PyTorch does not broadcast them silently here), one table row each
 * with f's first and second partials; cross_entropy works on rows of logits.
 * `reduction`: 'mean' divides by the number of terms (elements, or rows for cross_entropy).
 */
import { AttrSpec, defineOp, OpDef } from './define.js';
import { ShapeError } from '../tensor/broadcast.js';
import { sameShape, shapeToString, sizeOf } from '../tensor/tensor.js';

const REDUCTION: AttrSpec = {
  type: 'enum',
  values: ['mean', 'sum'],
  default: 'mean',
  doc: "'mean' averages over the terms, 'sum' adds them",
};

type LossAttrs = Record<string, string | number>;

export interface PointwiseLossRow {
  name: string;
  inputs: readonly [string, string];
  nondiff?: readonly string[];
  param?: { name: string; spec: AttrSpec & { type: 'number' } };
  f: (p: number, t: number, a: number) => number;
  /** ∂f/∂p and ∂f/∂t */
  dp: (p: number, t: number, a: number) => number;
  dt: (p: number, t: number, a: number) => number;
  /** ∂²f/∂p², ∂²f/∂p∂t, ∂²f/∂t² */
  dpp: (p: number, t: number, a: number) => number;
  dpt: (p: number, t: number, a: number) => number;
  dtt: (p: number, t: number, a: number) => number;
  flops: number;
  doc: string;
}

export function pointwiseLoss(row: PointwiseLossRow): OpDef<LossAttrs> {
  const { f, dp, dt, dpp, dpt, dtt } = row;
  const [pn, tn] = row.inputs;
  const param = (a: LossAttrs): number => (row.param ? (a[row.param.name] as number) : 0);
  const scale = (a: LossAttrs, n: number): number => (a.reduction === 'mean' ? 1 / n : 1);
  return defineOp<LossAttrs>({
    name: row.name,
    category: 'losses',
    inputs: row.inputs,
    nondiff: row.nondiff,
    attrs: { reduction: REDUCTION, ...(row.param ? { [row.param.name]: row.param.spec } : {}) },
    shape: ([p, t]) => {
      if (!sameShape(p!, t!))
        throw new ShapeError(
          `${row.name}: ${pn} ${shapeToString(p!)} and ${tn} ${shapeToString(t!)} must have the same shape`,
        );
      return [];
    },
    flops: ([p]) => row.flops * sizeOf(p!),
    forward: ({ attrs }, xs, out) => {
      const p = xs[0],
        t = xs[1];
      const pd = p!.data,
        td = t!.data,
        a = param(attrs);
      let s = 0;
      for (let i = 0; i < pd.length; i++) s += f(pd[i]!, td[i]!, a);
      out.data[0] = s * scale(attrs, pd.length);
    },
    vjp: ({ attrs }, xs, _out, g, grads) => {
      const p = xs[0],
        t = xs[1],
        gp = grads[0],
        gt = grads[1];
      const pd = p!.data,
        td = t!.data,
        a = param(attrs),
        k = g.data[0]! * scale(attrs, pd.length);
      for (let i = 0; i < pd.length; i++) {
        if (gp) gp.data[i]! += k * dp(pd[i]!, td[i]!, a);
        if (gt) gt.data[i]! += k * dt(pd[i]!, td[i]!, a);
      }
    },
    jvp: ({ attrs }, [p, t], _out, [tp, tt], tout) => {
      const pd = p!.data,
        td = t!.data,
        a = param(attrs);
      let s = 0;
      for (let i = 0; i < pd.length; i++) {
        if (tp) s += dp(pd[i]!, td[i]!, a) * tp.data[i]!;
        if (tt) s += dt(pd[i]!, td[i]!, a) * tt.data[i]!;
      }
      tout.data[0] = s * scale(attrs, pd.length);
    },
    secondOrder: {
      kind: 'custom',
      vjpJvp: ({ attrs }, [p, t], _out, g, [tp, tt], _tout, tg, [tgp, tgt]) => {
        const pd = p!.data,
          td = t!.data,
          a = param(attrs),
          s = scale(attrs, pd.length),
          k = g.data[0]! * s,
          tk = tg.data[0]! * s;
        for (let i = 0; i < pd.length; i++) {
          const p_ = pd[i]!,
            t_ = td[i]!,
            u = tp ? tp.data[i]! : 0,
            v = tt ? tt.data[i]! : 0,
            cross = dpt(p_, t_, a);
          if (tgp) tgp.data[i]! += tk * dp(p_, t_, a) + k * (dpp(p_, t_, a) * u + cross * v);
          if (tgt) tgt.data[i]! += tk * dt(p_, t_, a) + k * (cross * u + dtt(p_, t_, a) * v);
        }
      },
    },
    doc: row.doc,
  });
}

export const mseLoss = pointwiseLoss({
  name: 'mse_loss',
  inputs: ['pred', 'target'],
  f: (p, t) => (p - t) * (p - t),
  dp: (p, t) => 2 * (p - t),
  dt: (p, t) => -2 * (p - t),
  dpp: () => 2,
  dpt: () => -2,
  dtt: () => 2,
  flops: 3,
  doc: 'mse_loss = mean (pred - target)²; ∂/∂pred = 2(pred - target)/n',
});

const huberSlope = (d: number, delta: number): number => (Math.abs(d) < delta ? d : d > 0 ? delta : -delta);

export const huberLoss = pointwiseLoss({
  name: 'huber_loss',
  inputs: ['pred', 'target'],
  param: {
    name: 'delta',
    spec: { type: 'number', default: 1, min: 0, doc: 'where the quadratic turns linear' },
  },
  f: (p, t, delta) => {
    const d = Math.abs(p - t);
    return d < delta ? 0.5 * d * d : delta * (d - 0.5 * delta);
  },
  dp: (p, t, delta) => huberSlope(p - t, delta),
  dt: (p, t, delta) => -huberSlope(p - t, delta),
  dpp: (p, t, delta) => (Math.abs(p - t) < delta ? 1 : 0),
  dpt: (p, t, delta) => (Math.abs(p - t) < delta ? -1 : 0),
  dtt: (p, t, delta) => (Math.abs(p - t) < delta ? 1 : 0),
  flops: 4,
  doc: 'huber_loss = mean ½d² if |d| < δ else δ(|d| - ½δ), d = pred - target; ∂/∂pred = clamp(d, -δ, δ)',
});

const sigmoidOf = (x: number): number => 1 / (1 + Math.exp(-x));

export const bceWithLogits = pointwiseLoss({
  name: 'bce_with_logits',
  inputs: ['logits', 'target'],
  nondiff: ['target'],
  f: (x, t) => Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x))),
  dp: (x, t) => sigmoidOf(x) - t,
  dt: (x) => -x,
  dpp: (x) => {
    const s = sigmoidOf(x);
    return s * (1 - s);
  },
  dpt: () => -1,
  dtt: () => 0,
  flops: 6,
  doc: 'bce_with_logits = mean -[t·log σ(x) + (1 - t)·log(1 - σ(x))]; ∂/∂x = σ(x) - t',
});

type CrossEntropyAttrs = { reduction: string };

/**
 * cross_entropy's logits as torch takes them: [N, C] or [N, C, d1, ...] with the classes on axis 1
 * and target [N] or [N, d1, ...]. Plan: [N, C, inner = d1·...]; logit (r, j, i) is at
 * (r·C + j)·inner + i, its label at r·inner + i. A [N, T, C] sequence is swapaxes'd to [N, C, T] first.
 */
type CrossEntropyPlan = [n: number, c: number, inner: number];

function crossEntropyDims(x: readonly number[], t: readonly number[]): CrossEntropyPlan {
  if (x.length < 2 || t.length !== x.length - 1 || t[0] !== x[0] || t.some((d, i) => i > 0 && d !== x[i + 1]))
    throw new ShapeError(
      `cross_entropy: logits must be [N, classes] (or [N, classes, d1, ...]) and target [N] (or [N, d1, ...]) class indices, got logits ${shapeToString(x)} and target ${shapeToString(t)}`,
    );
  return [x[0]!, x[1]!, sizeOf(x.slice(2))];
}

/** 1/terms for 'mean' (one term per label), 1 for 'sum'. */
const ceScale = (reduction: string, plan: CrossEntropyPlan): number =>
  reduction === 'mean' ? 1 / (plan[0] * plan[2]) : 1;

export const crossEntropy = defineOp<CrossEntropyAttrs, CrossEntropyPlan>({
  name: 'cross_entropy',
  category: 'losses',
  inputs: ['logits', 'target'],
  nondiff: ['target'],
  attrs: { reduction: REDUCTION },
  shape: ([x, t]) => {
    crossEntropyDims(x!, t!);
    return [];
  },
  flops: ([x]) => 4 * sizeOf(x!),
  saved: ([x]) => ({ probs: x! }),
  plan: ([x, t]) => crossEntropyDims(x!, t!),
  forward: ({ attrs, plan, saved: { probs } }, xs, out) => {
    const x = xs[0],
      t = xs[1];
    const n = plan[0],
      c = plan[1],
      inner = plan[2];
    const xd = x!.data,
      pd = probs!.data;
    let total = 0;
    for (let r = 0; r < n; r++)
      for (let i = 0; i < inner; i++) {
        const label = t!.data[r * inner + i]!;
        if (!Number.isInteger(label) || label < 0 || label >= c)
          throw new RangeError(
            `cross_entropy: target[${r * inner + i}] = ${label} is not a class index in [0, ${c})`,
          );
        // Logit j of this row is at row + j·inner (indices, not a closure: a step allocates nothing).
        const row = r * c * inner + i;
        let m = -Infinity;
        for (let at = row, j = 0; j < c; j++, at += inner) m = Math.max(m, xd[at]!);
        let z = 0;
        for (let at = row, j = 0; j < c; j++, at += inner) z += Math.exp(xd[at]! - m);
        const lse = m + Math.log(z);
        for (let at = row, j = 0; j < c; j++, at += inner) pd[at] = Math.exp(xd[at]! - lse);
        total += lse - xd[row + label * inner]!;
      }
    out.data[0] = total * ceScale(attrs.reduction, plan);
  },
  vjp: ({ attrs, plan, saved: { probs } }, xs, _out, g, grads) => {
    const target = xs[1],
      gx = grads[0];
    if (!gx) return;
    const n = plan[0],
      c = plan[1],
      inner = plan[2];
    const k = g.data[0]! * ceScale(attrs.reduction, plan);
    const pd = probs!.data,
      t = target!.data;
    for (let r = 0; r < n; r++)
      for (let i = 0; i < inner; i++) {
        for (let j = 0; j < c; j++) gx.data[(r * c + j) * inner + i]! += k * pd[(r * c + j) * inner + i]!;
        gx.data[(r * c + t[r * inner + i]!) * inner + i]! -= k;
      }
  },
  jvp: ({ attrs, plan, saved: { probs } }, [, t], _out, [tx], tout) => {
    const n = plan[0],
      c = plan[1],
      inner = plan[2];
    let s = 0;
    if (tx) {
      const pd = probs!.data;
      for (let r = 0; r < n; r++)
        for (let i = 0; i < inner; i++) {
          for (let j = 0; j < c; j++) s += pd[(r * c + j) * inner + i]! * tx.data[(r * c + j) * inner + i]!;
          s -= tx.data[(r * c + t!.data[r * inner + i]!) * inner + i]!;
        }
    }
    tout.data[0] = s * ceScale(attrs.reduction, plan);
  },
  secondOrder: {
    kind: 'custom',
    // d/dt [g·(p - onehot)] = tg·(p - onehot) + g·tp, tp = p ⊙ (tx - Σ p·tx) per row.
    vjpJvp: ({ attrs, plan, saved: { probs } }, [, t], _out, g, [tx], _tout, tg, [tgx]) => {
      if (!tgx) return;
      const n = plan[0],
        c = plan[1],
        inner = plan[2];
      const s = ceScale(attrs.reduction, plan);
      const k = g.data[0]! * s,
        tk = tg.data[0]! * s;
      const pd = probs!.data;
      for (let r = 0; r < n; r++)
        for (let i = 0; i < inner; i++) {
          const at = (j: number) => (r * c + j) * inner + i;
          let ptx = 0;
          if (tx) for (let j = 0; j < c; j++) ptx += pd[at(j)]! * tx.data[at(j)]!;
          for (let j = 0; j < c; j++) {
            const p = pd[at(j)]!;
            tgx.data[at(j)]! += tk * p + (tx ? k * p * (tx.data[at(j)]! - ptx) : 0);
          }
          tgx.data[at(t!.data[r * inner + i]!)]! -= tk;
        }
    },
  },
  doc: 'cross_entropy = mean over labels [log Σ_c e^{x_c} - x_target], classes on axis 1 ([N, C] or [N, C, d...]) as torch; ∂/∂x = softmax(x) - onehot(t)',
});

export const LOSS_OPS = {
  mse_loss: mseLoss,
  huber_loss: huberLoss,
  cross_entropy: crossEntropy,
  bce_with_logits: bceWithLogits,
} as const;
