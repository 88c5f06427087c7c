/**
 * Decision boundaries of a 2-D classifier: the predicted class and its confidence on a grid over
 * the data, and a picture of it with the data points on top (RGBA pixels; engine/io/png.ts
 * writes them as a PNG). The editor paints the same grid on its canvas.
 */
import { Tensor } from '../tensor/tensor.js';

export interface Bounds {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export interface BoundaryGrid {
  bounds: Bounds;
  nx: number;
  ny: number;
  /** Predicted class per cell, row-major from the top row (y1) down. */
  cls: Uint8Array;
  /** Probability of the predicted class per cell. */
  confidence: Float32Array;
}

export interface RgbaImage {
  width: number;
  height: number;
  /** width × height × 4 bytes, row-major from the top. */
  data: Uint8Array;
}

/** A square box around the points with a margin, so that the picture is not stretched. */
export function dataBounds(x: Tensor, margin = 0.1): Bounds {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (let i = 0; i < x.shape[0]!; i++) {
    const a = x.data[2 * i]!,
      b = x.data[2 * i + 1]!;
    x0 = Math.min(x0, a);
    x1 = Math.max(x1, a);
    y0 = Math.min(y0, b);
    y1 = Math.max(y1, b);
  }
  const half = (Math.max(x1 - x0, y1 - y0) / 2) * (1 + margin) || 1;
  const cx = (x0 + x1) / 2,
    cy = (y0 + y1) / 2;
  return { x0: cx - half, x1: cx + half, y0: cy - half, y1: cy + half };
}

/**
 * Classifies every cell centre. `predict` maps points [M, 2] to logits [M, K] (K ≥ 2, softmax) or
 * [M, 1] / [M] (one logit, sigmoid).
 */
export function boundaryGrid(
  predict: (x: Tensor) => Tensor,
  bounds: Bounds,
  nx: number,
  ny: number,
): BoundaryGrid {
  const pts = Tensor.zeros([nx * ny, 2], 'float64');
  for (let r = 0; r < ny; r++)
    for (let c = 0; c < nx; c++) {
      const i = r * nx + c;
      pts.data[2 * i] = bounds.x0 + ((c + 0.5) / nx) * (bounds.x1 - bounds.x0);
      pts.data[2 * i + 1] = bounds.y1 - ((r + 0.5) / ny) * (bounds.y1 - bounds.y0);
    }
  const logits = predict(pts);
  const k = logits.size / (nx * ny);
  const cls = new Uint8Array(nx * ny);
  const confidence = new Float32Array(nx * ny);
  for (let i = 0; i < nx * ny; i++) {
    if (k === 1) {
      const p = 1 / (1 + Math.exp(-logits.data[i]!));
      cls[i] = p > 0.5 ? 1 : 0;
      confidence[i] = Math.max(p, 1 - p);
      continue;
    }
    let best = 0;
    for (let j = 1; j < k; j++) if (logits.data[i * k + j]! > logits.data[i * k + best]!) best = j;
    let z = 0;
    for (let j = 0; j < k; j++) z += Math.exp(logits.data[i * k + j]! - logits.data[i * k + best]!);
    cls[i] = best;
    confidence[i] = 1 / z;
  }
  return { bounds, nx, ny, cls, confidence };
}

/** A colour per class (Tableau 10), as [r, g, b]. */
export const CLASS_COLOURS: readonly (readonly [number, number, number])[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

/**
 * The grid as pale class colours (paler where the model is unsure) with the points drawn as
 * discs in full colour with a dark rim. Returns an image `size` pixels square.
 */
export function renderBoundary(grid: BoundaryGrid, points: { x: Tensor; y: Tensor }, size = 480): RgbaImage {
  const { bounds, nx, ny } = grid;
  const data = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++)
    for (let px = 0; px < size; px++) {
      const cell = Math.floor((py / size) * ny) * nx + Math.floor((px / size) * nx);
      const [r, g, b] = CLASS_COLOURS[grid.cls[cell]! % CLASS_COLOURS.length]!;
      // Confidence 1/K..1 maps to 15%..45% of the class colour over white.
      const t = 0.15 + 0.3 * Math.min(1, Math.max(0, grid.confidence[cell]!));
      const o = (py * size + px) * 4;
      data[o] = Math.round(255 + (r - 255) * t);
      data[o + 1] = Math.round(255 + (g - 255) * t);
      data[o + 2] = Math.round(255 + (b - 255) * t);
      data[o + 3] = 255;
    }
  const radius = Math.max(2, Math.round(size / 120));
  for (let i = 0; i < points.x.shape[0]!; i++) {
    const cx = ((points.x.data[2 * i]! - bounds.x0) / (bounds.x1 - bounds.x0)) * size;
    const cy = ((bounds.y1 - points.x.data[2 * i + 1]!) / (bounds.y1 - bounds.y0)) * size;
    const colour = CLASS_COLOURS[points.y.data[i]! % CLASS_COLOURS.length]!;
    for (let dy = -radius - 1; dy <= radius + 1; dy++)
      for (let dx = -radius - 1; dx <= radius + 1; dx++) {
        const px = Math.round(cx + dx),
          py = Math.round(cy + dy);
        const d = Math.hypot(dx, dy);
        if (px < 0 || py < 0 || px >= size || py >= size || d > radius + 1) continue;
        const [r, g, b] = d > radius ? ([40, 40, 40] as const) : colour;
        const o = (py * size + px) * 4;
        data[o] = r;
        data[o + 1] = g;
        data[o + 2] = b;
      }
  }
  return { width: size, height: size, data };
}
