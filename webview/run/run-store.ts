/**
 * What the webview knows about the run: a small vanilla store (state + subscribe + dispatch) whose
 * state changes only through `reduceRun`, a pure function of the previous state and one action — a
 * RunEvent from the host, or a local action (a request sent, a view setting changed). Pure so it is
 * tested in node; React reads it through use-run.ts, each component selecting only what it draws
 * (the canvas nodes select their own colour, so a stats update doesn't re-render the flow).
 */
import type { GradCheckNode, RunEvent, RunOptions, RunStatus, TaskKind } from '../../engine/run/protocol.js';
import { DEFAULT_RUN_OPTIONS } from '../../engine/run/protocol.js';
import { runOptions } from '../../engine/run/run-messages.js';
import {
  EMPTY_RUN_PICTURE,
  reduceRunPicture,
  startsOver,
  type RunPicture,
} from '../../engine/run/run-picture.js';
import { OVERLAY_METRICS } from './overlay-scale.js';
import type { AnalysisReport } from '../../engine/analysis/report.js';

export type { TraceState } from '../../engine/run/run-picture.js';

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

/** The run's picture (engine/run/run-picture.ts) and what the page asked about it and was answered. */
export interface RunState extends RunPicture {
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

/** What the page asked about the run and was answered: forgotten when the run starts over. */
const NO_REQUESTS = {
  gradcheck: null,
  analysis: null,
  pending: { trace: null, gradcheck: null, analyze: null },
  tasks: { gradcheck: NO_TASK, analyze: NO_TASK },
  notice: null,
} satisfies Partial<RunState>;

export const INITIAL_RUN_STATE: RunState = {
  ...EMPTY_RUN_PICTURE,
  ...NO_REQUESTS,
  options: DEFAULT_RUN_OPTIONS,
  view: { metric: 'grad', logLoss: false },
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
    options = runOptions(o.options);
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

/** The run's state after one action. Never mutates `s`; returns `s` itself when nothing changed. */
export function reduceRun(s: RunState, a: RunStoreAction): RunState {
  switch (a.type) {
    case 'runStatus': {
      const next = reduceRunPicture(s, a);
      // A reset also forgets what the page asked about the old run; the page's settings stay.
      if (startsOver(s.status, a.status)) return { ...next, ...NO_REQUESTS };
      const notice = s.notice !== null && tookEffect(s.status, a.status) ? null : s.notice;
      return notice === next.notice ? next : { ...next, notice };
    }
    case 'runMetrics':
    case 'runStats':
    case 'runDataset':
    case 'runPrediction':
    case 'runImages':
      return reduceRunPicture(s, a);
    case 'traceStep':
      return { ...reduceRunPicture(s, a), pending: answered(s, 'trace', a.requestId), notice: null };
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
