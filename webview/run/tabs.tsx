/**
 * The run panel's tabs, one row each: id (also the tab's data-testid suffix), title, and the view
 * drawn when it is open. A view reads the run from the store itself (useRun) and gets the
 * document and the ways to act on it as props.
 */
import React from 'react';
import type { GraphDoc } from '../../engine/graph/document.js';
import type { GraphEdit } from '../../engine/graph/edits.js';
import type { RunRequests } from './requests.js';
import { useRun } from './use-run.js';
import { TrainTab } from './TrainTab.js';
import { PredictionTab } from './PredictionTab.js';
import { ImagesTab } from './ImagesTab.js';
import { StepThroughTab } from './StepThroughTab.js';
import { AnalysisView } from '../analysis/AnalysisView.js';

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

function AnalysesTab(props: RunTabProps): React.JSX.Element {
  const report = useRun((s) => s.analysis);
  const requesting = useRun((s) => s.pending.analyze !== null);
  const task = useRun((s) => s.tasks.analyze);
  return (
    <AnalysisView
      report={report}
      requesting={requesting}
      task={task}
      onAnalyze={props.requests.analyze}
      onCancel={() => props.requests.cancelTask('analyze')}
      onSelectNode={props.revealNode}
    />
  );
}

export const RUN_TABS: readonly RunTab[] = [
  { id: 'train', title: 'Train', View: TrainTab },
  { id: 'prediction', title: 'Prediction', View: PredictionTab },
  { id: 'images', title: 'Images', View: ImagesTab },
  { id: 'step', title: 'Step through', View: StepThroughTab },
  { id: 'analyses', title: 'Analyses', View: AnalysesTab },
];
