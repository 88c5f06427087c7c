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
  /** How many elements were checked (all, unless limited by `maxElements`). */
  checked: number;
}

export interface GradCheckOptions {
  /** Slots to check; default every parameter and differentiable input. */
  slots?: readonly number[];
  /** Finite-difference step; default 1e-6. */
  eps?: number;
  /** Check at most this many elements per tensor, evenly spaced; default all. */
  maxElements?: number;
}

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
    const a = idx.map((i) => analytic[k]![i]!);
    const numeric = idx.map((i) => {
      const x0 = x[i]!;
      x[i] = x0 + eps;
      const fp = lossAt();
      x[i] = x0 - eps;
      const fm = lossAt();
      x[i] = x0;
      return (fp - fm) / (2 * eps);
    });
    let worst = 0;
    for (let j = 1; j < idx.length; j++)
      if (Math.abs(a[j]! - numeric[j]!) > Math.abs(a[worst]! - numeric[worst]!)) worst = j;
    return {
      slot: s,
      name: program.slots[s]!.name,
      error: relativeError(a, numeric),
      scale: a.reduce((m, v, j) => Math.max(m, Math.abs(v), Math.abs(numeric[j]!)), 0),
      worstIndex: idx[worst] ?? 0,
      analytic: a[worst] ?? 0,
      numeric: numeric[worst] ?? 0,
      checked: idx.length,
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
