/**
 * The run panel's tabs, one row each: id (also the tab's data-testid suffix), title, and the view
 * drawn when it is open. A view reads the run from the store itself (useRun) and gets the
 * document and the ways to act on it as props.
 */
import React from 'react';
import type { GraphDoc } from '../../engine/graph/document.js';
import type { GraphEdit } from '../../engine/graph/edits.js';
import type { AnalysisReport } from '../../engine/analysis/report.js';
import type { RunRequests } from './requests.js';
import { useRun } from './use-run.js';
import { TrainTab } from './TrainTab.js';
import { Button } from '../ui/controls.js';

export interface RunTabProps {
  doc: GraphDoc;
  /** The node selected on the canvas, if exactly one is. */
  selectedNode: string | undefined;
  onEdit: (edit: GraphEdit) => void;
  requests: RunRequests;
  /** Select a node on the canvas and bring it into view. */
  revealNode: (id: string) => void;
}

export interface RunTab {
  id: string;
  title: string;
  View: React.ComponentType<RunTabProps>;
}

/** What the Analyses view (webview/analysis/, issue #8) is given. */
export interface AnalysesViewProps {
  /** The last report (null before the first). */
  report: AnalysisReport | null;
  /** An `analyze` request is on its way. */
  requesting: boolean;
  onAnalyze: () => void;
}

/** Stands in for the Analyses view until webview/analysis/ provides it. */
function AnalysesPlaceholder(props: AnalysesViewProps): React.JSX.Element {
  return (
    <div className="tab-pad" data-testid="analyses-view">
      <Button onClick={props.onAnalyze} disabled={props.requesting} testId="analyze">
        {props.requesting ? 'Analysing…' : 'Analyse at the current weights'}
      </Button>
      {props.report ? (
        <p data-testid="analysis-summary">
          {props.report.params} parameters, batch of {props.report.batch.size} ({props.report.batch.source}).
        </p>
      ) : (
        <p className="hint">
          The Hessian spectrum, linear regions and the Kronecker view of a layer’s gradient.
        </p>
      )}
    </div>
  );
}

function AnalysesTab(props: RunTabProps): React.JSX.Element {
  const report = useRun((s) => s.analysis);
  const requesting = useRun((s) => s.pending.analyze !== null);
  return <AnalysesPlaceholder report={report} requesting={requesting} onAnalyze={props.requests.analyze} />;
}

export const RUN_TABS: readonly RunTab[] = [
  { id: 'train', title: 'Train', View: TrainTab },
  { id: 'analyses', title: 'Analyses', View: AnalysesTab },
];
