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
import type { DatasetView, PredictionView, UnitHeatmaps } from './protocol.js';
import type { ProgramNode } from '../autodiff/program.js';

/** Cells per side of the decision-boundary grid. */
export const BOUNDARY_GRID = 64;
/** Points along the fitted curve. */
export const CURVE_POINTS = 256;
/** Margin around the data, as a share of its extent. */
const MARGIN = 0.1;
/** Hidden nodes wider than this are left out of the unit curves (too many lines to read). */
const MAX_UNITS = 64;
/** Units drawn per hidden layer over the plane (the first ones of a wide layer), and their grid side. */
export const UNIT_MAPS = 8;
export const UNIT_GRID = 16;

export interface Predictor {
  predict(opts: { hiddenUnits: boolean }): PredictionView;
}

export function createPredictor(compiled: CompiledGraph, dataset: Dataset): Predictor {
  const data = fedData(dataset);
  if (compiled.inputs.length > 1) {
    // Its input space is the product of every input's: no one line or plane to draw over.
    const names = compiled.inputs.map((i) => `'${i.node}'`).join(', ');
    const reason =
      `the prediction view draws a network of one input (2 features for classification, 1 for ` +
      `regression); this graph has ${compiled.inputs.length} inputs (${names})`;
    return { predict: () => ({ kind: 'none', reason }) };
  }
  const features = sizeOf(compiled.program.slots[compiled.input]!.shape.slice(1));
  if (data.task === 'classification' && features === 2) return boundaryPredictor(compiled, data);
  if (data.task === 'regression' && features === 1) return curvePredictor(compiled, data);
  const reason =
    `the prediction view draws 2-D classification and 1-D regression; this is ${data.task} ` +
    `with ${features} input feature${features === 1 ? '' : 's'}`;
  return { predict: () => ({ kind: 'none', reason }) };
}

/**
 * The data as the views draw it: where training.dataset.inputs gives the graph's one input a
 * choice of the features (iris' petal_length and petal_width), x is those columns.
 */
export function fedData(data: Dataset): Dataset {
  const feeds = data.inputs ? Object.values(data.inputs) : [];
  return feeds.length === 1 ? { ...data, x: feeds[0]! } : data;
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
  const hidden = hiddenNodes(g);
  return {
    predict({ hiddenUnits }) {
      const grid = boundaryGrid(run, b, n, n);
      // boundaryGrid's rows run from the top (y1) down; the view's from y0 up.
      const label = new Uint8Array(n * n);
      const confidence = new Float32Array(n * n);
      for (let r = 0; r < n; r++) {
        label.set(grid.cls.subarray(r * n, (r + 1) * n), (n - 1 - r) * n);
        confidence.set(grid.confidence.subarray(r * n, (r + 1) * n), (n - 1 - r) * n);
      }
      const view: PredictionView & { kind: 'boundary' } = {
        kind: 'boundary',
        bounds: [b.x0, b.x1, b.y0, b.y1],
        nx: n,
        ny: n,
        classes,
        label,
        confidence,
      };
      // The grid's forward pass left every hidden layer's values over the plane in the program.
      if (hiddenUnits)
        view.units = hidden.map((node) => unitHeatmaps(node.id, g.program.value(node.output), n));
      return view;
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
  const hidden = hiddenNodes(g).filter((node) => g.program.slots[node.output]!.shape[1]! <= MAX_UNITS);
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

/** Hidden units: the activations [N, units] between the input and the output. */
function hiddenNodes(g: CompiledGraph): ProgramNode[] {
  return g.program.nodes.filter((node) => {
    const shape = g.program.slots[node.output]!.shape;
    return node.op.category === 'activations' && node.output !== g.prediction && shape.length === 2;
  });
}

/**
 * The first UNIT_MAPS units of `values` [n·n points (rows from the top), units] on a UNIT_GRID
 * grid (the point nearest each coarse cell's centre), rows from the bottom as the boundary's.
 */
export function unitHeatmaps(node: string, values: Tensor, n: number): UnitHeatmaps {
  const count = values.shape[1]!;
  const shown = Math.min(count, UNIT_MAPS);
  const side = Math.min(UNIT_GRID, n);
  const out = new Float32Array(shown * side * side);
  for (let r = 0; r < side; r++) {
    const fine = Math.floor(((r + 0.5) * n) / side);
    const row = n - 1 - fine; // the fine grid's rows run from the top
    for (let c = 0; c < side; c++) {
      const point = row * n + Math.floor(((c + 0.5) * n) / side);
      for (let u = 0; u < shown; u++) out[(u * side + r) * side + c] = values.data[point * count + u]!;
    }
  }
  return { node, count, shown, side, values: out };
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
