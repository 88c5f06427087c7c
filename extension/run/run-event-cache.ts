/**
 * The run as the webview last saw it, kept by the host so that a webview that is re-created
 * (hidden and shown again: its context is not retained) can be brought back to the same picture
 * at once: the newest status, dataset, overlay, prediction and step-through position, and the
 * curves merged from every runMetrics message.
 */
import type { EpochMetrics } from '../../engine/train/trainer.js';
import type { LossTrace, RunEvent, RunStatus } from '../../engine/run/protocol.js';

type Latest = {
  [K in 'runDataset' | 'runStats' | 'runPrediction' | 'traceStep']?: Extract<RunEvent, { type: K }>;
};

export class RunEventCache {
  private status: RunStatus | null = null;
  private latest: Latest = {};
  private history: EpochMetrics[] = [];
  private steps = new Int32Array(0);
  private loss = new Float32Array(0);
  private length = 0;

  get lastStatus(): RunStatus | null {
    return this.status;
  }

  record(e: RunEvent): void {
    switch (e.type) {
      case 'runStatus':
        this.status = e.status;
        if (!e.status.tracing) delete this.latest.traceStep;
        return;
      case 'runMetrics':
        if (e.from === 0 && e.history.length === 0 && e.trace.steps.length === 0) {
          // A run starts or is reset: nothing of the last one is left to show.
          this.length = 0;
          delete this.latest.runStats;
          delete this.latest.runPrediction;
        }
        // Usually new epochs after the last ones: append in place (this runs ~20 times a second).
        this.history.length = Math.min(this.history.length, e.from);
        for (const m of e.history) this.history.push(m);
        this.append(e.trace);
        return;
      case 'runDataset':
      case 'runStats':
      case 'runPrediction':
      case 'traceStep':
        (this.latest as Record<string, RunEvent>)[e.type] = e;
        return;
      default:
        // Answers to one request (gradcheck, analysis, rejections) are not part of the picture.
        return;
    }
  }

  /** The events that rebuild the webview's picture of the run, in the order to post them. */
  replay(): RunEvent[] {
    const out: RunEvent[] = [];
    if (this.status) out.push({ type: 'runStatus', status: this.status });
    out.push({
      type: 'runMetrics',
      from: 0,
      history: [...this.history],
      trace: { steps: this.steps.slice(0, this.length), loss: this.loss.slice(0, this.length) },
    });
    for (const k of ['runDataset', 'runStats', 'runPrediction', 'traceStep'] as const) {
      const e = this.latest[k];
      if (e) out.push(e);
    }
    return out;
  }

  private append(t: LossTrace): void {
    const n = t.steps.length;
    if (this.length + n > this.steps.length) {
      const cap = Math.max(1024, 2 * (this.length + n));
      const steps = new Int32Array(cap);
      const loss = new Float32Array(cap);
      steps.set(this.steps.subarray(0, this.length));
      loss.set(this.loss.subarray(0, this.length));
      this.steps = steps;
      this.loss = loss;
    }
    this.steps.set(t.steps, this.length);
    this.loss.set(t.loss, this.length);
    this.length += n;
  }
}
