/**
 * Forward mode against reverse mode on the user's own Program: what it costs to get a whole
 * Jacobian (or the loss gradient) one JVP per input direction against one VJP per output
 * component, from the ops' cost model and by actually running both.
 *
 * The cost model (the numbers the lecture reasons with):
 * - A forward pass costs F = Σ op.flops over the nodes the quantity depends on.
 * - A JVP through node n costs F_n per input of n that carries a nonzero tangent: each input's
 *   tangent goes through a linear map shaped like the forward computation (for linear,
 *   dx·Wᵀ and x·dWᵀ are each a matmul; for an elementwise op, one multiply per element).
 * - A VJP through node n costs F_n per input of n that needs a gradient, by the same argument
 *   (for linear, g·W and gᵀ·x are each a matmul).
 * - Forward mode = one forward pass + (directions × the JVP cost of that direction's downstream
 *   nodes); reverse mode = one forward pass + (output components × the VJP cost).
 * Memory (elements × bytes per element; parameters and inputs counted in both):
 * - forward mode keeps, at each step, only the values that are still needed and their tangents
 *   (a liveness walk over the nodes) plus one tangent of the parameters;
 * - reverse mode keeps the tape (every node's value and saved scratch, for the backward pass),
 *   the parameter gradients, and the activation gradients that are live during the backward walk.
 * The Jacobian being assembled (rows × cols) is the same for both and is not counted.
 */
import { Program, ProgramBuilder, ProgramNode } from '../autodiff/program.js';
import { Tensor } from '../tensor/tensor.js';
import { flatGradient, slotLayout } from './params.js';
import { runTask, TaskPlan, type Task } from '../task/task.js';

export interface ModeCost {
  /** JVPs (forward mode) or VJPs (reverse mode) needed. */
  directions: number;
  /** Modelled floating-point operations, forward pass included. */
  flops: number;
  /** Modelled peak memory in bytes. */
  bytes: number;
}

export interface ModeMeasurement {
  /** Directions actually run (all of them unless the limit cut it short). */
  directions: number;
  /** Wall time for the directions run, and extrapolated to all directions. */
  ms: number;
  msAll: number;
}

export interface ModeComparison {
  /** What is being differentiated with respect to what. */
  quantity: string;
  /** Jacobian size: output components × parameters (1 row for a gradient). */
  rows: number;
  cols: number;
  forward: ModeCost;
  reverse: ModeCost;
  /** Present when measured (both modes run through Program.jvp / Program.backwardFrom). */
  measured?: {
    forward: ModeMeasurement;
    reverse: ModeMeasurement;
    /** max |J_forward − J_reverse| over the entries both computed. */
    maxDifference: number;
  };
}

/** What a node contributes to the model: its forward flops and which inputs carry derivatives. */
interface NodeCost {
  index: number;
  flops: number;
  inputs: readonly number[];
  output: number;
}

function nodeCosts(program: Program): NodeCost[] {
  return program.nodes.map((n, index) => ({
    index,
    flops: n.op.flops(
      n.inputs.map((s) => program.slots[s]!.shape),
      n.ctx.attrs,
    ),
    inputs: n.inputs.filter((_, k) => n.differentiable[k]),
    output: n.output,
  }));
}

/** Nodes the value of `target` depends on, in program order. */
function ancestors(program: Program, target: number): Set<number> {
  const need = new Set<number>([target]);
  const nodes = new Set<number>();
  for (let i = program.nodes.length - 1; i >= 0; i--) {
    const n = program.nodes[i]!;
    if (!need.has(n.output)) continue;
    nodes.add(i);
    for (const s of n.inputs) need.add(s);
  }
  return nodes;
}

/** Slots downstream of (or equal to) any of `sources`. */
function downstream(program: Program, sources: Iterable<number>): Set<number> {
  const reach = new Set<number>(sources);
  for (const n of program.nodes) if (n.inputs.some((s) => reach.has(s))) reach.add(n.output);
  return reach;
}

const bytesPer = (program: Program) => (program.dtype === 'float64' ? 8 : 4);

function slotSize(program: Program, s: number): number {
  return program.slots[s]!.value.size;
}

function persistentElements(program: Program): number {
  let e = 0;
  for (const s of program.slots) if (s.kind !== 'node') e += s.value.size;
  return e;
}

/**
 * The model for the Jacobian of `output` with respect to `sources` (parameter or input slots;
 * one direction per element). `output` may be a scalar (the loss: a gradient).
 */
export function modelModes(
  program: Program,
  output: number,
  sources: readonly number[],
): Omit<ModeComparison, 'quantity'> {
  const costs = nodeCosts(program);
  const used = ancestors(program, output);
  const live = costs.filter((c) => used.has(c.index));
  const forwardPass = live.reduce((s, c) => s + c.flops, 0);
  const cols = sources.reduce((s, p) => s + slotSize(program, p), 0);
  const rows = slotSize(program, output);

  // Forward mode: each source's directions flow only to its downstream nodes.
  let jvpFlops = 0;
  for (const p of sources) {
    const reach = downstream(program, [p]);
    let perDirection = 0;
    for (const c of live) perDirection += c.flops * c.inputs.filter((s) => reach.has(s)).length;
    jvpFlops += slotSize(program, p) * perDirection;
  }
  // Reverse mode: a gradient is needed at every input that depends on some source.
  const reachAll = downstream(program, sources);
  let vjpPerDirection = 0;
  for (const c of live) vjpPerDirection += c.flops * c.inputs.filter((s) => reachAll.has(s)).length;

  const bytes = bytesPer(program);
  const persistent = persistentElements(program);
  const largest = Math.max(0, ...sources.map((p) => slotSize(program, p)));
  return {
    rows,
    cols,
    forward: {
      directions: cols,
      flops: forwardPass + jvpFlops,
      // One direction at a time: the seed is one tangent the size of one source tensor.
      bytes: bytes * (persistent + largest + forwardPeak(program, live, reachAll, output)),
    },
    reverse: {
      directions: rows,
      flops: forwardPass + rows * vjpPerDirection,
      bytes: bytes * (persistent + cols + reversePeak(program, live, reachAll, output)),
    },
  };
}

/** Peak elements of live values (+ their tangents) during one forward-mode sweep. */
function forwardPeak(program: Program, live: NodeCost[], tangent: Set<number>, output: number): number {
  const lastUse = new Map<number, number>();
  for (const c of live) for (const s of program.nodes[c.index]!.inputs) lastUse.set(s, c.index);
  const cost = (s: number) => slotSize(program, s) * (tangent.has(s) ? 2 : 1);
  let current = 0,
    peak = 0;
  for (const c of live) {
    current += cost(c.output);
    peak = Math.max(peak, current);
    for (const s of program.nodes[c.index]!.inputs)
      if (program.slots[s]!.kind === 'node' && lastUse.get(s) === c.index && s !== output) current -= cost(s);
  }
  return peak;
}

/** The tape (values and saved scratch) plus the peak of live activation gradients going back. */
function reversePeak(program: Program, live: NodeCost[], needsGrad: Set<number>, output: number): number {
  let tape = 0;
  for (const c of live) {
    tape += slotSize(program, c.output);
    for (const t of Object.values(program.nodes[c.index]!.ctx.saved)) tape += t.size;
  }
  // A node's gradient is live from the backward step of its last consumer to its own step.
  const firstWrite = new Map<number, number>();
  for (const c of live)
    for (const s of c.inputs)
      if (program.slots[s]!.kind === 'node' && needsGrad.has(s)) firstWrite.set(s, c.index);
  let current = slotSize(program, output),
    peak = current;
  for (let i = live.length - 1; i >= 0; i--) {
    const c = live[i]!;
    for (const [s, at] of firstWrite) if (at === c.index) current += slotSize(program, s);
    peak = Math.max(peak, current);
    if (needsGrad.has(c.output)) current -= slotSize(program, c.output);
  }
  return tape + peak;
}

export interface MeasureOptions {
  /** Stop each mode after this many directions and extrapolate the time; default 2000. */
  maxDirections?: number;
  /** A millisecond clock; default performance.now where the platform has one, else Date.now. */
  clock?: () => number;
}

export interface Measured {
  forward: ModeMeasurement;
  reverse: ModeMeasurement;
  maxDifference: number;
  /** Row-major rows × cols from each mode; NaN where a mode stopped at the direction limit. */
  jacobians: [Float64Array, Float64Array];
}

/**
 * The Jacobian of `output` with respect to the `sources` slots (parameters, or a differentiable
 * input), by both modes, run for real (after setting the inputs; this runs forward itself).
 * Forward mode: one Program.jvp per source entry gives a column. Reverse mode: one
 * Program.backwardFrom per output entry gives a row.
 */
export function measureModes(
  program: Program,
  output: number,
  sources: readonly number[],
  opts: MeasureOptions = {},
): Measured {
  return runTask(measureModesSteps(program, output, sources, opts));
}

/** Directions measureModes runs: forward mode's (one per source entry) and reverse mode's. */
export function measuredDirections(
  program: Program,
  output: number,
  sources: readonly number[],
  opts: MeasureOptions = {},
): number {
  const limit = opts.maxDirections ?? 2000;
  const cols = sources.reduce((s, p) => s + slotSize(program, p), 0);
  return Math.min(cols, limit) + Math.min(slotSize(program, output), limit);
}

/**
 * measureModes as a task: yields after every direction ("forward mode 120/500"). The times are
 * of the work alone: the clock stops while the task waits between yields.
 */
export function* measureModesSteps(
  program: Program,
  output: number,
  sources: readonly number[],
  opts: MeasureOptions = {},
): Task<Measured> {
  const clock = opts.clock ?? preciseClock();
  const limit = opts.maxDirections ?? 2000;
  const layout = slotLayout(program, sources);
  const cols = layout.size;
  const rows = slotSize(program, output);
  const jf = new Float64Array(rows * cols).fill(NaN);
  const jr = new Float64Array(rows * cols).fill(NaN);
  const total = measuredDirections(program, output, sources, opts);
  const forwardDirections = Math.min(cols, limit);
  program.forward();

  const tangents = new Map(layout.blocks.map((b) => [b.slot, Tensor.zeros(b.shape, program.dtype)]));
  let done = 0;
  let ms = 0;
  let t0 = clock();
  outer: for (const b of layout.blocks) {
    const seed = tangents.get(b.slot)!;
    const one = new Map([[b.slot, seed]]);
    for (let i = 0; i < b.size; i++) {
      if (done >= limit) break outer;
      seed.data[i] = 1;
      const col = program.jvp(one)[output]!.data;
      seed.data[i] = 0;
      for (let r = 0; r < rows; r++) jf[r * cols + b.offset + i] = col[r]!;
      done++;
      ms += clock() - t0;
      yield { done, total, label: `forward mode ${done}/${forwardDirections}` };
      t0 = clock();
    }
  }
  const forward = timing(done, cols, ms);

  const reverseDirections = Math.min(rows, limit);
  const cot = Tensor.zeros(program.slots[output]!.shape, program.dtype);
  ms = 0;
  t0 = clock();
  let r = 0;
  while (r < reverseDirections) {
    cot.data[r] = 1;
    program.backwardFrom(output, cot);
    cot.data[r] = 0;
    jr.set(flatGradient(program, layout), r * cols);
    r++;
    ms += clock() - t0;
    yield { done: done + r, total, label: `reverse mode ${r}/${reverseDirections}` };
    t0 = clock();
  }
  const reverse = timing(r, rows, ms);
  let maxDifference = 0;
  for (let i = 0; i < jf.length; i++) {
    const d = Math.abs(jf[i]! - jr[i]!);
    if (d > maxDifference) maxDifference = d;
  }
  return { forward, reverse, maxDifference, jacobians: [jf, jr] };
}

/** performance.now (browsers, Node, worker threads): sub-millisecond, where Date.now would say 0 ms. */
function preciseClock(): () => number {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf ? () => perf.now() : Date.now;
}

function timing(done: number, all: number, ms: number): ModeMeasurement {
  return { directions: done, ms, msAll: done > 0 ? (ms * all) / done : 0 };
}

/**
 * The lecture's MLP formulas. For f(x) = W_L φ(… φ(W_1 x)) with widths d_0 (input features),
 * d_1 … d_{L-1} (hidden units) and d_L (outputs), i.e. d_l = the output width of the l-th linear
 * layer, the Jacobian ∂f/∂x of ONE example costs, in multiply-adds (activations and biases
 * ignored):
 *   forward mode  d_0 · Σ_{l=1..L} d_l d_{l-1}   (d_0 tangent directions through every layer)
 *   reverse mode  d_L · Σ_{l=0..L-1} d_l d_{l+1} (d_L cotangents back through every layer).
 * The sums are the same; the mode that wins is the one with the fewer directions.
 */
export interface MlpFormula {
  /** d_0 … d_L. */
  widths: number[];
  forwardMultiplyAdds: number;
  reverseMultiplyAdds: number;
  forwardFormula: string;
  reverseFormula: string;
}

export function mlpFormula(widths: readonly number[]): MlpFormula {
  if (widths.length < 2) throw new Error('mlpFormula: needs at least an input and an output width');
  let sum = 0;
  for (let l = 1; l < widths.length; l++) sum += widths[l]! * widths[l - 1]!;
  const d0 = widths[0]!,
    dL = widths[widths.length - 1]!;
  const terms = widths.slice(1).map((d, l) => `${d}·${widths[l]}`);
  return {
    widths: widths.slice(),
    forwardMultiplyAdds: d0 * sum,
    reverseMultiplyAdds: dL * sum,
    forwardFormula: `d0 Σ d_l d_{l-1} = ${d0}·(${terms.join(' + ')}) = ${d0 * sum}`,
    reverseFormula: `d_L Σ d_l d_{l+1} = ${dL}·(${terms.join(' + ')}) = ${dL * sum}`,
  };
}

/** A chain input → (linear | elementwise activation)* → output: the lecture's MLP, if it is one. */
export function mlpChain(
  program: Program,
  input: number,
  output: number,
): { widths: number[]; nodes: ProgramNode[] } | null {
  const nodes: ProgramNode[] = [];
  let at = input;
  const widths = [program.slots[input]!.shape.at(-1)!];
  while (at !== output) {
    const next = program.nodes.filter((n) => n.inputs[0] === at || n.inputs.slice(1).includes(at));
    if (next.length !== 1) return null;
    const n = next[0]!;
    const dataInputs = n.op.inputs.length;
    if (dataInputs !== 1 || n.inputs[0] !== at) return null;
    const isLinear = n.op.name === 'linear';
    const isElementwise =
      n.op.category === 'activations' && (n.op.params ?? []).length === 0 && n.inputs.length === 1;
    if (!isLinear && !isElementwise) return null;
    if (isLinear) widths.push(program.slots[n.output]!.shape.at(-1)!);
    nodes.push(n);
    at = n.output;
  }
  return widths.length >= 2 ? { widths, nodes } : null;
}

export interface MlpModes {
  formula: MlpFormula;
  /** The same quantity (∂f/∂x of one example) from the ops' cost model, in flops (≈ 2 per multiply-add). */
  model: Omit<ModeComparison, 'quantity'> & { quantity: string };
}

/**
 * For an MLP: the input Jacobian of one example, by formula, by the cost model, and measured on
 * a one-example copy of the chain that shares the parameter tensors and has a differentiable input.
 */
export function analyzeMlp(
  program: Program,
  input: number,
  output: number,
  opts: MeasureOptions & { measure?: boolean } = {},
): MlpModes | null {
  const mlp = mlpProgram(program, input, output);
  return mlp && runTask(analyzeMlpSteps(mlp, opts));
}

/** The one-example copy of an MLP chain (null when the path is not one). */
interface MlpProgram {
  widths: number[];
  one: Program;
  x: number;
  output: number;
}

function mlpProgram(program: Program, input: number, output: number): MlpProgram | null {
  const mlp = mlpChain(program, input, output);
  if (!mlp) return null;
  const b = new ProgramBuilder(program.dtype);
  const x = b.input('x', [1, mlp.widths[0]!], { differentiable: true });
  let at = x;
  for (const n of mlp.nodes) {
    const params: Record<string, Tensor> = {};
    n.inputs.slice(1).forEach((s) => {
      const owner = program.slots[s]!.owner;
      if (owner) params[owner.param] = program.slots[s]!.value;
    });
    at = b.node(n.id, n.op.name, [at], { ...n.ctx.attrs }, { params });
  }
  const one = b.build();
  // One example: the first row of the batch the big program holds.
  const row = program.slots[input]!.value.data.subarray(0, mlp.widths[0]!);
  one.value(x).data.set(row);
  return { widths: mlp.widths, one, x, output: at };
}

function* analyzeMlpSteps(mlp: MlpProgram, opts: MeasureOptions & { measure?: boolean }): Task<MlpModes> {
  const { one, x, output } = mlp;
  const model = { quantity: 'output w.r.t. input (one example)', ...modelModes(one, output, [x]) };
  const result: MlpModes = { formula: mlpFormula(mlp.widths), model };
  if (opts.measure !== false) {
    const m = yield* measureModesSteps(one, output, [x], opts);
    model.measured = { forward: m.forward, reverse: m.reverse, maxDifference: m.maxDifference };
  }
  return result;
}

export interface ModesReport {
  /** ∂prediction/∂parameters over the batch. */
  jacobian: ModeComparison;
  /** ∂loss/∂parameters: forward mode needs one JVP per parameter, reverse mode one VJP. */
  gradient: ModeComparison;
  /** Present when the path from input to prediction is an MLP. */
  mlp?: MlpModes;
  /** Why there is no `mlp` view (the graph is not an MLP chain), in words. */
  mlpNote?: string;
}

/** Why a graph gets no MLP view. */
export const NOT_AN_MLP =
  'the formulas are for an MLP: one input through linear layers and elementwise activations to the output, ' +
  'and this graph is not one';

export interface ModesSlots {
  input: number;
  prediction: number;
  loss: number;
}

/** Both comparisons (and the MLP view) for a compiled graph's Program, measured unless told not to. */
export function analyzeModes(
  program: Program,
  slots: ModesSlots,
  opts: MeasureOptions & { measure?: boolean } = {},
): ModesReport {
  return runTask(analyzeModesSteps(program, slots, opts));
}

/** Directions analyzeModes runs (0 when it does not measure): its units of progress. */
export function plannedDirections(
  program: Program,
  slots: ModesSlots,
  opts: MeasureOptions & { measure?: boolean } = {},
): number {
  return opts.measure === false
    ? 0
    : modesPlan(program, slots, mlpProgram(program, slots.input, slots.prediction), opts).total;
}

function modesPlan(
  program: Program,
  slots: ModesSlots,
  mlp: MlpProgram | null,
  opts: MeasureOptions,
): TaskPlan {
  const params = program.params();
  return new TaskPlan([
    { title: 'prediction Jacobian', units: measuredDirections(program, slots.prediction, params, opts) },
    { title: 'loss gradient', units: measuredDirections(program, slots.loss, params, opts) },
    { title: 'MLP input Jacobian', units: mlp ? measuredDirections(mlp.one, mlp.output, [mlp.x], opts) : 0 },
  ]);
}

/** analyzeModes as a task: progress in directions run, e.g. "loss gradient: forward mode 12/181". */
export function* analyzeModesSteps(
  program: Program,
  slots: ModesSlots,
  opts: MeasureOptions & { measure?: boolean } = {},
): Task<ModesReport> {
  const params = program.params();
  const mlp = mlpProgram(program, slots.input, slots.prediction);
  const plan = modesPlan(program, slots, mlp, opts);
  function* compare(part: number, quantity: string, output: number): Task<ModeComparison> {
    const c: ModeComparison = { quantity, ...modelModes(program, output, params) };
    if (opts.measure !== false) {
      const m = yield* plan.part(part, measureModesSteps(program, output, params, opts));
      c.measured = { forward: m.forward, reverse: m.reverse, maxDifference: m.maxDifference };
    }
    return c;
  }
  const report: ModesReport = {
    jacobian: yield* compare(0, 'prediction w.r.t. parameters', slots.prediction),
    gradient: yield* compare(1, 'loss w.r.t. parameters', slots.loss),
  };
  if (mlp) report.mlp = yield* plan.part(2, analyzeMlpSteps(mlp, opts));
  else report.mlpNote = NOT_AN_MLP;
  return report;
}
