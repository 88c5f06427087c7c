/**
 * One open graph editor's training run, on the host side: owns the engine worker thread, sends
 * it the document (on open and after every change) and the webview's run requests, and passes
 * its events back to the webview. A worker that crashes is reported to the webview (the run is
 * failed, saying what happened) and replaced by a new one that gets the document again, so
 * nothing the user wrote is lost; a worker that keeps crashing is not restarted in a loop.
 *
 * No vscode import: the status bar and the real Worker come in through RunControllerHost
 * (editor-run.ts), so the restart logic is tested with fake workers.
 */
import type { GraphDoc } from '../../engine/graph/document.js';
import type {
  FromWorker,
  RunEvent,
  RunOptions,
  RunRequest,
  RunStatus,
  TaskKind,
  ToWorker,
  TrainedWeights,
  HostAnswer,
} from '../../engine/run/protocol.js';
import type { Weights } from '../../engine/graph/weights.js';
import { RunEventCache } from './run-event-cache.js';
import { userMessage } from '../../engine/errors/user-error.js';

/** What the controller needs of a worker thread (node:worker_threads' Worker, adapted). */
export interface EngineWorker {
  postMessage(msg: ToWorker): void;
  onMessage(fn: (msg: FromWorker) => void): void;
  /** An uncaught error in the thread, or the thread ending (with its exit code). */
  onError(fn: (err: Error) => void): void;
  onExit(fn: (code: number) => void): void;
  terminate(): void;
}

export interface RunControllerHost {
  spawn(): EngineWorker;
  /** Delivers an event to the webview. */
  post(event: RunEvent): void;
  /** Every status the webview is sent (the status bar shows progress from it). */
  onStatus?(status: RunStatus): void;
  /** How far the gradient check or analysis asked for is; null once it has answered or stopped. */
  onTask?(task: TaskStatus | null): void;
  now?(): number;
}

export interface TaskStatus {
  kind: TaskKind;
  done: number;
  total: number;
  label: string;
}

/** More crashes than this within CRASH_WINDOW_MS and the worker is not restarted again. */
const MAX_CRASHES = 3;
const CRASH_WINDOW_MS = 60_000;

export class RunController {
  private worker: EngineWorker | null = null;
  private document: Extract<ToWorker, { type: 'document' }> | null = null;
  private options: RunOptions | null = null;
  private readonly cache = new RunEventCache();
  private crashes: number[] = [];
  /** Why the last worker died, shown as the run's error until the user acts again. */
  private crash: RunStatus['error'] | null = null;
  private disposed = false;
  /** The host's own questions to the worker not yet answered, by request id (null: the worker died). */
  private readonly asked = new Map<number, (answer: HostAnswer | null) => void>();
  private nextQuestion = 1;
  /** The gradient check or analysis asked for and not yet answered (one at a time). */
  private task: { requestId: number; kind: TaskKind } | null = null;

  constructor(private readonly host: RunControllerHost) {
    this.worker = this.spawn();
  }

  /** The document as it is now (null while its text can't be read as a graph). */
  setDocument(doc: GraphDoc | null, version: number, baseDir: string | null): void {
    this.document = { type: 'document', doc, version, baseDir };
    this.worker?.postMessage(this.document);
  }

  /** A run request from the webview (already validated). */
  request(r: RunRequest): void {
    if (this.disposed) return;
    if (r.type === 'runOptions') this.options = r.options;
    else this.crash = null;
    if (r.type === 'gradcheck' || r.type === 'analyze') this.task = { requestId: r.requestId, kind: r.type };
    if (!this.worker) {
      if (r.type !== 'runOptions')
        this.post({
          type: 'runRejected',
          requestId: 'requestId' in r ? r.requestId : null,
          reason: 'The engine worker keeps stopping, so it was not restarted: close and reopen the editor.',
        });
      return;
    }
    this.worker.postMessage(r);
  }

  /**
   * The run's weights now, for saving and exporting: null when nothing has been trained (no run,
   * no step yet, or the worker is gone). Answered between training slices, so a running run is
   * read at a step boundary.
   */
  async trainedWeights(): Promise<TrainedWeights | null> {
    const answer = await this.ask((requestId) => ({ type: 'snapshotWeights', requestId }));
    return answer?.type === 'weightsSnapshot' ? answer.trained : null;
  }

  /**
   * Starts a new run from `weights` (read from the file `source`), paused before its first step.
   * Resolves with null when loaded, else why not (the current run is then left as it was).
   */
  async loadWeights(weights: Weights, source: string): Promise<string | null> {
    const answer = await this.ask((requestId) => ({ type: 'loadWeights', requestId, weights, source }));
    if (answer?.type === 'weightsLoaded') return answer.error;
    return 'the training engine is not running: close and reopen the editor';
  }

  /** Sends a host-only request and resolves with its answer (null if the worker is or goes away). */
  private ask(request: (requestId: number) => ToWorker): Promise<HostAnswer | null> {
    const w = this.worker;
    if (this.disposed || !w) return Promise.resolve(null);
    const requestId = this.nextQuestion++;
    return new Promise((resolve) => {
      this.asked.set(requestId, resolve);
      w.postMessage(request(requestId));
    });
  }

  /** A (re-)created webview: the run as it is, at once. */
  replay(): void {
    for (const e of this.cache.replay()) this.host.post(e);
  }

  get running(): boolean {
    return this.worker !== null;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.answerAsked();
    const w = this.worker;
    this.worker = null;
    if (w) {
      w.postMessage({ type: 'dispose' });
      w.terminate();
    }
  }

  private spawn(): EngineWorker {
    const w = this.host.spawn();
    let dead = false;
    const died = (why: string) => {
      if (dead) return;
      dead = true;
      if (this.worker === w && !this.disposed) this.crashed(why);
    };
    w.onMessage((e) => {
      if (this.worker === w) this.fromWorker(e);
    });
    // The thread's own error text may carry paths inside the extension: words only.
    w.onError((err) => died(userMessage(err) || 'an error in the engine thread'));
    w.onExit((code) => died(`it exited with code ${code}`));
    if (this.options) w.postMessage({ type: 'runOptions', options: this.options });
    if (this.document) w.postMessage(this.document);
    return w;
  }

  private crashed(why: string): void {
    this.worker = null;
    // Questions to the dead thread get no answer from it.
    this.answerAsked();
    if (this.task)
      this.post({
        type: 'runRejected',
        requestId: this.task.requestId,
        reason: `The ${this.task.kind === 'gradcheck' ? 'gradient check' : 'analysis'} stopped: the training engine stopped unexpectedly (${why}).`,
      });
    const now = this.host.now?.() ?? Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    const again = this.crashes.length <= MAX_CRASHES;
    this.crash = {
      message: again
        ? `The training engine stopped unexpectedly (${why}). It was restarted with the document; press Play to train again from the start.`
        : `The training engine stopped unexpectedly (${why}) ${this.crashes.length} times in a minute, so it was not restarted: close and reopen the editor to try again.`,
    };
    const last = this.cache.lastStatus;
    this.post({
      type: 'runStatus',
      status: {
        phase: 'failed',
        step: last?.step ?? 0,
        epoch: last?.epoch ?? 0,
        epochs: last?.epochs ?? 0,
        batchesPerEpoch: last?.batchesPerEpoch ?? 0,
        loss: last?.loss ?? null,
        lr: last?.lr ?? null,
        error: this.crash,
        stale: false,
        tracing: false,
      },
    });
    if (again) this.worker = this.spawn();
  }

  /** Answers every question still waiting with null (its worker is gone). */
  private answerAsked(): void {
    for (const resolve of this.asked.values()) resolve(null);
    this.asked.clear();
  }

  private fromWorker(e: FromWorker): void {
    if (e.type === 'weightsSnapshot' || e.type === 'weightsLoaded') {
      this.asked.get(e.requestId)?.(e);
      this.asked.delete(e.requestId);
      return;
    }
    // After a crash the new worker is idle; the run stays shown as failed (with why) until the
    // user acts, so the message isn't replaced before it is read.
    if (e.type === 'runStatus' && this.crash && e.status.phase === 'idle')
      return this.post({ type: 'runStatus', status: { ...e.status, phase: 'failed', error: this.crash } });
    this.post(e);
  }

  private post(e: RunEvent): void {
    this.cache.record(e);
    if (e.type === 'runStatus') this.host.onStatus?.(e.status);
    this.trackTask(e);
    this.host.post(e);
  }

  /** The task's progress for the status bar, until the event that answers it. */
  private trackTask(e: RunEvent): void {
    const task = this.task;
    if (!task || !('requestId' in e) || e.requestId !== task.requestId) return;
    switch (e.type) {
      case 'taskProgress':
        this.host.onTask?.({ kind: e.kind, done: e.done, total: e.total, label: e.label });
        return;
      case 'taskCancelled':
      case 'gradcheckResult':
      case 'analysisResult':
      case 'runRejected':
        this.task = null;
        this.host.onTask?.(null);
        return;
    }
  }
}
