/**
 * The picture of a run that its events draw: the newest status, the curves, the overlay's node
 * statistics, the dataset, the prediction, the Images view and the step-through position. One pure reducer builds
 * it from RunEvents, wherever they are read: the host keeps one (extension/run/run-event-cache.ts)
 * and replays it to a re-created webview as a snapshot; the webview's store
 * (webview/run/run-store.ts) holds the same fields beside its own (pending requests, settings).
 * So a replayed webview shows exactly what the live one did: one rule for when a run starts over.
 *
 * Pure and allocation-light: a reduction returns the state itself when nothing changed, and keeps
 * every field it did not change by identity (the webview's selectors rely on that); curves are
 * kept as the chunks they arrived in, so appending never copies the old ones (~20 times a second).
 */
import type { EpochMetrics } from '../train/trainer.js';
import type { Step } from '../autodiff/step-through.js';
import type {
  DatasetView,
  ImagesView,
  LossTrace,
  OverlayNodeStats,
  PredictionView,
  RunEvent,
  RunStatus,
} from './protocol.js';

export interface TraceState {
  position: number;
  length: number;
  step: Step | null;
}

export interface RunPicture {
  status: RunStatus | null;
  /** Epochs in the chunks they arrived in: appending never copies the old ones (see appendEpochs). */
  history: readonly (readonly EpochMetrics[])[];
  /** Batch losses in the chunks they arrived in (steps ascending): appending never copies the old ones. */
  lossTrace: readonly LossTrace[];
  stats: { step: number; byNode: ReadonlyMap<string, OverlayNodeStats> } | null;
  dataset: DatasetView | null;
  prediction: { step: number; view: PredictionView } | null;
  images: { step: number; view: ImagesView } | null;
  /** Where the step-through stands, and the request its last answer was for. */
  trace: (TraceState & { requestId: number }) | null;
}

export const EMPTY_RUN_PICTURE: RunPicture = {
  status: null,
  history: [],
  lossTrace: [],
  stats: null,
  dataset: null,
  prediction: null,
  images: null,
  trace: null,
};

/**
 * Whether `next` says the run started over: back to idle before any step after one that had
 * stepped (a reset). Everything the old run showed is then forgotten except the dataset (a reset
 * keeps the document's data).
 */
export function startsOver(prev: RunStatus | null, next: RunStatus): boolean {
  return next.phase === 'idle' && next.step === 0 && (prev?.step ?? 0) > 0;
}

/**
 * The picture after one event. `S` may carry more fields (the webview's store): they are kept
 * as they are. Events that answer one request (results, progress, refusals) are not part of the
 * picture and leave it as it is; every event type is named, so a new one is a compile error here.
 */
export function reduceRunPicture<S extends RunPicture>(s: S, e: RunEvent): S {
  switch (e.type) {
    case 'runStatus': {
      const status = e.status;
      if (startsOver(s.status, status)) return { ...s, ...EMPTY_RUN_PICTURE, status, dataset: s.dataset };
      // Leaving step-through drops its view (and the canvas highlight).
      const trace = s.status?.tracing && !status.tracing ? null : s.trace;
      return { ...s, status, trace };
    }
    case 'runMetrics': {
      const history = appendEpochs(s.history, e.from, e.history);
      const lossTrace = appendTrace(s.lossTrace, e.trace);
      return history === s.history && lossTrace === s.lossTrace ? s : { ...s, history, lossTrace };
    }
    case 'runStats':
      return { ...s, stats: { step: e.step, byNode: new Map(e.nodes.map((n) => [n.node, n])) } };
    case 'runDataset':
      return { ...s, dataset: e.dataset };
    case 'runPrediction':
      return { ...s, prediction: { step: e.step, view: e.view } };
    case 'runImages':
      return { ...s, images: { step: e.step, view: e.view } };
    case 'traceStep':
      return {
        ...s,
        trace: { position: e.position, length: e.length, step: e.step, requestId: e.requestId },
      };
    case 'gradcheckResult':
    case 'analysisResult':
    case 'taskProgress':
    case 'taskCancelled':
    case 'runRejected':
      return s;
  }
}

/** The events that draw `p` again from nothing (for a re-created webview), in the order to post them. */
export function runPictureEvents(p: RunPicture): RunEvent[] {
  const out: RunEvent[] = [];
  if (p.status) out.push({ type: 'runStatus', status: p.status });
  out.push({ type: 'runMetrics', from: 0, history: p.history.flat(), trace: joinTrace(p.lossTrace) });
  out.push({ type: 'runDataset', dataset: p.dataset });
  if (p.stats) out.push({ type: 'runStats', step: p.stats.step, nodes: [...p.stats.byNode.values()] });
  if (p.prediction) out.push({ type: 'runPrediction', ...p.prediction });
  if (p.images) out.push({ type: 'runImages', ...p.images });
  if (p.trace) {
    const { requestId, position, length, step } = p.trace;
    out.push({ type: 'traceStep', requestId, position, length, step });
  }
  return out;
}

/** The number of epochs in a chunked history. */
export function epochCount(chunks: readonly (readonly EpochMetrics[])[]): number {
  let n = 0;
  for (const c of chunks) n += c.length;
  return n;
}

/**
 * `chunks` with the epochs of one runMetrics appended at index `from` (the epochs stored from
 * `from` on are dropped first; from = 0 starts over). The usual case, new epochs after the last
 * ones, keeps every old chunk as it is: this runs ~20 times a second on a long run.
 */
export function appendEpochs(
  chunks: readonly (readonly EpochMetrics[])[],
  from: number,
  epochs: readonly EpochMetrics[],
): readonly (readonly EpochMetrics[])[] {
  const total = epochCount(chunks);
  if (from === total && epochs.length === 0) return chunks;
  const kept: (readonly EpochMetrics[])[] = [];
  let n = 0;
  for (const c of chunks) {
    if (n + c.length <= from) kept.push(c);
    else if (n < from) kept.push(c.slice(0, from - n));
    else break;
    n += c.length;
  }
  if (epochs.length) kept.push(epochs);
  return kept;
}

/** The last step stored in a chunked loss trace (0 when empty). */
export function lastTraceStep(chunks: readonly LossTrace[]): number {
  const last = chunks.at(-1);
  return last && last.steps.length ? last.steps[last.steps.length - 1]! : 0;
}

/**
 * `chunks` with `next` appended. A chunk that starts at or before a step already stored means the
 * run started over (a reset or a new run): the entries from that step on are dropped first.
 */
export function appendTrace(chunks: readonly LossTrace[], next: LossTrace): readonly LossTrace[] {
  if (next.steps.length === 0) return chunks;
  const first = next.steps[0]!;
  if (first > lastTraceStep(chunks)) return [...chunks, next];
  const kept: LossTrace[] = [];
  for (const c of chunks) {
    let n = 0;
    while (n < c.steps.length && c.steps[n]! < first) n++;
    if (n === 0) break;
    kept.push(n === c.steps.length ? c : { steps: c.steps.subarray(0, n), loss: c.loss.subarray(0, n) });
    if (n < c.steps.length) break;
  }
  return [...kept, next];
}

/** A chunked loss trace as one (copied). */
function joinTrace(chunks: readonly LossTrace[]): LossTrace {
  let n = 0;
  for (const c of chunks) n += c.steps.length;
  const out: LossTrace = { steps: new Int32Array(n), loss: new Float32Array(n) };
  let at = 0;
  for (const c of chunks) {
    out.steps.set(c.steps, at);
    out.loss.set(c.loss, at);
    at += c.steps.length;
  }
  return out;
}
