/**
 * The run panel: a dock under the canvas with the run's controls and readouts in its header
 * (Train/Pause, Step, Reset, phase, epoch, step, loss, learning rate, gradient check) and one tab
 * open below (tabs.tsx). Failures name the node and offer to show it; a run that is behind the
 * document says so. Its height, tab and folded state survive the webview being hidden.
 */
import React from 'react';
import type { Diagnostic, GraphDoc } from '../../engine/graph/document.js';
import type { GraphEdit } from '../../engine/graph/edits.js';
import type { RunStatus } from '../../engine/run/protocol.js';
import { useHost } from '../host.js';
import { Button } from '../ui/controls.js';
import { useRun, useRunStore } from './use-run.js';
import { useRunRequests, type RunRequests } from './requests.js';
import { RUN_TABS } from './tabs.js';
import { formatMagnitude } from './overlay-scale.js';
import { describeGradCheck, gradCheckVerdict } from './gradcheck.js';
import { TaskProgress } from './TaskProgress.js';
import { stepControls, stepKeyCommand } from './step-controls.js';
import { isEditableTarget } from '../keyboard.js';
import './run.css';

const MIN_HEIGHT = 140;
/** A third of the editor's height, within reason: the canvas stays the larger part. */
function defaultHeight(): number {
  return Math.round(Math.min(340, Math.max(200, window.innerHeight * 0.36)));
}

function RunControls(props: { status: RunStatus | null; requests: RunRequests }): React.JSX.Element {
  const { status, requests } = props;
  const phase = status?.phase ?? 'idle';
  const running = phase === 'running';
  const canStep = phase === 'idle' || phase === 'paused';
  return (
    <div className="run-controls">
      {running ? (
        <Button onClick={() => requests.run('pause')} testId="run-pause" title="Pause after this step">
          Pause
        </Button>
      ) : (
        <Button
          onClick={() => requests.run('play')}
          testId="run-play"
          disabled={phase === 'finished' || phase === 'failed'}
          title={phase === 'idle' ? 'Train from fresh weights' : 'Reset to train again'}
        >
          ▶ {phase === 'paused' ? 'Resume' : 'Train'}
        </Button>
      )}
      <Button
        secondary
        onClick={() => requests.run('step')}
        testId="run-step-once"
        disabled={!canStep}
        title="Train on one mini-batch"
      >
        Step
      </Button>
      <Button
        secondary
        onClick={() => requests.run('reset')}
        testId="run-reset"
        disabled={phase === 'idle' && (status?.step ?? 0) === 0}
        title="Forget this run: fresh weights from the document"
      >
        Reset
      </Button>
    </div>
  );
}

function Readouts(props: { status: RunStatus | null }): React.JSX.Element {
  const s = props.status;
  const phase = s?.phase ?? 'idle';
  return (
    <div className="run-readouts">
      <span className={`phase-badge phase-${phase}`} data-testid="run-phase">
        {s?.tracing ? 'stepping through' : phase}
      </span>
      <span data-testid="run-epoch" title="Epoch (begun) of all epochs">
        epoch <b>{s?.epoch ?? 0}</b>/{s?.epochs ?? '–'}
      </span>
      <span data-testid="run-step" title={`Optimisation steps; ${s?.batchesPerEpoch ?? '–'} per epoch`}>
        step <b>{s?.step ?? 0}</b>
      </span>
      <span data-testid="run-loss" title="Loss of the last mini-batch">
        loss <b>{s?.loss === null || s?.loss === undefined ? '–' : formatMagnitude(s.loss)}</b>
      </span>
      <span data-testid="run-lr" title="Learning rate of the last step">
        lr <b>{s?.lr === null || s?.lr === undefined ? '–' : formatMagnitude(s.lr)}</b>
      </span>
      {s?.weightsFrom ? (
        <span
          data-testid="run-weights-from"
          className="weights-from"
          title="This run started from these weights"
        >
          from <b>{s.weightsFrom}</b>
        </span>
      ) : null}
    </div>
  );
}

function GradCheckSummary(props: { requests: RunRequests }): React.JSX.Element {
  const pending = useRun((s) => s.pending.gradcheck !== null);
  const task = useRun((s) => s.tasks.gradcheck);
  const result = useRun((s) => s.gradcheck);
  const worst = result?.worst ?? null;
  return (
    <div className="gradcheck-summary">
      {pending ? (
        <TaskProgress
          progress={task.progress}
          busy="Checking…"
          onCancel={() => props.requests.cancelTask('gradcheck')}
          testId="gradcheck-progress"
          cancelTitle="Stop the gradient check"
        />
      ) : (
        <Button
          secondary
          onClick={props.requests.gradcheck}
          testId="gradcheck"
          title="Compare autodiff with finite differences on the current batch"
        >
          Check gradients
        </Button>
      )}
      {pending ? null : task.cancelled ? (
        <span className="task-cancelled" data-testid="gradcheck-cancelled" role="status">
          {task.cancelled}
        </span>
      ) : result ? (
        <span
          className={`gradcheck-worst ${worst ? gradCheckVerdict(worst) : 'unresolved'}`}
          data-testid="gradcheck-worst"
        >
          {worst
            ? `worst ${describeGradCheck(worst)}`
            : result.byNode.size > 0
              ? `every gradient is below ${result.floor.toExponential(0)}: too small to check (reset, or check earlier in training)`
              : 'nothing to check'}
        </span>
      ) : null}
    </div>
  );
}

/** Why the host refused the last request, until dismissed or until a later request takes effect. */
function RunNotice(): React.JSX.Element | null {
  const store = useRunStore();
  const notice = useRun((s) => s.notice);
  if (notice === null) return null;
  return (
    <div className="run-banner notice" role="status" data-testid="run-notice">
      <span>{notice}</span>
      <button
        className="icon-button"
        data-testid="run-notice-dismiss"
        title="Dismiss"
        aria-label="Dismiss"
        onClick={() => store.dispatch({ type: 'dismissNotice' })}
      >
        ×
      </button>
    </div>
  );
}

function Banners(props: {
  status: RunStatus | null;
  diagnostics: readonly Diagnostic[];
  requests: RunRequests;
  revealNode: (id: string) => void;
}): React.JSX.Element | null {
  const { status } = props;
  const error = status?.phase === 'failed' ? status.error : undefined;
  return (
    <>
      <RunNotice />
      {error ? (
        <div className="run-banner error" role="alert" data-testid="run-error">
          <span>{error.message}</span>
          {props.diagnostics.some(
            (d) => d.setting?.startsWith('training.dataset') && d.message === error.message,
          ) ? (
            <ChooseDatasetButton />
          ) : null}
          {error.node ? (
            <Button secondary onClick={() => props.revealNode(error.node!)} testId="run-error-node">
              Show {error.node}
            </Button>
          ) : null}
          <Button secondary onClick={() => props.requests.run('reset')} testId="run-error-reset">
            Reset
          </Button>
        </div>
      ) : null}
      {status?.stale && status.phase !== 'idle' ? (
        <div className="run-banner stale" role="status" data-testid="run-stale">
          <span>
            The graph changed after this run started; the run keeps training the graph it started with.
          </span>
          <Button secondary onClick={() => props.requests.run('reset')} testId="run-stale-reset">
            Reset to use the new graph
          </Button>
        </div>
      ) : null}
    </>
  );
}

function ChooseDatasetButton(): React.JSX.Element {
  const host = useHost();
  return (
    <Button
      secondary
      onClick={() => host.post({ type: 'chooseDataset' })}
      testId="run-dataset-choose"
      title="Pick a CSV file for training.dataset.path (relative to the graph)"
    >
      Choose CSV…
    </Button>
  );
}

/**
 * What stops training before it starts: a dataset with no file, or one that can't be read (the
 * same words as the Problems panel), with the way out: choose a CSV, or a built-in dataset in the
 * Train tab's Data section.
 */
function DatasetProblems(props: {
  diagnostics: readonly Diagnostic[];
  status: RunStatus | null;
}): React.JSX.Element | null {
  // A failed Play says the same words in its own banner, which then offers the choice: not twice.
  const failed = props.status?.phase === 'failed' ? props.status.error?.message : undefined;
  const problems = props.diagnostics.filter(
    (d) => d.setting?.startsWith('training.dataset') && d.message !== failed,
  );
  if (problems.length === 0) return null;
  return (
    <>
      {problems.map((d, i) => (
        <div
          key={i}
          className={`run-banner ${d.severity === 'error' ? 'error' : 'stale'}`}
          role="alert"
          data-testid="run-dataset-problem"
        >
          <span>{d.message}</span>
          <ChooseDatasetButton />
        </div>
      ))}
    </>
  );
}

/**
 * The step-through's shortcuts (step-controls.ts) wherever the focus is in the editor, except
 * where the user types. The step key with no step-through active starts one and shows its tab.
 */
function useStepKeys(requests: RunRequests, showStepTab: () => void): void {
  const store = useRunStore();
  React.useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const command = stepKeyCommand(e);
      if (!command || isEditableTarget(e.target)) return;
      e.preventDefault();
      const s = store.getState();
      const can = stepControls(s.status, s.trace);
      if (command === 'step' && can.start) {
        requests.trace('start');
        showStepTab();
      } else if (command === 'step' && can.step) requests.trace('step');
      else if (command === 'back' && can.back) requests.trace('back');
      else if (command === 'continue' && can.finish) requests.trace('finish');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, requests, showStepTab]);
}

export function RunPanel(props: {
  doc: GraphDoc;
  /** The document's problems: those of training.dataset are shown here, before Train is pressed. */
  diagnostics: readonly Diagnostic[];
  selectedNode: string | undefined;
  onEdit: (edit: GraphEdit) => void;
  revealNode: (id: string) => void;
}): React.JSX.Element {
  const requests = useRunRequests();
  const host = useHost();
  const status = useRun((s) => s.status);
  const saved = React.useMemo(() => host.loadState().runDock, [host]);
  const [height, setHeight] = React.useState(saved?.height ?? defaultHeight);
  const [tab, setTab] = React.useState(
    RUN_TABS.some((t) => t.id === saved?.tab) ? saved!.tab : RUN_TABS[0]!.id,
  );
  const [collapsed, setCollapsed] = React.useState(saved?.collapsed ?? false);
  React.useEffect(
    () => host.saveState({ runDock: { height, tab, collapsed } }),
    [host, height, tab, collapsed],
  );
  const showStepTab = React.useCallback(() => {
    setTab('step');
    setCollapsed(false);
  }, []);
  useStepKeys(requests, showStepTab);

  const onResizeStart = (e: React.PointerEvent<HTMLDivElement>) => {
    const startY = e.clientY;
    const startH = height;
    const handle = e.currentTarget;
    handle.setPointerCapture(e.pointerId);
    const move = (ev: PointerEvent) => {
      const max = Math.max(MIN_HEIGHT, window.innerHeight - 160);
      setHeight(Math.round(Math.min(max, Math.max(MIN_HEIGHT, startH + startY - ev.clientY))));
    };
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
    if (collapsed) setCollapsed(false);
  };

  const active = RUN_TABS.find((t) => t.id === tab) ?? RUN_TABS[0]!;
  return (
    <section
      className={`run-dock${collapsed ? ' collapsed' : ''}`}
      style={collapsed ? undefined : { height }}
      data-testid="run-panel"
      aria-label="Run"
    >
      <div
        className="run-dock-resize"
        data-testid="run-dock-resize"
        onPointerDown={onResizeStart}
        title="Drag to resize"
      />
      <header className="run-header">
        <button
          className="icon-button"
          data-testid="run-dock-toggle"
          title={collapsed ? 'Show the run panel' : 'Fold the run panel away'}
          aria-expanded={!collapsed}
          onClick={() => setCollapsed((c) => !c)}
        >
          {collapsed ? '▴' : '▾'}
        </button>
        <nav className="run-tabs" role="tablist">
          {RUN_TABS.map((t) => (
            <button
              key={t.id}
              role="tab"
              aria-selected={!collapsed && t.id === active.id}
              className={!collapsed && t.id === active.id ? 'active' : ''}
              data-testid={`run-tab-${t.id}`}
              onClick={() => {
                setTab(t.id);
                setCollapsed(false);
              }}
            >
              {t.title}
            </button>
          ))}
        </nav>
        <RunControls status={status} requests={requests} />
        <Readouts status={status} />
        <GradCheckSummary requests={requests} />
      </header>
      <Banners
        status={status}
        diagnostics={props.diagnostics}
        requests={requests}
        revealNode={props.revealNode}
      />
      <DatasetProblems diagnostics={props.diagnostics} status={status} />
      {collapsed ? null : (
        <div className="run-body" role="tabpanel" data-testid={`run-view-${active.id}`}>
          <active.View
            doc={props.doc}
            selectedNode={props.selectedNode}
            onEdit={props.onEdit}
            requests={requests}
            revealNode={props.revealNode}
          />
        </div>
      )}
    </section>
  );
}
