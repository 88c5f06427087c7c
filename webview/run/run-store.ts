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

export interface RunState {
  status: RunStatus | null;
  history: readonly EpochMetrics[];
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
}

export type RunStoreAction =
  | RunEvent
  | { type: 'requested'; kind: PendingKind; requestId: number }
  | { type: 'setOptions'; options: RunOptions }
  | { type: 'setView'; view: Partial<RunViewSettings> };

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
};

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
      return { ...s, status, trace };
    }
    case 'runMetrics': {
      const history = a.from === 0 ? a.history : [...s.history.slice(0, a.from), ...a.history];
      return { ...s, history, lossTrace: appendTrace(s.lossTrace, a.trace) };
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
      };
    case 'gradcheckResult':
      return {
        ...s,
        gradcheck: { byNode: new Map(a.nodes.map((n) => [n.node, n])), worst: a.worst, floor: a.floor },
        pending: answered(s, 'gradcheck', a.requestId),
        tasks: withTask(s, 'gradcheck', NO_TASK),
      };
    case 'analysisResult':
      return {
        ...s,
        analysis: a.report,
        pending: answered(s, 'analyze', a.requestId),
        tasks: withTask(s, 'analyze', NO_TASK),
      };
    case 'taskProgress': {
      if (s.pending[a.kind] !== a.requestId) return s;
      const progress = { done: a.done, total: a.total, label: a.label };
      return { ...s, tasks: withTask(s, a.kind, { progress, cancelled: null }) };
    }
    case 'taskCancelled':
      if (s.pending[a.kind] !== a.requestId) return s;
      return {
        ...s,
        pending: answered(s, a.kind, a.requestId),
        tasks: withTask(s, a.kind, { progress: null, cancelled: a.reason }),
      };
    case 'runRejected': {
      if (a.requestId === null) return s;
      const kind = (Object.keys(s.pending) as PendingKind[]).find((k) => s.pending[k] === a.requestId);
      if (!kind) return s;
      const pending = { ...s.pending, [kind]: null };
      return kind === 'trace' ? { ...s, pending } : { ...s, pending, tasks: withTask(s, kind, NO_TASK) };
    }
    case 'requested': {
      const pending = { ...s.pending, [a.kind]: a.requestId };
      return a.kind === 'trace' ? { ...s, pending } : { ...s, pending, tasks: withTask(s, a.kind, NO_TASK) };
    }
    case 'setOptions':
      return { ...s, options: a.options };
    case 'setView':
      return { ...s, view: { ...s.view, ...a.view } };
  }
}

export interface RunStore {
  getState(): RunState;
  dispatch(action: RunStoreAction): void;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/** What the user did in this page (answered at once) as opposed to what the host sent. */
const LOCAL_ACTIONS: ReadonlySet<RunStoreAction['type']> = new Set(['requested', 'setOptions', 'setView']);

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
