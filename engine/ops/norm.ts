/**
 * layer_norm, batch_norm, group_norm and instance_norm share one normalisation core: elements fall
 * into groups (a row for layer_norm, a channel for batch_norm, a sample's block of channels for
 * group_norm, a sample's channel for instance_norm), each group is normalised with its own mean and biased
 * variance, h = (x - μ)·r with r = 1/√(var + ε), then y = h·w + b. The plan lists each group's
 * element indices and, per element, which weight applies; so the derivatives below are written
 * once. batch_norm in eval mode uses fixed running statistics: the same code with `centred` off
 * (μ and r are then constants, so their derivative terms vanish).
 */
import { defineOp, type AttrSpec } from './define.js';
import { AttrError } from './attrs.js';
import { ShapeError } from '../tensor/broadcast.js';
import { shapeToString, sizeOf, type Data, type Shape, type Tensor } from '../tensor/tensor.js';

export interface NormPlan {
  groups: number;
  /** Elements per group. */
  size: number;
  /** index[g·size + j]: the flat index of the group's j-th element. */
  index: Int32Array;
  /** widx[g·size + j]: the weight/bias entry for that element. */
  widx: Int32Array;
}

/** A per-sample plan for x [N, C, ...] with a weight per channel: the scale and shift when not affine. */
interface SampleNormPlan extends NormPlan {
  ones: Float64Array;
  zeros: Float64Array;
}

interface NormSaved {
  h: Data;
  r: Data;
}

/** Writes y = h·w + b; h and r (and the group means/variances) into the saved buffers. */
function normForward(
  p: NormPlan,
  x: Data,
  w: Data,
  b: Data,
  s: NormSaved,
  mean: Data,
  variance: Data,
  eps: number,
  y: Data,
): void {
  const { groups, size, index, widx } = p;
  for (let g = 0, o = 0; g < groups; g++, o += size) {
    let mu = 0;
    for (let j = 0; j < size; j++) mu += x[index[o + j]!]!;
    mu /= size;
    let v = 0;
    for (let j = 0; j < size; j++) v += (x[index[o + j]!]! - mu) ** 2;
    v /= size;
    mean[g] = mu;
    variance[g] = v;
    const r = (s.r[g] = 1 / Math.sqrt(v + eps));
    for (let j = 0; j < size; j++) {
      const i = index[o + j]!;
      const h = (s.h[i] = (x[i]! - mu) * r);
      y[i] = h * w[widx[o + j]!]! + b[widx[o + j]!]!;
    }
  }
}

/** The same with given (running) statistics. */
function normForwardFixed(
  p: NormPlan,
  x: Data,
  w: Data,
  b: Data,
  s: NormSaved,
  mean: Data,
  variance: Data,
  eps: number,
  y: Data,
): void {
  const { groups, size, index, widx } = p;
  for (let g = 0, o = 0; g < groups; g++, o += size) {
    const r = (s.r[g] = 1 / Math.sqrt(variance[g]! + eps));
    for (let j = 0; j < size; j++) {
      const i = index[o + j]!;
      const h = (s.h[i] = (x[i]! - mean[g]!) * r);
      y[i] = h * w[widx[o + j]!]! + b[widx[o + j]!]!;
    }
  }
}

/** gx += r·(gh - mean(gh) - h·mean(gh·h)) with gh = g·w (centred), else r·gh; gw += Σ g·h; gb += Σ g. */
function normVjp(
  p: NormPlan,
  centred: boolean,
  s: NormSaved,
  w: Data,
  g: Data,
  gx: Data | null,
  gw: Data | null,
  gb: Data | null,
): void {
  const { groups, size, index, widx } = p;
  for (let k = 0, o = 0; k < groups; k++, o += size) {
    let m1 = 0,
      m2 = 0;
    if (centred && gx)
      for (let j = 0; j < size; j++) {
        const i = index[o + j]!;
        const gh = g[i]! * w[widx[o + j]!]!;
        m1 += gh;
        m2 += gh * s.h[i]!;
      }
    m1 /= size;
    m2 /= size;
    const r = s.r[k]!;
    for (let j = 0; j < size; j++) {
      const i = index[o + j]!,
        wi = widx[o + j]!;
      if (gx) gx[i]! += r * (g[i]! * w[wi]! - m1 - s.h[i]! * m2);
      if (gw) gw[wi]! += g[i]! * s.h[i]!;
      if (gb) gb[wi]! += g[i]!;
    }
  }
}

/** mean(tx) and mean(tx·h) over group o (zero when not centred or tx is null), into TX_MEANS. */
const TX_MEANS = new Float64Array(2);
function txMeans(p: NormPlan, centred: boolean, s: NormSaved, o: number, tx: Data | null): Float64Array {
  let a1 = 0,
    a2 = 0;
  if (centred && tx)
    for (let j = 0; j < p.size; j++) {
      const i = p.index[o + j]!;
      a1 += tx[i]!;
      a2 += tx[i]! * s.h[i]!;
    }
  TX_MEANS[0] = a1 / p.size;
  TX_MEANS[1] = a2 / p.size;
  return TX_MEANS;
}

function normJvp(
  p: NormPlan,
  centred: boolean,
  s: NormSaved,
  w: Data,
  tx: Data | null,
  tw: Data | null,
  tb: Data | null,
  ty: Data,
): void {
  const { groups, size, index, widx } = p;
  for (let k = 0, o = 0; k < groups; k++, o += size) {
    const means = txMeans(p, centred, s, o, tx),
      a1 = means[0]!,
      a2 = means[1]!;
    const r = s.r[k]!;
    for (let j = 0; j < size; j++) {
      const i = index[o + j]!,
        wi = widx[o + j]!;
      const th = tx ? r * (tx[i]! - a1 - s.h[i]! * a2) : 0;
      ty[i] = th * w[wi]! + (tw ? s.h[i]! * tw[wi]! : 0) + (tb ? tb[wi]! : 0);
    }
  }
}

/**
 * Tangent of normVjp. The tangent of h is th = r·(tx - mean(tx) - h·mean(tx·h)) (centred) or r·tx. With gh = g·w, its tangent tgh = tg·w + g·tw, th as in normJvp and
 * tr = -r²·mean(h·tx): t(gx) = tr·(gh - m(gh) - h·m(gh·h)) + r·(tgh - m(tgh) - th·m(gh·h) - h·m(tgh·h + gh·th)).
 */
function normVjpJvp(
  p: NormPlan,
  centred: boolean,
  s: NormSaved,
  w: Data,
  g: Data,
  tx: Data | null,
  tw: Data | null,
  tg: Data,
  tgx: Data | null,
  tgw: Data | null,
  tgb: Data | null,
): void {
  const { groups, size, index, widx } = p;
  for (let k = 0, o = 0; k < groups; k++, o += size) {
    const r = s.r[k]!;
    const means = txMeans(p, centred, s, o, tx),
      a1 = means[0]!,
      a2 = means[1]!;
    const tr = centred ? -r * r * a2 : 0;
    let m1 = 0,
      m2 = 0,
      tm1 = 0,
      tm2 = 0;
    if (centred)
      for (let j = 0; j < size; j++) {
        const i = index[o + j]!,
          wi = widx[o + j]!;
        const h = s.h[i]!,
          th = tx ? r * (tx[i]! - a1 - h * a2) : 0;
        const gh = g[i]! * w[wi]!,
          tgh = tg[i]! * w[wi]! + (tw ? g[i]! * tw[wi]! : 0);
        m1 += gh;
        m2 += gh * h;
        tm1 += tgh;
        tm2 += tgh * h + gh * th;
      }
    m1 /= size;
    m2 /= size;
    tm1 /= size;
    tm2 /= size;
    for (let j = 0; j < size; j++) {
      const i = index[o + j]!,
        wi = widx[o + j]!;
      const h = s.h[i]!,
        th = tx ? r * (tx[i]! - a1 - h * a2) : 0;
      const gh = g[i]! * w[wi]!,
        tgh = tg[i]! * w[wi]! + (tw ? g[i]! * tw[wi]! : 0);
      if (tgx) tgx[i]! += tr * (gh - m1 - h * m2) + r * (tgh - tm1 - th * m2 - h * tm2);
      if (tgw) tgw[wi]! += tg[i]! * h + g[i]! * th;
      if (tgb) tgb[wi]! += tg[i]!;
    }
  }
}

const saved = (s: Record<string, Tensor>): NormSaved => ({ h: s.h!.data, r: s.r!.data });
const EPS = { type: 'number', default: 1e-5, min: 0, doc: 'added to the variance' } as const;

type LayerNormAttrs = { eps: number; axis: number };

function layerNormWidth(x: Shape, axis: number): number {
  if (x.length < 1 || (axis !== -1 && axis !== x.length - 1))
    throw new ShapeError(
      `layer_norm: normalises over the last axis only (axis -1), got axis ${axis} for x ${shapeToString(x)}`,
    );
  return x[x.length - 1]!;
}

export const layerNorm = defineOp<LayerNormAttrs, NormPlan>({
  name: 'layer_norm',
  category: 'layers',
  inputs: ['x'],
  params: [
    { name: 'weight', role: 'ones', shape: ([x], a) => [layerNormWidth(x!, a.axis)] },
    { name: 'bias', role: 'zeros', shape: ([x], a) => [layerNormWidth(x!, a.axis)] },
  ],
  attrs: { eps: EPS, axis: { type: 'integer', default: -1, doc: 'the axis to normalise over (the last)' } },
  shape: ([x], a) => (layerNormWidth(x!, a.axis), x!),
  flops: ([x]) => 8 * sizeOf(x!),
  saved: ([x]) => {
    const rows = [sizeOf(x!.slice(0, -1))];
    return { h: x!, r: rows, mean: rows, var: rows };
  },
  plan: ([x], a) => {
    const d = layerNormWidth(x!, a.axis);
    const n = sizeOf(x!);
    const index = Int32Array.from({ length: n }, (_, i) => i);
    const widx = Int32Array.from({ length: n }, (_, i) => i % d);
    return { groups: d === 0 ? 0 : n / d, size: d, index, widx };
  },
  forward: ({ plan, saved: s, attrs }, [x, w, b], out) =>
    normForward(plan, x!.data, w!.data, b!.data, saved(s), s.mean!.data, s.var!.data, attrs.eps, out.data),
  vjp: ({ plan, saved: s }, [, w], _out, g, [gx, gw, gb]) =>
    normVjp(plan, true, saved(s), w!.data, g.data, gx?.data ?? null, gw?.data ?? null, gb?.data ?? null),
  jvp: ({ plan, saved: s }, [, w], _out, [tx, tw, tb], tout) =>
    normJvp(plan, true, saved(s), w!.data, tx?.data ?? null, tw?.data ?? null, tb?.data ?? null, tout.data),
  secondOrder: {
    kind: 'custom',
    vjpJvp: ({ plan, saved: s }, [, w], _out, g, [tx, tw], _tout, tg, [tgx, tgw, tgb]) =>
      normVjpJvp(
        plan,
        true,
        saved(s),
        w!.data,
        g.data,
        tx?.data ?? null,
        tw?.data ?? null,
        tg.data,
        tgx?.data ?? null,
        tgw?.data ?? null,
        tgb?.data ?? null,
      ),
  },
  doc: 'layer_norm(x) = (x - μ)/√(σ² + ε)·w + b over the last axis (biased σ²); ∂/∂x = r·(ĝ - mean ĝ - h·mean(ĝh)), ĝ = g·w',
});

type BatchNormAttrs = { eps: number; momentum: number };

/** [N, C, rest]: statistics per channel C over N and the spatial positions. */
function batchNormDims(x: Shape): [number, number, number] {
  if (x.length < 2)
    throw new ShapeError(`batch_norm: x must be [N, C], [N, C, L] or [N, C, H, W], got ${shapeToString(x)}`);
  return [x[0]!, x[1]!, sizeOf(x.slice(2))];
}

export const batchNorm = defineOp<BatchNormAttrs, NormPlan>({
  name: 'batch_norm',
  category: 'layers',
  inputs: ['x'],
  params: [
    { name: 'weight', role: 'ones', shape: ([x]) => [batchNormDims(x!)[1]] },
    { name: 'bias', role: 'zeros', shape: ([x]) => [batchNormDims(x!)[1]] },
  ],
  state: [
    { name: 'running_mean', initial: 0, shape: ([x]) => [batchNormDims(x!)[1]] },
    { name: 'running_var', initial: 1, shape: ([x]) => [batchNormDims(x!)[1]] },
  ],
  attrs: {
    eps: EPS,
    momentum: {
      type: 'number',
      default: 0.1,
      min: 0,
      max: 1,
      doc: 'running = (1 - momentum)·running + momentum·batch',
    },
  },
  shape: ([x, w, b]) => {
    const c = batchNormDims(x!)[1];
    for (const [name, p] of [
      ['weight', w],
      ['bias', b],
    ] as const)
      if (p && (p.length !== 1 || p[0] !== c))
        throw new ShapeError(
          `batch_norm: ${name} must be [${c}] for x ${shapeToString(x!)}, got ${shapeToString(p)}`,
        );
    return x!;
  },
  flops: ([x]) => 8 * sizeOf(x!),
  saved: ([x]) => {
    const c = [batchNormDims(x!)[1]];
    return { h: x!, r: c, mean: c, var: c };
  },
  plan: ([x]) => {
    const [n, c, hw] = batchNormDims(x!);
    const m = n * hw;
    const index = new Int32Array(n * c * hw);
    const widx = new Int32Array(n * c * hw);
    for (let ch = 0; ch < c; ch++)
      for (let b = 0; b < n; b++)
        for (let s = 0; s < hw; s++) {
          index[ch * m + b * hw + s] = (b * c + ch) * hw + s;
          widx[ch * m + b * hw + s] = ch;
        }
    return { groups: c, size: m, index, widx };
  },
  forward: ({ plan, saved: s, state, attrs, training }, [x, w, b], out) => {
    const rm = state.running_mean!.data,
      rv = state.running_var!.data;
    if (!training)
      return normForwardFixed(plan, x!.data, w!.data, b!.data, saved(s), rm, rv, attrs.eps, out.data);
    if (plan.size < 2)
      throw new RangeError(
        `batch_norm: training needs more than one value per channel, x is ${shapeToString(x!.shape)}: ` +
          'a batch of one sample has no batch statistics (PyTorch refuses it too); choose a batch size ' +
          'that leaves no last batch of one (training.batchSize), or use layer_norm',
      );
    const mean = s.mean!.data,
      variance = s.var!.data,
      m = attrs.momentum;
    normForward(plan, x!.data, w!.data, b!.data, saved(s), mean, variance, attrs.eps, out.data);
    // PyTorch: the running variance takes the unbiased batch variance.
    for (let c = 0; c < plan.groups; c++) {
      rm[c] = (1 - m) * rm[c]! + m * mean[c]!;
      rv[c] = (1 - m) * rv[c]! + (m * variance[c]! * plan.size) / (plan.size - 1);
    }
  },
  vjp: ({ plan, saved: s, training }, [, w], _out, g, [gx, gw, gb]) =>
    normVjp(plan, training, saved(s), w!.data, g.data, gx?.data ?? null, gw?.data ?? null, gb?.data ?? null),
  jvp: ({ plan, saved: s, training }, [, w], _out, [tx, tw, tb], tout) =>
    normJvp(
      plan,
      training,
      saved(s),
      w!.data,
      tx?.data ?? null,
      tw?.data ?? null,
      tb?.data ?? null,
      tout.data,
    ),
  secondOrder: {
    kind: 'custom',
    vjpJvp: ({ plan, saved: s, training }, [, w], _out, g, [tx, tw], _tout, tg, [tgx, tgw, tgb]) =>
      normVjpJvp(
        plan,
        training,
        saved(s),
        w!.data,
        g.data,
        tx?.data ?? null,
        tw?.data ?? null,
        tg.data,
        tgx?.data ?? null,
        tgw?.data ?? null,
        tgb?.data ?? null,
      ),
  },
  doc: 'batch_norm(x) = (x - μ_c)/√(σ²_c + ε)·w_c + b_c per channel; batch statistics in training (running ones updated), running ones in eval',
});

/** [N, C, rest] for group_norm and instance_norm, checking `groups` divides C. */
function sampleNormDims(op: string, x: Shape, groups: number, minRank: number): [number, number, number] {
  if (x.length < minRank)
    throw new ShapeError(
      `${op}: x must be [N, C${minRank > 2 ? ', L' : ''}, ...] (rank ≥ ${minRank}), got ${shapeToString(x)}`,
    );
  const c = x[1]!;
  // Only group_norm has the attribute (instance_norm's groups are its channels, which always divide).
  if (c % groups !== 0)
    throw new AttrError(
      `${op}: the ${c} channels of x ${shapeToString(x)} do not divide into num_groups ${groups}; use a divisor of ${c}`,
      'num_groups',
    );
  return [x[0]!, c, sizeOf(x.slice(2))];
}

/** Groups of C/G consecutive channels of one sample; each element's weight is its channel's. */
function sampleNormPlan(n: number, c: number, rest: number, groups: number): SampleNormPlan {
  const size = (c / groups) * rest;
  const index = Int32Array.from({ length: n * c * rest }, (_, i) => i);
  const widx = Int32Array.from({ length: n * c * rest }, (_, i) => Math.floor(i / rest) % c);
  return {
    groups: n * groups,
    size,
    index,
    widx,
    ones: new Float64Array(c).fill(1),
    zeros: new Float64Array(c),
  };
}

type SampleNormAttrs = { eps: number; affine: boolean };

/**
 * group_norm and instance_norm: statistics per sample (so training and evaluation agree), over
 * the channels of a group and the positions. With `affine` the per-channel weight and bias are
 * learnt; without, the plan's ones and zeros stand in for them.
 */
function sampleNorm<A extends SampleNormAttrs>(spec: {
  name: string;
  groups: (x: Shape, a: A) => number;
  minRank: number;
  attrs: { [K in Exclude<keyof A, 'eps' | 'affine'>]: AttrSpec };
  affineDefault: boolean;
  doc: string;
}) {
  const dims = (x: Shape, a: A) => sampleNormDims(spec.name, x, spec.groups(x, a), spec.minRank);
  const scaleShift = (plan: SampleNormPlan, w: Tensor | undefined, b: Tensor | undefined) =>
    [w ? w.data : plan.ones, b ? b.data : plan.zeros] as const;
  return defineOp<A, SampleNormPlan>({
    name: spec.name,
    category: 'layers',
    inputs: ['x'],
    params: [
      { name: 'weight', role: 'ones', shape: ([x], a) => [dims(x!, a)[1]], present: (a) => a.affine },
      { name: 'bias', role: 'zeros', shape: ([x], a) => [dims(x!, a)[1]], present: (a) => a.affine },
    ],
    attrs: {
      ...spec.attrs,
      eps: EPS,
      affine: {
        type: 'boolean',
        default: spec.affineDefault,
        doc: 'learn a weight and bias per channel',
      },
    } as { [K in keyof A]: AttrSpec },
    shape: ([x, w, b], a) => {
      const c = dims(x!, a)[1];
      for (const [name, p] of [
        ['weight', w],
        ['bias', b],
      ] as const)
        if (p && (p.length !== 1 || p[0] !== c))
          throw new ShapeError(
            `${spec.name}: ${name} must be [${c}] for x ${shapeToString(x!)}, got ${shapeToString(p)}`,
          );
      return x!;
    },
    flops: ([x]) => 8 * sizeOf(x!),
    saved: ([x], a) => {
      const groups = [x![0]! * spec.groups(x!, a)];
      return { h: x!, r: groups, mean: groups, var: groups };
    },
    plan: ([x], a) => sampleNormPlan(...dims(x!, a), spec.groups(x!, a)),
    forward: ({ plan, saved: s, attrs }, [x, w, b], out) => {
      const [wd, bd] = scaleShift(plan, w, b);
      normForward(plan, x!.data, wd, bd, saved(s), s.mean!.data, s.var!.data, attrs.eps, out.data);
    },
    vjp: ({ plan, saved: s }, [, w], _out, g, [gx, gw, gb]) =>
      normVjp(
        plan,
        true,
        saved(s),
        w ? w.data : plan.ones,
        g.data,
        gx?.data ?? null,
        gw?.data ?? null,
        gb?.data ?? null,
      ),
    jvp: ({ plan, saved: s }, [, w], _out, [tx, tw, tb], tout) =>
      normJvp(
        plan,
        true,
        saved(s),
        w ? w.data : plan.ones,
        tx?.data ?? null,
        tw?.data ?? null,
        tb?.data ?? null,
        tout.data,
      ),
    secondOrder: {
      kind: 'custom',
      vjpJvp: ({ plan, saved: s }, [, w], _out, g, [tx, tw], _tout, tg, [tgx, tgw, tgb]) =>
        normVjpJvp(
          plan,
          true,
          saved(s),
          w ? w.data : plan.ones,
          g.data,
          tx?.data ?? null,
          tw?.data ?? null,
          tg.data,
          tgx?.data ?? null,
          tgw?.data ?? null,
          tgb?.data ?? null,
        ),
    },
    doc: spec.doc,
  });
}

type GroupNormAttrs = SampleNormAttrs & { num_groups: number };

/** torch.nn.GroupNorm(num_groups, C): affine by default. */
export const groupNorm = sampleNorm<GroupNormAttrs>({
  name: 'group_norm',
  groups: (_x, a) => a.num_groups,
  minRank: 2,
  attrs: {
    num_groups: { type: 'integer', min: 1, doc: 'groups the channels fall into (must divide them)' },
  },
  affineDefault: true,
  doc: 'group_norm(x) = (x - μ)/√(σ² + ε)·w_c + b_c, μ and σ² per sample over each group of C/G channels and the positions',
});

/** torch.nn.InstanceNorm1d/2d: not affine by default, no running statistics (track_running_stats=False). */
export const instanceNorm = sampleNorm<SampleNormAttrs>({
  name: 'instance_norm',
  groups: (x) => x[1] ?? 1,
  minRank: 3,
  attrs: {},
  affineDefault: false,
  doc: 'instance_norm(x) = (x - μ)/√(σ² + ε) (·w_c + b_c if affine), μ and σ² per sample and channel over the positions',
});

export const NORM_OPS = {
  layer_norm: layerNorm,
  batch_norm: batchNorm,
  group_norm: groupNorm,
  instance_norm: instanceNorm,
} as const;
