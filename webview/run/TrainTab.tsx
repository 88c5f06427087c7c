/** The Train tab: the document's training settings beside the live loss and accuracy curves. */
import React from 'react';
import { useRun, useRunStore } from './use-run.js';
import { AccuracyChart, LossChart } from './Curves.js';
import { TrainingSettings } from './TrainingSettings.js';
import { ModelActions } from './ModelActions.js';
import type { RunTabProps } from './tabs.js';

export function TrainTab(props: RunTabProps): React.JSX.Element {
  const store = useRunStore();
  const trace = useRun((s) => s.lossTrace);
  const history = useRun((s) => s.history);
  const log = useRun((s) => s.view.logLoss);
  const onLog = React.useCallback(
    (logLoss: boolean) => store.dispatch({ type: 'setView', view: { logLoss } }),
    [store],
  );
  return (
    <div className="train-tab">
      <div className="train-side">
        <TrainingSettings training={props.doc.training} onEdit={props.onEdit} />
        <ModelActions />
      </div>
      <div className="curves">
        <div className="curves-grid">
          <LossChart trace={trace} history={history} log={log} onLog={onLog} />
          <AccuracyChart history={history} />
        </div>
      </div>
    </div>
  );
}
