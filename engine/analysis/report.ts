/**
 * Every analysis of this folder on one compiled graph, as one plain JSON-able report (what the
 * `analyze` CLI prints and what the editor's run panel will draw), plus the one-line summary
 * with the agreed field names.
 */
import type { Program } from '../autodiff/program.js';
import type { Tensor } from '../tensor/tensor.js';
import { analyzeHessianSteps, HessianOptions, HessianReport, plannedHvps } from './hessian.js';
import { kroneckerView, KroneckerView, matrix } from './kronecker.js';
import {
  linearRegions1dSteps,
  linearRegions2dSteps,
  LinearRegions1d,
  piecewiseStructure,
  RegionGrid2d,
  ResizableProgram,
} from './linear-regions.js';
import { analyzeModesSteps, MeasureOptions, ModesReport, NOT_AN_MLP, plannedDirections } from './modes.js';
import { paramLayout } from './params.js';
import { runTask, TaskPlan, type Task } from '../task/task.js';

/** What the analyses need of a compiled graph (CompiledGraph has all of it). */
export interface AnalysisSubject extends ResizableProgram {
  readonly loss: number;
  readonly target: number | null;
  /** Every input node and its slot, where the graph has several (CompiledGraph.inputs). */
  readonly inputs?: readonly { readonly node: string; readonly slot: number }[];
  withBatchSize(n: number): AnalysisSubject;
}

/** Which weights the analyses ran at (the CLI: a file or the initial ones; the editor: the run's). */
export interface AnalysisWeights {
  kind: 'initial' | 'trained' | 'file';
  /** Optimisation steps (and epochs begun) of the run that trained them (kind 'trained'). */
  step?: number;
  epoch?: number;
  /** The weights file (kind 'file'). */
  file?: string;
}

export interface AnalysisOptions {
  /** Said in the report as is; the analyses only see the Program's current parameters. */
  weights?: AnalysisWeights;
  /** The batch the loss (and so the Hessian) is evaluated on, and where it came from. */
  batch: { x: Tensor; y: Tensor | null; source: string; inputs?: Readonly<Record<string, Tensor>> };
  hessian?: HessianOptions;
  modes?: MeasureOptions & { measure?: boolean };
  /** 1-D input: the interval for the exact breakpoints; default [−2, 2]. */
  interval?: [number, number];
  /** 2-D input: the box for the region grid and its resolution; default [−2, 2]², 96 × 96. */
  bounds?: [number, number, number, number];
  grid?: number;
}

export interface AnalysisReport {
  params: number;
  batch: { size: number; source: string };
  /** As the caller described them (absent when it did not say). */
  weights?: AnalysisWeights;
  modes: ModesReport;
  hessian: HessianReport;
  regions: { oneD?: LinearRegions1d; twoD?: RegionGrid2d; note?: string };
  /** The smallest linear layer's weight gradient in both views, on the batch's first two examples. */
  kronecker?: KroneckerView & { node: string; examples: number };
}

/** Largest weight (out × in entries) for which the explicit Kronecker Jacobian is shown. */
const KRONECKER_MAX_WEIGHTS = 64;

export function analyzeSubject(subject: AnalysisSubject, opts: AnalysisOptions): AnalysisReport {
  return runTask(analyzeSubjectSteps(subject, opts));
}

/**
 * Rough cost of one Hessian-vector product in the units of progress (one JVP or VJP over the
 * batch): forward over reverse is a forward pass, a backward pass and their tangents.
 */
const HVP_UNITS = 3;

/**
 * analyzeSubject as a task: progress over the whole in units of about one pass over the batch,
 * labelled by part ("Hessian: Lanczos 12/40", "Forward vs reverse mode: loss gradient: forward
 * mode 30/181", "Linear regions: kinks of a2 (2/4)").
 */
export function* analyzeSubjectSteps(subject: AnalysisSubject, opts: AnalysisOptions): Task<AnalysisReport> {
  const n = opts.batch.x.shape[0]!;
  const sized = subject.withBatchSize(n);
  const p = sized.program;
  const several = (sized.inputs?.length ?? 1) > 1;
  feedInputs(sized, opts.batch);
  if (sized.target !== null && opts.batch.y) p.value(sized.target).data.set(opts.batch.y.data);
  p.setTraining(false);
  p.forward();
  checkFinite(p);

  const slots = { input: sized.input, prediction: sized.prediction, loss: sized.loss };
  const features = p.slots[sized.input]!.shape.slice(1).reduce((a, b) => a * b, 1);
  const g = opts.grid ?? 96;
  const pw = !several && features <= 2 ? piecewiseStructure(p, sized.input, sized.prediction) : null;
  const regionPasses = !pw?.ok ? 0 : features === 1 ? pw.structure.kinked.length + 1 : Math.ceil((g * g) / n);
  const plan = new TaskPlan([
    { title: 'Forward vs reverse mode', units: plannedDirections(p, slots, opts.modes) },
    { title: 'Hessian', units: HVP_UNITS * plannedHvps(paramLayout(p).size, opts.hessian) },
    { title: 'Linear regions', units: regionPasses },
    { title: 'Kronecker view', units: 1 },
  ]);
  const modes = yield* plan.part(0, analyzeModesSteps(p, slots, opts.modes));
  if (several) modes.mlpNote = `${NOT_AN_MLP} (it has ${inputList(sized)})`;
  const hessian = yield* plan.part(1, analyzeHessianSteps(p, sized.loss, opts.hessian));

  const regions: AnalysisReport['regions'] = {};
  if (several)
    regions.note =
      `linear regions are drawn over one input of 1 or 2 features; this graph has ${inputList(sized)}, ` +
      `so its input space is not one line or plane`;
  else if (features === 1) {
    const r = yield* plan.part(2, linearRegions1dSteps(sized, opts.interval ?? [-2, 2]));
    if (r.ok) regions.oneD = r.regions;
    else regions.note = r.reason;
  } else if (features === 2) {
    const r = yield* plan.part(2, linearRegions2dSteps(sized, opts.bounds ?? [-2, 2, -2, 2], g, g));
    if (r.ok) regions.twoD = r.grid;
    else regions.note = r.reason;
  } else
    regions.note = `linear regions are drawn for 1-D and 2-D inputs; this input has ${features} features`;

  const report: AnalysisReport = {
    params: hessian.params,
    batch: { size: n, source: opts.batch.source },
    modes,
    hessian,
    regions,
  };
  if (opts.weights) report.weights = opts.weights;
  yield plan.at(3);
  const k = kroneckerOfSmallestLinear(p, sized.loss);
  if (k) report.kronecker = k;
  return report;
}

/** "2 inputs ('sepal', 'petal')". */
function inputList(sized: AnalysisSubject): string {
  const inputs = sized.inputs ?? [];
  return `${inputs.length} inputs (${inputs.map((i) => `'${i.node}'`).join(', ')})`;
}

/**
 * Feeds the batch's examples into the subject's input slots: each input node its own rows where
 * the graph has several (batch.inputs, by node id), else the one input x. Throws naming an input
 * the batch has no rows for.
 */
function feedInputs(sized: AnalysisSubject, batch: AnalysisOptions['batch']): void {
  const p = sized.program;
  if (!sized.inputs || (sized.inputs.length <= 1 && !batch.inputs))
    return void p.value(sized.input).data.set(batch.x.data);
  for (const { node, slot } of sized.inputs) {
    const x = batch.inputs?.[node];
    if (!x)
      throw new Error(
        `the analyses' batch has no rows for input '${node}': name its features in training.dataset.inputs`,
      );
    p.value(slot).data.set(x.data);
  }
}

/** NaN/Inf stops the analysis and says where it first appears (an input, or the node making it). */
function checkFinite(p: Program): void {
  const firstBad = (d: ArrayLike<number>) => {
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return i;
    return -1;
  };
  for (const s of p.slots) {
    if (s.kind === 'node') continue;
    const i = firstBad(s.value.data);
    if (i >= 0) throw new Error(`${s.kind} '${s.name}' holds ${s.value.data[i]} at index ${i}`);
  }
  for (const n of p.nodes) {
    const d = p.value(n.output).data;
    const i = firstBad(d);
    if (i >= 0) throw new Error(`node '${n.id}' (${n.op.name}) first produces ${d[i]} at index ${i}`);
  }
}

function kroneckerOfSmallestLinear(p: Program, loss: number): AnalysisReport['kronecker'] | null {
  let best: (typeof p.nodes)[number] | null = null;
  let bestSize = Infinity;
  for (const n of p.nodes) {
    if (n.op.name !== 'linear') continue;
    const w = p.slots[n.inputs[1]!]!.value.size;
    if (w <= KRONECKER_MAX_WEIGHTS && w < bestSize) [best, bestSize] = [n, w];
  }
  if (!best) return null;
  p.forward();
  p.backward(loss);
  const g = p.grad(best.output);
  if (!g) return null;
  const x = p.value(best.inputs[0]!);
  const examples = Math.min(2, x.shape[0]!);
  const inF = x.size / x.shape[0]!,
    outF = g.size / g.shape[0]!;
  const view = kroneckerView(
    matrix(examples, inF, x.data.subarray(0, examples * inF)),
    matrix(examples, outF, g.data.subarray(0, examples * outF)),
  );
  return { node: best.id, examples, ...view };
}

/** The `--json` line: the agreed field names (snake_case, as the issue lists them). */
export interface AnalysisSummary {
  params: number;
  forward_mode_flops: number;
  reverse_mode_flops: number;
  forward_mode_bytes: number;
  reverse_mode_bytes: number;
  gradient_forward_mode_flops: number;
  gradient_reverse_mode_flops: number;
  measured_forward_ms?: number;
  measured_reverse_ms?: number;
  hessian_top: number;
  hessian_bottom: number;
  hessian_method: 'lanczos' | 'lanczos+dense';
  lanczos_steps: number;
  depth?: number;
  linear_pieces?: number;
  breakpoints?: number[];
  regions_2d_sampled?: number;
  mlp_widths?: number[];
  mlp_forward_multiply_adds?: number;
  mlp_reverse_multiply_adds?: number;
}

export function summarize(r: AnalysisReport): AnalysisSummary {
  const j = r.modes.jacobian;
  const s: AnalysisSummary = {
    params: r.params,
    forward_mode_flops: j.forward.flops,
    reverse_mode_flops: j.reverse.flops,
    forward_mode_bytes: j.forward.bytes,
    reverse_mode_bytes: j.reverse.bytes,
    gradient_forward_mode_flops: r.modes.gradient.forward.flops,
    gradient_reverse_mode_flops: r.modes.gradient.reverse.flops,
    hessian_top: r.hessian.top.value,
    hessian_bottom: r.hessian.bottom.value,
    hessian_method: r.hessian.dense ? 'lanczos+dense' : 'lanczos',
    lanczos_steps: r.hessian.lanczosSteps,
  };
  if (j.measured) {
    s.measured_forward_ms = j.measured.forward.msAll;
    s.measured_reverse_ms = j.measured.reverse.msAll;
  }
  if (r.regions.oneD) {
    s.depth = r.regions.oneD.depth;
    s.linear_pieces = r.regions.oneD.pieces;
    s.breakpoints = r.regions.oneD.breakpoints;
  }
  if (r.regions.twoD) {
    s.depth = r.regions.twoD.depth;
    s.regions_2d_sampled = r.regions.twoD.regions;
  }
  if (r.modes.mlp) {
    s.mlp_widths = r.modes.mlp.formula.widths;
    s.mlp_forward_multiply_adds = r.modes.mlp.formula.forwardMultiplyAdds;
    s.mlp_reverse_multiply_adds = r.modes.mlp.formula.reverseMultiplyAdds;
  }
  return s;
}
