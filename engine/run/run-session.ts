/**
 * One editor's training run, driven by messages (ToWorker) and reporting through events
 * (FromWorker): what the engine worker thread runs (extension/worker/engine-worker.ts is only the
 * thread's plumbing). Pure engine code: time and scheduling are injected, so tests drive them.
 *
 * This file checks and routes each message; the parts each do one job:
 * - run-control.ts: the run (play, pause, step, reset, load weights), trained in time slices;
 * - phase.ts: the phase machine, pure: what a request does to idle/running/paused/finished/failed;
 * - time-slices.ts: training and tasks run in ~40 ms slices, yielding between them so that pause,
 *   step, reset and dispose get through;
 * - publisher.ts: every event sent while working, throttled;
 * - run-document.ts: the document, its dataset preview and the run compiled ahead of Play;
 * - inspection.ts: step-through, gradient check and analyses on the run's current weights;
 * - tasks.ts and cancel-policy.ts: the gradient check or analysis in progress, and what cancels it.
 *
 * A run compiles the document it was started from and keeps it until reset; a newer document
 * only marks the run stale (moving nodes doesn't).
 */
import type { GraphDoc } from '../graph/document.js';
import type { CompiledGraph } from '../graph/compile.js';
import { realClock, type Clock } from '../train/throttle.js';
import { userMessage } from '../errors/user-error.js';
import type { FromWorker, RunOptions, RunStatus, ToWorker } from './protocol.js';
import { DEFAULT_RUN_OPTIONS } from './protocol.js';
import { FieldError } from '../check/fields.js';
import { checkWorkerMessage } from './run-messages.js';
import { deferOnce, type SliceHost } from './time-slices.js';
import { RunPublisher } from './publisher.js';
import { problemOf, RunDocument, type ReadText } from './run-document.js';
import { analysisTask, float64Graph, gradcheckTask, StepThroughControl } from './inspection.js';
import { TaskRunner } from './tasks.js';
import { cancelledBy, CANCELLED_BY_EDIT } from './cancel-policy.js';
import { RunControl } from './run-control.js';
import type { ReadBundled } from '../data/mnist.js';

export interface RunSessionHost {
  /** Delivers an event to the host (postMessage in the worker). */
  emit(event: FromWorker): void;
  /** Runs `fn` soon, after messages that are waiting (setImmediate in the worker). */
  defer(fn: () => void): void;
  /** Default: the real clock. */
  clock?: Clock;
  /** Reads a CSV dataset named in the document, relative to the document's folder. */
  readText?: ReadText;
  /** Reads a data file that ships with Backprop Studio (MNIST), un-gzipped. */
  readBundled?: ReadBundled;
  /** Length of a training slice in ms (default 40). */
  sliceMs?: number;
  /** Most updates a second of each kind of event (default 20). */
  updatesPerSecond?: number;
}

export class RunSession {
  private readonly document: RunDocument;
  private readonly publisher: RunPublisher;
  private readonly tasks: TaskRunner;
  private readonly tracer: StepThroughControl;
  private readonly control: RunControl;
  private readonly schedulePrepare: () => void;
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
    this.document = new RunDocument(host.readText, host.readBundled);
    // The publisher reads the state as it is when it sends.
    const published = () => ({
      status: this.control.status,
      phase: this.control.phase,
      run: this.control.run,
      tracing: this.tracer.active,
      options: this.options,
      task: this.tasks.current,
    });
    this.publisher = new RunPublisher(published, emit, clock, host.updatesPerSecond ?? 20);
    this.tasks = new TaskRunner(slices, emit, this.publisher);
    this.tracer = new StepThroughControl(emit);
    const { document, publisher, tracer } = this;
    const idle = () => {
      this.sendPreview();
      this.schedulePrepare();
    };
    this.control = new RunControl({ document, publisher, tracer, slices, emit, idle });
    this.schedulePrepare = deferOnce(slices, () => this.prepareWhileIdle());
  }

  /** Handles one message from the host; anything malformed is answered with runRejected. */
  receive(raw: unknown): void {
    if (this.disposed) return;
    let requestId: number | null = null;
    try {
      const msg = checkWorkerMessage(raw);
      if ('requestId' in msg) requestId = msg.requestId;
      this.handle(msg);
    } catch (e) {
      const reason = e instanceof FieldError ? `malformed request: ${e.message}` : userMessage(e);
      this.emit({ type: 'runRejected', requestId, reason });
    }
  }

  get status(): RunStatus {
    return this.control.status;
  }

  dispose(): void {
    this.tasks.abandon();
    this.tracer.end();
    this.control.dispose();
    this.document.dropPrepared();
    this.disposed = true;
  }

  private handle(msg: ToWorker): void {
    const why = cancelledBy(msg);
    if (why !== null) this.tasks.cancel(why);
    const { control, tracer } = this;
    switch (msg.type) {
      case 'document':
        return this.setDocument(msg.doc, msg.baseDir);
      case 'dispose':
        return this.dispose();
      case 'loadWeights':
        return control.loadWeights(msg.requestId, msg.weights, msg.source);
      case 'snapshotWeights':
        return this.emit({
          type: 'weightsSnapshot',
          requestId: msg.requestId,
          trained: control.trainedWeights(),
        });
      case 'run':
        return control.action(msg.action);
      case 'runOptions':
        this.options = msg.options;
        if (control.run && control.phase !== 'running') this.publisher.offerViews(true);
        else if (!control.run) this.sendIdlePrediction();
        return;
      case 'trace':
        if (msg.action === 'start') return this.traceStart(msg.requestId);
        if (msg.action !== 'end') return tracer.move(msg.requestId, msg.action);
        if (tracer.end()) this.publisher.progressNow();
        return;
      case 'traceTo':
        return tracer.runTo(msg.requestId, msg.target);
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
    if (changed) this.tasks.cancel(CANCELLED_BY_EDIT);
    const run = this.control.run;
    if (run) {
      if (!run.stale && this.document.key !== run.key) {
        run.stale = true;
        this.publisher.progressNow();
      }
      return;
    }
    if (changed && this.control.phase === 'failed') this.control.documentChanged();
    else if (first) this.publisher.progressNow();
    this.sendPreview();
    this.schedulePrepare();
  }

  /** While idle, soon after the document changes: compile it ahead of Play, show what it predicts. */
  private prepareWhileIdle(): void {
    if (this.control.run || this.disposed || !this.document.prepareAhead()) return;
    if (this.control.phase === 'idle') this.publisher.progressNow();
    this.sendIdlePrediction();
  }

  private sendIdlePrediction(): void {
    const prepared = this.document.latest;
    if (!this.control.run && prepared) this.publisher.idlePrediction(prepared.predictor);
  }

  /** While no run holds the data: the document's dataset, when its configuration changed. */
  private sendPreview(): void {
    const preview = this.document.preview();
    if (preview) this.emit({ type: 'runDataset', ...preview });
  }

  private traceStart(requestId: number): void {
    const { control, tracer } = this;
    tracer.end();
    if (control.transition('trace', requestId, 'the graph cannot be run')) control.announcePhase();
    else if (control.phase === 'idle' || control.phase === 'failed') return;
    tracer.begin(control.run!);
    this.publisher.progressNow();
    tracer.answer(requestId);
  }

  private gradcheck(requestId: number): void {
    const control = this.control;
    if (control.transition('gradcheck', requestId, 'cannot run')) control.announcePhase();
    else if (!control.run || control.phase === 'failed') return;
    this.tasks.start(requestId, 'gradcheck', gradcheckTask(control.run!, requestId));
  }

  private analyze(requestId: number): void {
    const { control, document } = this;
    let compiled: CompiledGraph;
    try {
      compiled = float64Graph(control.run, document.doc);
    } catch (e) {
      return this.emit({ type: 'runRejected', requestId, reason: problemOf(e).message });
    }
    // The analyses describe the weights the run has now: it waits for them.
    if (control.transition('analyze')) control.announcePhase();
    const { step, epoch } = control.status;
    const weightsFrom = control.run?.weightsFrom;
    const task = analysisTask(compiled, requestId, {
      ...document.dataAccess(),
      weights:
        control.run && step > 0
          ? { kind: 'trained', step, epoch }
          : weightsFrom
            ? { kind: 'file', file: weightsFrom }
            : { kind: 'initial' },
    });
    this.tasks.start(requestId, 'analyze', task);
  }

  private emit(event: FromWorker): void {
    if (!this.disposed) this.host.emit(event);
  }
}
