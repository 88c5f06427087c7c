/**
 * Linear regions of a piecewise-linear network. 1-D input: the exact polyline of the output with
 * its breakpoints, the count against 2^depth. 2-D input: the activation-pattern regions over the
 * input plane, one colour each (sampled on the report's grid).
 */
import React from 'react';
import type { LinearRegions1d, RegionGrid2d } from '../../engine/analysis/linear-regions.js';
import type { AnalysisReport } from '../../engine/analysis/report.js';
import { formatCount, formatNumber } from '../../engine/analysis/format.js';
import { regionsComparison } from './explain.js';
import { Num, Section } from './parts.js';

export function RegionsSection(props: { regions: AnalysisReport['regions'] }): React.JSX.Element {
  const { oneD, twoD, note } = props.regions;
  return (
    <Section title="Linear regions" testId="analysis-regions">
      {oneD ? <Regions1d r={oneD} /> : null}
      {twoD ? <Regions2d g={twoD} /> : null}
      {note ? (
        <p className="muted" data-testid="regions-note">
          No regions to draw: {note}.
        </p>
      ) : null}
    </Section>
  );
}

function Regions1d(props: { r: LinearRegions1d }): React.JSX.Element {
  const { r } = props;
  return (
    <>
      <dl className="readouts">
        <dt>linear pieces (exact)</dt>
        <dd>
          <Num value={r.pieces} format={formatCount} testId="regions-pieces" />
        </dd>
        <dt>depth (kinked layers)</dt>
        <dd>
          <Num value={r.depth} format={formatCount} testId="regions-depth" />
        </dd>
        <dt>2^depth</dt>
        <dd>
          <Num value={2 ** r.depth} format={formatCount} testId="regions-power" />
        </dd>
      </dl>
      <p className="verdict" data-testid="regions-compare">
        {regionsComparison(r)}
      </p>
      <PolylinePlot r={r} />
      <p className="muted breakpoints" data-testid="regions-breakpoints" data-count={r.breakpoints.length}>
        {r.breakpoints.length
          ? `Breakpoints on [${r.interval.map(formatNumber).join(', ')}]: ${r.breakpoints.map(formatNumber).join(', ')}`
          : `No breakpoints on [${r.interval.map(formatNumber).join(', ')}]: the output is affine there.`}
      </p>
    </>
  );
}

const PLOT = { width: 360, height: 170, pad: 26 };

/** The network's output drawn exactly: straight segments between its knots, breakpoints marked. */
function PolylinePlot(props: { r: LinearRegions1d }): React.JSX.Element {
  const { interval, polyline, breakpoints } = props.r;
  const [x0, x1] = interval;
  const outputs = polyline.y[0]?.length ?? 0;
  const ys = polyline.y.flat();
  let y0 = Math.min(...ys),
    y1 = Math.max(...ys);
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y1 + 1];
  const { width, height, pad } = PLOT;
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0)) * (width - 2 * pad);
  const sy = (y: number) => height - pad - ((y - y0) / (y1 - y0)) * (height - 2 * pad);
  const yAt = (k: number, o: number) => polyline.y[k]![o]!;
  return (
    <svg
      className="region-plot"
      data-testid="regions-plot"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label="the network's output, piecewise linear, with its breakpoints"
    >
      <rect className="plot-frame" x={pad} y={pad} width={width - 2 * pad} height={height - 2 * pad} />
      {breakpoints.map((b) => (
        <line key={`g${b}`} className="breakpoint-guide" x1={sx(b)} x2={sx(b)} y1={pad} y2={height - pad} />
      ))}
      {Array.from({ length: outputs }, (_, o) => (
        <polyline
          key={o}
          className={`polyline output-${o % 4}`}
          data-testid="regions-polyline"
          points={polyline.x.map((x, k) => `${sx(x).toFixed(2)},${sy(yAt(k, o)).toFixed(2)}`).join(' ')}
        />
      ))}
      {polyline.x.slice(1, -1).map((x, i) => (
        <circle
          key={`b${x}`}
          className="breakpoint"
          data-testid="regions-breakpoint"
          cx={sx(x)}
          cy={sy(yAt(i + 1, 0))}
          r={3}
        >
          <title>x = {formatNumber(x)}</title>
        </circle>
      ))}
      <text className="axis-label" x={pad} y={height - 8}>
        {formatNumber(x0)}
      </text>
      <text className="axis-label" x={width - pad} y={height - 8} textAnchor="end">
        {formatNumber(x1)}
      </text>
      <text className="axis-label" x={pad - 4} y={pad + 4} textAnchor="end">
        {formatNumber(y1)}
      </text>
      <text className="axis-label" x={pad - 4} y={height - pad} textAnchor="end">
        {formatNumber(y0)}
      </text>
    </svg>
  );
}

/** A colour per region id, spread around the hue circle by the golden angle. */
function regionColour(id: number): [number, number, number] {
  const h = (id * 137.508) % 360;
  const l = id % 2 ? 0.42 : 0.55;
  const s = 0.45;
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

function Regions2d(props: { g: RegionGrid2d }): React.JSX.Element {
  const { g } = props;
  const ref = React.useRef<HTMLCanvasElement>(null);
  React.useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(g.width, g.height);
    for (let r = 0; r < g.height; r++)
      for (let c = 0; c < g.width; c++) {
        const id = g.region[r * g.width + c]!;
        // Row 0 of the grid is ymin: the bottom of the picture.
        const at = 4 * ((g.height - 1 - r) * g.width + c);
        // Darken cells on a region's edge so neighbouring regions of similar colour stay apart.
        const edge =
          (c + 1 < g.width && g.region[r * g.width + c + 1] !== id) ||
          (r + 1 < g.height && g.region[(r + 1) * g.width + c] !== id);
        const [red, green, blue] = regionColour(id);
        const k = edge ? 0.55 : 1;
        img.data[at] = red * k;
        img.data[at + 1] = green * k;
        img.data[at + 2] = blue * k;
        img.data[at + 3] = 255;
      }
    ctx.putImageData(img, 0, 0);
  }, [g]);
  const [x0, x1, y0, y1] = g.bounds;
  return (
    <>
      <dl className="readouts">
        <dt>regions seen on the grid</dt>
        <dd>
          <Num value={g.regions} format={formatCount} testId="regions-count" />
        </dd>
        <dt>depth (kinked layers)</dt>
        <dd>
          <Num value={g.depth} format={formatCount} testId="regions-depth" />
        </dd>
      </dl>
      <figure className="region-grid">
        <canvas
          ref={ref}
          width={g.width}
          height={g.height}
          data-testid="regions-grid"
          data-regions={g.regions}
          aria-label="linear regions over the input plane, one colour each"
        />
        <figcaption className="muted">
          x₁ ∈ [{formatNumber(x0)}, {formatNumber(x1)}], x₂ ∈ [{formatNumber(y0)}, {formatNumber(y1)}]
        </figcaption>
      </figure>
      <p className="muted" data-testid="regions-sampled">
        Sampled on a {g.width}×{g.height} grid: each colour is one activation pattern of the kinked units, so
        the count is a lower bound (regions smaller than a cell are missed).
      </p>
    </>
  );
}
