/**
 * The numbers behind a node's overlay colour, shown while the pointer is on the node: norm, mean,
 * std, min, max and a histogram of the gradient arriving at its output (or of its output, when the
 * overlay shows activations), and its parameters' gradient norms.
 */
import React from 'react';
import type { TensorStats } from '../../engine/train/stats.js';
import { useRun } from './use-run.js';
import { formatMagnitude, overlayColor } from './overlay-scale.js';

function Histogram(props: { stats: TensorStats; color: string }): React.JSX.Element {
  const { histogram, min, max } = props.stats;
  const top = Math.max(1, ...histogram);
  const w = 180;
  const h = 40;
  const bar = w / Math.max(1, histogram.length);
  // Where zero falls, so the sign of the values reads at a glance.
  const zero = max > min && min < 0 && max > 0 ? ((0 - min) / (max - min)) * w : null;
  return (
    <svg className="histogram" width={w} height={h + 12} data-testid="stats-histogram" role="img">
      {histogram.map((c, i) => (
        <rect
          key={i}
          x={i * bar + 0.5}
          y={h - (c / top) * h}
          width={Math.max(1, bar - 1)}
          height={(c / top) * h}
          fill={props.color}
        />
      ))}
      {zero !== null ? <line x1={zero} x2={zero} y1={0} y2={h} className="histogram-zero" /> : null}
      <text x={0} y={h + 10} className="histogram-label">
        {formatMagnitude(min)}
      </text>
      <text x={w} y={h + 10} textAnchor="end" className="histogram-label">
        {formatMagnitude(max)}
      </text>
    </svg>
  );
}

function StatsTable(props: { stats: TensorStats; testId: string }): React.JSX.Element {
  const s = props.stats;
  const rows: [string, number][] = [
    ['norm', s.norm],
    ['mean', s.mean],
    ['std', s.std],
    ['min', s.min],
    ['max', s.max],
  ];
  return (
    <table className="stats-table" data-testid={props.testId}>
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td data-stat={k} data-value={v}>
              {formatMagnitude(v)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function NodeStatsCard(props: { node: string; left: number; top: number }): React.JSX.Element | null {
  const stats = useRun((s) => (s.options.overlay ? s.stats?.byNode.get(props.node) : undefined));
  const step = useRun((s) => s.stats?.step);
  const metric = useRun((s) => s.view.metric);
  if (!stats) return null;
  const showActivation = metric === 'activation' || !stats.grad;
  const shown = showActivation ? stats.activation : stats.grad!;
  const color = overlayColor(shown.norm, showActivation ? 'activation' : 'grad');
  const params = Object.entries(stats.paramGradNorms);
  return (
    <div
      className="node-stats-card"
      style={{ left: props.left, top: props.top }}
      data-testid="node-stats"
      data-node={props.node}
    >
      <header>
        <b>{props.node}</b> <span className="muted">after step {step}</span>
      </header>
      <h4>{showActivation ? 'output' : '∂L/∂output'}</h4>
      <div className="node-stats-body">
        <StatsTable stats={shown} testId="stats-table" />
        <Histogram stats={shown} color={color} />
      </div>
      {params.length ? (
        <>
          <h4>‖∂L/∂θ‖ {stats.paramGradNorm === null ? '' : formatMagnitude(stats.paramGradNorm)}</h4>
          <table className="stats-table" data-testid="stats-params">
            <tbody>
              {params.map(([name, v]) => (
                <tr key={name}>
                  <th>{name}</th>
                  <td data-value={v}>{formatMagnitude(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {!showActivation ? (
        <p className="muted">
          ‖output‖ {formatMagnitude(stats.activation.norm)} · range {formatMagnitude(stats.activation.min)} …{' '}
          {formatMagnitude(stats.activation.max)}
        </p>
      ) : null}
    </div>
  );
}
