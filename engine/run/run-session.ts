/**
 * One editor's training run, driven by messages (ToWorker) and reporting through events
 * (FromWorker): what the engine worker thread runs (extension/worker/engine-worker.ts is only the
 * thread's plumbing). Pure engine code: time and scheduling are injected, so tests drive them.
 *
 * This file routes each message and owns the run's state; the parts each do one job:
 * - phase.ts: the phase machine (pure): what a request does to idle/running/paused/finished/failed;
 * - time-slices.ts: training and tasks run in ~40 ms slices, yielding between them so that pause,
 *   step, reset and dispose get through;
 * - publisher.ts: every event sent while working, throttled;
 * - run-document.ts: the document, its dataset preview and the run compiled ahead of Play;
 * - inspection.ts: step-through, gradient check and analyses on the run's current weights;
 * - tasks.ts: the gradient check or analysis in progress, one at a time.
 *
 * A run compiles the document it was started from and keeps it until reset; a newer document
 * only marks the run stale (moving nodes doesn't). Whatever the user does while a task runs
 * cancels it first (CANCELLED_BY below), and the task answers taskCancelled saying why.
 */
import type { GraphDoc } from '../graph/document.js';
import { compileGraph, type CompiledGraph } from '../graph/compile.js';
import { applyWeights, weightsOf, type Weights } from '../graph/weights.js';
import { realClock, type Clock } from '../train/throttle.js';
import { userMessage } from '../errors/user-error.js';
import type {
  FromWorker,
  RunAction,
  RunOptions,
  RunPhase,
  RunStatus,
  ToWorker,
  TrainedWeights,
} from './protocol.js';
import { DEFAULT_RUN_OPTIONS } from './protocol.js';
import { RequestError, validateWorkerMessage } from './validate-request.js';
import { nextPhase, type PhaseEvent } from './phase.js';
import { deferOnce, timeSliced, type SliceHost } from './time-slices.js';
import { RunPublisher, type PublishedState } from './publisher.js';
import { problemOf, RunDocument, validationView, type Prepared, type ReadText } from './run-document.js';
import { activeRun, emptyTrace, type ActiveRun } from './active-run.js';
import { analysisTask, float64Graph, gradcheckTask, StepThroughControl } from './inspection.js';
import { TaskRunner } from './tasks.js';

export { trainingKey } from './run-document.js';

export interface RunSessionHost {
  /** Delivers an event to the host (postMessage in the worker). */
  emit(event: FromWorker): void;
  /** Runs `fn` soon, after messages that are waiting (setImmediate in the worker). */
  defer(fn: () => void): void;
  /** Default: the real clock. */
  clock?: Clock;
  /** Reads a CSV dataset named in the document, relative to the document's folder. */
  readText?: ReadText;
  /** Length of a training slice in ms (default 40). */
  sliceMs?: number;
  /** Most updates a second of each kind of event (default 20). */
  updatesPerSecond?: number;
}

/**
 * The cancel policy: why each message stops the gradient check or analysis in progress (null:
 * it doesn't). A new document cancels it only when what the run trains changed (setDocument), and
 * cancelTask only the task it names.
 */
const CANCELLED_BY: { [K in ToWorker['type']]: ((m: Extract<ToWorker, { type: K }>) => string) | null } = {
  run: (m) => `by ${m.action[0]!.toUpperCase()}${m.action.slice(1)}`,
  trace: () => 'by the step-through',
  traceTo: () => 'by the step-through',
  gradcheck: () => 'by a new gradient check',
  analyze: () => 'by a new analysis',
  loadWeights: () => 'by loading weights',
  document: null,
  cancelTask: null,
  runOptions: null,
  snapshotWeights: null,
  dispose: null,
};

export class RunSession {
  private readonly document: RunDocument;
  private readonly publisher: RunPublisher;
  private readonly tasks: TaskRunner;
  private readonly tracer: StepThroughControl;
  private readonly scheduleSlice: () => void;
  private readonly schedulePrepare: () => void;
  private phase: RunPhase = 'idle';
  private error: RunStatus['error'];
  private run: ActiveRun | null = null;
  private options: RunOptions = DEFAULT_RUN_OPTIONS;
  private disposed = false;

  constructor(private readonly host: RunSessionHost) {
    const clock = host.clock ?? realClock;
    const slices: SliceHost = {
      clock,
      sliceMs: host.sliceMs ?? 40,
      defer: (fn) => host.defer(fn),
      stopped: () => this.disposed,
    };
    const emit = (event: FromWorker) => this.emit(event);
    this.document = new RunDocument(host.readText);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the publisher reads the state as it is when it sends
    const session = this;
    const state: PublishedState = {
      get status() {
        return session.status;
      },
      get phase() {
        return session.phase;
      },
      get run() {
        return session.run;
      },
      get tracing() {
        return session.tracer.active;
      },
      get options() {
        return session.options;
      },
      get task() {
        return session.tasks.current;
      },
    };
    this.publisher = new RunPublisher(state, emit, clock, host.updatesPerSecond ?? 20);
    this.tasks = new TaskRunner(slices, emit, this.publisher);
    this.tracer = new StepThroughControl(emit);
    this.scheduleSlice = timeSliced(slices, {
      ready: () => this.phase === 'running' && this.run !== null,
      step: () => {
        this.trainOne();
        return this.phase === 'running';
      },
      yielded: () => this.publisher.offerProgress(),
      failed: (e) => this.fail(`training stopped by an internal error: ${userMessage(e)}`),
    });
    this.schedulePrepare = deferOnce(slices, () => this.prepareWhileIdle());
  }

  /** Handles one message from the host; anything malformed is answered with runRejected. */
  receive(raw: unknown): void {
    if (this.disposed) return;
    let requestId: number | null = null;
    try {
      const msg = validateWorkerMessage(raw);
      if ('requestId' in msg) requestId = msg.requestId;
      this.handle(msg);
    } catch (e) {
      const reason = e instanceof RequestError ? `malformed request: ${e.message}` : userMessage(e);
      this.emit({ type: 'runRejected', requestId, reason });
    }
  }

  get status(): RunStatus {
    const r = this.run;
    const t = r?.session.trainer;
    // While idle, the run that Play would start (once compiled) tells its shape.
    const next = r?.session ?? this.document.current?.session;
    const status: RunStatus = {
      phase: this.phase,
      step: t?.stepCount ?? 0,
      epoch: t?.epochCount ?? 0,
      epochs: next?.epochs ?? this.document.doc?.training.epochs ?? 0,
      batchesPerEpoch: next?.trainer.batchesPerEpoch ?? 0,
      loss: r?.loss ?? null,
      lr: r?.lr ?? null,
      stale: r?.stale ?? false,
      tracing: this.tracer.active,
    };
    if (this.error) status.error = this.error;
    if (r?.weightsFrom) status.weightsFrom = r.weightsFrom;
    return status;
  }

  dispose(): void {
    this.tasks.abandon();
    this.tracer.end();
    this.publisher.cancelRunUpdates();
    this.run = null;
    this.document.dropPrepared();
    this.disposed = true;
  }

  private handle(msg: ToWorker): void {
    const cancelledBy = CANCELLED_BY[msg.type] as ((m: ToWorker) => string) | null;
    if (cancelledBy) this.tasks.cancel(cancelledBy(msg));
    switch (msg.type) {
      case 'document':
        return this.setDocument(msg.doc, msg.baseDir);
      case 'dispose':
        return this.dispose();
      case 'loadWeights':
        return this.loadWeights(msg.requestId, msg.weights, msg.source);
      case 'snapshotWeights':
        return this.emit({ type: 'weightsSnapshot', requestId: msg.requestId, trained: this.trainedWeights() });
      case 'run':
        return this.action(msg.action);
      case 'runOptions':
        this.options = msg.options;
        if (this.run && this.phase !== 'running') this.publisher.offerViews(true);
        else if (!this.run) this.sendIdlePrediction();
        return;
      case 'trace':
        if (msg.action === 'start') return this.traceStart(msg.requestId);
        if (msg.action === 'end') {
          if (this.tracer.end()) this.publisher.progressNow();
          return;
        }
        return this.tracer.move(msg.requestId, msg.action);
      case 'traceTo':
        return this.tracer.runTo(msg.requestId, msg.target);
      case 'gradcheck':
        return this.gradcheck(msg.requestId);
      case 'analyze':
        return this.analyze(msg.requestId);
      case 'cancelTask':
        if (this.tasks.current?.requestId === msg.requestId) this.tasks.cancel();
        return;
    }
  }

  private setDocument(doc: GraphDoc | null, baseDir: string | null): void {
    const { first, changed } = this.document.set(doc, baseDir);
    if (changed) this.tasks.cancel('because the graph changed');
    if (this.run) {
      if (!this.run.stale && this.document.key !== this.run.key) {
        this.run.stale = true;
        this.publisher.progressNow();
      }
      return;
    }
    if (changed && this.transition('documentChanged')) {
      // The failure was the old document's (it could not be trained): the new one may be fine.
      this.error = undefined;
      this.publisher.progressNow();
    } else if (first) this.publisher.progressNow();
    this.sendPreview();
    this.schedulePrepare();
  }

  /**
   * Applies the phase machine's answer to `event` without announcing it: true when the phase
   * moved; a refusal is answered to `requestId`; a new run that can't be started fails the move.
   */
  private transition(event: PhaseEvent, requestId: number | null = null, cantStart?: string): boolean {
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

  private action(action: RunAction): void {
    if (action !== 'pause') this.tracer.end();
    const moved = this.transition(action);
    switch (action) {
      case 'play':
        if (!moved) return;
        this.announcePhase();
        return this.scheduleSlice();
      case 'pause':
        return moved ? this.announcePhase() : this.publisher.progressNow();
      case 'step':
        if (!moved) return;
        this.trainOne();
        if (this.phase === 'paused') this.announcePhase();
        return;
      case 'reset':
        this.publisher.cancelRunUpdates();
        this.run = null;
        this.error = undefined;
        this.emit({ type: 'runMetrics', from: 0, history: [], trace: emptyTrace() });
        this.emit({ type: 'runStatus', status: this.status });
        this.document.forgetPreview();
        this.sendPreview();
        this.schedulePrepare();
        return;
    }
  }

  /**
   * A new run from the newest document (phase unchanged), from the one prepared while idle when
   * it is still current; false (and failed, saying why) if the document can't be trained.
   */
  private startRun(): boolean {
    this.run = null;
    this.error = undefined;
    const doc = this.document.doc;
    if (!doc) {
      this.fail(
        'The file can’t be read as a graph: fix the errors shown in the editor, then press Play again.',
      );
      return false;
    }
    const built = this.document.take(doc);
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
    this.emit({ type: 'runMetrics', from: 0, history: [], trace: emptyTrace() });
    const { dataset, seed } = built.session;
    const split = doc.training.validationSplit ?? 0;
    this.emit({ type: 'runDataset', dataset: validationView(dataset, split, seed) });
    this.document.forgetPreview();
  }

  /**
   * A new run, paused before its first step, from a weights file's parameters: the analyses, the
   * prediction and the step-through then show the network those weights make, and Play trains on
   * from them. Weights that don't fit the graph are refused and the current run is left as it was.
   */
  private loadWeights(requestId: number, weights: Weights, source: string): void {
    const answer = (error: string | null) => this.emit({ type: 'weightsLoaded', requestId, error });
    const doc = this.document.doc;
    if (!doc) return answer('the file can’t be read as a graph: fix it first, then load the weights');
    const built = this.document.prepare(doc, weights);
    if ('problem' in built) return answer(`${source} doesn’t fit this graph: ${built.problem.message}`);
    this.tracer.end();
    this.publisher.cancelRunUpdates();
    this.document.dropPrepared();
    this.error = undefined;
    this.installRun(built, doc, source);
    this.transition('weightsLoaded');
    this.announcePhase();
    answer(null);
  }

  /** While idle, soon after the document changes: compile it ahead of Play, show what it predicts. */
  private prepareWhileIdle(): void {
    if (this.run || this.disposed || !this.document.prepareAhead()) return;
    if (this.phase === 'idle') this.publisher.progressNow();
    this.sendIdlePrediction();
  }

  private sendIdlePrediction(): void {
    const prepared = this.document.latest;
    if (!this.run && prepared) this.publisher.idlePrediction(prepared.predictor);
  }

  /** While no run holds the data: the document's dataset, when its configuration changed. */
  private sendPreview(): void {
    const preview = this.document.preview();
    if (preview) this.emit({ type: 'runDataset', ...preview });
  }

  private fail(message: string, node?: string): void {
    this.error = node === undefined ? { message } : { message, node };
    this.transition('failed');
    this.announcePhase();
  }

  /** Status now, and the views once the run stands still. */
  private announcePhase(): void {
    this.publisher.progressNow();
    if (this.phase !== 'running') this.publisher.offerViews(true);
  }

  /** One optimisation step; moves to finished or failed when the trainer says so. */
  private trainOne(): void {
    const run = this.run!;
    const o = run.session.trainer.trainStep();
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

  private traceStart(requestId: number): void {
    this.tracer.end();
    const moved = this.transition('trace', requestId, 'the graph cannot be run');
    if (moved) this.announcePhase();
    else if (this.phase === 'idle' || this.phase === 'failed') return;
    this.tracer.begin(this.run!);
    this.publisher.progressNow();
    this.tracer.answer(requestId);
  }

  private gradcheck(requestId: number): void {
    const moved = this.transition('gradcheck', requestId, 'cannot run');
    if (moved) this.announcePhase();
    else if (!this.run || this.phase === 'failed') return;
    this.tasks.start(requestId, 'gradcheck', gradcheckTask(this.run!, requestId));
  }

  private analyze(requestId: number): void {
    let compiled: CompiledGraph;
    try {
      compiled = float64Graph(this.run, this.document.doc);
    } catch (e) {
      return this.reject(requestId, problemOf(e).message);
    }
    // The analyses describe the weights the run has now: it waits for them.
    if (this.transition('analyze')) this.announcePhase();
    const { step, epoch } = this.status;
    const weightsFrom = this.run?.weightsFrom;
    const task = analysisTask(compiled, requestId, {
      readText: this.document.reader(),
      weights:
        this.run && step > 0
          ? { kind: 'trained', step, epoch }
          : weightsFrom
            ? { kind: 'file', file: weightsFrom }
            : { kind: 'initial' },
    });
    this.tasks.start(requestId, 'analyze', task);
  }

  /** The run's weights now (between slices, so never half an optimiser step); null before a step. */
  private trainedWeights(): TrainedWeights | null {
    const run = this.run;
    if (!run || run.session.trainer.stepCount === 0) return null;
    const { step, epoch, stale } = this.status;
    const weights = weightsOf(run.session.compiled);
    return { weights, step, epoch, misfit: stale ? this.misfit(weights) : null };
  }

  /** Why `weights` can't be used with the document as it is now (null when they can). */
  private misfit(weights: Weights): string | null {
    const doc = this.document.doc;
    if (!doc) return 'the file can’t be read as a graph now: fix it first';
    try {
      applyWeights(compileGraph(doc, { batchSize: 1 }), weights);
      return null;
    } catch (e) {
      return problemOf(e).message;
    }
  }

  private emit(event: FromWorker): void {
    if (!this.disposed) this.host.emit(event);
  }

  private reject(requestId: number | null, reason: string): void {
    this.emit({ type: 'runRejected', requestId, reason });
  }
}
