/**
 * A gradient check or analysis in progress: "Checking… 45 %", what it is doing ("Hessian: Lanczos
 * 12/40") and a thin bar, beside a Cancel button. The store's TaskState feeds it (run-store.ts).
 */
import React from 'react';
import { Button } from '../ui/controls.js';
import type { TaskState } from './run-store.js';
import './task-progress.css';

export function TaskProgress(props: {
  progress: TaskState['progress'];
  /** What is going on, before the percentage: "Checking…". */
  busy: string;
  onCancel: () => void;
  /** The progress element's data-testid; the Cancel button's is `${testId}-cancel`. */
  testId: string;
  cancelTitle: string;
}): React.JSX.Element {
  const p = props.progress;
  const percent = p ? Math.min(100, Math.floor((100 * p.done) / Math.max(1, p.total))) : null;
  return (
    <span className="task-progress">
      <span
        className="task-progress-readout"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={p ? `${percent} %: ${p.label}` : props.busy}
        data-testid={props.testId}
        data-done={p?.done}
        data-total={p?.total}
        title={p?.label}
      >
        <span className="task-progress-text">
          {props.busy}
          {percent === null ? '' : ` ${percent} %`}
          {p?.label ? <span className="task-progress-label"> {p.label}</span> : null}
        </span>
        <span className="task-progress-track" aria-hidden="true">
          <span className="task-progress-bar" style={{ width: `${percent ?? 0}%` }} />
        </span>
      </span>
      <Button secondary onClick={props.onCancel} testId={`${props.testId}-cancel`} title={props.cancelTitle}>
        Cancel
      </Button>
    </span>
  );
}
