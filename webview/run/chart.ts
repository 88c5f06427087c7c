/**
 * A small line chart on a 2-D canvas: axes with round ticks, linear or log y, series drawn as lines
 * (with optional markers) from chunked typed arrays. Long series are reduced to a min/max pair per
 * pixel column, so drawing 100 000 batch losses costs the same as drawing the width of the chart.
 */

export interface SeriesChunk {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export interface Series {
  label: string;
  color: string;
  chunks: readonly SeriesChunk[];
  width?: number;
  alpha?: number;
  markers?: boolean;
}

export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  font: string;
}

export interface ChartSpec {
  series: readonly Series[];
  logY?: boolean;
  /** Fixed y range (e.g. accuracy in [0, 1]); else fitted to the data. */
  yRange?: [number, number];
  xLabel: string;
  /** What to show when there is nothing to draw yet. */
  empty: string;
}

const PAD = { left: 44, right: 10, top: 8, bottom: 26 };

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

function extent(series: readonly Series[], logY: boolean): [number, number, number, number] | null {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (const s of series)
    for (const c of s.chunks)
      for (let i = 0; i < c.x.length; i++) {
        const x = c.x[i]!;
        const y = c.y[i]!;
        if (!Number.isFinite(y) || (logY && y <= 0)) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  return x0 <= x1 ? [x0, x1, y0, y1] : null;
}

/** Draws `spec` filling a canvas of css size width × height (the context already scaled for DPR). */
export function drawChart(
  ctx: CanvasRenderingContext2D,
  width: number,
  height: number,
  spec: ChartSpec,
  theme: ChartTheme,
): void {
  ctx.clearRect(0, 0, width, height);
  ctx.font = theme.font;
  const logY = spec.logY ?? false;
  const ext = extent(spec.series, logY);
  if (!ext) {
    ctx.fillStyle = theme.muted;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(spec.empty, width / 2, height / 2);
    return;
  }
  const x0 = ext[0];
  let [, x1, y0, y1] = ext;
  if (spec.yRange) [y0, y1] = spec.yRange;
  else if (!logY) {
    y0 = Math.min(0, y0);
    y1 = y1 > y0 ? y1 * 1.05 : y0 + 1;
  }
  if (logY) {
    y0 = Math.log10(y0);
    y1 = Math.log10(y1);
    if (y1 - y0 < 1) {
      const mid = (y0 + y1) / 2;
      y0 = Math.floor((mid - 0.5) * 2) / 2;
      y1 = y0 + 1;
    }
  }
  if (x1 === x0) x1 = x0 + 1;
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * w;
  const py = (y: number) => PAD.top + (1 - ((logY ? Math.log10(y) : y) - y0) / (y1 - y0)) * h;

  // Grid and ticks.
  ctx.lineWidth = 1;
  ctx.strokeStyle = theme.grid;
  ctx.fillStyle = theme.muted;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const yTicks = logY
    ? niceTicks(Math.ceil(y0), Math.floor(y1), 4)
        .filter(Number.isInteger)
        .map((d) => 10 ** d)
    : niceTicks(y0, y1, 4);
  for (const t of yTicks) {
    const y = Math.round(py(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(PAD.left, y);
    ctx.lineTo(PAD.left + w, y);
    ctx.stroke();
    ctx.fillText(formatTick(t), PAD.left - 4, y);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of niceTicks(x0, x1, Math.max(2, Math.floor(w / 70)))) {
    const x = Math.round(px(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, PAD.top + h);
    ctx.lineTo(x, PAD.top + h + 3);
    ctx.stroke();
    ctx.fillText(formatTick(t), x, PAD.top + h + 5);
  }
  ctx.textAlign = 'right';
  ctx.fillText(spec.xLabel, PAD.left + w, PAD.top + h + 14);
  ctx.strokeStyle = theme.muted;
  ctx.beginPath();
  ctx.moveTo(PAD.left + 0.5, PAD.top);
  ctx.lineTo(PAD.left + 0.5, PAD.top + h + 0.5);
  ctx.lineTo(PAD.left + w, PAD.top + h + 0.5);
  ctx.stroke();

  // Series, clipped to the plot.
  ctx.save();
  ctx.beginPath();
  ctx.rect(PAD.left, PAD.top - 2, w + 2, h + 4);
  ctx.clip();
  for (const s of spec.series) {
    ctx.globalAlpha = s.alpha ?? 1;
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = s.width ?? 1.5;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    let started = false;
    let column = NaN;
    let lo = 0,
      hi = 0;
    const flush = () => {
      if (Number.isNaN(column)) return;
      if (!started) ctx.moveTo(column, lo);
      else ctx.lineTo(column, lo);
      if (hi !== lo) ctx.lineTo(column, hi);
      started = true;
    };
    for (const c of s.chunks)
      for (let i = 0; i < c.x.length; i++) {
        const y = c.y[i]!;
        if (!Number.isFinite(y) || (logY && y <= 0)) continue;
        const col = Math.round(px(c.x[i]!));
        const yy = py(y);
        if (col !== column) {
          flush();
          column = col;
          lo = hi = yy;
        } else {
          lo = Math.min(lo, yy);
          hi = Math.max(hi, yy);
        }
      }
    flush();
    ctx.stroke();
    if (s.markers)
      for (const c of s.chunks)
        for (let i = 0; i < c.x.length; i++) {
          const y = c.y[i]!;
          if (!Number.isFinite(y) || (logY && y <= 0)) continue;
          ctx.beginPath();
          ctx.arc(px(c.x[i]!), py(y), 2.5, 0, 2 * Math.PI);
          ctx.fill();
        }
  }
  ctx.restore();
  ctx.globalAlpha = 1;
}
