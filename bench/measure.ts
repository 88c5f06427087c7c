/**
 * Timing shared by both sides, so they are measured the same way: warm up, then several timed
 * runs of a fixed number of steps; the result is the median run's time per step. Also the bytes a
 * steady-state step allocates (JS heap plus ArrayBuffer backing stores), measured over a stretch
 * of steps that no garbage collection interrupted.
 */
import { GCProfiler, getHeapStatistics } from 'node:v8';

export interface Timing {
  msPerStep: number;
  /** Every run's ms per step, for the spread. */
  runs: number[];
  stepsPerRun: number;
  bytesPerStep: number | null;
}

export interface TimingBudget {
  /** Warm-up time (ms); see measure() for the minimum number of steps. */
  warmupMs: number;
  /** Target duration of one timed run (ms). */
  runMs: number;
  runs: number;
}

export const DEFAULT_BUDGET: TimingBudget = { warmupMs: 600, runMs: 250, runs: 7 };

export function measure(step: () => void, budget: TimingBudget = DEFAULT_BUDGET): Timing {
  let warm = 0;
  const t0 = performance.now();
  // At least 10 warm-up steps (tfjs's first steps are far slower than its steady state), or 3
  // for slow steps, and at least the warm-up time.
  const elapsed = () => performance.now() - t0;
  while (warm < 3 || elapsed() < budget.warmupMs || (warm < 10 && elapsed() < 10 * budget.warmupMs)) {
    step();
    warm++;
  }
  const perStep = (performance.now() - t0) / warm;
  const stepsPerRun = Math.max(1, Math.round(budget.runMs / perStep));
  const runs: number[] = [];
  for (let r = 0; r < budget.runs; r++) {
    const s = performance.now();
    for (let i = 0; i < stepsPerRun; i++) step();
    runs.push((performance.now() - s) / stepsPerRun);
  }
  const sorted = runs.slice().sort((a, b) => a - b);
  return {
    msPerStep: sorted[sorted.length >> 1]!,
    runs,
    stepsPerRun,
    bytesPerStep: allocatedPerStep(step, stepsPerRun),
  };
}

function usedBytes(): number {
  return getHeapStatistics().used_heap_size + process.memoryUsage().arrayBuffers;
}

/** Heap growth over `steps` steps, or null if a garbage collection ran meanwhile. */
function growth(step: () => void, steps: number): number | null {
  const profiler = new GCProfiler();
  profiler.start();
  const before = usedBytes();
  for (let i = 0; i < steps; i++) step();
  const after = usedBytes();
  return profiler.stop().statistics.length === 0 ? after - before : null;
}

/**
 * Bytes per step over a GC-free stretch of about one timed run, minus what measuring itself
 * allocates (the same measurement around no steps). Null if collections kept interrupting.
 */
function allocatedPerStep(step: () => void, stepsPerRun: number): number | null {
  const noop = () => {};
  for (let attempt = 0; attempt < 4; attempt++) {
    const steps = Math.max(1, Math.min(50, stepsPerRun) >> attempt);
    const base = growth(noop, steps);
    const grown = growth(step, steps);
    if (base !== null && grown !== null) return Math.max(0, (grown - base) / steps);
  }
  return null;
}
