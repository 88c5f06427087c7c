/**
 * What the network computes over its input space, for the run panel's prediction view: the
 * decision boundary of a 2-D classifier (engine/plot/boundary.ts's grid over the data), or the
 * fitted curve of a 1-D regression with, on request, each hidden unit's curve and the exact
 * breakpoints of a piecewise-linear network (engine/analysis/linear-regions.ts).
 *
 * A Predictor keeps its own Program for the grid's batch size (withBatchSize: the run's
 * parameter tensors, shared, not copied), in evaluation mode, so drawing never touches the
 * training program's buffers or random stream.
 */
import type { CompiledGraph } from '../graph/compile.js';
import type { Dataset } from '../data/dataset.js';
import { boundaryGrid, dataBounds } from '../plot/boundary.js';
import { linearRegions1d } from '../analysis/linear-regions.js';
import { Tensor, sizeOf } from '../tensor/tensor.js';
import type { DatasetView, PredictionView } from './protocol.js';

/** Cells per side of the decision-boundary grid. */
export const BOUNDARY_GRID = 64;
/** Points along the fitted curve. */
export const CURVE_POINTS = 256;
/** Margin around the data, as a share of its extent. */
const MARGIN = 0.1;
/** Hidden nodes wider than this are left out of the unit curves (too many lines to read). */
const MAX_UNITS = 64;

export interface Predictor {
  predict(opts: { hiddenUnits: boolean }): PredictionView;
}

export function createPredictor(compiled: CompiledGraph, data: Dataset): Predictor {
  const features = sizeOf(compiled.program.slots[compiled.input]!.shape.slice(1));
  if (data.task === 'classification' && features === 2) return boundaryPredictor(compiled, data);
  if (data.task === 'regression' && features === 1) return curvePredictor(compiled, data);
  const reason =
    `the prediction view draws 2-D classification and 1-D regression; this is ${data.task} ` +
    `with ${features} input feature${features === 1 ? '' : 's'}`;
  return { predict: () => ({ kind: 'none', reason }) };
}

/** The graph at `n` rows, sharing the run's parameters, in evaluation mode. */
function evaluator(compiled: CompiledGraph, n: number): CompiledGraph {
  const g = compiled.withBatchSize(n);
  g.program.setTraining(false);
  return g;
}

function boundaryPredictor(compiled: CompiledGraph, data: Dataset): Predictor {
  const n = BOUNDARY_GRID;
  const g = evaluator(compiled, n * n);
  const b = dataBounds(data.x, MARGIN);
  const classes = Math.max(data.classes, 2);
  const run = (pts: Tensor): Tensor => {
    g.program.value(g.input).data.set(pts.data);
    g.program.forward();
    return g.program.value(g.prediction);
  };
  return {
    predict() {
      const grid = boundaryGrid(run, b, n, n);
      // boundaryGrid's rows run from the top (y1) down; the view's from y0 up.
      const label = new Uint8Array(n * n);
      const confidence = new Float32Array(n * n);
      for (let r = 0; r < n; r++) {
        label.set(grid.cls.subarray(r * n, (r + 1) * n), (n - 1 - r) * n);
        confidence.set(grid.confidence.subarray(r * n, (r + 1) * n), (n - 1 - r) * n);
      }
      return { kind: 'boundary', bounds: [b.x0, b.x1, b.y0, b.y1], nx: n, ny: n, classes, label, confidence };
    },
  };
}

function curvePredictor(compiled: CompiledGraph, data: Dataset): Predictor {
  const m = CURVE_POINTS;
  const g = evaluator(compiled, m);
  let lo = Infinity,
    hi = -Infinity;
  for (const v of data.x.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const pad = MARGIN * (hi - lo || 1);
  const [x0, x1] = [lo - pad, hi + pad];
  const x = new Float32Array(m);
  for (let i = 0; i < m; i++) x[i] = x0 + ((x1 - x0) * i) / (m - 1);
  // Hidden units: the activations between the input and the output, narrow enough to draw.
  const hidden = g.program.nodes.filter((node) => {
    const shape = g.program.slots[node.output]!.shape;
    return (
      node.op.category === 'activations' &&
      node.output !== g.prediction &&
      shape.length === 2 &&
      shape[1]! <= MAX_UNITS
    );
  });
  return {
    predict({ hiddenUnits }) {
      const p = g.program;
      p.value(g.input).data.set(x);
      p.forward();
      const out = p.value(g.prediction).data;
      const width = out.length / m;
      const y = new Float32Array(m);
      for (let i = 0; i < m; i++) y[i] = out[i * width]!;
      const view: PredictionView & { kind: 'curve' } = { kind: 'curve', x, y };
      if (hiddenUnits)
        view.units = hidden.map((node) => {
          const v = p.value(node.output).data;
          const count = v.length / m;
          const values = new Float32Array(count * m);
          for (let i = 0; i < m; i++) for (let u = 0; u < count; u++) values[u * m + i] = v[i * count + u]!;
          return { node: node.id, count, values };
        });
      const regions = linearRegions1d(compiled, [x0, x1]);
      if (regions.ok) view.breakpoints = Float32Array.from(regions.regions.breakpoints);
      return view;
    },
  };
}

/**
 * The points of a dataset as the views draw them, or null when they can't be drawn (more than
 * two input features). `validationRows` are the held-out samples' indices.
 */
export function datasetView(data: Dataset, validationRows: ArrayLike<number>): DatasetView | null {
  const n = data.x.shape[0]!;
  const features = sizeOf(data.x.shape.slice(1));
  if (features > 2) return null;
  const targets = data.y.size / n;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = data.y.data[i * targets]!;
  const validation = new Uint8Array(n);
  for (let i = 0; i < validationRows.length; i++) validation[validationRows[i]!] = 1;
  return {
    task: data.task,
    features,
    classes: data.classes,
    x: Float32Array.from(data.x.data),
    y,
    validation,
  };
}
