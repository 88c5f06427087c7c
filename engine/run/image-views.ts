/**
 * Seeing inside an image classifier, for the run panel's Images view: how it does on held-out
 * images (a grid of samples with true and predicted label, misclassified first; a confusion
 * matrix; accuracy per class), and, for one picked sample, what it looks at (the saliency map
 * ∂loss/∂input) and what each layer whose output is an image makes of it (its channels), beside
 * the learned convolution filters.
 *
 * The pure functions come first (each tested on its own); an ImageInspector keeps the programs it
 * needs, sharing the run's parameters (withBatchSize: nothing is copied), in evaluation mode, so
 * inspecting never touches the training program's buffers or random stream.
 */
import { valueKey } from '../graph/check.js';
import type { CompiledGraph } from '../graph/compile.js';
import type { Dataset } from '../data/dataset.js';
import { sizeOf, type Tensor } from '../tensor/tensor.js';
import type { ChannelImages, FilterImages, ImagesView, PickedSample } from './protocol.js';

/** Samples evaluated for the grid and the confusion matrix (the first ones of the source): a LeNet
 * predicts 1,000 in ~0.13 s, so within its share of the time the view is redrawn every few seconds. */
export const IMAGE_EVAL_MAX = 1000;
/** Samples in the grid. */
export const IMAGE_GRID = 48;
/** Rows per forward pass while evaluating. */
const EVAL_BATCH = 100;
/** Most channels shown per node, and most filters (output × input channels) per conv layer. */
export const MAX_CHANNELS = 32;
export const MAX_FILTER_OUT = 32;
export const MAX_FILTER_IN = 8;

/** counts[t × classes + p]: samples of true class t predicted as p. */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
): Int32Array {
  const m = new Int32Array(classes * classes);
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!,
      p = predicted[i]!;
    if (t >= 0 && t < classes && p >= 0 && p < classes) m[t * classes + p]!++;
  }
  return m;
}

/** The diagonal over each row of a confusion matrix: accuracy per true class (NaN: none of it). */
export function perClassAccuracy(confusion: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(classes);
  for (let t = 0; t < classes; t++) {
    let row = 0;
    for (let p = 0; p < classes; p++) row += confusion[t * classes + p]!;
    out[t] = row === 0 ? NaN : confusion[t * classes + t]! / row;
  }
  return out;
}

/** The index of the largest of each row of `values` [n × width] (the first on ties). */
export function argmaxRows(values: ArrayLike<number>, n: number, width: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < width; k++) if (values[i * width + k]! > values[i * width + best]!) best = k;
    out[i] = best;
  }
  return out;
}

/** Up to `max` sample indices: the misclassified ones first, then the rest, each in their order. */
export function misclassifiedFirst(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  max: number,
): Int32Array {
  const wrong: number[] = [],
    right: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === predicted[i] ? right : wrong).push(i);
  return Int32Array.from([...wrong, ...right].slice(0, max));
}

/** Values scaled to bytes 0-255 over their own range (all zero when constant), for drawing. */
export function toPixels(values: ArrayLike<number>): Uint8Array {
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  const out = new Uint8Array(values.length);
  if (!(hi > lo)) return out;
  const scale = 255 / (hi - lo);
  for (let i = 0; i < values.length; i++) out[i] = Math.round((values[i]! - lo) * scale);
  return out;
}

/** Softmax of one row of logits (as probabilities; a single logit is a sigmoid). */
export function softmaxRow(logits: ArrayLike<number>): Float32Array {
  if (logits.length === 1) return Float32Array.of(1 / (1 + Math.exp(-logits[0]!)));
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/**
 * The nodes whose output is an image batch [N, C, H, W] (after a forward pass of a one-row
 * program), as channel stacks: the first MAX_CHANNELS channels of row 0. Each output of a node
 * with several (a split of the channels) is its own stack, named by its value key `node:port`.
 */
export function featureMaps(g: CompiledGraph): ChannelImages[] {
  const out: ChannelImages[] = [];
  for (const node of g.program.nodes) {
    const v = g.program.value(node.output);
    if (v.shape.length !== 4) continue;
    const [, c, h, w] = v.shape as [number, number, number, number];
    const channels = Math.min(c, MAX_CHANNELS);
    out.push({
      node: valueKey(node.id, node.port),
      channels,
      height: h,
      width: w,
      values: Float32Array.from(v.data.subarray(0, channels * h * w)),
    });
  }
  return out;
}

/** Every convolution's weight [out, in, kh, kw] (the first MAX_FILTER_OUT × MAX_FILTER_IN filters). */
export function convFilters(g: CompiledGraph): FilterImages[] {
  const out: FilterImages[] = [];
  for (const p of g.params) {
    const t: Tensor = g.program.value(p.slot);
    if (p.role !== 'weight' || t.shape.length !== 4) continue;
    const [o, i, h, w] = t.shape as [number, number, number, number];
    const outChannels = Math.min(o, MAX_FILTER_OUT),
      inChannels = Math.min(i, MAX_FILTER_IN);
    const values = new Float32Array(outChannels * inChannels * h * w);
    for (let a = 0; a < outChannels; a++)
      for (let b = 0; b < inChannels; b++)
        values.set(
          t.data.subarray((a * i + b) * h * w, (a * i + b + 1) * h * w),
          (a * inChannels + b) * h * w,
        );
    out.push({ node: p.node, outChannels, inChannels, height: h, width: w, values });
  }
  return out;
}

/** Sets row 0 of a target slot to class `label`: an index ([1]) or a one-hot row ([1, K]). */
function setTarget(target: Tensor, label: number): void {
  target.data.fill(0);
  if (target.shape.length === 1) target.data[0] = label;
  else target.data[label] = 1;
}

/**
 * ∂loss/∂input for one sample with its true `label`, on a one-row program compiled with a
 * differentiable input (withBatchSize(1, { differentiableInput: true })): which pixels would
 * change the loss most. Leaves the program's values after that sample's forward pass.
 */
export function saliency(g: CompiledGraph, x: ArrayLike<number>, label: number): Float32Array {
  const p = g.program;
  p.value(g.input).data.set(x);
  if (g.target === null) throw new Error('saliency needs a graph with a target and a loss');
  setTarget(p.value(g.target), label);
  p.forward();
  p.backward(g.loss);
  const grad = p.grad(g.input);
  if (!grad) throw new Error('saliency needs the input compiled as differentiable');
  return Float32Array.from(grad.data);
}

export interface ImageInspector {
  /** The view at the run's weights now; `picked`: a row of the source to look inside (or null). */
  inspect(picked: number | null): ImagesView;
}

/**
 * Whether a run on this data gets the Images view: classification of [C, H, W] images by a graph
 * with one input (the view feeds and colours that input; images can't be shared among several).
 */
export function hasImages(data: Dataset, graph: { readonly inputs: readonly unknown[] }): boolean {
  return (
    graph.inputs.length === 1 &&
    data.task === 'classification' &&
    data.x.shape.length === 4 &&
    data.classes >= 2
  );
}

/** The Images view of a run: on its validation data, else its training data. */
export function createImageInspector(
  compiled: CompiledGraph,
  train: Dataset,
  validation: Dataset | null,
): ImageInspector {
  const data = validation ?? train;
  const source: ImagesView['source'] = validation ? 'validation' : 'training';
  const shape = data.x.shape.slice(1) as [number, number, number];
  const size = sizeOf(shape);
  const n = Math.min(data.x.shape[0]!, IMAGE_EVAL_MAX);
  const classes = data.classes;
  const labels = Int32Array.from(data.y.data.subarray(0, n));
  const evaluator = compiled.withBatchSize(Math.min(EVAL_BATCH, n));
  evaluator.program.setTraining(false);
  const one = compiled.withBatchSize(1, { differentiableInput: true });
  one.program.setTraining(false);
  const classNames = data.classNames?.slice() ?? Array.from({ length: classes }, (_, k) => String(k));
  const row = (i: number) => data.x.data.subarray(i * size, (i + 1) * size);

  const predictAll = (): Int32Array => {
    const predicted = new Int32Array(n);
    const b = evaluator.batchSize;
    const input = evaluator.program.value(evaluator.input).data;
    for (let start = 0; start < n; start += b) {
      const rows = Math.min(b, n - start);
      input.set(data.x.data.subarray(start * size, (start + rows) * size));
      evaluator.program.forward(evaluator.prediction);
      const logits = evaluator.program.value(evaluator.prediction).data;
      const width = logits.length / b;
      predicted.set(argmaxRows(logits, rows, width), start);
    }
    return predicted;
  };

  return {
    inspect(picked) {
      const predicted = predictAll();
      const confusion = confusionMatrix(labels, predicted, classes);
      let correct = 0;
      for (let t = 0; t < classes; t++) correct += confusion[t * classes + t]!;
      const rows = misclassifiedFirst(labels, predicted, IMAGE_GRID);
      const pixels = new Uint8Array(rows.length * size);
      rows.forEach((r, k) => pixels.set(toPixels(row(r)), k * size));
      let pick: PickedSample | null = null;
      if (picked !== null && Number.isInteger(picked) && picked >= 0 && picked < n) {
        const x = row(picked);
        const map = saliency(one, x, labels[picked]!);
        const probabilities = softmaxRow(one.program.value(one.prediction).data);
        pick = {
          row: picked,
          label: labels[picked]!,
          predicted: predicted[picked]!,
          probabilities,
          pixels: toPixels(x),
          saliency: map,
          maps: featureMaps(one),
        };
      }
      return {
        source,
        classes,
        classNames,
        shape,
        evaluated: n,
        correct,
        confusion,
        perClass: perClassAccuracy(confusion, classes),
        grid: {
          rows,
          label: Uint8Array.from(rows, (r) => labels[r]!),
          predicted: Uint8Array.from(rows, (r) => predicted[r]!),
          pixels,
        },
        picked: pick,
        filters: convFilters(compiled),
      };
    },
  };
}
