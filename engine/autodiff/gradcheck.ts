/**
 * Gradient checking: every gradient reverse mode gives, against central differences of the loss
 * (f(x + ε) - f(x - ε)) / 2ε, in float64. Each evaluation replays the same random state, so
 * dropout draws the same mask every time; running statistics are restored afterwards.
 */
import type { Program } from './program.js';
import { relativeError } from '../tensor/compare.js';

export interface TensorGradCheck {
  slot: number;
  /** The slot's name: an input, or `${node}.${param}`. */
  name: string;
  /**
   * Normwise relative error between the analytic and the numerical gradient (tensor/compare.ts).
   * Meaningful when `scale` is well above the differences' noise (~1e-10 × the loss).
   */
  error: number;
  /** The largest gradient entry, analytic or numerical. */
  scale: number;
  /** The checked element with the largest absolute difference, and both values there. */
  worstIndex: number;
  analytic: number;
  numeric: number;
  /** How many elements were compared (all, unless limited by `maxElements`, less the kinks). */
  checked: number;
  /** Elements left out because a kink lies within ε of them (the two step sizes disagree). */
  kinks: number;
}

export interface GradCheckOptions {
  /** Slots to check; default every parameter and differentiable input. */
  slots?: readonly number[];
  /** Finite-difference step; default 1e-6. */
  eps?: number;
  /** Check at most this many elements per tensor, evenly spaced; default all. */
  maxElements?: number;
  /** Also difference at ε/2 and leave out elements where a kink lies within ε; default true. */
  kinkCheck?: boolean;
}

/** Relative disagreement of the ε and ε/2 quotients that marks a kink (smooth points: ~ε² ≈ 1e-12). */
const KINK_TOLERANCE = 1e-4;
/** Scale below which quotients are compared absolutely (both near zero: no kink to speak of). */
const KINK_FLOOR = 1e-6;

export function gradCheck(program: Program, loss: number, opts: GradCheckOptions = {}): TensorGradCheck[] {
  if (program.dtype !== 'float64')
    throw new Error(
      'gradient check needs a float64 program: central differences in float32 keep only ~4 digits',
    );
  const eps = opts.eps ?? 1e-6;
  const slots = opts.slots ?? program.slots.flatMap((s, i) => (s.grad && s.kind !== 'node' ? [i] : []));
  const state = program.nodes.map((n) => Object.values(n.ctx.state).map((t) => t.clone()));
  const random = program.randomState;
  const lossAt = (): number => {
    program.randomState = random;
    program.forward();
    return program.value(loss).data[0]!;
  };
  lossAt();
  program.backward(loss);
  const analytic = slots.map((s) => {
    const g = program.grad(s);
    if (!g) throw new Error(`gradient check: '${program.slots[s]!.name}' receives no gradient`);
    return Float64Array.from(g.data);
  });
  const results = slots.map((s, k): TensorGradCheck => {
    const x = program.value(s).data;
    const step = opts.maxElements ? Math.max(1, Math.ceil(x.length / opts.maxElements)) : 1;
    const idx: number[] = [];
    for (let i = 0; i < x.length; i += step) idx.push(i);
    const central = (i: number, h: number): number => {
      const x0 = x[i]!;
      x[i] = x0 + h;
      const fp = lossAt();
      x[i] = x0 - h;
      const fm = lossAt();
      x[i] = x0;
      return (fp - fm) / (2 * h);
    };
    // At a smooth point central differences at ε and ε/2 agree to O(ε²); where they don't, a kink
    // (a ReLU or max turning over) lies within ε and the difference quotient says nothing about
    // the derivative: such elements are counted in `kinks` and left out of the comparison.
    const numericAll = idx.map((i) => central(i, eps));
    const half = opts.kinkCheck === false ? null : idx.map((i) => central(i, eps / 2));
    const smooth = idx.map((_, j) => {
      if (!half) return true;
      const n1 = numericAll[j]!,
        n2 = half[j]!;
      return Math.abs(n1 - n2) <= KINK_TOLERANCE * Math.max(Math.abs(n1), Math.abs(n2), KINK_FLOOR);
    });
    const kinks = smooth.filter((ok) => !ok).length;
    const kept = idx.flatMap((_, j) => (smooth[j] ? [j] : []));
    const a = kept.map((j) => analytic[k]![idx[j]!]!);
    const numeric = kept.map((j) => numericAll[j]!);
    let worst = 0;
    for (let j = 1; j < kept.length; j++)
      if (Math.abs(a[j]! - numeric[j]!) > Math.abs(a[worst]! - numeric[worst]!)) worst = j;
    return {
      slot: s,
      name: program.slots[s]!.name,
      error: relativeError(a, numeric),
      scale: a.reduce((m, v, j) => Math.max(m, Math.abs(v), Math.abs(numeric[j]!)), 0),
      worstIndex: idx[kept[worst] ?? 0] ?? 0,
      analytic: a[worst] ?? 0,
      numeric: numeric[worst] ?? 0,
      checked: kept.length,
      kinks,
    };
  });
  // Leave the program as the analytic pass left it: same values, gradients and running statistics.
  program.nodes.forEach((n, i) =>
    Object.values(n.ctx.state).forEach((t, j) => t.data.set(state[i]![j]!.data)),
  );
  lossAt();
  program.backward(loss);
  program.nodes.forEach((n, i) =>
    Object.values(n.ctx.state).forEach((t, j) => t.data.set(state[i]![j]!.data)),
  );
  return results;
}
