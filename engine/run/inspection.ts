/**
 * Looking inside a run without training it: step-through of one mini-batch, the gradient check
 * and the analyses. They work on the run's current weights (paused or finished: no Reset needed)
 * and its next mini-batch, or a fresh one once the run is over; the gradient check and the
 * analyses are built here as tasks (engine/task) that tasks.ts runs in time slices.
 */
import type { GraphDoc } from '../graph/document.js';
import { compileGraph, type CompiledGraph } from '../graph/compile.js';
import { weightsOf } from '../graph/weights.js';
import type { Trainable } from '../train/trainable.js';
import type { TrainingSession } from '../train/session.js';
import { StepThrough, type FedInput, type StepTarget } from '../autodiff/step-through.js';
import { gradCheckSteps } from '../autodiff/gradcheck.js';
import { analyzeGraphSteps, type GraphAnalysisOptions } from '../analysis/graph.js';
import type { Task } from '../task/task.js';
import { UserError } from '../errors/user-error.js';
import { gradCheckByNode } from './gradcheck-summary.js';
import type { ActiveRun } from './active-run.js';
import type { FromWorker, RunEvent, TraceAction } from './protocol.js';

/** Elements per tensor the editor's gradient check samples (evenly spaced), to answer in a second or two. */
const GRADCHECK_MAX_ELEMENTS = 256;
/** Largest gradient entry (per unit of loss) below which finite differences can't check a tensor. */
const GRADCHECK_MIN_SCALE = 1e-5;
const NO_TRACE = 'No step-through is active: start one first.';

/**
 * The batch step-through and the gradient check work on: the one the next step would train on
 * (a paused run), or once the run is over a fresh one, at the trained weights.
 */
function inspectionBatch(session: TrainingSession): Trainable {
  const t = session.trainer;
  return t.loadNextBatch() ?? t.loadFreshBatch();
}

/** Every input node and the slot its batch is in (a graph's only input where it lists none). */
function fedInputs(g: Trainable): FedInput[] {
  if (g.inputs) return g.inputs.map(({ node, slot }) => ({ node, slot }));
  const only = [...g.nodeSlot].find(([, slot]) => slot === g.input);
  return only ? [{ node: only[0], slot: g.input }] : [];
}

/** A float64 copy of a training session's graph, with its weights now. */
function float64Copy(session: TrainingSession, batchSize?: number): CompiledGraph {
  const c = session.compiled;
  return compileGraph(c.doc, {
    batchSize: batchSize ?? c.batchSize,
    dtype: 'float64',
    seed: session.seed,
    weights: weightsOf(c),
  });
}

/** A float64 copy of the graph with the run's weights (or the document's initial ones without a run). */
export function float64Graph(run: ActiveRun | null, doc: GraphDoc | null, batchSize?: number): CompiledGraph {
  if (run) return float64Copy(run.session, batchSize);
  if (!doc) throw new UserError('the file can’t be read as a graph: fix it first');
  return compileGraph(doc, { batchSize: batchSize ?? doc.training.batchSize, dtype: 'float64' });
}

/**
 * Copies the batch fed into `from` (every input node's rows, and the targets) into `to`, a copy of
 * the same graph: each input by its node's name, so a graph with several inputs is fed whole.
 */
export function copyBatch(from: Trainable, to: CompiledGraph): void {
  const sources = from.inputs ?? [{ node: null, slot: from.input }];
  for (const { node, slot } of sources) {
    const into = node === null ? to.input : to.inputs.find((i) => i.node === node)?.slot;
    if (into === undefined) throw new Error(`input '${node}' is not in the graph being checked`);
    to.program.value(into).data.set(from.program.value(slot).data);
  }
  if (to.target !== null && from.target !== null)
    to.program.value(to.target).data.set(from.program.value(from.target).data);
}

/**
 * What the gradient check differentiates: a float64 copy of the session's graph at its weights,
 * fed the inspection batch (every input node its own rows), in training mode.
 */
export function gradcheckGraph(session: TrainingSession): CompiledGraph {
  const batch = inspectionBatch(session);
  const g = float64Copy(session, batch.batchSize);
  copyBatch(batch, g);
  g.program.setTraining(true);
  return g;
}

/** Autodiff against central differences on the run's inspection batch, in a float64 copy of the graph. */
export function gradcheckTask(run: ActiveRun, requestId: number): Task<RunEvent> {
  const g = gradcheckGraph(run.session);
  const p = g.program;
  return (function* (): Task<RunEvent> {
    const results = yield* gradCheckSteps(p, g.loss, { maxElements: GRADCHECK_MAX_ELEMENTS });
    // Central differences carry rounding noise of about 1e-16 × (the loss's intermediate values) / ε;
    // a gradient whose entries are all below GRADCHECK_MIN_SCALE (a network that fits its batch
    // perfectly) can't be told from that noise, so it is reported as unresolved, not as wrong.
    const floor = GRADCHECK_MIN_SCALE * Math.max(1, Math.abs(p.value(g.loss).data[0]!));
    const { nodes, worst } = gradCheckByNode(results, (slot) => p.slots[slot]!.owner ?? null, floor);
    return { type: 'gradcheckResult', requestId, nodes, worst, floor };
  })();
}

/** The analyses of `compiled` as a task answering `requestId`. */
export function analysisTask(
  compiled: CompiledGraph,
  requestId: number,
  opts: Pick<GraphAnalysisOptions, 'readText' | 'readBundled' | 'weights'>,
): Task<RunEvent> {
  // As the CLI: time each mode on at most 500 directions and extrapolate (the report says so).
  const analysis = analyzeGraphSteps(compiled, { ...opts, modes: { maxDirections: 500 } });
  return (function* (): Task<RunEvent> {
    return { type: 'analysisResult', requestId, report: yield* analysis };
  })();
}

/** Step-through of one mini-batch of a run: at most one at a time, answered with traceStep. */
export class StepThroughControl {
  private stepper: StepThrough | null = null;

  constructor(private readonly emit: (event: FromWorker) => void) {}

  get active(): boolean {
    return this.stepper !== null;
  }

  /** Takes the run's inspection batch and stands before its first forward step (answer() says so). */
  begin(run: ActiveRun): void {
    this.end();
    const g = inspectionBatch(run.session);
    g.program.setTraining(true);
    this.stepper = new StepThrough(g.program, g.loss, fedInputs(g));
  }

  /** A move within the step-through (not start or end, which the session handles). */
  move(requestId: number, action: Exclude<TraceAction, 'start' | 'end'>): void {
    const st = this.stepper;
    if (!st) return this.reject(requestId, NO_TRACE);
    if (action === 'step') st.step();
    else if (action === 'back') st.back();
    else if (action === 'finish') st.seek(st.length);
    else st.restart();
    this.answer(requestId);
  }

  runTo(requestId: number, target: StepTarget): void {
    const st = this.stepper;
    if (!st) return this.reject(requestId, NO_TRACE);
    if (st.indexOf(target) < 0)
      return this.reject(requestId, `node '${target.node}' has no ${target.phase} step in this graph`);
    st.runTo(target);
    this.answer(requestId);
  }

  /** Where the step-through stands, answering `requestId`. */
  answer(requestId: number): void {
    const st = this.stepper!;
    this.emit({ type: 'traceStep', requestId, position: st.position, length: st.length, step: st.current });
  }

  /** Leaves step-through (the stepped batch stays next to train); true if one was active. */
  end(): boolean {
    if (!this.stepper) return false;
    this.stepper.end();
    this.stepper = null;
    return true;
  }

  private reject(requestId: number, reason: string): void {
    this.emit({ type: 'runRejected', requestId, reason });
  }
}
