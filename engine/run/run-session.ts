/**
 * One editor's training run, driven by messages (ToWorker) and reporting through events
 * (FromWorker): what the engine worker thread runs (extension/worker/engine-worker.ts is only the
 * thread's plumbing). Pure engine code: time and scheduling are injected, so tests drive them.
 *
 * Training is time-sliced: a slice trains steps for ~40 ms, then yields through the injected
 * `defer` (setImmediate in the worker) so that pause, step, reset and dispose get through
 * between slices. What the webview sees is throttled: status and curves at ~20 updates a second
 * and always at once on a phase change; the overlay's node statistics and the prediction view
 * only when RunOptions ask for them, at most as often and (the prediction costs a forward pass
 * over a grid) within a small share of the time.
 *
 * A run compiles the document it was started from and keeps it until reset; a newer document
 * only marks the run stale (moving nodes doesn't). Step-through, gradient check and the analyses
 * work on the run's current weights (paused or finished: no Reset needed) and its next
 * mini-batch, or a fresh one once the run is over.
 *
 * The gradient check and the analyses are tasks (engine/task), driven in time slices like
 * training, with throttled taskProgress events; one runs at a time, and only while the run is not
 * training (asking for one pauses a running run). Whatever else the user does first cancels the
 * task, which answers taskCancelled saying why, and then acts: cancelTask; Play, Step, Reset and
 * Pause; any step-through request; loading weights; a change to what the run trains (moving nodes
 * is not one); a new gradient check or analysis (which replaces it).
 */
import type { DatasetConfig, GraphDoc } from '../graph/document.js';
import { sizeOf } from '../tensor/tensor.js';
import { compileGraph, GraphError, type CompiledGraph } from '../graph/compile.js';
import { applyWeights, readWeights, weightsOf, type Weights } from '../graph/weights.js';
import { prepareTraining, type TrainingSession } from '../train/session.js';
import type { Trainable } from '../train/trainable.js';
import { realClock, throttle, type Clock, type Throttle } from '../train/throttle.js';
import { datasetSignature, loadDataset, type LoadOptions } from '../data/load.js';
import type { ReadBundled } from '../data/mnist.js';
import { sampleCount, splitOrder, type Dataset } from '../data/dataset.js';
import { StepThrough } from '../autodiff/step-through.js';
import { gradCheckSteps } from '../autodiff/gradcheck.js';
import { gradCheckByNode } from './gradcheck-summary.js';
import { analyzeGraphSteps } from '../analysis/graph.js';
import { abandon, type Task, type TaskProgress } from '../task/task.js';
import {
  DEFAULT_RUN_OPTIONS,
  type DatasetView,
  type FromWorker,
  type LossTrace,
  type PredictionView,
  type RunEvent,
  type RunOptions,
  type RunAction,
  type RunPhase,
  type TraceAction,
  type RunStatus,
  type TaskKind,
  type ToWorker,
  type TrainedWeights,
} from './protocol.js';
import { RequestError, validateRunRequest } from './validate-request.js';
import { UserError, userMessage } from '../errors/user-error.js';
import { createPredictor, datasetView, type Predictor } from './prediction.js';

export interface RunSessionHost {
  /** Delivers an event to the host (postMessage in the worker). */
  emit(event: FromWorker): void;
  /** Runs `fn` soon, after messages that are waiting (setImmediate in the worker). */
  defer(fn: () => void): void;
  /** Default: the real clock. */
  clock?: Clock;
  /** Reads a CSV dataset named in the document, relative to the document's folder. */
  readText?: (path: string, baseDir: string | null) => string;
  /** Reads a data file that ships with Backprop Studio (MNIST), un-gzipped. */
  readBundled?: ReadBundled;
  /** Length of a training slice in ms (default 40). */
  sliceMs?: number;
  /** Most updates a second of each kind of event (default 20). */
  updatesPerSecond?: number;
}

/** Share of the time the prediction view may take (it is a forward pass over a whole grid). */
const PREDICTION_COST_SHARE = 0.08;
const NO_TRACE = 'No step-through is active: start one first.';
/** Elements per tensor the editor's gradient check samples (evenly spaced), to answer in a second or two. */
const GRADCHECK_MAX_ELEMENTS = 256;
/** Largest gradient entry (per unit of loss) below which finite differences can't check a tensor. */
const GRADCHECK_MIN_SCALE = 1e-5;

/** What each task is called in the messages that say it was cancelled. */
const TASK_TITLE: Readonly<Record<TaskKind, string>> = { gradcheck: 'Gradient check', analyze: 'Analysis' };

/** The gradient check or analysis in progress: its steps return the event that answers it. */
interface RunningTask {
  requestId: number;
  kind: TaskKind;
  steps: Task<RunEvent>;
  progress: TaskProgress | null;
}

interface Prepared {
  key: string;
  session: TrainingSession;
  predictor: Predictor;
}

interface ActiveRun {
  session: TrainingSession;
  /** The document's training-relevant content when the run started (positions left out). */
  key: string;
  stale: boolean;
  predictor: Predictor;
  /** Epochs of the trainer's history already sent. */
  sentEpochs: number;
  trace: LossTraceBuffer;
  loss: number | null;
  lr: number | null;
  /** The weights file the run started from (null: the document's initialisers). */
  weightsFrom: string | null;
}

export class RunSession {
  private readonly clock: Clock;
  private readonly sliceMs: number;
  private doc: GraphDoc | null = null;
  private docKey = '';
  private baseDir: string | null = null;
  /** The dataset configuration last sent as the (idle) dataset preview. */
  private previewKey: string | null = null;
  private phase: RunPhase = 'idle';
  private error: RunStatus['error'];
  private run: ActiveRun | null = null;
  private stepper: StepThrough | null = null;
  private options: RunOptions = DEFAULT_RUN_OPTIONS;
  private hasDocument = false;
  private task: RunningTask | null = null;
  /** Each queues its work through `host.defer`, once: asking again while it is queued does nothing. */
  private readonly scheduleSlice: () => void;
  private readonly scheduleTaskSlice: () => void;
  private readonly schedulePrepare: () => void;
  /** The newest document compiled while idle, for the next run. */
  private prepared: Prepared | null = null;
  private disposed = false;
  private readonly progress: Throttle<null>;
  private readonly overlay: Throttle<null>;
  private readonly prediction: Throttle<null>;
  private readonly taskProgress: Throttle<null>;

  constructor(private readonly host: RunSessionHost) {
    this.clock = host.clock ?? realClock;
    this.sliceMs = host.sliceMs ?? 40;
    const perSecond = host.updatesPerSecond ?? 20;
    this.progress = throttle(() => this.sendProgress(), perSecond, this.clock);
    this.overlay = throttle(() => this.sendStats(), perSecond, this.clock);
    this.prediction = throttle(() => this.sendPrediction(), perSecond, this.clock, {
      costShare: PREDICTION_COST_SHARE,
    });
    this.taskProgress = throttle(() => this.sendTaskProgress(), perSecond, this.clock);
    this.scheduleSlice = this.deferOnce(() => this.slice());
    this.scheduleTaskSlice = this.deferOnce(() => this.taskSlice());
    this.schedulePrepare = this.deferOnce(() => this.prepareWhileIdle());
  }

  /** `fn` run soon through `host.defer`, queued at most once at a time, never after dispose. */
  private deferOnce(fn: () => void): () => void {
    let queued = false;
    return () => {
      if (queued || this.disposed) return;
      queued = true;
      this.host.defer(() => {
        queued = false;
        fn();
      });
    };
  }

  /** Stops the throttled updates that are waiting (status, overlay, prediction). */
  private cancelUpdates(): void {
    this.progress.cancel();
    this.overlay.cancel();
    this.prediction.cancel();
  }

  /** Handles one message from the host; anything malformed is answered with runRejected. */
  receive(raw: unknown): void {
    if (this.disposed) return;
    let requestId: number | null = null;
    try {
      const msg = checkMessage(raw);
      if ('requestId' in msg) requestId = msg.requestId;
      this.handle(msg);
    } catch (e) {
      const reason = e instanceof RequestError ? `malformed request: ${e.message}` : describe(e);
      this.emit({ type: 'runRejected', requestId, reason });
    }
  }

  get status(): RunStatus {
    const r = this.run;
    const t = r?.session.trainer;
    // While idle, the run that Play would start (once compiled) tells its shape.
    const next = r?.session ?? (this.prepared?.key === this.docKey ? this.prepared.session : null);
    const status: RunStatus = {
      phase: this.phase,
      step: t?.stepCount ?? 0,
      epoch: t?.epochCount ?? 0,
      epochs: next?.epochs ?? this.doc?.training.epochs ?? 0,
      batchesPerEpoch: next?.trainer.batchesPerEpoch ?? 0,
      loss: r?.loss ?? null,
      lr: r?.lr ?? null,
      stale: r?.stale ?? false,
      tracing: this.stepper !== null,
    };
    if (this.error) status.error = this.error;
    if (r?.weightsFrom) status.weightsFrom = r.weightsFrom;
    return status;
  }

  dispose(): void {
    const task = this.endTask();
    if (task) abandon(task.steps);
    this.endTrace();
    this.cancelUpdates();
    this.run = null;
    this.prepared = null;
    this.disposed = true;
  }

  private handle(msg: ToWorker): void {
    switch (msg.type) {
      case 'document':
        return this.setDocument(msg.doc, msg.baseDir);
      case 'dispose':
        return this.dispose();
      case 'loadWeights':
        this.cancelTask('by loading weights');
        return this.loadWeights(msg.requestId, msg.weights, msg.source);
      case 'snapshotWeights':
        return this.emit({
          type: 'weightsSnapshot',
          requestId: msg.requestId,
          trained: this.trainedWeights(),
        });
      case 'run':
        this.cancelTask(`by ${msg.action[0]!.toUpperCase()}${msg.action.slice(1)}`);
        return this.action(msg.action);
      case 'runOptions':
        this.options = msg.options;
        if (this.run && this.phase !== 'running') this.pushViews(true);
        else if (!this.run) this.sendIdlePrediction();
        return;
      case 'trace':
        this.cancelTask('by the step-through');
        return this.traceAction(msg.requestId, msg.action);
      case 'traceTo': {
        this.cancelTask('by the step-through');
        const st = this.stepper;
        if (!st) return this.reject(msg.requestId, NO_TRACE);
        if (st.indexOf(msg.target) < 0)
          return this.reject(
            msg.requestId,
            `node '${msg.target.node}' has no ${msg.target.phase} step in this graph`,
          );
        st.runTo(msg.target);
        return this.emitTraceStep(msg.requestId);
      }
      case 'gradcheck':
        this.cancelTask('by a new gradient check');
        return this.gradcheck(msg.requestId);
      case 'analyze':
        this.cancelTask('by a new analysis');
        return this.analyze(msg.requestId);
      case 'cancelTask':
        if (this.task?.requestId === msg.requestId) this.cancelTask();
        return;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the document

  private setDocument(doc: GraphDoc | null, baseDir: string | null): void {
    const first = !this.hasDocument;
    const key = doc ? trainingKey(doc) : '';
    const changed = first || key !== this.docKey;
    if (changed) this.cancelTask('because the graph changed');
    this.hasDocument = true;
    this.doc = doc;
    this.baseDir = baseDir;
    this.docKey = key;
    if (this.run) {
      if (!this.run.stale && key !== this.run.key) {
        this.run.stale = true;
        this.sendProgressNow();
      }
      return;
    }
    if (this.phase === 'failed' && changed) {
      // The failure was the old document's (it could not be trained): the new one may be fine.
      this.phase = 'idle';
      this.error = undefined;
      this.sendProgressNow();
    } else if (first) this.sendProgressNow();
    this.sendPreview();
    this.schedulePrepare();
  }

  /** While no run holds the data: the document's dataset, when its configuration changed. */
  private sendPreview(): void {
    const config = this.doc?.training;
    const key = config ? JSON.stringify([config.dataset, config.validationSplit, config.seed]) : null;
    if (key === this.previewKey) return;
    this.previewKey = key;
    let view: DatasetView | null = null;
    // Only data the view can draw (one or two features) is loaded for it: an image set (MNIST) is
    // left for the run to load, away from the moment the graph opens.
    if (config && previewable(config.dataset))
      try {
        const data = loadDataset(config.dataset, this.dataAccess());
        view = viewOf(data, config.validationSplit ?? 0, config.seed ?? 0);
      } catch {
        // A dataset that can't be loaded is reported when the run starts; no preview meanwhile.
      }
    this.emit({ type: 'runDataset', dataset: view });
  }

  /** How the document's dataset is read: a CSV beside the document, the shipped MNIST files. */
  private dataAccess(): LoadOptions {
    const read = this.host.readText;
    const dir = this.baseDir;
    return { readText: read ? (path) => read(path, dir) : undefined, readBundled: this.host.readBundled };
  }

  // ---------------------------------------------------------------------------------------------
  // play / pause / step / reset

  private action(action: RunAction): void {
    if (action !== 'pause') this.endTrace();
    switch (action) {
      case 'play':
        if (this.phase === 'running') return;
        if (this.phase === 'finished')
          return this.reject(null, 'The run is finished: press Reset to train again.');
        if ((this.phase === 'idle' || this.phase === 'failed') && !this.startRun()) return;
        this.setPhase('running');
        this.scheduleSlice();
        return;
      case 'pause':
        if (this.phase === 'running') this.setPhase('paused');
        else this.sendProgressNow();
        return;
      case 'step':
        if (this.phase === 'finished')
          return this.reject(null, 'The run is finished: press Reset to train again.');
        if ((this.phase === 'idle' || this.phase === 'failed') && !this.startRun()) return;
        this.phase = 'paused';
        this.trainOne();
        if (this.phase === 'paused') this.setPhase('paused');
        return;
      case 'reset':
        this.cancelUpdates();
        this.run = null;
        this.error = undefined;
        this.phase = 'idle';
        this.emit({ type: 'runMetrics', from: 0, history: [], trace: emptyTrace() });
        this.emit({ type: 'runStatus', status: this.status });
        this.previewKey = null;
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
    const doc = this.doc;
    if (!doc) {
      this.fail(
        'The file can’t be read as a graph: fix the errors shown in the editor, then press Play again.',
      );
      return false;
    }
    const built = this.prepared?.key === this.docKey ? this.prepared : this.prepare(doc);
    this.prepared = null;
    if ('problem' in built) {
      this.fail(built.problem.message, built.problem.node);
      return false;
    }
    this.installRun(built, doc, null);
    return true;
  }

  /** Makes `built` the run (weights from `weightsFrom`, or the initialisers when null). */
  private installRun(built: Prepared, doc: GraphDoc, weightsFrom: string | null): void {
    const { session, predictor } = built;
    this.run = {
      session,
      key: built.key,
      stale: false,
      predictor,
      sentEpochs: 0,
      trace: new LossTraceBuffer(),
      loss: null,
      lr: null,
      weightsFrom,
    };
    this.emit({ type: 'runMetrics', from: 0, history: [], trace: emptyTrace() });
    const t = doc.training;
    this.emit({ type: 'runDataset', dataset: viewOf(session.dataset, t.validationSplit ?? 0, session.seed) });
    this.previewKey = null;
  }

  /**
   * A new run, paused before its first step, from a weights file's parameters: the analyses, the
   * prediction and the step-through then show the network those weights make, and Play trains on
   * from them. Weights that don't fit the graph are refused and the current run is left as it was.
   */
  private loadWeights(requestId: number, weights: Weights, source: string): void {
    const answer = (error: string | null) => this.emit({ type: 'weightsLoaded', requestId, error });
    const doc = this.doc;
    if (!doc) return answer('the file can’t be read as a graph: fix it first, then load the weights');
    const built = this.prepare(doc, weights);
    if ('problem' in built) return answer(`${source} doesn’t fit this graph: ${built.problem.message}`);
    this.endTrace();
    this.cancelUpdates();
    this.prepared = null;
    this.error = undefined;
    this.installRun(built, doc, source);
    this.setPhase('paused');
    answer(null);
  }

  /** The document compiled and its data loaded, ready to train (or why it can't be). */
  private prepare(
    doc: GraphDoc,
    weights?: Weights,
  ): Prepared | { key: string; problem: { message: string; node?: string } } {
    const key = trainingKey(doc);
    let session: TrainingSession;
    try {
      session = prepareTraining(doc, { ...this.dataAccess(), weights });
    } catch (e) {
      return { key, problem: problemOf(e) };
    }
    let predictor: Predictor;
    try {
      predictor = createPredictor(session.compiled, session.dataset);
    } catch (e) {
      predictor = { predict: () => ({ kind: 'none', reason: describe(e) }) };
    }
    return { key, session, predictor };
  }

  /**
   * While idle, soon after the document changes: compile it ahead of Play (which then starts at
   * once) and show what the untrained network predicts.
   */
  private prepareWhileIdle(): void {
    const doc = this.doc;
    if (this.run || this.disposed || !doc || this.prepared?.key === this.docKey) return;
    const built = this.prepare(doc);
    // A document that can't be trained says so when Play is pressed, not while being edited.
    this.prepared = 'problem' in built ? null : built;
    if (!this.prepared) return;
    if (this.phase === 'idle') this.sendProgressNow();
    this.sendIdlePrediction();
  }

  private sendIdlePrediction(): void {
    if (this.run || !this.prepared || !this.options.prediction) return;
    this.emit({ type: 'runPrediction', step: 0, view: this.predict(this.prepared.predictor) });
  }

  private fail(message: string, node?: string): void {
    this.error = node === undefined ? { message } : { message, node };
    this.setPhase('failed');
  }

  private setPhase(phase: RunPhase): void {
    this.phase = phase;
    this.sendProgressNow();
    if (phase !== 'running') this.pushViews(true);
  }

  /** Trains for one time slice, then offers the throttled updates and yields. */
  private slice(): void {
    if (this.phase !== 'running' || !this.run || this.disposed) return;
    try {
      const end = this.clock.now() + this.sliceMs;
      do this.trainOne();
      while (this.phase === 'running' && this.clock.now() < end);
    } catch (e) {
      this.fail(`training stopped by an internal error: ${describe(e)}`);
      return;
    }
    if (this.phase !== 'running') return;
    this.progress.push(null);
    this.pushViews(false);
    this.scheduleSlice();
  }

  /** One optimisation step; moves to finished or failed when the trainer says so. */
  private trainOne(): void {
    const run = this.run!;
    const o = run.session.trainer.trainStep();
    switch (o.kind) {
      case 'trained':
        run.trace.push(o.step.step, o.step.loss);
        run.loss = o.step.loss;
        run.lr = o.step.lr;
        if (o.finished) this.setPhase('finished');
        return;
      case 'diverged':
        return this.fail(o.divergence.message, o.divergence.node.split('.')[0]);
      case 'finished':
        return this.setPhase('finished');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // events

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
    if (!this.doc) return 'the file can’t be read as a graph now: fix it first';
    try {
      applyWeights(compileGraph(this.doc, { batchSize: 1 }), weights);
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

  private sendProgressNow(): void {
    this.progress.cancel();
    this.sendProgress();
  }

  /** Status, then the curves' news: epochs completed and batch losses since the last message. */
  private sendProgress(): void {
    this.emit({ type: 'runStatus', status: this.status });
    const run = this.run;
    if (!run) return;
    const history = run.session.trainer.history;
    if (history.length === run.sentEpochs && run.trace.length === 0) return;
    const from = run.sentEpochs;
    run.sentEpochs = history.length;
    this.emit({ type: 'runMetrics', from, history: history.slice(from), trace: run.trace.take() });
  }

  /** Offers the overlay and the prediction (at once when `now`, e.g. on a phase change). */
  private pushViews(now: boolean): void {
    if (!this.run || this.stepper) return;
    for (const [wanted, t] of [
      [this.options.overlay, this.overlay],
      [this.options.prediction && this.phase !== 'failed', this.prediction],
    ] as const) {
      if (!wanted) continue;
      t.push(null);
      if (now) t.flush();
    }
  }

  private sendStats(): void {
    const run = this.run;
    // Mid step-through the buffers hold the stepped batch, not a training step.
    if (!run || this.stepper || !this.options.overlay || run.session.trainer.stepCount === 0) return;
    const t = run.session.trainer;
    this.emit({ type: 'runStats', step: t.stepCount, nodes: t.stats() });
  }

  private sendPrediction(): void {
    const run = this.run;
    if (!run || !this.options.prediction) return;
    const view = this.predict(run.predictor);
    this.emit({ type: 'runPrediction', step: run.session.trainer.stepCount, view });
  }

  /** The prediction view; a picture that can't be computed says why instead of stopping anything. */
  private predict(predictor: Predictor): PredictionView {
    try {
      return predictor.predict({ hiddenUnits: this.options.hiddenUnits });
    } catch (e) {
      return { kind: 'none', reason: `the prediction could not be computed: ${describe(e)}` };
    }
  }

  // ---------------------------------------------------------------------------------------------
  // step-through

  private traceAction(requestId: number, action: TraceAction): void {
    if (action === 'start') return this.traceStart(requestId);
    if (action === 'end') {
      if (this.endTrace()) this.sendProgressNow();
      return;
    }
    const st = this.stepper;
    if (!st) return this.reject(requestId, NO_TRACE);
    if (action === 'step') st.step();
    else if (action === 'back') st.back();
    else if (action === 'finish') st.seek(st.length);
    else st.restart();
    this.emitTraceStep(requestId);
  }

  private traceStart(requestId: number): void {
    this.endTrace();
    if (this.phase === 'running') this.setPhase('paused');
    if (this.phase === 'idle' || this.phase === 'failed') {
      if (!this.startRun()) return this.reject(requestId, this.error?.message ?? 'the graph cannot be run');
      this.setPhase('paused');
    }
    const g = this.inspectionBatch(this.run!);
    g.program.setTraining(true);
    this.stepper = new StepThrough(g.program, g.loss);
    this.sendProgressNow();
    this.emitTraceStep(requestId);
  }

  /**
   * The batch step-through and the gradient check work on: the one the next step would train on
   * (a paused run), or once the run is over a fresh one, at the trained weights.
   */
  private inspectionBatch(run: ActiveRun): Trainable {
    const t = run.session.trainer;
    return t.loadNextBatch() ?? t.loadFreshBatch();
  }

  private emitTraceStep(requestId: number): void {
    const st = this.stepper!;
    this.emit({ type: 'traceStep', requestId, position: st.position, length: st.length, step: st.current });
  }

  /** Leaves step-through (the stepped batch stays next to train); true if one was active. */
  private endTrace(): boolean {
    if (!this.stepper) return false;
    this.stepper.end();
    this.stepper = null;
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // gradient check and analyses

  /** A float64 copy of the graph with the run's weights (or the document's initial ones when idle). */
  private float64Graph(batchSize?: number): CompiledGraph {
    const run = this.run;
    if (run) {
      const c = run.session.compiled;
      return compileGraph(c.doc, {
        batchSize: batchSize ?? c.batchSize,
        dtype: 'float64',
        seed: run.session.seed,
        weights: weightsOf(c),
      });
    }
    if (!this.doc) throw new RequestError('the file can’t be read as a graph: fix it first');
    return compileGraph(this.doc, { batchSize: batchSize ?? this.doc.training.batchSize, dtype: 'float64' });
  }

  private gradcheck(requestId: number): void {
    if (this.phase === 'failed' && this.run)
      return this.reject(requestId, 'The run diverged: press Reset before checking gradients.');
    if (this.phase === 'running') this.setPhase('paused');
    if (!this.run && !this.startRun()) return this.reject(requestId, this.error?.message ?? 'cannot run');
    if (this.phase === 'idle') this.setPhase('paused');
    const run = this.run!;
    const batch = this.inspectionBatch(run);
    const g = this.float64Graph(batch.batchSize);
    const p = g.program;
    p.value(g.input).data.set(batch.program.value(batch.input).data);
    if (g.target !== null && batch.target !== null)
      p.value(g.target).data.set(batch.program.value(batch.target).data);
    p.setTraining(true);
    function* steps(): Task<RunEvent> {
      const results = yield* gradCheckSteps(p, g.loss, { maxElements: GRADCHECK_MAX_ELEMENTS });
      // Central differences carry rounding noise of about 1e-16 × (the loss's intermediate values) / ε;
      // a gradient whose entries are all below GRADCHECK_MIN_SCALE (a network that fits its batch
      // perfectly) can't be told from that noise, so it is reported as unresolved, not as wrong.
      const floor = GRADCHECK_MIN_SCALE * Math.max(1, Math.abs(p.value(g.loss).data[0]!));
      const { nodes, worst } = gradCheckByNode(results, (slot) => p.slots[slot]!.owner ?? null, floor);
      return { type: 'gradcheckResult', requestId, nodes, worst, floor };
    }
    this.startTask(requestId, 'gradcheck', steps());
  }

  private analyze(requestId: number): void {
    let compiled: CompiledGraph;
    try {
      compiled = this.float64Graph();
    } catch (e) {
      return this.reject(requestId, problemOf(e).message);
    }
    // The analyses describe the weights the run has now: it waits for them.
    if (this.phase === 'running') this.setPhase('paused');
    const { step, epoch } = this.status;
    const analysis = analyzeGraphSteps(compiled, {
      ...this.dataAccess(),
      weights:
        this.run && step > 0
          ? { kind: 'trained', step, epoch }
          : this.run?.weightsFrom
            ? { kind: 'file', file: this.run.weightsFrom }
            : { kind: 'initial' },
      // As the CLI: time each mode on at most 500 directions and extrapolate (the report says so).
      modes: { maxDirections: 500 },
    });
    function* steps(): Task<RunEvent> {
      return { type: 'analysisResult', requestId, report: yield* analysis };
    }
    this.startTask(requestId, 'analyze', steps());
  }

  // ---------------------------------------------------------------------------------------------
  // tasks: the gradient check and the analyses, in time slices

  private startTask(requestId: number, kind: TaskKind, steps: Task<RunEvent>): void {
    this.task = { requestId, kind, steps, progress: null };
    this.scheduleTaskSlice();
  }

  /** Runs the task for one time slice; answers when it ends, else offers its progress and yields. */
  private taskSlice(): void {
    const task = this.task;
    if (!task || this.disposed) return;
    try {
      const end = this.clock.now() + this.sliceMs;
      do {
        const r = task.steps.next();
        if (r.done) {
          this.endTask();
          return this.emit(r.value);
        }
        task.progress = r.value;
      } while (this.clock.now() < end);
    } catch (e) {
      this.endTask();
      return this.reject(task.requestId, `${TASK_TITLE[task.kind]} stopped: ${describe(e)}`);
    }
    this.taskProgress.push(null);
    this.scheduleTaskSlice();
  }

  private sendTaskProgress(): void {
    const task = this.task;
    if (!task?.progress) return;
    const { requestId, kind } = task;
    this.emit({ type: 'taskProgress', requestId, kind, ...task.progress });
  }

  /** Forgets the task in progress (its steps are not run again); returns it. */
  private endTask(): RunningTask | null {
    const task = this.task;
    this.task = null;
    this.taskProgress.cancel();
    return task;
  }

  /** Stops the task in progress, if any, and answers it with why ('by Reset'; nothing: asked to). */
  private cancelTask(why?: string): void {
    const task = this.endTask();
    if (!task) return;
    abandon(task.steps);
    const { requestId, kind } = task;
    const reason = `${TASK_TITLE[kind]} cancelled${why ? ` ${why}` : ''}.`;
    this.emit({ type: 'taskCancelled', requestId, kind, reason });
  }
}

/** Batch losses since the last message, in growable typed arrays. */
class LossTraceBuffer {
  private steps = new Int32Array(256);
  private loss = new Float32Array(256);
  length = 0;

  push(step: number, loss: number): void {
    if (this.length === this.steps.length) {
      const steps = new Int32Array(this.length * 2);
      const l = new Float32Array(this.length * 2);
      steps.set(this.steps);
      l.set(this.loss);
      this.steps = steps;
      this.loss = l;
    }
    this.steps[this.length] = step;
    this.loss[this.length++] = loss;
  }

  /** The entries so far (copied), emptying the buffer. */
  take(): LossTrace {
    const out = { steps: this.steps.slice(0, this.length), loss: this.loss.slice(0, this.length) };
    this.length = 0;
    return out;
  }
}

function emptyTrace(): LossTrace {
  return { steps: new Int32Array(0), loss: new Float32Array(0) };
}

function previewable(config: DatasetConfig): boolean {
  try {
    return sizeOf(datasetSignature(config).sample) <= 2;
  } catch {
    return false;
  }
}

function viewOf(data: Dataset, validationSplit: number, seed: number): DatasetView | null {
  const { order, validation } = splitOrder(sampleCount(data), validationSplit, seed);
  return datasetView(data, order.subarray(0, validation));
}

/**
 * What a run trains on, as a string: the document without node positions, so moving nodes
 * doesn't make a run stale but any other change does.
 */
export function trainingKey(doc: GraphDoc): string {
  return JSON.stringify([doc.nodes.map((n) => [n.id, n.op, n.attrs]), doc.edges, doc.training]);
}

/** Why a document can't be trained, naming the node and what to do. */
function problemOf(e: unknown): { message: string; node?: string } {
  if (e instanceof GraphError) {
    const d = e.diagnostics.find((x) => x.severity === 'error') ?? e.diagnostics[0];
    if (d) {
      const more =
        e.diagnostics.length > 1
          ? ` (and ${e.diagnostics.length - 1} more problems: see the Problems panel)`
          : '';
      const where = d.node && !d.message.includes(`'${d.node}'`) ? `Node '${d.node}': ` : '';
      return d.node === undefined
        ? { message: `${d.message}${more}` }
        : { message: `${where}${d.message}${more}`, node: d.node };
    }
  }
  if (e instanceof UserError) return { message: e.message };
  return { message: `The graph can’t be trained: ${describe(e)}` };
}

function describe(e: unknown): string {
  return userMessage(e);
}

/** A ToWorker message, checked: run requests by the shared validator, the rest by shape. */
function checkMessage(raw: unknown): ToWorker {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new RequestError('a message must be an object');
  const o = raw as Record<string, unknown>;
  if (o.type === 'dispose') return { type: 'dispose' };
  if (o.type === 'loadWeights') {
    if (!Number.isSafeInteger(o.requestId))
      throw new RequestError('loadWeights.requestId must be an integer');
    if (typeof o.source !== 'string') throw new RequestError('loadWeights.source must be a file name');
    let weights: Weights;
    try {
      weights = readWeights(o.weights);
    } catch (e) {
      throw new RequestError(`loadWeights.weights: ${describe(e)}`);
    }
    return { type: 'loadWeights', requestId: o.requestId as number, weights, source: o.source };
  }
  if (o.type === 'snapshotWeights') {
    if (!Number.isSafeInteger(o.requestId))
      throw new RequestError('snapshotWeights.requestId must be an integer');
    return { type: 'snapshotWeights', requestId: o.requestId as number };
  }
  if (o.type === 'document') {
    const doc = o.doc;
    if (doc !== null) {
      const d = doc as Record<string, unknown> | undefined;
      if (
        typeof d !== 'object' ||
        !Array.isArray(d.nodes) ||
        !Array.isArray(d.edges) ||
        typeof d.training !== 'object' ||
        d.training === null
      )
        throw new RequestError('document.doc must be a graph document (nodes, edges, training) or null');
    }
    if (!Number.isSafeInteger(o.version)) throw new RequestError('document.version must be an integer');
    if (o.baseDir !== null && typeof o.baseDir !== 'string')
      throw new RequestError('document.baseDir must be a path or null');
    return {
      type: 'document',
      doc: doc as GraphDoc | null,
      version: o.version as number,
      baseDir: o.baseDir as string | null,
    };
  }
  return validateRunRequest(raw);
}
