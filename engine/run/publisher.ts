/**
 * What a run session tells the webview while it works, and how often: every throttled event in
 * one place. Status and curves at most `updatesPerSecond` times a second, and at once on a phase
 * change; the overlay's node statistics and the prediction view only when RunOptions ask for them,
 * at most as often and (the prediction costs a forward pass over a grid) within a small share of
 * the time; a task's progress as often as the status.
 */
import { throttle, type Clock, type Throttle } from '../train/throttle.js';
import type { TaskProgress } from '../task/task.js';
import { userMessage } from '../errors/user-error.js';
import type { Predictor } from './prediction.js';
import type { ActiveRun } from './active-run.js';
import type { FromWorker, PredictionView, RunOptions, RunPhase, RunStatus, TaskKind } from './protocol.js';

/** Share of the time the prediction view may take (it is a forward pass over a whole grid). */
const PREDICTION_COST_SHARE = 0.08;
/** Share of the time the Images view may take (a forward pass over the held-out images). */
const IMAGES_COST_SHARE = 0.04;
/**
 * Share of the time the overlay's statistics may take: cheap for small networks (20 a second),
 * but a LeNet's ~11 ms of statistics over its conv activations would otherwise cost a fifth of
 * training at 20 a second (npm run bench:overlay mnist-lenet).
 */
const OVERLAY_COST_SHARE = 0.06;

/** What the publisher reads of the session when it is time to send. */
export interface PublishedState {
  readonly status: RunStatus;
  readonly phase: RunPhase;
  readonly run: ActiveRun | null;
  /** Mid step-through the buffers hold the stepped batch, not a training step: no views then. */
  readonly tracing: boolean;
  readonly options: RunOptions;
  /** The gradient check or analysis in progress, with its last progress. */
  readonly task: { requestId: number; kind: TaskKind; progress: TaskProgress | null } | null;
}

export class RunPublisher {
  private readonly progress: Throttle<null>;
  private readonly overlay: Throttle<null>;
  private readonly prediction: Throttle<null>;
  private readonly images: Throttle<null>;
  private readonly taskProgress: Throttle<null>;

  /** `read`: the session's state as it is now (read each time something is sent). */
  constructor(
    private readonly read: () => PublishedState,
    private readonly emit: (event: FromWorker) => void,
    clock: Clock,
    perSecond: number,
  ) {
    this.progress = throttle(() => this.sendProgress(), perSecond, clock);
    this.overlay = throttle(() => this.sendStats(), perSecond, clock, { costShare: OVERLAY_COST_SHARE });
    this.prediction = throttle(() => this.sendPrediction(), perSecond, clock, {
      costShare: PREDICTION_COST_SHARE,
    });
    this.images = throttle(() => this.sendImages(), perSecond, clock, { costShare: IMAGES_COST_SHARE });
    this.taskProgress = throttle(() => this.sendTaskProgress(), perSecond, clock);
  }

  /** Status and curves now, dropping the throttled ones waiting (a phase change, an answer). */
  progressNow(): void {
    this.progress.cancel();
    this.sendProgress();
  }

  /** After a training slice: status and curves, the overlay and the prediction, as the rates allow. */
  offerProgress(): void {
    this.progress.push(null);
    this.offerViews(false);
  }

  /** Offers the overlay and the prediction (at once when `now`, e.g. on a phase change). */
  offerViews(now: boolean): void {
    const { run, tracing, options, phase } = this.read();
    if (!run || tracing) return;
    for (const [wanted, t] of [
      [options.overlay, this.overlay],
      [options.prediction && phase !== 'failed', this.prediction],
      [(options.images ?? false) && run.inspector !== null && phase !== 'failed', this.images],
    ] as const) {
      if (!wanted) continue;
      t.push(null);
      if (now) t.flush();
    }
  }

  offerTaskProgress(): void {
    this.taskProgress.push(null);
  }

  cancelTaskProgress(): void {
    this.taskProgress.cancel();
  }

  /** Stops the run's throttled updates that are waiting (status, overlay, prediction). */
  cancelRunUpdates(): void {
    this.progress.cancel();
    this.overlay.cancel();
    this.prediction.cancel();
    this.images.cancel();
  }

  /** While idle, what the network Play would train predicts before training (when asked for). */
  idlePrediction(predictor: Predictor): void {
    if (this.read().options.prediction)
      this.emit({ type: 'runPrediction', step: 0, view: this.predict(predictor) });
  }

  /** Status, then the curves' news: epochs completed and batch losses since the last message. */
  private sendProgress(): void {
    this.emit({ type: 'runStatus', status: this.read().status });
    const run = this.read().run;
    const news = run?.unsent.take(run.session.trainer.history);
    if (news) this.emit({ type: 'runMetrics', ...news });
  }

  private sendStats(): void {
    const { run, tracing, options } = this.read();
    if (!run || tracing || !options.overlay || run.session.trainer.stepCount === 0) return;
    const t = run.session.trainer;
    this.emit({ type: 'runStats', step: t.stepCount, nodes: t.stats() });
  }

  private sendPrediction(): void {
    const { run, options } = this.read();
    if (!run || !options.prediction) return;
    const view = this.predict(run.predictor);
    this.emit({ type: 'runPrediction', step: run.session.trainer.stepCount, view });
  }

  private sendImages(): void {
    const { run, options } = this.read();
    if (!run?.inspector || !options.images) return;
    try {
      const view = run.inspector.inspect(options.pickedSample ?? null);
      this.emit({ type: 'runImages', step: run.session.trainer.stepCount, view });
    } catch {
      // A view that can't be computed is left out; training goes on (the overlay shows the problem).
    }
  }

  /** The prediction view; a picture that can't be computed says why instead of stopping anything. */
  private predict(predictor: Predictor): PredictionView {
    try {
      return predictor.predict({ hiddenUnits: this.read().options.hiddenUnits });
    } catch (e) {
      return { kind: 'none', reason: `the prediction could not be computed: ${userMessage(e)}` };
    }
  }

  private sendTaskProgress(): void {
    const task = this.read().task;
    if (!task?.progress) return;
    const { requestId, kind } = task;
    this.emit({ type: 'taskProgress', requestId, kind, ...task.progress });
  }
}
