/**
 * The overlay's switch and legend, floating on the canvas: on/off, what is shown (‖∂L/∂output‖,
 * ‖∂L/∂θ‖, activation magnitude), and the fixed log scale with a tick per decade, vanishing at the
 * blue end and exploding at the red end.
 */
import React from 'react';
import { useRun, useRunStore } from './use-run.js';
import { RunOptionToggle } from './RunOptionToggle.js';
import { legend, OVERLAY_METRICS, OVERLAY_SCALES } from './overlay-scale.js';
import type { OverlayMetric } from './run-store.js';

const METRIC_TITLES: Record<OverlayMetric, string> = {
  grad: 'The gradient arriving at each node’s output',
  param: 'The gradient of each node’s parameters (nodes without parameters are dimmed)',
  activation: 'The size of each node’s output',
};

const METRIC_BUTTONS: Record<OverlayMetric, string> = {
  grad: '∂L/∂out',
  param: '∂L/∂θ',
  activation: 'activation',
};

export function OverlayLegend(): React.JSX.Element {
  const store = useRunStore();
  const options = useRun((s) => s.options);
  const metric = useRun((s) => s.view.metric);
  const step = useRun((s) => s.stats?.step ?? null);
  const { gradient, ticks } = React.useMemo(() => legend(metric), [metric]);
  return (
    <div
      className={`overlay-legend${options.overlay && step !== null ? '' : ' compact'}`}
      data-testid="overlay-legend"
    >
      <div className="overlay-legend-row">
        <RunOptionToggle
          option="overlay"
          label="Overlay"
          title="Colour nodes and wires by the size of their numbers"
          testId="overlay-toggle"
        />
        <span className="segmented" role="radiogroup" aria-label="What the overlay shows">
          {OVERLAY_METRICS.map((m) => (
            <button
              key={m}
              role="radio"
              aria-checked={m === metric}
              className={m === metric ? 'active' : ''}
              data-testid={`overlay-metric-${m}`}
              title={METRIC_TITLES[m]}
              disabled={!options.overlay}
              onClick={() => store.dispatch({ type: 'setView', view: { metric: m } })}
            >
              {METRIC_BUTTONS[m]}
            </button>
          ))}
        </span>
        {options.overlay && step !== null ? (
          <span className="overlay-step" data-testid="overlay-step">
            step {step}
          </span>
        ) : null}
      </div>
      {/* The scale once there is something on it: an idle canvas stays uncluttered. */}
      {options.overlay && step !== null ? (
        <>
          <div className="overlay-scale-label">
            <span>vanishing</span>
            <b>{OVERLAY_SCALES[metric].label}</b>
            <span>exploding</span>
          </div>
          <div className="overlay-bar" style={{ background: gradient }} data-testid="overlay-bar" />
          <div className="overlay-ticks">
            {ticks.map((t) => (
              <span key={t.decade} style={{ left: `${t.at * 100}%` }} className={t.decade % 2 ? 'minor' : ''}>
                {t.decade === 0 ? '1' : `1e${t.decade}`}
              </span>
            ))}
          </div>
        </>
      ) : null}
    </div>
  );
}
