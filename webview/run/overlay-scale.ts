/**
 * The overlay's colour scale: a diverging map over log10 of a magnitude with FIXED decade anchors,
 * so a colour means the same number on every step and every graph (not min–max per frame): blue
 * for vanishing, grey for healthy, red for exploding. Pure, so it is tested in node; the legend
 * draws the same anchors it colours with.
 */
import type { OverlayNodeStats } from '../../engine/run/protocol.js';
import type { OverlayMetric } from './run-store.js';

type Rgb = readonly [number, number, number];

/**
 * Anchor colours at decades from the healthy centre (after ColorBrewer RdBu, with a grey middle that
 * shows on dark and light themes); each segment moves away from the grey.
 */
const RAMP: readonly { at: number; rgb: Rgb }[] = [
  { at: -6, rgb: [8, 40, 100] },
  { at: -4.5, rgb: [25, 70, 145] },
  { at: -3, rgb: [50, 115, 185] },
  { at: -1.5, rgb: [110, 165, 205] },
  { at: 0, rgb: [150, 150, 150] },
  { at: 1.5, rgb: [239, 138, 98] },
  { at: 3, rgb: [214, 60, 50] },
  { at: 4, rgb: [165, 15, 21] },
  { at: 5, rgb: [103, 0, 13] },
];

/** NaN or ±Inf: a colour no finite value gets. */
export const NON_FINITE_COLOR = 'rgb(255, 0, 255)';

export interface OverlayScale {
  metric: OverlayMetric;
  /** What is shown, for the legend. */
  label: string;
  /** log10 of the healthiest magnitude (drawn grey). */
  centre: number;
  /** Decades shown in the legend, lowest to highest. */
  lo: number;
  hi: number;
}

/**
 * Where "healthy" sits for each quantity. Gradient norms of a mean loss over a mini-batch are around
 * 0.1 while a small net learns; activation norms over a batch are around 10 (O(1) per unit).
 */
export const OVERLAY_SCALES: Readonly<Record<OverlayMetric, OverlayScale>> = {
  grad: { metric: 'grad', label: '‖∂L/∂output‖', centre: -1, lo: -7, hi: 4 },
  param: { metric: 'param', label: '‖∂L/∂θ‖', centre: -1, lo: -7, hi: 4 },
  activation: { metric: 'activation', label: '‖output‖', centre: 1, lo: -5, hi: 6 },
};

export const OVERLAY_METRICS: readonly OverlayMetric[] = ['grad', 'param', 'activation'];

function rgbAt(decadesFromCentre: number): Rgb {
  const d = Math.min(RAMP.at(-1)!.at, Math.max(RAMP[0]!.at, decadesFromCentre));
  let i = 0;
  while (i < RAMP.length - 2 && d > RAMP[i + 1]!.at) i++;
  const a = RAMP[i]!;
  const b = RAMP[i + 1]!;
  const t = (d - a.at) / (b.at - a.at);
  const mix = (k: 0 | 1 | 2) => Math.round(a.rgb[k] + (b.rgb[k] - a.rgb[k]) * t);
  return [mix(0), mix(1), mix(2)];
}

/** The colour of magnitude `value` (≥ 0) on `metric`'s scale; zero is the deepest blue. */
export function overlayColor(value: number, metric: OverlayMetric): string {
  if (!Number.isFinite(value)) return NON_FINITE_COLOR;
  const scale = OVERLAY_SCALES[metric];
  const d = value > 0 ? Math.log10(value) - scale.centre : -Infinity;
  const [r, g, b] = rgbAt(d);
  return `rgb(${r}, ${g}, ${b})`;
}

/** 0 (vanishing end of the legend) … 1 (exploding end): where `value` sits on the scale. */
export function scalePosition(value: number, metric: OverlayMetric): number {
  if (!Number.isFinite(value)) return 1;
  const s = OVERLAY_SCALES[metric];
  if (value <= 0) return 0;
  return Math.min(1, Math.max(0, (Math.log10(value) - s.lo) / (s.hi - s.lo)));
}

/** Stroke width of an edge carrying magnitude `value`: thin when vanishing, thick when exploding. */
export function edgeWidth(value: number, metric: OverlayMetric): number {
  return Math.round((1.5 + 5 * scalePosition(value, metric)) * 10) / 10;
}

/** The magnitude a node shows on `metric` (null: the node has nothing to show, e.g. no parameters). */
export function overlayValue(stats: OverlayNodeStats | undefined, metric: OverlayMetric): number | null {
  if (!stats) return null;
  switch (metric) {
    case 'grad':
      return stats.grad ? stats.grad.norm : null;
    case 'param':
      return stats.paramGradNorm;
    case 'activation':
      return stats.activation.norm;
  }
}

/** The legend: a CSS gradient over [lo, hi] decades and a tick per decade. */
export function legend(metric: OverlayMetric): { gradient: string; ticks: { decade: number; at: number }[] } {
  const s = OVERLAY_SCALES[metric];
  const span = s.hi - s.lo;
  const stops: string[] = [];
  for (let k = 0; k <= 4 * span; k++) {
    const decade = s.lo + k / 4;
    stops.push(`${overlayColor(10 ** decade, metric)} ${((k / (4 * span)) * 100).toFixed(1)}%`);
  }
  const ticks = [];
  for (let decade = s.lo; decade <= s.hi; decade++) ticks.push({ decade, at: (decade - s.lo) / span });
  return { gradient: `linear-gradient(to right, ${stops.join(', ')})`, ticks };
}

/** A magnitude in three significant digits, exponent form outside [0.01, 1000). */
export function formatMagnitude(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 0.01 && a < 1000) return Number(v.toPrecision(3)).toString();
  return v.toExponential(2).replace('e+', 'e');
}
