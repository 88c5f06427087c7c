/** What a benchmark child process prints: one line starting with a marker, then JSON. */
import type { Timing, TimingBudget } from './measure.js';
import { DEFAULT_BUDGET } from './measure.js';

export const RESULT_MARKER = 'BENCH_RESULT ';

/** 'numpy' is the physical anchor: the same step in NumPy on single-thread OpenBLAS (bench/numpy-child.py). */
export type Impl = 'engine' | 'tfjs-cpu' | 'tfjs-wasm' | 'numpy';

export interface ChildResult {
  workload: string;
  impl: string;
  timing: Timing | null;
  /** Loss before and after the timed steps: evidence that it trained (and on what). */
  lossBefore?: number;
  lossAfter?: number;
  /** Why there is no timing (e.g. an op the engine does not have yet). */
  unavailable?: string;
  detail?: string;
}

export function printResult(r: ChildResult): void {
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(r)}\n`);
}

/** The parent passes a smaller budget for smoke tests through the environment. */
export function timingBudget(): TimingBudget {
  const env = process.env.BPS_BENCH_BUDGET;
  if (!env) return DEFAULT_BUDGET;
  const [warmupMs, runMs, runs] = env.split(',').map(Number);
  return { warmupMs: warmupMs!, runMs: runMs!, runs: runs! };
}
