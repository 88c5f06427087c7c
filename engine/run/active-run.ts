/**
 * The run a session trains: what it compiled, where it stands, and what of its curves is still
 * to be sent (the epochs and batch losses since the last runMetrics).
 */
import type { TrainingSession } from '../train/session.js';
import type { EpochMetrics } from '../train/trainer.js';
import type { Predictor } from './prediction.js';
import type { ImageInspector } from './image-views.js';
import type { Prepared } from './run-document.js';
import type { LossTrace } from './protocol.js';

export interface ActiveRun {
  session: TrainingSession;
  /** The document's training-relevant content when the run started (positions left out). */
  key: string;
  stale: boolean;
  predictor: Predictor;
  inspector: ImageInspector | null;
  /** The curves not sent yet. */
  unsent: UnsentCurves;
  /** Loss and learning rate of the last batch trained (null before the first step). */
  loss: number | null;
  lr: number | null;
  /** The weights file the run started from (null: the document's initialisers). */
  weightsFrom: string | null;
}

/** `built` as a run, before its first step (weights from the file `weightsFrom`, or the initialisers). */
export function activeRun(built: Prepared, weightsFrom: string | null): ActiveRun {
  const { session, key, predictor, inspector } = built;
  return {
    session,
    key,
    stale: false,
    predictor,
    inspector,
    unsent: new UnsentCurves(),
    loss: null,
    lr: null,
    weightsFrom,
  };
}

/** A trace with no entries (a run that starts over sends one). */
export function emptyTrace(): LossTrace {
  return { steps: new Int32Array(0), loss: new Float32Array(0) };
}

/** The epochs and batch losses a run has not sent yet; batch losses in growable typed arrays. */
export class UnsentCurves {
  /** Epochs of the trainer's history already sent. */
  private sentEpochs = 0;
  private steps = new Int32Array(256);
  private loss = new Float32Array(256);
  private length = 0;

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

  /**
   * The curves' news since the last call, given the trainer's whole `history`: the epochs from
   * index `from` on and the batch losses (copied); null when there is none.
   */
  take(history: readonly EpochMetrics[]): { from: number; history: EpochMetrics[]; trace: LossTrace } | null {
    if (history.length === this.sentEpochs && this.length === 0) return null;
    const from = this.sentEpochs;
    this.sentEpochs = history.length;
    const trace = { steps: this.steps.slice(0, this.length), loss: this.loss.slice(0, this.length) };
    this.length = 0;
    return { from, history: history.slice(from), trace };
  }
}
