/**
 * The loss Hessian at the current weights, seen through its extreme eigenvalues: the largest
 * says how sharp the minimum is (and bounds the stable learning rate, lr < 2/λ_max for gradient
 * descent), the smallest (near zero or negative) names directions in which the loss is flat or
 * curving down, i.e. parameters the data determine badly.
 *
 * Never forms a dense Hessian for a large model: Lanczos (engine/linalg/lanczos.ts) on
 * Hessian-vector products from Program.hvp (forward over reverse, one HVP ≈ a few backward
 * passes). For small models it also builds the exact dense Hessian column by column (H e_j by
 * HVP), checks its symmetry, and cross-checks the Lanczos extremes against it.
 *
 * The Hessian is of the loss over whatever batch the Program's inputs hold when called, with the
 * Program in evaluation mode (dropout off, batch norm on running statistics) so that every HVP
 * sees the same function; the training flag is restored afterwards.
 */
import type { Program } from '../autodiff/program.js';
import { lanczosSteps } from '../linalg/lanczos.js';
import { runTask, subtask, type Task } from '../task/task.js';
import { symmetricEigen } from '../linalg/symmetric-eigen.js';
import {
  ParamComponent,
  ParamLayout,
  joinParams,
  largestComponents,
  nameComponent,
  paramLayout,
  shareByParam,
  splitParams,
} from './params.js';

export interface HessianOptions {
  /** Lanczos steps (Hessian-vector products); default 40, capped at the parameter count. */
  steps?: number;
  /** Build the dense Hessian (n HVPs) when there are at most this many parameters; default 2000. */
  denseLimit?: number;
  /**
   * Eigendecompose the dense Hessian (Jacobi, O(n³) per sweep) up to this many parameters;
   * default 300. Between this and denseLimit the dense Hessian checks the Lanczos pairs by their
   * residual ‖H y − θ y‖ instead.
   */
  eigenLimit?: number;
  /** How many of an eigenvector's largest entries to name; default 5. */
  components?: number;
  seed?: number;
}

export interface EigenDirection {
  value: number;
  /** ‖H y − θ y‖ for the unit vector y (from Lanczos; or against the dense Hessian when built). */
  residual: number;
  /** The entries of largest magnitude, named by node, parameter and index. */
  largest: ParamComponent[];
  /** The share of the direction's squared norm in each parameter tensor (sums to 1). */
  byParam: { node: string; param: string; share: number }[];
}

export interface HessianReport {
  params: number;
  /** Hessian-vector products taken in total. */
  hvps: number;
  lanczosSteps: number;
  /** Lanczos Ritz values, ascending (the extremes are the estimates; interior ones are rough). */
  ritzValues: number[];
  top: EigenDirection;
  bottom: EigenDirection;
  /** Present when the dense Hessian was built. */
  dense?: {
    /** max |H − Hᵀ| / max |H|: HVPs are exact up to rounding, so this should be rounding-sized. */
    asymmetry: number;
    /** Every eigenvalue, ascending, when the model is under eigenLimit parameters. */
    eigenvalues?: number[];
    /** |λ_dense − θ_lanczos| for the top and bottom, when eigenvalues were computed. */
    topError?: number;
    bottomError?: number;
  };
}

/** Hessian-vector products of `loss` as a map on flat float64 vectors. */
export function hessianOperator(
  program: Program,
  loss: number,
  layout: ParamLayout = paramLayout(program),
): (v: Float64Array) => Float64Array {
  return (v) => {
    const hv = joinParams(layout, program.hvp(loss, splitParams(program, layout, v)));
    for (let i = 0; i < hv.length; i++)
      if (!Number.isFinite(hv[i]!)) {
        const c = nameComponent(layout, i, hv[i]!);
        throw new Error(
          `a Hessian-vector product is ${hv[i]} at ${c.node}.${c.param}[${c.at.join(', ')}]: the loss's curvature overflows at these weights`,
        );
      }
    return hv;
  };
}

/** The dense Hessian, column by column (n HVPs), row-major n×n. */
export function denseHessian(
  program: Program,
  loss: number,
  layout: ParamLayout = paramLayout(program),
): Float64Array {
  return runTask(denseHessianSteps(program, loss, layout));
}

/** The dense Hessian as a task: yields after every column ("column 30/181"). */
export function* denseHessianSteps(
  program: Program,
  loss: number,
  layout: ParamLayout = paramLayout(program),
): Task<Float64Array> {
  const n = layout.size;
  const hv = hessianOperator(program, loss, layout);
  const h = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    const col = hv(e);
    for (let i = 0; i < n; i++) h[i * n + j] = col[i]!;
    yield { done: j + 1, total: n, label: `column ${j + 1}/${n}` };
  }
  return h;
}

/** Hessian-vector products analyzeHessian takes for `n` parameters: Lanczos, then the dense columns. */
export function plannedHvps(n: number, opts: HessianOptions = {}): number {
  return Math.max(1, Math.min(opts.steps ?? 40, n)) + (n <= (opts.denseLimit ?? 2000) ? n : 0);
}

export function analyzeHessian(program: Program, loss: number, opts: HessianOptions = {}): HessianReport {
  return runTask(analyzeHessianSteps(program, loss, opts));
}

/**
 * analyzeHessian as a task: `done` counts Hessian-vector products of plannedHvps ("Lanczos 12/40",
 * then "dense Hessian, column 30/181"). The training flag is restored however it ends.
 */
export function* analyzeHessianSteps(
  program: Program,
  loss: number,
  opts: HessianOptions = {},
): Task<HessianReport> {
  const wasTraining = program.nodes[0]?.ctx.training ?? false;
  program.setTraining(false);
  try {
    return yield* analyze(program, loss, opts);
  } finally {
    program.setTraining(wasTraining);
  }
}

function* analyze(program: Program, loss: number, opts: HessianOptions): Task<HessianReport> {
  const layout = paramLayout(program);
  const n = layout.size;
  if (n === 0) throw new Error('Hessian: the graph has no parameters');
  const total = plannedHvps(n, opts);
  const components = opts.components ?? 5;
  let hvps = 0;
  const hv = hessianOperator(program, loss, layout);
  const counted = (v: Float64Array) => {
    hvps++;
    return hv(v);
  };
  const lz = yield* subtask(
    lanczosSteps(counted, n, { steps: opts.steps ?? 40, seed: opts.seed ?? 1 }),
    (p) => ({
      ...p,
      done: hvps,
      total,
    }),
  );
  const direction = (value: number, vector: Float64Array, residual: number): EigenDirection => ({
    value,
    residual,
    largest: largestComponents(layout, vector, components),
    byParam: shareByParam(layout, vector),
  });
  const report: HessianReport = {
    params: n,
    hvps: 0,
    lanczosSteps: lz.steps,
    ritzValues: Array.from(lz.ritzValues),
    top: direction(lz.top.value, lz.top.vector, lz.top.residual),
    bottom: direction(lz.bottom.value, lz.bottom.vector, lz.bottom.residual),
  };
  if (n <= (opts.denseLimit ?? 2000)) {
    const lanczosHvps = hvps;
    const h = yield* subtask(denseHessianSteps(program, loss, layout), (p) => ({
      done: lanczosHvps + p.done,
      total,
      label: `dense Hessian, ${p.label}`,
    }));
    hvps += n;
    let asym = 0,
      big = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        asym = Math.max(asym, Math.abs(h[i * n + j]! - h[j * n + i]!));
        big = Math.max(big, Math.abs(h[i * n + j]!));
      }
    // Symmetrise: rounding makes H slightly asymmetric, and both checks below assume symmetry.
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) h[i * n + j] = h[j * n + i] = (h[i * n + j]! + h[j * n + i]!) / 2;
    report.dense = { asymmetry: big > 0 ? asym / big : 0 };
    report.top.residual = denseResidual(h, n, lz.top.value, lz.top.vector);
    report.bottom.residual = denseResidual(h, n, lz.bottom.value, lz.bottom.vector);
    if (n <= (opts.eigenLimit ?? 300)) {
      // One indivisible piece (Jacobi sweeps); said before it starts, so the label shows meanwhile.
      yield { done: hvps, total, label: 'eigenvalues of the dense Hessian' };
      const eig = symmetricEigen(h, n);
      const lo = eig.values[0]!,
        hi = eig.values[n - 1]!;
      report.dense.eigenvalues = Array.from(eig.values);
      report.dense.topError = Math.abs(hi - lz.top.value);
      report.dense.bottomError = Math.abs(lo - lz.bottom.value);
    }
  }
  report.hvps = hvps;
  return report;
}

function denseResidual(h: Float64Array, n: number, value: number, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let r = -value * y[i]!;
    for (let j = 0; j < n; j++) r += h[i * n + j]! * y[j]!;
    s += r * r;
  }
  return Math.sqrt(s);
}
