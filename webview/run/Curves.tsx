/**
 * The live curves: loss (every batch as a faint trace, each epoch's train and validation loss on
 * top; linear or log axis) and accuracy (train and validation per epoch), both over steps so they
 * line up.
 */
import React from 'react';
import type { LossTrace } from '../../engine/run/protocol.js';
import type { EpochMetrics } from '../../engine/train/trainer.js';
import { drawChart, type Series } from './chart.js';
import { DrawCanvas, type Draw } from './DrawCanvas.js';

function epochSeries(
  history: readonly EpochMetrics[],
  pick: (h: EpochMetrics) => number | undefined,
): { x: Float64Array; y: Float64Array } {
  const rows = history.filter((h) => pick(h) !== undefined);
  return { x: Float64Array.from(rows, (h) => h.steps), y: Float64Array.from(rows, (h) => pick(h)!) };
}

function Legend(props: { items: { label: string; className: string }[] }): React.JSX.Element {
  return (
    <span className="chart-legend">
      {props.items.map((i) => (
        <span key={i.label} className={`chart-key ${i.className}`}>
          {i.label}
        </span>
      ))}
    </span>
  );
}

export const LossChart = React.memo(function LossChart(props: {
  trace: readonly LossTrace[];
  history: readonly EpochMetrics[];
  log: boolean;
  onLog: (log: boolean) => void;
}): React.JSX.Element {
  const { trace, history, log } = props;
  const train = React.useMemo(() => epochSeries(history, (h) => h.loss), [history]);
  const val = React.useMemo(() => epochSeries(history, (h) => h.valLoss), [history]);
  const points = trace.reduce((n, c) => n + c.steps.length, 0);
  const draw = React.useCallback<Draw>(
    (ctx, w, h, p) => {
      const series: Series[] = [
        {
          label: 'batch',
          color: p.blue,
          chunks: trace.map((c) => ({ x: c.steps, y: c.loss })),
          width: 1,
          alpha: 0.35,
        },
        { label: 'train', color: p.blue, chunks: [train], width: 2, markers: true },
        { label: 'validation', color: p.orange, chunks: [val], width: 2, markers: true },
      ];
      drawChart(
        ctx,
        w,
        h,
        { series, logY: log, xLabel: 'step', empty: 'Press Train: the loss appears here.' },
        p,
      );
    },
    [trace, train, val, log],
  );
  return (
    <section className="chart" data-testid="loss-curve">
      <header>
        <span className="chart-title">Loss</span>
        <Legend
          items={[
            { label: 'batch', className: 'key-batch' },
            { label: 'train', className: 'key-train' },
            { label: 'validation', className: 'key-validation' },
          ]}
        />
        <label className="chart-option">
          <input
            type="checkbox"
            data-testid="loss-log-scale"
            checked={log}
            onChange={(e) => props.onLog(e.target.checked)}
          />
          log scale
        </label>
      </header>
      <DrawCanvas
        draw={draw}
        testId="loss-chart"
        label="Loss over steps"
        attrs={{
          'trace-points': points,
          'train-points': train.x.length,
          'validation-points': val.x.length,
          scale: log ? 'log' : 'linear',
        }}
      />
    </section>
  );
});

export const AccuracyChart = React.memo(function AccuracyChart(props: {
  history: readonly EpochMetrics[];
}): React.JSX.Element {
  const { history } = props;
  const train = React.useMemo(() => epochSeries(history, (h) => h.accuracy), [history]);
  const val = React.useMemo(() => epochSeries(history, (h) => h.valAccuracy), [history]);
  const draw = React.useCallback<Draw>(
    (ctx, w, h, p) => {
      const series: Series[] = [
        { label: 'train', color: p.blue, chunks: [train], width: 2, markers: true },
        { label: 'validation', color: p.orange, chunks: [val], width: 2, markers: true },
      ];
      const empty = history.length
        ? 'No accuracy: this is not a classification task.'
        : 'Accuracy per epoch.';
      drawChart(ctx, w, h, { series, yRange: [0, 1], xLabel: 'step', empty }, p);
    },
    [history, train, val],
  );
  return (
    <section className="chart" data-testid="accuracy-curve">
      <header>
        <span className="chart-title">Accuracy</span>
        <Legend
          items={[
            { label: 'train', className: 'key-train' },
            { label: 'validation', className: 'key-validation' },
          ]}
        />
      </header>
      <DrawCanvas
        draw={draw}
        testId="accuracy-chart"
        label="Accuracy over steps"
        attrs={{ 'train-points': train.x.length, 'validation-points': val.x.length }}
      />
    </section>
  );
});
