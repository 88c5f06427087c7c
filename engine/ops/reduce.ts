/**
 * Reductions and the normalised exponentials along one axis: sum, mean, max, min, var, std,
 * argmax, softmax, log_softmax. The reductions take `axis` (one axis or several, all when absent)
 * and `keepdim`, as torch's dim and keepdim.
 */
import { defineOp, type AttrSpec, type OpDef } from './define.js';
import { shapeToString, sizeOf, type Shape } from '../tensor/tensor.js';
import { ShapeError } from '../tensor/broadcast.js';
import { normaliseAxis, splitAt } from './axes.js';
import {
  lineBase,
  softmaxForward,
  softmaxJvp,
  softmaxVjp,
  softmaxVjpJvp,
  type SoftmaxLines,
} from '../kernels/softmax.js';

type AxesValue = number | readonly number[];
type ReduceAttrs = { axis?: AxesValue; keepdim: boolean };
type VarAttrs = ReduceAttrs & { correction: number };

/**
 * A reduction as a table: `into[i]` is the output element input element i goes into; `n` inputs
 * go into each output. All axes when `axis` is absent or [] (as torch's dim=None).
 */
interface Reduction {
  out: number[];
  into: Int32Array;
  n: number;
}

/** The reduced axes, normalised; an axis named twice is refused. */
export function reducedAxes(op: string, x: Shape, axis: AxesValue | undefined): Set<number> {
  const list = axis === undefined ? [] : typeof axis === 'number' ? [axis] : axis;
  if (list.length === 0) return new Set(x.map((_, i) => i));
  const axes = list.map((a) => normaliseAxis(op, a, x));
  if (new Set(axes).size !== axes.length)
    throw new ShapeError(`${op}: axis [${list.join(', ')}] names an axis twice for x ${shapeToString(x)}`);
  return new Set(axes);
}

function reduction(op: string, x: Shape, a: ReduceAttrs): Reduction {
  const axes = reducedAxes(op, x, a.axis);
  const kept = x.map((d, i) => (axes.has(i) ? 1 : d));
  const out = a.keepdim ? kept : x.filter((_, i) => !axes.has(i));
  const outStrides = kept.map((_, i) => (axes.has(i) ? 0 : sizeOf(kept.slice(i + 1))));
  const into = new Int32Array(sizeOf(x));
  const counter = x.map(() => 0);
  for (let i = 0, j = 0; i < into.length; i++) {
    into[i] = j;
    for (let ax = x.length - 1; ax >= 0; ax--) {
      j += outStrides[ax]!;
      if (++counter[ax]! < x[ax]!) break;
      j -= outStrides[ax]! * x[ax]!;
      counter[ax] = 0;
    }
  }
  const outSize = sizeOf(out);
  return { out, into, n: outSize === 0 ? 0 : into.length / outSize };
}

const AXIS: AttrSpec = {
  type: 'axes',
  optional: true,
  doc: 'the axis or axes to reduce (negative counts from the end); all when absent',
};
const KEEPDIM: AttrSpec = { type: 'boolean', default: false, doc: 'keep the reduced axes with size 1' };

const reductionShape = (op: string) => (xs: Shape[], a: ReduceAttrs) => reduction(op, xs[0]!, a).out;

function linearReduceOp(name: 'sum' | 'mean'): OpDef<ReduceAttrs, Reduction> {
  const scaleOf = (n: number): number => (name === 'mean' ? 1 / n : 1);
  return defineOp<ReduceAttrs, Reduction>({
    name,
    category: 'math',
    inputs: ['x'],
    attrs: { axis: AXIS, keepdim: KEEPDIM },
    shape: reductionShape(name),
    flops: ([x]) => sizeOf(x!),
    plan: ([x], a) => reduction(name, x!, a),
    forward: ({ plan: { into, n } }, xs, out) => {
      const x = xs[0];
      const s = scaleOf(n),
        xd = x!.data,
        od = out.data;
      od.fill(0);
      for (let i = 0; i < into.length; i++) od[into[i]!]! += xd[i]!;
      if (s !== 1) for (let j = 0; j < od.length; j++) od[j]! *= s;
    },
    vjp: ({ plan: { into, n } }, _xs, _out, g, grads) => {
      const gx = grads[0];
      if (!gx) return;
      const s = scaleOf(n);
      for (let i = 0; i < into.length; i++) gx.data[i]! += g.data[into[i]!]! * s;
    },
    jvp: ({ plan: { into, n } }, _xs, _out, [tx], tout) => {
      tout.fill(0);
      if (!tx) return;
      const s = scaleOf(n);
      for (let i = 0; i < into.length; i++) tout.data[into[i]!]! += tx.data[i]! * s;
    },
    secondOrder: { kind: 'linear' },
    doc:
      name === 'sum'
        ? 'sum(x) = Σ x over the axes (or all); ∂/∂x = g broadcast back'
        : 'mean(x) = Σ x / n over the axes (or all); ∂/∂x = g / n broadcast back',
  });
}

export const sum = linearReduceOp('sum');
export const mean = linearReduceOp('mean');

/**
 * max and min over the axes. The gradient goes to the element forward picked (the first extreme
 * one, as torch.max(x, dim) returns it), so given that choice the op is linear.
 */
function extremeOp(name: 'max' | 'min'): OpDef<ReduceAttrs, Reduction> {
  const better = name === 'max' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  return defineOp<ReduceAttrs, Reduction>({
    name,
    category: 'math',
    inputs: ['x'],
    attrs: { axis: AXIS, keepdim: KEEPDIM },
    shape: reductionShape(name),
    flops: ([x]) => sizeOf(x!),
    plan: ([x], a) => reduction(name, x!, a),
    saved: ([x], a) => ({ picked: reduction(name, x!, a).out }),
    forward: ({ plan: { into }, saved: { picked } }, xs, out) => {
      const x = xs[0];
      const xd = x!.data,
        od = out.data,
        pd = picked!.data;
      pd.fill(-1);
      for (let i = 0; i < into.length; i++) {
        const j = into[i]!;
        // NaN wins, as in torch.
        if (pd[j] === -1 || better(xd[i]!, od[j]!) || (xd[i] !== xd[i] && od[j] === od[j])) {
          od[j] = xd[i]!;
          pd[j] = i;
        }
      }
    },
    vjp: ({ saved: { picked } }, _xs, _out, g, grads) => {
      const gx = grads[0];
      if (!gx) return;
      for (let j = 0; j < g.data.length; j++) gx.data[picked!.data[j]!]! += g.data[j]!;
    },
    jvp: ({ saved: { picked } }, _xs, _out, [tx], tout) => {
      if (!tx) return void tout.fill(0);
      for (let j = 0; j < tout.data.length; j++) tout.data[j] = tx.data[picked!.data[j]!]!;
    },
    secondOrder: { kind: 'linear' },
    doc: `${name}(x) = the ${name === 'max' ? 'largest' : 'smallest'} element over the axes (or all); ∂/∂x = g at the element picked, 0 elsewhere`,
  });
}

export const max = extremeOp('max');
export const min = extremeOp('min');

/**
 * var and std as torch defines them: Σ (x - μ)² / (n - correction), correction 1 (Bessel's,
 * torch's unbiased=True) by default; std = √var.
 */
function spreadOp(name: 'var' | 'std'): OpDef<VarAttrs, Reduction> {
  const isStd = name === 'std';
  return defineOp<VarAttrs, Reduction>({
    name,
    category: 'math',
    inputs: ['x'],
    attrs: {
      axis: AXIS,
      keepdim: KEEPDIM,
      correction: {
        type: 'integer',
        default: 1,
        min: 0,
        doc: 'divide by n - correction: 1 is the unbiased estimate (torch default), 0 the population one',
      },
    },
    shape: reductionShape(name),
    flops: ([x]) => 4 * sizeOf(x!),
    plan: ([x], a) => reduction(name, x!, a),
    saved: ([x], a) => ({ mu: reduction(name, x!, a).out }),
    forward: ({ attrs, plan: { into, n }, saved: { mu } }, xs, out) => {
      const x = xs[0];
      const xd = x!.data,
        od = out.data,
        md = mu!.data;
      md.fill(0);
      od.fill(0);
      for (let i = 0; i < into.length; i++) md[into[i]!]! += xd[i]!;
      for (let j = 0; j < md.length; j++) md[j]! /= n;
      for (let i = 0; i < into.length; i++) {
        const d = xd[i]! - md[into[i]!]!;
        od[into[i]!]! += d * d;
      }
      const div = n - attrs.correction;
      for (let j = 0; j < od.length; j++) od[j] = isStd ? Math.sqrt(od[j]! / div) : od[j]! / div;
    },
    // var: gx = g·2(x - μ)/(n - c); std: gx = g·(x - μ)/((n - c)·std)
    vjp: ({ attrs, plan: { into, n }, saved: { mu } }, xs, out, g, grads) => {
      const x = xs[0],
        gx = grads[0];
      if (!gx) return;
      const div = n - attrs.correction;
      for (let i = 0; i < into.length; i++) {
        const j = into[i]!;
        const d = x!.data[i]! - mu!.data[j]!;
        gx.data[i]! += isStd ? (g.data[j]! * d) / (div * out.data[j]!) : (2 * g.data[j]! * d) / div;
      }
    },
    jvp: ({ attrs, plan: { into, n }, saved: { mu } }, [x], out, [tx], tout) => {
      tout.fill(0);
      if (!tx) return;
      const div = n - attrs.correction;
      for (let i = 0; i < into.length; i++) {
        const j = into[i]!;
        tout.data[j]! += (2 * (x!.data[i]! - mu!.data[j]!) * tx.data[i]!) / div;
      }
      if (isStd) for (let j = 0; j < tout.data.length; j++) tout.data[j]! /= 2 * out.data[j]!;
    },
    secondOrder: {
      kind: 'custom',
      // d/dt of the VJP with ẋ = tx, μ̇ = mean of tx, ṡ = tout (std only):
      // var: ġ·2(x - μ)/d + g·2(ẋ - μ̇)/d; std: [ġ(x - μ) + g(ẋ - μ̇) - g(x - μ)·ṡ/s] / (d·s)
      vjpJvp: ({ attrs, plan: { into, n }, saved: { mu } }, [x], out, g, [tx], tout, tg, [tgx]) => {
        if (!tgx) return;
        const div = n - attrs.correction;
        const tmu = new Float64Array(out.data.length);
        if (tx) {
          for (let i = 0; i < into.length; i++) tmu[into[i]!]! += tx.data[i]!;
          for (let j = 0; j < tmu.length; j++) tmu[j]! /= n;
        }
        for (let i = 0; i < into.length; i++) {
          const j = into[i]!;
          const d = x!.data[i]! - mu!.data[j]!;
          const td = tx ? tx.data[i]! - tmu[j]! : 0;
          if (isStd) {
            const sd = out.data[j]!;
            tgx.data[i]! +=
              (tg.data[j]! * d + g.data[j]! * td - (g.data[j]! * d * tout.data[j]!) / sd) / (div * sd);
          } else tgx.data[i]! += (2 * (tg.data[j]! * d + g.data[j]! * td)) / div;
        }
      },
    },
    doc: isStd
      ? 'std(x) = √(Σ (x - μ)² / (n - correction)) over the axes (or all); ∂/∂x = g·(x - μ)/((n - correction)·std)'
      : 'var(x) = Σ (x - μ)² / (n - correction) over the axes (or all); ∂/∂x = g·2(x - μ)/(n - correction)',
  });
}

export const variance = spreadOp('var');
export const std = spreadOp('std');

type ArgmaxAttrs = { axis?: number; keepdim: boolean };

/**
 * argmax: the index of the first largest element along one axis (of the flattened x when the
 * axis is absent), as torch.argmax. Its output is a whole number, so nothing flows back through
 * it: it is for metrics (accuracy), not for a loss.
 */
export const argmax = defineOp<ArgmaxAttrs, Reduction>({
  name: 'argmax',
  category: 'math',
  inputs: ['x'],
  nondiff: ['x'],
  attrs: {
    axis: {
      type: 'integer',
      optional: true,
      doc: 'the axis to search along (negative counts from the end); the flattened x when absent',
    },
    keepdim: KEEPDIM,
  },
  shape: ([x], a) => reduction('argmax', x!, a).out,
  flops: ([x]) => sizeOf(x!),
  plan: ([x], a) => reduction('argmax', x!, a),
  forward: ({ attrs, plan: { into } }, xs, out) => {
    const x = xs[0];
    const xd = x!.data,
      od = out.data,
      best = new Float64Array(od.length).fill(-Infinity);
    od.fill(-1);
    const shape = x!.shape;
    // Position along the axis of element i: (i / inner) mod size; flat index when no axis.
    const axis = attrs.axis === undefined ? -1 : normaliseAxis('argmax', attrs.axis, shape);
    const [, size, inner] = axis < 0 ? [1, xd.length, 1] : splitAt(shape, axis);
    for (let i = 0; i < into.length; i++) {
      const j = into[i]!;
      const v = xd[i]!;
      if (od[j] === -1 || v > best[j]! || (v !== v && best[j] === best[j])) {
        best[j] = v;
        od[j] = Math.floor(i / inner) % size;
      }
    }
  },
  vjp: () => {},
  jvp: (_ctx, _xs, _out, _tx, tout) => void tout.fill(0),
  secondOrder: { kind: 'linear' },
  doc: 'argmax(x) = the index of the first largest element along the axis (or of the flattened x); not differentiable: nothing flows back',
});

type SoftmaxAttrs = { axis: number };
const SOFTMAX_AXIS: AttrSpec = {
  type: 'integer',
  default: -1,
  doc: 'the axis the probabilities sum to 1 over',
};

/** The lines along the softmax axis (engine/kernels/softmax.ts says how they lie; s below is inner). */
const lineDims = (op: string, x: Shape, axis: number): SoftmaxLines => splitAt(x, normaliseAxis(op, axis, x));

export const softmax = defineOp<SoftmaxAttrs, SoftmaxLines>({
  name: 'softmax',
  category: 'activations',
  inputs: ['x'],
  attrs: { axis: SOFTMAX_AXIS },
  shape: ([x], a) => (normaliseAxis('softmax', a.axis, x!), x!),
  flops: ([x]) => 5 * sizeOf(x!),
  plan: ([x], a) => lineDims('softmax', x!, a.axis),
  // The kernels are engine/kernels/softmax.ts, which attention's weights run too.
  forward: ({ plan }, xs, out) => softmaxForward(xs[0]!.data, out.data, plan),
  vjp: ({ plan }, _xs, out, g, grads) => {
    const gx = grads[0];
    if (gx) softmaxVjp(out.data, g.data, gx.data, plan);
  },
  jvp: ({ plan }, _xs, out, [tx], tout) => {
    if (tx) softmaxJvp(out.data, tx.data, tout.data, plan);
    else tout.fill(0);
  },
  secondOrder: {
    kind: 'custom',
    vjpJvp: ({ plan }, _xs, out, g, _tx, tout, tg, [tgx]) => {
      if (tgx) softmaxVjpJvp(out.data, tout.data, g.data, tg.data, tgx.data, plan);
    },
  },
  doc: 'softmax(x)_i = e^{x_i} / Σ_j e^{x_j} along the axis; ∂/∂x = y ⊙ (g - <g, y>)',
});

export const logSoftmax = defineOp<SoftmaxAttrs, SoftmaxLines>({
  name: 'log_softmax',
  category: 'activations',
  inputs: ['x'],
  attrs: { axis: SOFTMAX_AXIS },
  shape: ([x], a) => (normaliseAxis('log_softmax', a.axis, x!), x!),
  flops: ([x]) => 5 * sizeOf(x!),
  plan: ([x], a) => lineDims('log_softmax', x!, a.axis),
  forward: ({ plan }, xs, out) => {
    const outer = plan[0],
      n = plan[1],
      s = plan[2],
      x = xs[0];
    const xd = x!.data,
      y = out.data;
    for (let line = 0; line < outer * s; line++) {
      const b = lineBase(line, n, s);
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, xd[b + k * s]!);
      let z = 0;
      for (let k = 0; k < n; k++) z += Math.exp(xd[b + k * s]! - m);
      const lse = m + Math.log(z);
      for (let k = 0; k < n; k++) y[b + k * s] = xd[b + k * s]! - lse;
    }
  },
  // gx = g - softmax · Σ g
  vjp: ({ plan }, _xs, out, g, grads) => {
    const outer = plan[0],
      n = plan[1],
      s = plan[2],
      gx = grads[0];
    if (!gx) return;
    const y = out.data,
      gd = g.data;
    for (let line = 0; line < outer * s; line++) {
      const b = lineBase(line, n, s);
      let gs = 0;
      for (let k = 0; k < n; k++) gs += gd[b + k * s]!;
      for (let k = 0; k < n; k++) gx.data[b + k * s]! += gd[b + k * s]! - Math.exp(y[b + k * s]!) * gs;
    }
  },
  jvp: ({ plan: [outer, n, s] }, _xs, out, [tx], tout) => {
    if (!tx) return void tout.fill(0);
    const y = out.data;
    for (let line = 0; line < outer * s; line++) {
      const b = lineBase(line, n, s);
      let pt = 0;
      for (let k = 0; k < n; k++) pt += Math.exp(y[b + k * s]!) * tx.data[b + k * s]!;
      for (let k = 0; k < n; k++) tout.data[b + k * s] = tx.data[b + k * s]! - pt;
    }
  },
  secondOrder: {
    kind: 'custom',
    // d/dt [g - p Σg] = ġ - ṗ Σg - p Σġ, with ṗ = p ⊙ ẏ
    vjpJvp: ({ plan: [outer, n, s] }, _xs, out, g, _tx, tout, tg, [tgx]) => {
      if (!tgx) return;
      const y = out.data,
        ty = tout.data,
        gd = g.data,
        tgd = tg.data;
      for (let line = 0; line < outer * s; line++) {
        const b = lineBase(line, n, s);
        let gs = 0,
          tgs = 0;
        for (let k = 0; k < n; k++) {
          gs += gd[b + k * s]!;
          tgs += tgd[b + k * s]!;
        }
        for (let k = 0; k < n; k++) {
          const j = b + k * s;
          const p = Math.exp(y[j]!);
          tgx.data[j]! += tgd[j]! - p * ty[j]! * gs - p * tgs;
        }
      }
    },
  },
  doc: 'log_softmax(x)_i = x_i - log Σ_j e^{x_j} along the axis; ∂/∂x = g - softmax(x)·Σ g',
});

export const REDUCE_OPS = {
  sum,
  mean,
  max,
  min,
  var: variance,
  std,
  argmax,
  softmax,
  log_softmax: logSoftmax,
} as const;
