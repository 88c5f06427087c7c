/**
 * scaled_dot_product_attention(q, k, v) = softmax(q·kᵀ·scale + mask)·v, as PyTorch 2's
 * torch.nn.functional.scaled_dot_product_attention: q [..., T, d], k [..., S, d], v [..., S, dv]
 * whose batch axes (heads included) broadcast as torch.matmul's do (k and v [B, 1, S, d] or [S, d]
 * shared by every head; their gradients sum over the batches that shared them), scale 1/√d unless
 * given, and with `causal` a mask of -∞ above the diagonal (position i attends to positions j ≤ i).
 *
 * Per batch b, with P = softmax(S) the attention weights (saved by forward) and S the scores:
 *   VJP  ∂v = Pᵀ·g;  ∂P = g·vᵀ;  ∂S = P ⊙ (∂P − rowsum(∂P ⊙ P));  ∂q = scale·∂S·k;  ∂k = scale·∂Sᵀ·q
 *   JVP  Ṡ = scale·(q̇·kᵀ + q·k̇ᵀ);  Ṗ = P ⊙ (Ṡ − rowsum(P ⊙ Ṡ));  ẏ = Ṗ·v + P·v̇
 * Masked positions have P = 0 and so Ṗ = 0 and ∂S = 0: the mask needs no rule of its own.
 */
import { defineOp } from './define.js';
import { ShapeError, batchStarts, broadcastShapes } from '../tensor/broadcast.js';
import { shapeToString, sizeOf, type Shape } from '../tensor/tensor.js';
import { gemm, gemmBatch } from '../kernels/gemm.js';
// Only the kernels use these: the webview build, which strips the kernels, then drops the import.
import { weightsTangent } from './attention-kernels.js';
import { softmaxForward, softmaxJvp, softmaxVjpJvp, type SoftmaxLines } from '../kernels/softmax.js';

export type SdpaAttrs = { causal: boolean; scale?: number };

/** Sizes of one batch's matrices: B batches of q [T, d], k [S, d], v [S, dv]. */
export interface SdpaPlan {
  B: number;
  T: number;
  S: number;
  d: number;
  dv: number;
  scale: number;
  /** The batch axes of the output: q's, k's and v's broadcast (as torch.matmul does). */
  batch: number[];
}

const OP = 'scaled_dot_product_attention';

function sdpaPlan([q, k, v]: Shape[], a: SdpaAttrs): SdpaPlan {
  const named = { q: q!, k: k!, v: v! };
  for (const [port, s] of Object.entries(named))
    if (s.length < 2)
      throw new ShapeError(
        `${OP}: ${port} must be [..., tokens, features] (at least 2 axes), got ${shapeToString(s)}`,
      );
  const batchOf = (s: Shape) => s.slice(0, -2);
  let batch: number[];
  try {
    batch = broadcastShapes(broadcastShapes(batchOf(q!), batchOf(k!)), batchOf(v!));
  } catch {
    throw new ShapeError(
      `${OP}: the batch axes (all but the last two) of q ${shapeToString(q!)}, k ${shapeToString(k!)} and v ${shapeToString(v!)} must broadcast: equal, 1 or absent (${shapeToString(batchOf(q!))}, ${shapeToString(batchOf(k!))}, ${shapeToString(batchOf(v!))})`,
    );
  }
  const [T, d] = q!.slice(-2) as [number, number];
  const [S, dk] = k!.slice(-2) as [number, number];
  const [Sv, dv] = v!.slice(-2) as [number, number];
  if (dk !== d)
    throw new ShapeError(
      `${OP}: q ${shapeToString(q!)} and k ${shapeToString(k!)} differ in the last axis (${d} vs ${dk}): q and k need the same feature size d`,
    );
  if (Sv !== S)
    throw new ShapeError(
      `${OP}: k ${shapeToString(k!)} and v ${shapeToString(v!)} differ in the second-to-last axis (${S} vs ${Sv}): one value per key`,
    );
  return { B: sizeOf(batch), T, S, d, dv, scale: a.scale ?? 1 / Math.sqrt(d), batch };
}

const saved = (xs: Shape[], a: SdpaAttrs): Record<string, Shape> => {
  const { batch, T, S } = sdpaPlan(xs, a);
  // probs: P for every batch, grad_scores ∂S for every batch (the VJP's scratch, which the
  // second-order rule reuses); the others are one batch's T×S scratch for the forward-mode rules.
  const all = [...batch, T, S];
  return { probs: all, grad_scores: all, w1: [T, S], w2: [T, S], w3: [T, S] };
};

/**
 * The kernels' plan: the sizes, where batch b's q, k, v, attention weights and output start (an
 * operand broadcast along a batch axis starts at the same place for every batch along it, so the
 * products that accumulate its gradient sum over that axis), and the softmax's lines: every
 * batch's T rows of S scores, and one batch's.
 */
export type KernelPlan = SdpaPlan & {
  at: Record<'q' | 'k' | 'v' | 'p' | 'y', Int32Array>;
  rows: SoftmaxLines;
  batchRows: SoftmaxLines;
};

export const scaledDotProductAttention = defineOp<SdpaAttrs, KernelPlan>({
  name: OP,
  category: 'layers',
  inputs: ['q', 'k', 'v'],
  attrs: {
    causal: {
      type: 'boolean',
      default: false,
      doc: 'mask the future: token i attends to tokens j ≤ i only (is_causal)',
    },
    scale: {
      type: 'number',
      optional: true,
      doc: 'multiplies q·kᵀ before the softmax; left out: 1/√d, d the feature size of q and k',
    },
  },
  shape: (xs, a) => {
    const { batch, T, dv } = sdpaPlan(xs, a);
    return [...batch, T, dv];
  },
  flops: (xs, a) => {
    const { B, T, S, d, dv } = sdpaPlan(xs, a);
    return B * T * S * (2 * d + 2 * dv + 5);
  },
  saved,
  // Where each batch's matrices start, so that every product runs as one batched call.
  plan: (xs, a) => {
    const p = sdpaPlan(xs, a);
    const [q, k, v] = xs.map((s) => s.slice(0, -2));
    const at = (size: number, own = p.batch) => batchStarts(own, p.batch, size);
    return {
      ...p,
      at: {
        q: at(p.T * p.d, q),
        k: at(p.S * p.d, k),
        v: at(p.S * p.dv, v),
        p: at(p.T * p.S),
        y: at(p.T * p.dv),
      },
      rows: [p.B * p.T, p.S, 1],
      batchRows: [p.T, p.S, 1],
    };
  },
  forward: ({ plan: { B, T, S, d, dv, scale, at, rows }, attrs: { causal }, saved: s }, [q, k, v], out) => {
    const P = s['probs']!.data;
    gemmBatch('nt', T, S, d, B, q!.data, at.q, k!.data, at.k, P, at.p, false);
    for (let r = 0, i = 0; r < B * T * S; r += S, i = (i + 1) % T) {
      // Causal: row i keeps columns 0..i (all of them when i ≥ S); the others are -∞, which the
      // softmax turns into exact zeros.
      const keep = causal ? Math.min(i + 1, S) : S;
      for (let j = 0; j < keep; j++) P[r + j]! *= scale;
      for (let j = keep; j < S; j++) P[r + j] = -Infinity;
    }
    softmaxForward(P, P, rows);
    gemmBatch('nn', T, dv, S, B, P, at.p, v!.data, at.v, out.data, at.y, false);
  },
  vjp: ({ plan: { B, T, S, d, dv, scale, at, rows }, saved: s }, [q, k, v], _out, g, [gq, gk, gv]) => {
    const P = s['probs']!.data,
      W = s['grad_scores']!.data;
    if (gv) gemmBatch('tn', S, dv, T, B, P, at.p, g.data, at.y, gv.data, at.v, true);
    if (!gq && !gk) return;
    gemmBatch('nt', T, S, dv, B, g.data, at.y, v!.data, at.v, W, at.p, false);
    // ∂S = P ⊙ (∂P − rowsum(∂P ⊙ P)), in place: the softmax's Jacobian is symmetric.
    softmaxJvp(P, W, W, rows);
    for (let i = 0; i < W.length; i++) W[i]! *= scale;
    if (gq) gemmBatch('nn', T, d, S, B, W, at.p, k!.data, at.k, gq.data, at.q, true);
    if (gk) gemmBatch('tn', S, d, T, B, W, at.p, q!.data, at.q, gk.data, at.k, true);
  },
  jvp: (ctx, xs, _out, tx, tout) => {
    const { B, T, S, dv, at } = ctx.plan;
    const P = ctx.saved['probs']!.data,
      W = ctx.saved['w1']!.data;
    const [, , v] = xs,
      tv = tx[2];
    for (let b = 0; b < B; b++) {
      const p0 = b * T * S,
        v0 = at.v[b]!,
        y0 = b * T * dv;
      weightsTangent(ctx.plan, b, xs, tx, P, W);
      gemm('nn', T, dv, S, W, 0, v!.data, v0, tout.data, y0, false);
      if (tv) gemm('nn', T, dv, S, P, p0, tv.data, v0, tout.data, y0, true);
    }
  },
  secondOrder: {
    kind: 'custom',
    // The tangent of the VJP: with Ṗ, ∂P = g·vᵀ and its tangent ∂Ṗ = ġ·vᵀ + g·v̇ᵀ,
    //   (∂v)˙ = Ṗᵀ·g + Pᵀ·ġ
    //   (∂S)˙ = Ṗ ⊙ (∂P − r) + P ⊙ (∂Ṗ − ṙ),  r = rowsum(∂P ⊙ P),  ṙ = rowsum(∂Ṗ ⊙ P + ∂P ⊙ Ṗ)
    //   (∂q)˙ = scale·((∂S)˙·k + ∂S·k̇),  (∂k)˙ = scale·((∂S)˙ᵀ·q + ∂Sᵀ·q̇)
    vjpJvp: (ctx, xs, _out, g, tx, _tout, tg, [tgq, tgk, tgv]) => {
      const { B, T, S, d, dv, scale, at, batchRows: rows } = ctx.plan;
      const [q, k, v] = xs,
        [tq, tk, tv] = tx;
      const P = ctx.saved['probs']!.data,
        Pd = ctx.saved['w1']!.data,
        gP = ctx.saved['w2']!.data,
        gPd = ctx.saved['w3']!.data,
        dS = ctx.saved['grad_scores']!.data.subarray(0, T * S);
      for (let b = 0; b < B; b++) {
        const p0 = b * T * S,
          q0 = at.q[b]!,
          k0 = at.k[b]!,
          v0 = at.v[b]!,
          y0 = b * T * dv;
        weightsTangent(ctx.plan, b, xs, tx, P, Pd);
        if (tgv) {
          gemm('tn', S, dv, T, Pd, 0, g.data, y0, tgv.data, v0, true);
          gemm('tn', S, dv, T, P, p0, tg.data, y0, tgv.data, v0, true);
        }
        if (!tgq && !tgk) continue;
        gemm('nt', T, S, dv, g.data, y0, v!.data, v0, gP, 0, false);
        gemm('nt', T, S, dv, tg.data, y0, v!.data, v0, gPd, 0, false);
        if (tv) gemm('nt', T, S, dv, g.data, y0, tv.data, v0, gPd, 0, true);
        // (∂S)˙ is the softmax's second-order rule with y = P, ẏ = Ṗ, g = ∂P, ġ = ∂Ṗ, into the
        // VJP's scratch (the VJP is done with it); then ∂S over ∂P in place.
        const Pb = P.subarray(p0, p0 + T * S);
        dS.fill(0);
        softmaxVjpJvp(Pb, Pd, gP, gPd, dS, rows);
        softmaxJvp(Pb, gP, gP, rows);
        for (let i = 0; i < T * S; i++) {
          gP[i]! *= scale;
          dS[i]! *= scale;
        }
        // gP is now scale·∂S, dS scale·(∂S)˙.
        if (tgq) {
          gemm('nn', T, d, S, dS, 0, k!.data, k0, tgq.data, q0, true);
          if (tk) gemm('nn', T, d, S, gP, 0, tk.data, k0, tgq.data, q0, true);
        }
        if (tgk) {
          gemm('tn', S, d, T, dS, 0, q!.data, q0, tgk.data, k0, true);
          if (tq) gemm('tn', S, d, T, gP, 0, tq.data, q0, tgk.data, k0, true);
        }
      }
    },
  },
  doc: 'scaled_dot_product_attention(q, k, v) = softmax(q·kᵀ·scale + mask)·v, q [..., T, d], k [..., S, d], v [..., S, dv] (batch axes broadcast), scale 1/√d by default, causal masks j > i; ∂v = Pᵀg, ∂q = scale·∂S·k, ∂k = scale·∂Sᵀ·q with ∂S = P ⊙ (g·vᵀ − rowsum)',
});
