/**
 * The Prediction tab: what the network computes, live — the decision boundary over the 2-D data,
 * or the fitted curve over the 1-D data with each hidden unit's curve on request (so a ReLU net's
 * kinks line up with its breakpoints). Before a run it previews the dataset.
 */
import React from 'react';
import { useRun } from './use-run.js';
import type { RunTabProps } from './tabs.js';
import { DrawCanvas, type Draw } from './DrawCanvas.js';
import { classColor, drawBoundary, drawCurve, type PlotFrame } from './prediction-draw.js';
import { RunOptionToggle } from './RunOptionToggle.js';

export function PredictionTab(_props: RunTabProps): React.JSX.Element {
  const dataset = useRun((s) => s.dataset);
  const prediction = useRun((s) => s.prediction);
  const view = prediction?.view ?? null;
  const curve = view?.kind === 'curve' || (!view && dataset?.features === 1);
  const [frame, setFrame] = React.useState<PlotFrame | null>(null);

  const draw = React.useCallback<Draw>(
    (ctx, w, h, p) => {
      const f = curve
        ? drawCurve(ctx, w, h, view?.kind === 'curve' ? view : null, dataset, p)
        : drawBoundary(ctx, w, h, view?.kind === 'boundary' ? view : null, dataset, p);
      setFrame((old) =>
        old && f && old.left === f.left && old.width === f.width && old.height === f.height ? old : f,
      );
    },
    [curve, view, dataset],
  );

  const validation = dataset ? dataset.validation.reduce((n, v) => n + v, 0) : 0;
  const units = view?.kind === 'curve' ? (view.units ?? []).reduce((n, u) => n + u.count, 0) : 0;
  const breakpoints = view?.kind === 'curve' ? (view.breakpoints?.length ?? null) : null;
  return (
    <div className="prediction-tab">
      {view?.kind === 'none' ? (
        <p className="tab-pad hint" data-testid="prediction-reason">
          Nothing to draw: {view.reason}.
        </p>
      ) : !view && !dataset ? (
        <p className="tab-pad hint" data-testid="prediction-reason">
          The data and what the network makes of it appear here once a run starts.
        </p>
      ) : (
        <DrawCanvas
          draw={draw}
          testId="prediction-canvas"
          className="prediction-canvas"
          label={curve ? 'Fitted curve over the data' : 'Decision boundary over the data'}
          attrs={{
            kind: view?.kind ?? 'data',
            points: dataset?.y.length ?? 0,
            'validation-points': validation,
            units,
            breakpoints: breakpoints ?? '',
            plot: frame ? `${frame.left},${frame.top},${frame.width},${frame.height}` : '',
          }}
        />
      )}
      <aside className="prediction-side">
        <RunOptionToggle
          option="prediction"
          label="Live prediction"
          title="Compute the prediction view while training (costs a little time)"
          testId="prediction-toggle"
        />
        <RunOptionToggle
          option="hiddenUnits"
          label="Hidden units"
          title={
            curve
              ? "Draw each hidden unit's output over x"
              : "Draw each hidden layer's first units over the plane, on its node"
          }
          testId="hidden-units-toggle"
        />
        <p className="muted" data-testid="prediction-step">
          {prediction ? `after step ${prediction.step}` : 'data only'}
        </p>
        {dataset && !curve ? (
          <ul className="class-keys">
            {Array.from({ length: Math.max(2, dataset.classes) }, (_, k) => (
              <li key={k}>
                <span className="swatch" style={{ background: classColor(k) }} />
                class {k}
              </li>
            ))}
          </ul>
        ) : null}
        {dataset ? (
          <ul className="point-keys">
            <li>
              <span className="dot filled" /> training ({dataset.y.length - validation})
            </li>
            <li>
              <span className="dot ring" /> validation ({validation})
            </li>
            {curve && view ? (
              <li>
                <span className="line fitted" /> network
              </li>
            ) : null}
            {breakpoints !== null ? (
              <li>
                <span className="tick" /> {breakpoints} breakpoints
              </li>
            ) : null}
          </ul>
        ) : null}
      </aside>
    </div>
  );
}
