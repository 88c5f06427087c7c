/**
 * Gradient checking: every gradient reverse mode gives, against fourth-order central differences
 * of the loss in float64: with c(h) = (f(x + h) - f(x - h)) / 2h, the derivative is taken as
 * (4 c(ε) - c(2ε)) / 3 (Richardson), whose truncation error is O(ε⁴). That lets ε be 1e-4 rather
 * than the usual 1e-6, so rounding noise (~1e-16 × the loss / ε) is a hundred times smaller: after
 * long training, when gradients are ~1e-5, plain ε = 1e-6 differences report ~1e-5 "errors" that
 * are only noise. Each evaluation replays the same random state, so
 * dropout draws the same mask every time; running statistics are restored afterwards.
 */
import type { Program } from './program.js';
import { relativeError } from '../tensor/compare.js';
import { runTask, type Task } from '../task/task.js';

export interface TensorGradCheck {
  slot: number;
  /** The slot's name: an input, or `${node}.${param}`. */
  name: string;
  /**
   * Normwise relative error between the analytic and the numerical gradient (tensor/compare.ts).
   * Meaningful when `scale` is well above the differences' noise (~1e-12 × the loss at ε = 1e-4).
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
  /** Elements left out because a kink lies within 2ε of them (the two step sizes disagree). */
  kinks: number;
}

export interface GradCheckOptions {
  /** Slots to check; default every parameter and differentiable input. */
  slots?: readonly number[];
  /** Finite-difference step ε (the quotients use ε and 2ε); default 1e-4. */
  eps?: number;
  /** Check at most this many elements per tensor, evenly spaced; default all. */
  maxElements?: number;
  /** Leave out elements where a kink lies within 2ε (c(ε) and c(2ε) disagree); default true. */
  kinkCheck?: boolean;
}

/**
 * Relative disagreement of the c(ε) and c(2ε) quotients that marks a kink. At a smooth point they
 * differ by (3/2) ε² f''' ≈ 1.5e-8 f'''; across a kink, by a fraction of the slope's jump.
 */
const KINK_TOLERANCE = 1e-4;
/** Scale below which quotients are compared absolutely (both near zero: no kink to speak of). */
const KINK_FLOOR = 1e-6;

/** Runs the whole check at once (gradCheckSteps, to the end). */
export function gradCheck(program: Program, loss: number, opts: GradCheckOptions = {}): TensorGradCheck[] {
  return runTask(gradCheckSteps(program, loss, opts));
}

/**
 * The check as a task: yields `{ done, total }` in elements differenced (each element costs four
 * forward passes) after every element, and returns one TensorGradCheck per slot. Abandoning it
 * midway (`return()`) leaves the program as finishing would: the same parameter values, the
 * analytic pass's values and gradients, and the running statistics it found.
 */
export function* gradCheckSteps(
  program: Program,
  loss: number,
  opts: GradCheckOptions = {},
): Task<TensorGradCheck[]> {
  if (program.dtype !== 'float64')
    throw new Error(
      'gradient check needs a float64 program: central differences in float32 keep only ~4 digits',
    );
  const eps = opts.eps ?? 1e-4;
  const slots = opts.slots ?? program.slots.flatMap((s, i) => (s.grad && s.kind !== 'node' ? [i] : []));
  const indices = slots.map((s) => {
    const size = program.value(s).size;
    const step = opts.maxElements ? Math.max(1, Math.ceil(size / opts.maxElements)) : 1;
    const idx: number[] = [];
    for (let i = 0; i < size; i += step) idx.push(i);
    return idx;
  });
  const total = indices.reduce((n, idx) => n + idx.length, 0);
  const state = program.nodes.map((n) => Object.values(n.ctx.state).map((t) => t.clone()));
  const restoreState = () =>
    program.nodes.forEach((n, i) =>
      Object.values(n.ctx.state).forEach((t, j) => t.data.set(state[i]![j]!.data)),
    );
  const random = program.randomState;
  const lossAt = (): number => {
    program.randomState = random;
    program.forward();
    return program.value(loss).data[0]!;
  };
  try {
    lossAt();
    program.backward(loss);
    const analytic = slots.map((s) => {
      const g = program.grad(s);
      if (!g) throw new Error(`gradient check: '${program.slots[s]!.name}' receives no gradient`);
      return Float64Array.from(g.data);
    });
    const results: TensorGradCheck[] = [];
    let done = 0;
    for (let k = 0; k < slots.length; k++) {
      const s = slots[k]!;
      const x = program.value(s).data;
      const idx = indices[k]!;
      const central = (i: number, h: number): number => {
        const x0 = x[i]!;
        try {
          x[i] = x0 + h;
          const fp = lossAt();
          x[i] = x0 - h;
          const fm = lossAt();
          return (fp - fm) / (2 * h);
        } finally {
          x[i] = x0;
        }
      };
      // At a smooth point the quotients at ε and 2ε agree to O(ε²); where they don't, a kink (a ReLU
      // or max turning over) lies within 2ε and the quotients say nothing about the derivative: such
      // elements are counted in `kinks` and left out of the comparison.
      const atEps: number[] = [];
      const atTwoEps: number[] = [];
      for (const i of idx) {
        atEps.push(central(i, eps));
        atTwoEps.push(central(i, 2 * eps));
        yield { done: ++done, total, label: program.slots[s]!.name };
      }
      results.push(compare(program, s, idx, analytic[k]!, atEps, atTwoEps, opts.kinkCheck !== false));
    }
    return results;
  } finally {
    // Leave the program as the analytic pass left it: same values, gradients and running statistics.
    restoreState();
    lossAt();
    program.backward(loss);
    restoreState();
  }
}

/** One slot's verdict from its analytic gradient and the two difference quotients of each element. */
function compare(
  program: Program,
  slot: number,
  idx: readonly number[],
  analytic: Float64Array,
  atEps: readonly number[],
  atTwoEps: readonly number[],
  kinkCheck: boolean,
): TensorGradCheck {
  const numericAll = idx.map((_, j) => (4 * atEps[j]! - atTwoEps[j]!) / 3);
  const smooth = idx.map((_, j) => {
    if (!kinkCheck) return true;
    const n1 = atEps[j]!,
      n2 = atTwoEps[j]!;
    return Math.abs(n1 - n2) <= KINK_TOLERANCE * Math.max(Math.abs(n1), Math.abs(n2), KINK_FLOOR);
  });
  const kinks = smooth.filter((ok) => !ok).length;
  const kept = idx.flatMap((_, j) => (smooth[j] ? [j] : []));
  const a = kept.map((j) => analytic[idx[j]!]!);
  const numeric = kept.map((j) => numericAll[j]!);
  let worst = 0;
  for (let j = 1; j < kept.length; j++)
    if (Math.abs(a[j]! - numeric[j]!) > Math.abs(a[worst]! - numeric[worst]!)) worst = j;
  return {
    slot,
    name: program.slots[slot]!.name,
    error: relativeError(a, numeric),
    scale: a.reduce((m, v, j) => Math.max(m, Math.abs(v), Math.abs(numeric[j]!)), 0),
    worstIndex: idx[kept[worst] ?? 0] ?? 0,
    analytic: a[worst] ?? 0,
    numeric: numeric[worst] ?? 0,
    checked: kept.length,
    kinks,
  };
}
