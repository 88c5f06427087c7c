/**
 * The Analyses tab of the run panel: the deep-architectures lecture's analyses of the user's own
 * graph at the run's current weights (engine/analysis, computed by the engine worker on request):
 * forward vs reverse mode, the loss Hessian, linear regions, and the Kronecker view of a layer.
 * It only draws an AnalysisReport; asking for one (`onAnalyze`) is the panel's business.
 */
import React from 'react';
import type { AnalysisReport } from '../../engine/analysis/report.js';
import { formatCount } from '../../engine/analysis/format.js';
import { Button } from '../ui/controls.js';
import { TaskProgress } from '../run/TaskProgress.js';
import type { TaskState } from '../run/run-store.js';
import { weightsNote } from './explain.js';
import { ModesSection } from './ModesSection.js';
import { HessianSection } from './HessianSection.js';
import { RegionsSection } from './RegionsSection.js';
import { KroneckerSection } from './KroneckerSection.js';
import './analysis.css';

export interface AnalysisViewProps {
  /** The last report received (null before the first). */
  report: AnalysisReport | null;
  /** An `analyze` request is out: the button waits and the old report is dimmed. */
  requesting: boolean;
  /** The request's progress, or why the last one was cancelled. */
  task: TaskState;
  onAnalyze: () => void;
  /** Stops the analysis in progress. */
  onCancel: () => void;
  /** Selects a node on the canvas; without it node names are plain text. */
  onSelectNode?: (node: string) => void;
}

export function AnalysisView(props: AnalysisViewProps): React.JSX.Element {
  const { report, requesting, task, onAnalyze, onCancel, onSelectNode } = props;
  return (
    <div className="analysis" data-testid="analysis-view" aria-busy={requesting}>
      <div className="analysis-header">
        <Button
          testId="analysis-run"
          onClick={onAnalyze}
          disabled={requesting}
          title="Run the analyses at the run's current weights"
        >
          {requesting ? 'Analyzing…' : report ? 'Analyze again' : 'Analyze'}
        </Button>
        {requesting ? (
          <span className="analysis-busy" data-testid="analysis-busy" role="status">
            <span className="spinner" aria-hidden="true" />
            <TaskProgress
              progress={task.progress}
              busy="computing…"
              onCancel={onCancel}
              testId="analysis-progress"
              cancelTitle="Stop the analyses"
            />
          </span>
        ) : task.cancelled ? (
          <span className="task-cancelled" data-testid="analysis-cancelled" role="status">
            {task.cancelled}
          </span>
        ) : null}
        {report ? (
          <span className="analysis-subject">
            <span data-testid="analysis-weights" data-kind={report.weights?.kind ?? 'unknown'}>
              {weightsNote(report.weights)}
            </span>{' '}
            <span className="muted" data-testid="analysis-batch">
              {formatCount(report.params)} parameters; loss on {report.batch.source}.
            </span>
          </span>
        ) : null}
      </div>
      {report ? (
        <div className={`analysis-grid${requesting ? ' stale' : ''}`} data-testid="analysis-report">
          <ModesSection modes={report.modes} />
          <HessianSection hessian={report.hessian} onSelectNode={onSelectNode} />
          <RegionsSection regions={report.regions} />
          <KroneckerSection kronecker={report.kronecker} />
        </div>
      ) : (
        <p className="analysis-empty muted" data-testid="analysis-empty">
          {requesting
            ? 'The engine is computing forward vs reverse mode costs, the Hessian’s extreme eigenvalues, linear regions and the Kronecker view…'
            : 'Analyze the graph at its current weights (train first to see the Hessian of a trained network): forward vs reverse mode costs, the loss Hessian’s extreme eigenvalues, the network’s linear regions, and the Kronecker view of a linear layer.'}
        </p>
      )}
    </div>
  );
}
