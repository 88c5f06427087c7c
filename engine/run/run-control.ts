/**
 * The run itself: its phase (through the pure phase machine, phase.ts), the active run it trains
 * in time slices, and what starts, steps, resets, fails and finishes it. The session
 * (run-session.ts) routes messages here; what is sent while training goes through publisher.ts.
 */
import type { GraphDoc } from '../graph/document.js';
import { weightsOf, type Weights } from '../graph/weights.js';
import { userMessage } from '../errors/user-error.js';
import { NodeDataError } from '../autodiff/program.js';
import type { StepOutcome } from '../train/trainer.js';
import type { FromWorker, RunAction, RunPhase, RunStatus, TrainedWeights } from './protocol.js';
import { nextPhase, type PhaseEvent } from './phase.js';
import { timeSliced, type SliceHost } from './time-slices.js';
import type { RunPublisher } from './publisher.js';
import { validationView, type Prepared, type RunDocument } from './run-document.js';
import { activeRun, emptyTrace, type ActiveRun } from './active-run.js';
import type { StepThroughControl } from './inspection.js';

export interface RunControlParts {
  document: RunDocument;
  publisher: RunPublisher;
  tracer: StepThroughControl;
  slices: SliceHost;
  emit(event: FromWorker): void;
  /** Back to idle after a reset: show the document's dataset and compile it ahead of Play. */
  idle(): void;
}

export class RunControl {
  phase: RunPhase = 'idle';
  run: ActiveRun | null = null;
  private error: RunStatus['error'];
  private readonly scheduleSlice: () => void;

  constructor(private readonly parts: RunControlParts) {
    this.scheduleSlice = timeSliced(parts.slices, {
      ready: () => this.phase === 'running' && this.run !== null,
      step: () => {
        this.trainOne();
        return this.phase === 'running';
      },
      yielded: () => parts.publisher.offerProgress(),
      failed: (e) => this.stepFailed(e),
    });
  }

  get status(): RunStatus {
    const r = this.run;
    const t = r?.session.trainer;
    // While idle, the run that Play would start (once compiled) tells its shape.
    const next = r?.session ?? this.parts.document.current?.session;
    const status: RunStatus = {
      phase: this.phase,
      step: t?.stepCount ?? 0,
      epoch: t?.epochCount ?? 0,
      epochs: next?.epochs ?? this.parts.document.doc?.training.epochs ?? 0,
      batchesPerEpoch: next?.trainer.batchesPerEpoch ?? 0,
      loss: r?.loss ?? null,
      lr: r?.lr ?? null,
      stale: r?.stale ?? false,
      tracing: this.parts.tracer.active,
    };
    if (this.error) status.error = this.error;
    if (r?.weightsFrom) status.weightsFrom = r.weightsFrom;
    return status;
  }

  /**
   * Applies the phase machine's answer to `event` without announcing it: true when the phase
   * moved. A refusal is answered to `requestId`; a new run that can't be started fails the move
   * (and, with `cantStart`, answers `requestId` with why).
   */
  transition(event: PhaseEvent, requestId: number | null = null, cantStart?: string): boolean {
    const outcome = nextPhase({ phase: this.phase, hasRun: this.run !== null }, event);
    if (outcome.kind === 'unchanged') return false;
    if (outcome.kind === 'refused') {
      this.reject(requestId, outcome.reason);
      return false;
    }
    if (outcome.newRun && !this.startRun()) {
      if (cantStart !== undefined) this.reject(requestId, this.error?.message ?? cantStart);
      return false;
    }
    this.phase = outcome.phase;
    return true;
  }

  /** Status now, and the views once the run stands still. */
  announcePhase(): void {
    this.parts.publisher.progressNow();
    if (this.phase !== 'running') this.parts.publisher.offerViews(true);
  }

  action(action: RunAction): void {
    const { publisher, tracer } = this.parts;
    if (action !== 'pause') tracer.end();
    const moved = this.transition(action);
    switch (action) {
      case 'play':
        if (!moved) return;
        this.announcePhase();
        return this.scheduleSlice();
      case 'pause':
        return moved ? this.announcePhase() : publisher.progressNow();
      case 'step':
        if (!moved) return;
        this.trainOne();
        if (this.phase === 'paused') this.announcePhase();
        return;
      case 'reset':
        publisher.cancelRunUpdates();
        this.run = null;
        this.error = undefined;
        this.parts.emit({ type: 'runMetrics', from: 0, history: [], trace: emptyTrace() });
        this.parts.emit({ type: 'runStatus', status: this.status });
        this.parts.document.forgetPreview();
        return this.parts.idle();
    }
  }

  /** The document changed while no run holds it: a failure to compile the old one is forgotten. */
  documentChanged(): void {
    if (!this.transition('documentChanged')) return;
    this.error = undefined;
    this.parts.publisher.progressNow();
  }

  /**
   * A new run, paused before its first step, from a weights file's parameters: the analyses, the
   * prediction and the step-through then show the network those weights make, and Play trains on
   * from them. Weights that don't fit the graph are refused and the current run is left as it was.
   */
  loadWeights(requestId: number, weights: Weights, source: string): void {
    const { document, tracer, publisher } = this.parts;
    const answer = (error: string | null) => this.parts.emit({ type: 'weightsLoaded', requestId, error });
    const doc = document.doc;
    if (!doc) return answer('the file can’t be read as a graph: fix it first, then load the weights');
    const built = document.prepare(doc, weights);
    if ('problem' in built) return answer(`${source} doesn’t fit this graph: ${built.problem.message}`);
    tracer.end();
    publisher.cancelRunUpdates();
    document.dropPrepared();
    this.error = undefined;
    this.installRun(built, doc, source);
    this.transition('weightsLoaded');
    this.announcePhase();
    answer(null);
  }

  /** The run's weights now (between slices, so never half an optimiser step); null before a step. */
  trainedWeights(): TrainedWeights | null {
    const run = this.run;
    if (!run || run.session.trainer.stepCount === 0) return null;
    const { step, epoch, stale } = this.status;
    const weights = weightsOf(run.session.compiled);
    return { weights, step, epoch, misfit: stale ? this.parts.document.misfit(weights) : null };
  }

  /**
   * A new run from the newest document (phase unchanged), from the one prepared while idle when
   * it is still current; false (and failed, saying why) if the document can't be trained.
   */
  private startRun(): boolean {
    this.run = null;
    this.error = undefined;
    const doc = this.parts.document.doc;
    if (!doc) {
      this.fail(
        'The file can’t be read as a graph: fix the errors shown in the editor, then press Play again.',
      );
      return false;
    }
    const built = this.parts.document.take(doc);
    if ('problem' in built) {
      this.fail(built.problem.message, built.problem.node);
      return false;
    }
    this.installRun(built, doc, null);
    return true;
  }

  /** Makes `built` the run (weights from `weightsFrom`, or the initialisers when null). */
  private installRun(built: Prepared, doc: GraphDoc, weightsFrom: string | null): void {
    this.run = activeRun(built, weightsFrom);
    this.parts.emit({ type: 'runMetrics', from: 0, history: [], trace: emptyTrace() });
    const { dataset, seed } = built.session;
    const split = doc.training.validationSplit ?? 0;
    this.parts.emit({ type: 'runDataset', dataset: validationView(dataset, split, seed) });
    this.parts.document.forgetPreview();
  }

  private fail(message: string, node?: string): void {
    this.error = node === undefined ? { message } : { message, node };
    this.transition('failed');
    this.announcePhase();
  }

  /**
   * A step that threw. Data a node refused (NodeDataError: an index beyond a table, a batch too
   * small for batch_norm) is the user's own problem, said in its words and pinned on its node;
   * anything else is a fault of ours.
   */
  private stepFailed(e: unknown): void {
    if (e instanceof NodeDataError) return this.fail(e.message, e.node);
    this.fail(`training stopped by an internal error: ${userMessage(e)}`);
  }

  /** One optimisation step; moves to finished or failed when the trainer says so (or throws). */
  private trainOne(): void {
    const run = this.run!;
    let o: StepOutcome;
    try {
      o = run.session.trainer.trainStep();
    } catch (e) {
      // Step trains here, outside the time slices: it fails the run as Play does.
      return this.stepFailed(e);
    }
    switch (o.kind) {
      case 'trained':
        run.unsent.push(o.step.step, o.step.loss);
        run.loss = o.step.loss;
        run.lr = o.step.lr;
        if (!o.finished) return;
        this.transition('finished');
        return this.announcePhase();
      case 'diverged':
        return this.fail(o.divergence.message, o.divergence.node.split('.')[0]);
      case 'finished':
        this.transition('finished');
        return this.announcePhase();
    }
  }

  private reject(requestId: number | null, reason: string): void {
    this.parts.emit({ type: 'runRejected', requestId, reason });
  }

  dispose(): void {
    this.parts.publisher.cancelRunUpdates();
    this.run = null;
  }
}
