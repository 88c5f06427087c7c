/**
 * The Images tab: inside an image classifier, live while it trains (engine/run/image-views.ts).
 * Held-out samples with true → predicted label, misclassified first; the confusion matrix and the
 * accuracy of each class; and for the sample clicked, its saliency map (∂loss/∂input), what every
 * layer whose output is an image makes of it (its channels), and the learned convolution filters.
 */
import React from 'react';
import type { ChannelImages, FilterImages, ImagesView } from '../../engine/run/protocol.js';
import type { RunTabProps } from './tabs.js';
import { useRun } from './use-run.js';
import { RunOptionToggle } from './RunOptionToggle.js';
import { greyPixels, rangePixels, signedPixels, type Rgba } from './image-pixels.js';
import { Picture } from './Picture.js';

function percent(x: number): string {
  return Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)} %`;
}

function SampleGrid(props: {
  view: ImagesView;
  picked: number | null;
  onPick: (row: number) => void;
}): React.JSX.Element {
  const { view } = props;
  const [, h, w] = view.shape;
  const size = view.shape[0] * h * w;
  const name = (k: number) => view.classNames[k] ?? String(k);
  return (
    <div className="sample-grid" data-testid="sample-grid">
      {Array.from(view.grid.rows, (row, k) => {
        const label = view.grid.label[k]!,
          predicted = view.grid.predicted[k]!;
        const wrong = label !== predicted;
        return (
          <figure
            key={row}
            className={`sample ${wrong ? 'wrong' : 'right'} ${props.picked === row ? 'picked' : ''}`}
            data-testid="sample"
            data-row={row}
            data-label={label}
            data-predicted={predicted}
          >
            <Picture
              rgba={greyPixels(view.grid.pixels, k * size, h * w)}
              width={w}
              height={h}
              scale={2}
              title={`sample ${row}: ${name(label)}, predicted ${name(predicted)}. Click to look inside.`}
              onClick={() => props.onPick(row)}
            />
            <figcaption>
              {name(label)}→{name(predicted)}
            </figcaption>
          </figure>
        );
      })}
    </div>
  );
}

function ConfusionMatrix({ view }: { view: ImagesView }): React.JSX.Element {
  const k = view.classes;
  const rowTotal = (t: number) => {
    let n = 0;
    for (let p = 0; p < k; p++) n += view.confusion[t * k + p]!;
    return n;
  };
  return (
    <table
      className="confusion"
      data-testid="confusion-matrix"
      aria-label="Confusion matrix: rows true, columns predicted"
    >
      <thead>
        <tr>
          <th title="true class ↓, predicted class →">t\p</th>
          {view.classNames.map((c) => (
            <th key={c}>{c}</th>
          ))}
          <th>acc.</th>
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: k }, (_, t) => {
          const total = rowTotal(t);
          return (
            <tr key={t}>
              <th>{view.classNames[t]}</th>
              {Array.from({ length: k }, (_, p) => {
                const n = view.confusion[t * k + p]!;
                const share = total > 0 ? n / total : 0;
                return (
                  <td
                    key={p}
                    data-count={n}
                    className={t === p ? 'diagonal' : n > 0 ? 'confused' : ''}
                    style={{ ['--share' as string]: share.toFixed(3) }}
                    title={`${n} of ${total} ${view.classNames[t]} predicted ${view.classNames[p]}`}
                  >
                    {n || ''}
                  </td>
                );
              })}
              <td className="class-accuracy" data-testid="class-accuracy" data-class={t}>
                {percent(view.perClass[t]!)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function ChannelStack(props: { maps: ChannelImages }): React.JSX.Element {
  const { channels, height, width, values, node } = props.maps;
  const scale = Math.max(1, Math.min(3, Math.floor(42 / Math.max(height, width))));
  return (
    <section className="channel-stack" data-testid={`feature-maps-${node}`} data-channels={channels}>
      <h4>
        {node} <span className="muted">{`${channels} × ${height}×${width}`}</span>
      </h4>
      <div className="channels">
        {Array.from({ length: channels }, (_, c) => (
          <Picture
            key={c}
            rgba={rangePixels(values, c * height * width, height * width)}
            width={width}
            height={height}
            scale={scale}
            title={`${node}, channel ${c}`}
          />
        ))}
      </div>
    </section>
  );
}

function Filters(props: { filters: FilterImages }): React.JSX.Element {
  const { node, outChannels, inChannels, height, width, values } = props.filters;
  const size = height * width;
  return (
    <section className="filter-bank" data-testid={`filters-${node}`} data-filters={outChannels * inChannels}>
      <h4>
        {node} <span className="muted">{`${outChannels} × ${inChannels} filters ${height}×${width}`}</span>
      </h4>
      <div className="filters" style={{ gridTemplateColumns: `repeat(${inChannels}, auto)` }}>
        {Array.from({ length: outChannels * inChannels }, (_, f) => (
          <Picture
            key={f}
            rgba={signedPixels(values, f * size, size)}
            width={width}
            height={height}
            scale={4}
            title={`${node}: output channel ${Math.floor(f / inChannels)}, input channel ${f % inChannels}`}
          />
        ))}
      </div>
    </section>
  );
}

/**
 * One picture of the picked sample (the image itself, its saliency map) with its caption. Memoised:
 * the pixels are worked out again only when the view brings new values, not on every render.
 */
const PickedFigure = React.memo(function PickedFigure(props: {
  values: ArrayLike<number>;
  toRgba: (values: ArrayLike<number>, offset: number, count: number) => Rgba;
  width: number;
  height: number;
  testId: string;
  title?: string;
  caption: string;
}): React.JSX.Element {
  const { values, toRgba, width, height } = props;
  const rgba = React.useMemo(() => toRgba(values, 0, width * height), [values, toRgba, width, height]);
  return (
    <figure>
      <Picture
        rgba={rgba}
        width={width}
        height={height}
        scale={3}
        testId={props.testId}
        title={props.title}
      />
      <figcaption>{props.caption}</figcaption>
    </figure>
  );
});

function PickedSampleView({ view }: { view: ImagesView }): React.JSX.Element {
  const picked = view.picked;
  if (!picked)
    return (
      <p className="hint" data-testid="picked-hint">
        Click a sample to see its saliency map and what each layer makes of it.
      </p>
    );
  const [, h, w] = view.shape;
  const name = (k: number) => view.classNames[k] ?? String(k);
  return (
    <div className="picked" data-testid="picked-sample" data-row={picked.row}>
      <div className="picked-head">
        <PickedFigure
          values={picked.pixels}
          toRgba={greyPixels}
          width={w}
          height={h}
          testId="picked-image"
          caption={`sample ${picked.row}: ${name(picked.label)} → ${name(picked.predicted)}`}
        />
        <PickedFigure
          values={picked.saliency}
          toRgba={signedPixels}
          width={w}
          height={h}
          testId="saliency-map"
          title="∂loss/∂pixel: orange raises the loss, blue lowers it"
          caption="saliency ∂loss/∂input"
        />
        <ol className="probabilities" data-testid="probabilities">
          {Array.from(picked.probabilities, (p, k) => (
            <li key={k} className={k === picked.label ? 'true-class' : ''}>
              <span className="class-name">{name(k)}</span>
              <span className="bar" style={{ width: `${(100 * p).toFixed(1)}%` }} />
              <span className="value">{(100 * p).toFixed(0)}%</span>
            </li>
          ))}
        </ol>
      </div>
      {picked.maps.map((m) => (
        <ChannelStack key={m.node} maps={m} />
      ))}
    </div>
  );
}

export function ImagesTab(props: RunTabProps): React.JSX.Element {
  const images = useRun((s) => s.images);
  const options = useRun((s) => s.options);
  const picked = options.pickedSample ?? null;
  const pick = React.useCallback(
    (row: number) => props.requests.options({ ...options, pickedSample: row }),
    [props.requests, options],
  );
  if (!images)
    return (
      <div className="images-tab">
        <p className="tab-pad hint" data-testid="images-reason">
          For image classifiers (inputs of shape [C, H, W], e.g. the mnist examples): held-out samples with
          their predictions, a confusion matrix, and what the network looks at. It appears once a run takes a
          step.
        </p>
        <div className="tab-pad">
          <RunOptionToggle
            option="images"
            label="Live images"
            title="Compute the Images view while training (costs a little time)"
            testId="images-toggle"
          />
        </div>
      </div>
    );
  const { view, step } = images;
  return (
    <div className="images-tab" data-testid="images-view" data-step={step}>
      <header className="images-head">
        <RunOptionToggle
          option="images"
          label="Live images"
          title="Compute the Images view while training (costs a little time)"
          testId="images-toggle"
        />
        <span data-testid="images-summary">
          after step {step}: {view.correct} of {view.evaluated} {view.source} images right (
          {percent(view.correct / view.evaluated)})
        </span>
      </header>
      <div className="images-body">
        <section>
          <h3>Samples, misclassified first</h3>
          <SampleGrid view={view} picked={picked} onPick={pick} />
        </section>
        <section>
          <h3>Confusion matrix and accuracy per class</h3>
          <ConfusionMatrix view={view} />
        </section>
        <section>
          <h3>Inside the picked sample</h3>
          <PickedSampleView view={view} />
        </section>
        {view.filters.length ? (
          <section data-testid="learned-filters">
            <h3>Learned filters</h3>
            {view.filters.map((f) => (
              <Filters key={f.node} filters={f} />
            ))}
          </section>
        ) : null}
      </div>
    </div>
  );
}
