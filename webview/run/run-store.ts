/**
 * What the webview knows about the run: a small vanilla store (state + subscribe + dispatch) whose
 * state changes only through `reduceRun`, a pure function of the previous state and one action — a
 * RunEvent from the host, or a local action (a request sent, a view setting changed). Pure so it is
 * tested in node; React reads it through use-run.ts, each component selecting only what it draws
 * (the canvas nodes select their own colour, so a stats update doesn't re-render the flow).
 */
import type {
  DatasetView,
  GradCheckNode,
  LossTrace,
  OverlayNodeStats,
  PredictionView,
  RunEvent,
  RunOptions,
  RunStatus,
  TaskKind,
} from '../../engine/run/protocol.js';
import { DEFAULT_RUN_OPTIONS } from '../../engine/run/protocol.js';
import { RUN_REQUEST_VALIDATORS } from '../../engine/run/validate-request.js';
import { OVERLAY_METRICS } from './overlay-scale.js';
import type { EpochMetrics } from '../../engine/train/trainer.js';
import type { Step } from '../../engine/autodiff/step-through.js';
import type { AnalysisReport } from '../../engine/analysis/report.js';

/** What the overlay colours the canvas by. */
export type OverlayMetric =
  /** ‖∂L/∂output‖ of every node. */
  | 'grad'
  /** ‖∂L/∂θ‖ of every node with parameters. */
  | 'param'
  /** ‖output‖ of every node. */
  | 'activation';

/** Requests that are answered by one event carrying their requestId. */
export type PendingKind = 'trace' | 'gradcheck' | 'analyze';

/** A gradient check or analysis as the page shows it, beside `pending` (is one out, and which). */
export interface TaskState {
  /** How far the pending request is (null before the first progress event). */
  progress: { done: number; total: number; label: string } | null;
  /** Why the last request of this kind ended without an answer ("Gradient check cancelled."). */
  cancelled: string | null;
}

const NO_TASK: TaskState = { progress: null, cancelled: null };

export interface TraceState {
  position: number;
  length: number;
  step: Step | null;
}

export interface GradCheckState {
  byNode: ReadonlyMap<string, GradCheckNode>;
  /** The resolved node with the largest error; null when every gradient is below `floor`. */
  worst: GradCheckNode | null;
  floor: number;
}

export interface RunViewSettings {
  metric: OverlayMetric;
  /** Loss curve on a log axis. */
  logLoss: boolean;
}

/** The run settings that are the page's to keep across a reload of the webview (webview/host.ts). */
export interface SavedRunView {
  view: RunViewSettings;
  options: RunOptions;
}

export interface RunState {
  status: RunStatus | null;
  /** Epochs in the chunks they arrived in: appending never copies the old ones (see appendEpochs). */
  history: readonly (readonly EpochMetrics[])[];
  /** Batch losses in the chunks they arrived in (steps ascending): appending never copies the old ones. */
  lossTrace: readonly LossTrace[];
  stats: { step: number; byNode: ReadonlyMap<string, OverlayNodeStats> } | null;
  dataset: DatasetView | null;
  prediction: { step: number; view: PredictionView } | null;
  trace: TraceState | null;
  gradcheck: GradCheckState | null;
  analysis: AnalysisReport | null;
  /** The id of the request of each kind sent and not yet answered. */
  pending: Readonly<Record<PendingKind, number | null>>;
  /** Progress of the pending gradient check / analysis, or why the last one was cancelled. */
  tasks: Readonly<Record<TaskKind, TaskState>>;
  /** What the worker was last asked to compute alongside training. */
  options: RunOptions;
  view: RunViewSettings;
  /**
   * Why the host refused what the user last asked for (e.g. Play on a finished run), shown until
   * dismissed or until a later request takes effect.
   */
  notice: string | null;
}

export type RunStoreAction =
  | RunEvent
  | { type: 'requested'; kind: PendingKind; requestId: number }
  | { type: 'setOptions'; options: RunOptions }
  | { type: 'setView'; view: Partial<RunViewSettings> }
  | { type: 'dismissNotice' };

export const INITIAL_RUN_STATE: RunState = {
  status: null,
  history: [],
  lossTrace: [],
  stats: null,
  dataset: null,
  prediction: null,
  trace: null,
  gradcheck: null,
  analysis: null,
  pending: { trace: null, gradcheck: null, analyze: null },
  tasks: { gradcheck: NO_TASK, analyze: NO_TASK },
  options: DEFAULT_RUN_OPTIONS,
  view: { metric: 'grad', logLoss: false },
  notice: null,
};

/**
 * The view settings and run options kept by an earlier page (unknown: whatever getState returned,
 * perhaps from an older version), each field checked; what is missing or malformed gets its default.
 */
export function restoreRunView(saved: unknown): SavedRunView {
  const o = typeof saved === 'object' && saved !== null ? (saved as Record<string, unknown>) : {};
  const v = typeof o.view === 'object' && o.view !== null ? (o.view as Record<string, unknown>) : {};
  const initial = INITIAL_RUN_STATE.view;
  let options = INITIAL_RUN_STATE.options;
  try {
    options = RUN_REQUEST_VALIDATORS.runOptions({ options: o.options }).options;
  } catch {
    // Not saved yet, or saved by a version with other options: start from the defaults.
  }
  return {
    view: {
      metric: OVERLAY_METRICS.find((m) => m === v.metric) ?? initial.metric,
      logLoss: typeof v.logLoss === 'boolean' ? v.logLoss : initial.logLoss,
    },
    options,
  };
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

/**
 * Whether `next` shows that something the user asked for took effect: the phase or the
 * step-through changed, or a stopped run took a step (progress of a running run does not count).
 */
function tookEffect(prev: RunStatus | null, next: RunStatus): boolean {
  if (!prev) return true;
  return (
    prev.phase !== next.phase ||
    prev.tracing !== next.tracing ||
    (prev.phase !== 'running' && prev.step !== next.step)
  );
}

function answered(s: RunState, kind: PendingKind, requestId: number | null): RunState['pending'] {
  return s.pending[kind] !== null && (requestId === null || s.pending[kind] === requestId)
    ? { ...s.pending, [kind]: null }
    : s.pending;
}

function withTask(s: RunState, kind: TaskKind, task: TaskState): RunState['tasks'] {
  return { ...s.tasks, [kind]: task };
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

/** The run's state after one action. Never mutates `s`; returns `s` itself when nothing changed. */
export function reduceRun(s: RunState, a: RunStoreAction): RunState {
  switch (a.type) {
    case 'runStatus': {
      const status = a.status;
      // A reset (back to idle before any step) forgets everything the old run showed.
      if (status.phase === 'idle' && status.step === 0 && (s.status?.step ?? 0) > 0)
        return {
          ...INITIAL_RUN_STATE,
          status,
          dataset: s.dataset,
          options: s.options,
          view: s.view,
        };
      // Leaving step-through drops its view (and the canvas highlight).
      const trace = s.status?.tracing && !status.tracing ? null : s.trace;
      const notice = s.notice !== null && tookEffect(s.status, status) ? null : s.notice;
      return { ...s, status, trace, notice };
    }
    case 'runMetrics': {
      const history = appendEpochs(s.history, a.from, a.history);
      const lossTrace = appendTrace(s.lossTrace, a.trace);
      return history === s.history && lossTrace === s.lossTrace ? s : { ...s, history, lossTrace };
    }
    case 'runStats':
      return { ...s, stats: { step: a.step, byNode: new Map(a.nodes.map((n) => [n.node, n])) } };
    case 'runDataset':
      return { ...s, dataset: a.dataset };
    case 'runPrediction':
      return { ...s, prediction: { step: a.step, view: a.view } };
    case 'traceStep':
      return {
        ...s,
        trace: { position: a.position, length: a.length, step: a.step },
        pending: answered(s, 'trace', a.requestId),
        notice: null,
      };
    case 'gradcheckResult':
      return {
        ...s,
        gradcheck: { byNode: new Map(a.nodes.map((n) => [n.node, n])), worst: a.worst, floor: a.floor },
        pending: answered(s, 'gradcheck', a.requestId),
        tasks: withTask(s, 'gradcheck', NO_TASK),
        notice: null,
      };
    case 'analysisResult':
      return {
        ...s,
        analysis: a.report,
        pending: answered(s, 'analyze', a.requestId),
        tasks: withTask(s, 'analyze', NO_TASK),
        notice: null,
      };
    case 'taskProgress': {
      if (s.pending[a.kind] !== a.requestId) return s;
      const progress = { done: a.done, total: a.total, label: a.label };
      return { ...s, tasks: withTask(s, a.kind, { progress, cancelled: null }) };
    }
    case 'taskCancelled':
      // Said beside the task's button (not as a notice): the user asked for it or just pressed something.
      if (s.pending[a.kind] !== a.requestId) return s;
      return {
        ...s,
        pending: answered(s, a.kind, a.requestId),
        tasks: withTask(s, a.kind, { progress: null, cancelled: a.reason }),
      };
    case 'runRejected': {
      // Every refusal is shown, also those without a requestId (Play, Step, Reset carry none).
      const kind = (Object.keys(s.pending) as PendingKind[]).find(
        (k) => a.requestId !== null && s.pending[k] === a.requestId,
      );
      if (!kind) return { ...s, notice: a.reason };
      const pending = { ...s.pending, [kind]: null };
      const tasks = kind === 'trace' ? s.tasks : withTask(s, kind, NO_TASK);
      return { ...s, pending, tasks, notice: a.reason };
    }
    case 'requested': {
      const pending = { ...s.pending, [a.kind]: a.requestId };
      return a.kind === 'trace' ? { ...s, pending } : { ...s, pending, tasks: withTask(s, a.kind, NO_TASK) };
    }
    case 'setOptions':
      return { ...s, options: a.options };
    case 'setView':
      return { ...s, view: { ...s.view, ...a.view } };
    case 'dismissNotice':
      return s.notice === null ? s : { ...s, notice: null };
  }
}

export interface RunStore {
  getState(): RunState;
  dispatch(action: RunStoreAction): void;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/** What the user did in this page (answered at once) as opposed to what the host sent. */
const LOCAL_ACTIONS: ReadonlySet<RunStoreAction['type']> = new Set([
  'requested',
  'setOptions',
  'setView',
  'dismissNotice',
]);

/**
 * `later` decides when subscribers hear of the host's events: at once by default (tests, node),
 * once per animation frame in the webview (App.tsx), so a burst of run events costs one render,
 * not one each. The page's own actions (a checkbox, a button) are delivered at once, so controlled
 * inputs never snap back. The state itself is always current: getState() after dispatch sees it.
 */
export function createRunStore(
  initial: RunState = INITIAL_RUN_STATE,
  later: (deliver: () => void) => void = (deliver) => deliver(),
): RunStore {
  let state = initial;
  let queued = false;
  const listeners = new Set<() => void>();
  const deliver = () => {
    queued = false;
    for (const l of [...listeners]) l();
  };
  return {
    getState: () => state,
    dispatch(action) {
      const next = reduceRun(state, action);
      if (next === state) return;
      state = next;
      if (LOCAL_ACTIONS.has(action.type)) return deliver();
      if (queued) return;
      queued = true;
      later(deliver);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
