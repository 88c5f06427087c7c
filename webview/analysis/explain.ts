/**
 * The sentences of the Analyses view: what the numbers of an AnalysisReport mean, in words.
 * Pure functions of the report (no DOM), so they are tested without a browser.
 */
import type { AnalysisWeights } from '../../engine/analysis/report.js';
import type { HessianReport } from '../../engine/analysis/hessian.js';
import type { LinearRegions1d } from '../../engine/analysis/linear-regions.js';
import type { ModeComparison } from '../../engine/analysis/modes.js';
import { formatBytes, formatCount, formatNumber } from '../../engine/analysis/format.js';

export type Mode = 'forward' | 'reverse';

export interface ModeVerdict {
  /** The mode with fewer modelled flops (null when they are equal). */
  winner: Mode | null;
  /** How many times more flops the losing mode needs. */
  ratio: number;
  sentence: string;
}

/**
 * Which mode wins on the cost model and why: the number of directions. Forward mode needs one
 * JVP per parameter (a column of the Jacobian each), reverse mode one VJP per output component
 * (a row each), so many parameters and one scalar loss is reverse mode's home ground.
 */
export function modeVerdict(c: ModeComparison): ModeVerdict {
  const f = c.forward.flops,
    r = c.reverse.flops;
  if (f === r)
    return {
      winner: null,
      ratio: 1,
      sentence: `A tie: ${formatCount(c.forward.directions)} JVPs cost as much as ${formatCount(c.reverse.directions)} VJPs here.`,
    };
  const winner: Mode = r < f ? 'reverse' : 'forward';
  const ratio = Math.max(f, r) / Math.min(f, r);
  const times = `${formatNumber(+ratio.toPrecision(3))}× fewer flops`;
  const jvps = `${formatCount(c.forward.directions)} JVP${c.forward.directions === 1 ? '' : 's'}`;
  const vjps = `${formatCount(c.reverse.directions)} VJP${c.reverse.directions === 1 ? '' : 's'}`;
  let sentence: string;
  if (winner === 'reverse')
    sentence =
      c.rows === 1
        ? `Reverse mode wins (${times}): one scalar output needs a single VJP, while forward mode needs one JVP per parameter (${jvps}).`
        : `Reverse mode wins (${times}): ${vjps}, one per output component, against ${jvps}, one per parameter.`;
  else
    sentence = `Forward mode wins (${times}): ${jvps}, one per parameter, against ${vjps}, one per output component — there are fewer parameters than outputs.`;
  // Reverse mode pays in memory: it keeps every activation for the backward pass.
  if (winner === 'reverse' && c.reverse.bytes > c.forward.bytes)
    sentence += ` It pays in memory: ${formatBytes(c.reverse.bytes)} peak against ${formatBytes(c.forward.bytes)}, for the activations it caches.`;
  return { winner, ratio, sentence };
}

/** The MLP formulas' verdict: equal sums, so the mode with fewer directions (d_0 vs d_L) wins. */
export function mlpVerdict(widths: readonly number[]): string {
  const d0 = widths[0]!,
    dL = widths[widths.length - 1]!;
  if (d0 === dL) return `d_0 = d_L = ${d0}: both modes push the same number of directions; a tie.`;
  return d0 < dL
    ? `d_0 = ${d0} < d_L = ${dL}: forward mode wins for ∂f/∂x (fewer inputs than outputs).`
    : `d_L = ${dL} < d_0 = ${d0}: reverse mode wins for ∂f/∂x (fewer outputs than inputs).`;
}

/** How the extreme eigenvalues were obtained, in a phrase. */
export function hessianMethod(h: HessianReport): string {
  const lanczos = `Lanczos, ${h.lanczosSteps} steps on Hessian-vector products (${formatCount(h.hvps)} HVPs in all)`;
  if (!h.dense) return `${lanczos}; ${formatCount(h.params)} parameters is too many for the dense Hessian`;
  return h.dense.eigenvalues
    ? `${lanczos}, cross-checked against the dense ${h.params}×${h.params} Hessian's full eigendecomposition`
    : `${lanczos}, cross-checked against the dense ${h.params}×${h.params} Hessian by residuals`;
}

/** What the dense cross-check (or, without one, the Lanczos residuals) says. */
export function hessianCrossCheck(h: HessianReport): string {
  const d = h.dense;
  if (d?.topError !== undefined && d.bottomError !== undefined)
    return `Dense eigenvalues agree with Lanczos to ${formatNumber(d.topError)} (largest) and ${formatNumber(d.bottomError)} (smallest); H is symmetric to ${formatNumber(d.asymmetry)}.`;
  const res = `‖Hy − λy‖ = ${formatNumber(h.top.residual)} (largest), ${formatNumber(h.bottom.residual)} (smallest)`;
  return d
    ? `Residuals against the dense Hessian: ${res}; H is symmetric to ${formatNumber(d.asymmetry)}.`
    : `Lanczos residuals: ${res}.`;
}

/** Relative size below which the smallest eigenvalue counts as zero. */
const FLAT = 1e-6;

/** What the extreme eigenvalues say about the minimum and about training. */
export function hessianRemarks(h: HessianReport): string[] {
  const top = h.top.value,
    bottom = h.bottom.value;
  const out: string[] = [];
  if (top > 0)
    out.push(
      `Sharpness: gradient descent on this batch is stable only for a learning rate below 2/λ_max = ${formatNumber(2 / top)}.`,
    );
  else out.push('λ_max ≤ 0: the loss curves down or is flat in every direction here.');
  const scale = Math.max(Math.abs(top), Number.MIN_VALUE);
  if (Math.abs(bottom) <= FLAT * scale)
    out.push(
      'λ_min ≈ 0: the loss is flat along the bottom eigenvector, so the data do not determine that combination of parameters (e.g. a ReLU unit’s scale traded against the next layer’s); the condition number is effectively infinite.',
    );
  else if (bottom < 0)
    out.push(
      `λ_min < 0: negative curvature, so these weights are not a minimum (a saddle, or still training); the loss falls along the bottom eigenvector.`,
    );
  else
    out.push(
      `Condition number κ = λ_max/λ_min = ${formatNumber(top / bottom)}: plain gradient descent needs on the order of κ steps to settle the flattest direction.`,
    );
  if (!h.dense && h.bottom.residual > 1e-3 * scale)
    out.push(
      `The smallest estimate is rough (residual ${formatNumber(h.bottom.residual)}): Lanczos finds the bottom of the spectrum more slowly than the top; more steps sharpen it.`,
    );
  return out;
}

/** Pieces against 2^depth (the sawtooth construction doubles the kinks with each layer). */
export function regionsComparison(o: LinearRegions1d): string {
  const power = 2 ** o.depth;
  const relation =
    o.pieces === power
      ? `= 2^${o.depth}: every kinked layer doubles the pieces, as in the sawtooth construction`
      : o.pieces < power
        ? `< 2^${o.depth} = ${formatCount(power)}: fewer than a sawtooth of this depth makes`
        : `> 2^${o.depth} = ${formatCount(power)}: wider layers add kinks of their own`;
  return `${formatCount(o.pieces)} linear pieces ${relation}.`;
}

/** Which weights the report is at, in words. */
export function weightsNote(w: AnalysisWeights | undefined): string {
  if (!w) return 'At the current weights.';
  switch (w.kind) {
    case 'initial':
      return 'At the initial weights (nothing trained yet).';
    case 'trained':
      return `After training: step ${formatCount(w.step ?? 0)}${w.epoch ? `, epoch ${formatCount(w.epoch)}` : ''}.`;
    case 'file':
      return `At the weights in ${w.file ?? 'a file'}.`;
  }
}
