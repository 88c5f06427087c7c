/**
 * The live curves: loss (every batch as a faint trace, each epoch's train and validation loss on
 * top; linear or log axis) and accuracy (train and validation per epoch), both over steps so they
 * line up.
 */
import React from 'react';
import type { LossTrace } from '../../engine/run/protocol.js';
import type { EpochMetrics } from '../../engine/train/trainer.js';
import { drawChart, type Series, type SeriesChunk } from './chart.js';
import { DrawCanvas, type Draw } from './DrawCanvas.js';
import { Toggle } from '../ui/controls.js';

type EpochField = 'loss' | 'valLoss' | 'accuracy' | 'valAccuracy';
type EpochHistory = readonly (readonly EpochMetrics[])[];

/** Each history chunk's series per field, made once: an update converts only the new epochs. */
const SERIES_OF_CHUNK: Record<EpochField, WeakMap<readonly EpochMetrics[], SeriesChunk>> = {
  loss: new WeakMap(),
  valLoss: new WeakMap(),
  accuracy: new WeakMap(),
  valAccuracy: new WeakMap(),
};

/** One field of every epoch over steps, chunk by chunk as the store holds them (epochs without it left out). */
function epochSeries(history: EpochHistory, field: EpochField): SeriesChunk[] {
  const cache = SERIES_OF_CHUNK[field];
  return history.map((chunk) => {
    let series = cache.get(chunk);
    if (!series) {
      const x = new Float64Array(chunk.length);
      const y = new Float64Array(chunk.length);
      let n = 0;
      for (const h of chunk) {
        const v = h[field];
        if (v === undefined) continue;
        x[n] = h.steps;
        y[n++] = v;
      }
      series = { x: x.subarray(0, n), y: y.subarray(0, n) };
      cache.set(chunk, series);
    }
    return series;
  });
}

function pointCount(chunks: readonly SeriesChunk[]): number {
  return chunks.reduce((n, c) => n + c.x.length, 0);
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
  history: EpochHistory;
  log: boolean;
  onLog: (log: boolean) => void;
}): React.JSX.Element {
  const { trace, history, log } = props;
  const train = React.useMemo(() => epochSeries(history, 'loss'), [history]);
  const val = React.useMemo(() => epochSeries(history, 'valLoss'), [history]);
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
        { label: 'train', color: p.blue, chunks: train, width: 2, markers: true },
        { label: 'validation', color: p.orange, chunks: val, width: 2, markers: true },
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
        <span className="chart-option">
          <Toggle
            label="log scale"
            title="Loss on a logarithmic axis"
            testId="loss-log-scale"
            checked={log}
            onChange={props.onLog}
          />
        </span>
      </header>
      <DrawCanvas
        draw={draw}
        testId="loss-chart"
        label="Loss over steps"
        attrs={{
          'trace-points': points,
          'train-points': pointCount(train),
          'validation-points': pointCount(val),
          scale: log ? 'log' : 'linear',
        }}
      />
    </section>
  );
});

/** The last epoch's accuracy in numbers (the chart shows its shape): train, and validation when held out. */
function LastAccuracy(props: { last: EpochMetrics }): React.JSX.Element {
  const { epoch, accuracy, valAccuracy } = props.last;
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  return (
    <span
      className="chart-last muted"
      data-testid="accuracy-last"
      data-epoch={epoch}
      data-train={accuracy}
      data-validation={valAccuracy}
      title={`Accuracy after epoch ${epoch}`}
    >
      epoch {epoch}: train <b>{pct(accuracy!)}</b>
      {valAccuracy !== undefined ? (
        <>
          , validation <b data-testid="accuracy-validation">{pct(valAccuracy)}</b>
        </>
      ) : null}
    </span>
  );
}

export const AccuracyChart = React.memo(function AccuracyChart(props: {
  history: EpochHistory;
}): React.JSX.Element {
  const { history } = props;
  const train = React.useMemo(() => epochSeries(history, 'accuracy'), [history]);
  const val = React.useMemo(() => epochSeries(history, 'valAccuracy'), [history]);
  const draw = React.useCallback<Draw>(
    (ctx, w, h, p) => {
      const series: Series[] = [
        { label: 'train', color: p.blue, chunks: train, width: 2, markers: true },
        { label: 'validation', color: p.orange, chunks: val, width: 2, markers: true },
      ];
      const empty = history.length
        ? 'No accuracy: this is not a classification task.'
        : 'Accuracy per epoch.';
      drawChart(ctx, w, h, { series, yRange: [0, 1], xLabel: 'step', empty }, p);
    },
    [history, train, val],
  );
  const last = history.at(-1)?.at(-1);
  return (
    <section className="chart" data-testid="accuracy-curve">
      <header>
        <span className="chart-title">Accuracy</span>
        {last?.accuracy !== undefined ? <LastAccuracy last={last} /> : null}
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
        attrs={{ 'train-points': pointCount(train), 'validation-points': pointCount(val) }}
      />
    </section>
  );
});
