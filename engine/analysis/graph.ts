/**
 * The analyses on a compiled graph document as the product runs them (the `analyze` CLI and,
 * later, the editor's run panel): the loss batch comes from the document's own dataset, and the
 * 1-D interval / 2-D box from where that data lives.
 */
import type { CompiledGraph } from '../graph/compile.js';
import type { GraphDoc } from '../graph/document.js';
import { loadDataset, type LoadOptions } from '../data/load.js';
import { permutation, takeRows } from '../data/dataset.js';
import { Rng } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import {
  analyzeSubjectSteps,
  type AnalysisOptions,
  type AnalysisReport,
  type AnalysisWeights,
} from './report.js';
import { runTask, type Task } from '../task/task.js';
import { inputFeeds } from '../train/trainable.js';

export interface LossBatch {
  x: Tensor;
  y: Tensor | null;
  /**
   * A graph with several input nodes: each one's rows, by node id (as the trainer feeds them,
   * training.dataset.inputs); x then holds every feature and feeds none of them directly.
   */
  inputs?: Record<string, Tensor>;
  /** Where the examples came from, in words. */
  source: string;
  /** [min, max] of each feature the input takes, over the whole dataset (every feature, for several inputs). */
  range: [number, number][];
}

/**
 * `size` examples of the document's dataset: the first rows of a shuffle seeded by
 * training.seed. If the dataset cannot be loaded (a CSV file that is not there), standard-normal
 * inputs and zero / standard-normal targets stand in, and `source` says so and why.
 */
export function lossBatch(
  doc: GraphDoc,
  compiled: CompiledGraph,
  size: number,
  load: LoadOptions = {},
): LossBatch {
  const seed = doc.training.seed ?? 0;
  try {
    const ds = loadDataset(doc.training.dataset, load);
    const n = ds.x.shape[0]!;
    const rows = permutation(n, new Rng(seed)).subarray(0, Math.min(size, n));
    const feeds = inputFeeds(compiled, ds);
    // The range of what the (one) input takes: its own columns where the document picks them.
    const fed = feeds.length === 1 ? feeds[0]!.x : ds.x;
    const features = fed.size / n;
    const range = Array.from({ length: features }, (_, f): [number, number] => {
      let lo = Infinity,
        hi = -Infinity;
      for (let i = 0; i < n; i++) {
        const v = fed.data[i * features + f]!;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      return [lo, hi];
    });
    const batch: LossBatch = {
      x: takeRows(ds.x, rows),
      y: takeRows(ds.y, rows),
      source: `${rows.length} examples of ${ds.name}`,
      range,
    };
    if (feeds.some((f) => f.node !== null))
      batch.inputs = Object.fromEntries(feeds.map((f) => [f.node!, takeRows(f.x, rows)]));
    return batch;
  } catch (e) {
    const p = compiled.program;
    const targetShape = compiled.target === null ? null : p.slots[compiled.target]!.shape;
    const rng = new Rng(seed);
    const normal = (slot: number) => {
      const t = Tensor.zeros([size, ...p.slots[slot]!.shape.slice(1)], 'float64');
      for (let i = 0; i < t.size; i++) t.data[i] = rng.normal();
      return t;
    };
    const x = normal(compiled.input);
    const inputs =
      compiled.inputs.length > 1
        ? Object.fromEntries(
            compiled.inputs.map((i) => [i.node, i.slot === compiled.input ? x : normal(i.slot)]),
          )
        : undefined;
    let y: Tensor | null = null;
    if (targetShape) {
      // Class indices (a [N] target) are all class 0; regression targets standard normal.
      y = Tensor.zeros([size, ...targetShape.slice(1)], 'float64');
      if (targetShape.length > 1) for (let i = 0; i < y.size; i++) y.data[i] = rng.normal();
    }
    return {
      x,
      y,
      ...(inputs ? { inputs } : {}),
      source: `${size} standard-normal examples (the dataset could not be loaded: ${(e as Error).message})`,
      range: Array.from({ length: x.size / size }, (): [number, number] => [-2, 2]),
    };
  }
}

/** LoadOptions: how the document's dataset is read (a CSV relative to it, the shipped MNIST). */
export interface GraphAnalysisOptions extends LoadOptions {
  /** Examples in the loss batch; default training.batchSize. */
  batch?: number;
  /** 1-D input: default the dataset's configured range, else the data's range. */
  interval?: [number, number];
  hessian?: AnalysisOptions['hessian'];
  modes?: AnalysisOptions['modes'];
  grid?: number;
  /** Which weights the compiled graph holds, for the report (the editor: the run's step). */
  weights?: AnalysisWeights;
}

/** Every analysis of a compiled document on a batch of its own data. */
export function analyzeGraph(compiled: CompiledGraph, opts: GraphAnalysisOptions = {}): AnalysisReport {
  return runTask(analyzeGraphSteps(compiled, opts));
}

/** analyzeGraph as a task (report.ts analyzeSubjectSteps: progress by part, in passes over the batch). */
export function* analyzeGraphSteps(
  compiled: CompiledGraph,
  opts: GraphAnalysisOptions = {},
): Task<AnalysisReport> {
  const doc = compiled.doc;
  const data = lossBatch(doc, compiled, opts.batch ?? doc.training.batchSize, {
    readText: opts.readText,
    readBundled: opts.readBundled,
  });
  const cfg = doc.training.dataset;
  const interval = opts.interval ?? ('range' in cfg && cfg.range ? cfg.range : data.range[0]);
  const pad = ([lo, hi]: [number, number]): [number, number] => {
    const m = 0.1 * (hi - lo || 1);
    return [lo - m, hi + m];
  };
  return yield* analyzeSubjectSteps(compiled, {
    batch: data,
    weights: opts.weights,
    hessian: opts.hessian,
    modes: opts.modes,
    grid: opts.grid,
    interval: data.range.length === 1 ? interval : undefined,
    bounds: data.range.length === 2 ? [...pad(data.range[0]!), ...pad(data.range[1]!)] : undefined,
  });
}
