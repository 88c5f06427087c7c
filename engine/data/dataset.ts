/**
 * A dataset in memory: features x [N, ...sample shape] and targets y, float64 (the trainer copies
 * batches into the program's dtype); 8-bit images keep x in float32, half the memory. Classification targets are class indices [N];
 * regression targets are [N, outputs].
 */
import { Tensor, sizeOf } from '../tensor/tensor.js';
import { Rng } from '../tensor/random.js';

export type Task = 'classification' | 'regression';

export interface Dataset {
  /** What it is, e.g. "spiral: 3 classes, 300 samples, noise 0.1". */
  readonly name: string;
  readonly task: Task;
  readonly x: Tensor;
  readonly y: Tensor;
  /** Number of classes (classification), 0 for regression. */
  readonly classes: number;
  /** Class names where the data has them (CSV labels), else "0", "1", ... */
  readonly classNames?: readonly string[];
  /** Feature column names where the data has them (CSV). */
  readonly featureNames?: readonly string[];
  /** What the loader decided on the user's behalf (said, never silently guessed). */
  readonly notes?: readonly string[];
  /**
   * Set when x holds 8-bit pixels p as float32((p / 255 - mean) / std), so exports can write
   * the bytes instead of the numbers (engine/pytorch).
   */
  readonly pixels?: { readonly mean: number; readonly std: number };
  /**
   * For a graph with several inputs: each input node's features [N, k], by node id, taken from
   * x's columns as training.dataset.inputs says (withInputs).
   */
  readonly inputs?: Readonly<Record<string, Tensor>>;
}

/**
 * The dataset with each input node's columns of x gathered into its own tensor (Dataset.inputs),
 * as `columns` names them by feature name. Throws naming an unknown feature.
 */
export function withInputs(ds: Dataset, columns: Record<string, readonly string[]> | undefined): Dataset {
  if (!columns) return ds;
  const names = ds.featureNames;
  if (!names || ds.x.shape.length !== 2)
    throw new Error(
      `${ds.name}: its samples are whole tensors, so its features can't be shared among inputs`,
    );
  const n = ds.x.shape[0]!;
  const width = ds.x.shape[1]!;
  const inputs: Record<string, Tensor> = {};
  for (const [node, cols] of Object.entries(columns)) {
    const idx = cols.map((c) => {
      const k = names.indexOf(c);
      if (k < 0)
        throw new Error(
          `${ds.name} has no feature '${c}' (for input '${node}'); its features are ${names.join(', ')}`,
        );
      return k;
    });
    const t = Tensor.zeros([n, idx.length], ds.x.dtype);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < idx.length; j++) t.data[i * idx.length + j] = ds.x.data[i * width + idx[j]!]!;
    inputs[node] = t;
  }
  return { ...ds, inputs };
}

export function sampleCount(ds: Dataset): number {
  return ds.x.shape[0]!;
}

/** The shape of one sample (x.shape without the batch dimension). */
export function sampleShape(ds: Dataset): number[] {
  return ds.x.shape.slice(1);
}

/** Fisher-Yates shuffle of 0..n-1 (or of `into`, reused to avoid allocating) from the generator. */
export function permutation(n: number, rng: Rng, into?: Int32Array): Int32Array {
  const p = into ?? new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** The rows of a dataset at the given indices, as a new dataset. */
export function subset(ds: Dataset, rows: ArrayLike<number>, name = ds.name): Dataset {
  const inputs =
    ds.inputs && Object.fromEntries(Object.entries(ds.inputs).map(([k, t]) => [k, takeRows(t, rows)]));
  return { ...ds, name, x: takeRows(ds.x, rows), y: takeRows(ds.y, rows), ...(inputs ? { inputs } : {}) };
}

export function takeRows(t: Tensor, rows: ArrayLike<number>): Tensor {
  const row = sizeOf(t.shape.slice(1));
  const out = Tensor.zeros([rows.length, ...t.shape.slice(1)], t.dtype);
  for (let i = 0; i < rows.length; i++)
    out.data.set(t.data.subarray(rows[i]! * row, (rows[i]! + 1) * row), i * row);
  return out;
}

/**
 * A seeded random split: `fraction` of the samples (rounded, at least one when fraction > 0 and
 * at least one left for training) go to validation.
 */
export function splitDataset(
  ds: Dataset,
  fraction: number,
  seed: number,
): { train: Dataset; validation: Dataset | null } {
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`validationSplit must be in [0, 1), got ${fraction}`);
  if (fraction === 0) return { train: ds, validation: null };
  const { order, validation } = splitOrder(sampleCount(ds), fraction, seed);
  return {
    train: subset(ds, order.subarray(validation), `${ds.name} (training)`),
    validation: subset(ds, order.subarray(0, validation), `${ds.name} (validation)`),
  };
}

/**
 * The rows splitDataset holds out: the first `validation` entries of `order` (the rest train).
 * Also what the editor marks as validation points.
 */
export function splitOrder(
  n: number,
  fraction: number,
  seed: number,
): { order: Int32Array; validation: number } {
  return { order: permutation(n, new Rng(seed ^ 0x5eed5)), validation: validationCount(n, fraction) };
}

/**
 * How many of n samples splitDataset holds out for validation (the rest train): `fraction` of
 * them rounded, at least one when fraction > 0, and at least one left for training.
 */
export function validationCount(n: number, fraction: number): number {
  return fraction > 0 ? Math.min(n - 1, Math.max(1, Math.round(n * fraction))) : 0;
}

/** Class indices [N] as one-hot rows [N, classes]. */
export function oneHot(y: Tensor, classes: number): Tensor {
  const n = y.shape[0]!;
  const out = Tensor.zeros([n, classes], y.dtype);
  for (let i = 0; i < n; i++) out.data[i * classes + y.data[i]!] = 1;
  return out;
}
