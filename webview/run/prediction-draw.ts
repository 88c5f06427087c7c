/**
 * Drawing what the network computes over its input space on a 2-D canvas: the decision boundary
 * (each grid cell in its class colour, more opaque where the model is surer) or the fitted curve
 * (with hidden units' curves and breakpoint ticks), with the data on top: training points filled,
 * validation points as rings. Class colours are the engine's (engine/plot/boundary.ts), so the
 * editor and the CLI's PNG agree.
 */
import type { DatasetView, PredictionView } from '../../engine/run/protocol.js';
import { CLASS_COLOURS } from '../../engine/plot/boundary.js';
import { niceTicks } from './chart.js';
import type { Palette } from './DrawCanvas.js';

export function classColor(k: number, alpha = 1): string {
  const [r, g, b] = CLASS_COLOURS[k % CLASS_COLOURS.length]!;
  return alpha === 1 ? `rgb(${r}, ${g}, ${b})` : `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** Where the plot sits on the canvas, and the data range it shows. */
export interface PlotFrame {
  left: number;
  top: number;
  width: number;
  height: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

const PAD = { left: 40, right: 10, top: 8, bottom: 24 };

function frameFor(
  w: number,
  h: number,
  [x0, x1, y0, y1]: [number, number, number, number],
  square: boolean,
): PlotFrame {
  let width = w - PAD.left - PAD.right;
  let height = h - PAD.top - PAD.bottom;
  if (square) width = height = Math.max(10, Math.min(width, height));
  return { left: PAD.left, top: PAD.top, width, height, x0, x1, y0, y1 };
}

const sx = (f: PlotFrame, x: number) => f.left + ((x - f.x0) / (f.x1 - f.x0)) * f.width;
const sy = (f: PlotFrame, y: number) => f.top + (1 - (y - f.y0) / (f.y1 - f.y0)) * f.height;

function drawAxes(ctx: CanvasRenderingContext2D, f: PlotFrame, p: Palette): void {
  ctx.font = p.font;
  ctx.strokeStyle = p.muted;
  ctx.fillStyle = p.muted;
  ctx.lineWidth = 1;
  ctx.strokeRect(f.left + 0.5, f.top + 0.5, f.width, f.height);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of niceTicks(f.x0, f.x1, 4)) ctx.fillText(String(t), sx(f, t), f.top + f.height + 4);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of niceTicks(f.y0, f.y1, 4)) ctx.fillText(String(t), f.left - 4, sy(f, t));
}

function drawPoints(
  ctx: CanvasRenderingContext2D,
  f: PlotFrame,
  data: DatasetView,
  color: (i: number) => string,
  p: Palette,
  xy: (i: number) => [number, number],
): void {
  const n = data.y.length;
  // Training points first, so the rings of held-out points stay visible on top.
  for (const pass of [0, 1])
    for (let i = 0; i < n; i++) {
      if (data.validation[i] !== pass) continue;
      const [x, y] = xy(i);
      ctx.beginPath();
      ctx.arc(sx(f, x), sy(f, y), pass ? 4 : 3.2, 0, 2 * Math.PI);
      if (pass) {
        ctx.lineWidth = 2;
        ctx.strokeStyle = color(i);
        ctx.fillStyle = p.background;
        ctx.fill();
        ctx.stroke();
      } else {
        ctx.fillStyle = color(i);
        ctx.fill();
        ctx.lineWidth = 1;
        ctx.strokeStyle = p.background;
        ctx.stroke();
      }
    }
}

function dataExtent(data: DatasetView, dim: number): [number, number] {
  let lo = Infinity,
    hi = -Infinity;
  for (let i = dim; i < data.x.length; i += data.features) {
    lo = Math.min(lo, data.x[i]!);
    hi = Math.max(hi, data.x[i]!);
  }
  const m = (hi - lo) * 0.1 || 1;
  return [lo - m, hi + m];
}

/** Decision boundary (or, before the first prediction, the 2-D data alone). */
export function drawBoundary(
  ctx: CanvasRenderingContext2D,
  w: number,
  h: number,
  view: Extract<PredictionView, { kind: 'boundary' }> | null,
  data: DatasetView | null,
  p: Palette,
): PlotFrame | null {
  const bounds =
    view?.bounds ?? (data && data.features === 2 ? [...dataExtent(data, 0), ...dataExtent(data, 1)] : null);
  if (!bounds) return null;
  const f = frameFor(w, h, bounds as [number, number, number, number], true);
  if (view) {
    const img = new ImageData(view.nx, view.ny);
    const floor = 1 / Math.max(2, view.classes);
    for (let r = 0; r < view.ny; r++)
      for (let c = 0; c < view.nx; c++) {
        const cell = r * view.nx + c;
        // Row 0 is y0 (the bottom): the image's row 0 is the top.
        const o = ((view.ny - 1 - r) * view.nx + c) * 4;
        const [cr, cg, cb] = CLASS_COLOURS[view.label[cell]! % CLASS_COLOURS.length]!;
        // Confidence 1/K (a coin toss) … 1 maps to a faint … strong tint.
        const sure = Math.min(1, Math.max(0, (view.confidence[cell]! - floor) / (1 - floor)));
        img.data[o] = cr;
        img.data[o + 1] = cg;
        img.data[o + 2] = cb;
        img.data[o + 3] = Math.round(255 * (0.12 + 0.5 * sure));
      }
    const tile = document.createElement('canvas');
    tile.width = view.nx;
    tile.height = view.ny;
    tile.getContext('2d')!.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tile, f.left, f.top, f.width, f.height);
  }
  if (data && data.features === 2)
    drawPoints(
      ctx,
      f,
      data,
      (i) => classColor(data.y[i]!),
      p,
      (i) => [data.x[2 * i]!, data.x[2 * i + 1]!],
    );
  drawAxes(ctx, f, p);
  return f;
}

const UNIT_COLORS = (p: Palette) => [p.purple, p.green, p.yellow, p.red, p.orange];

/** Fitted curve over the 1-D data, hidden units' curves, and the breakpoints as ticks on the x axis. */
export function drawCurve(
  ctx: CanvasRenderingContext2D,
  w: number,
  h: number,
  view: Extract<PredictionView, { kind: 'curve' }> | null,
  data: DatasetView | null,
  p: Palette,
): PlotFrame | null {
  const hasData = data && data.features === 1;
  if (!view && !hasData) return null;
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  const take = (x: number, y: number) => {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  };
  if (hasData) for (let i = 0; i < data.y.length; i++) take(data.x[i]!, data.y[i]!);
  if (view) for (let i = 0; i < view.x.length; i++) take(view.x[i]!, view.y[i]!);
  const my = (y1 - y0) * 0.1 || 1;
  const f = frameFor(w, h, [x0, x1 > x0 ? x1 : x0 + 1, y0 - my, y1 + my], false);

  ctx.save();
  ctx.beginPath();
  ctx.rect(f.left, f.top, f.width, f.height);
  ctx.clip();
  const line = (
    xs: ArrayLike<number>,
    ys: (i: number) => number,
    color: string,
    width: number,
    alpha: number,
  ) => {
    ctx.globalAlpha = alpha;
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    for (let i = 0; i < xs.length; i++) {
      const X = sx(f, xs[i]!);
      const Y = sy(f, ys(i));
      if (i === 0) ctx.moveTo(X, Y);
      else ctx.lineTo(X, Y);
    }
    ctx.stroke();
    ctx.globalAlpha = 1;
  };
  if (view?.breakpoints) {
    ctx.strokeStyle = p.yellow;
    ctx.globalAlpha = 0.25;
    ctx.lineWidth = 1;
    for (const b of view.breakpoints) {
      ctx.beginPath();
      ctx.moveTo(sx(f, b), f.top);
      ctx.lineTo(sx(f, b), f.top + f.height);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }
  if (view?.units) {
    const colors = UNIT_COLORS(p);
    let k = 0;
    for (const u of view.units)
      for (let j = 0; j < u.count; j++, k++) {
        const row = u.values.subarray(j * view.x.length, (j + 1) * view.x.length);
        line(view.x, (i) => row[i]!, colors[k % colors.length]!, 1, 0.55);
      }
  }
  if (hasData)
    drawPoints(
      ctx,
      f,
      data,
      () => p.foreground,
      p,
      (i) => [data.x[i]!, data.y[i]!],
    );
  if (view) line(view.x, (i) => view.y[i]!, p.blue, 2.5, 1);
  ctx.restore();
  if (view?.breakpoints) {
    ctx.fillStyle = p.yellow;
    for (const b of view.breakpoints) {
      const X = sx(f, b);
      if (X < f.left || X > f.left + f.width) continue;
      ctx.beginPath();
      ctx.moveTo(X, f.top + f.height - 7);
      ctx.lineTo(X - 4, f.top + f.height);
      ctx.lineTo(X + 4, f.top + f.height);
      ctx.fill();
    }
  }
  drawAxes(ctx, f, p);
  return f;
}
