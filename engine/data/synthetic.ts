/**
 * Seeded synthetic datasets: 2-D classification (spiral, circles, moons, xor, blobs,
 * checkerboard) and 1-D regression (sine, sawtooth, step, polynomial). Every sample comes from
 * one Rng seeded by the configuration, so the same configuration gives the same data everywhere.
 *
 * `noise` is the standard deviation of Gaussian noise added to each coordinate (classification;
 * for spiral it is relative to the distance from the centre, for blobs it is the blobs' own
 * spread) or to the target (regression).
 */
import { Tensor } from '../tensor/tensor.js';
import { Rng } from '../tensor/random.js';
import type { Dataset } from './dataset.js';

export const CLASSIFICATION_KINDS = ['spiral', 'circles', 'moons', 'xor', 'blobs', 'checkerboard'] as const;
export const REGRESSION_KINDS = ['sine', 'sawtooth', 'step', 'polynomial'] as const;
export type ClassificationKind = (typeof CLASSIFICATION_KINDS)[number];
export type RegressionKind = (typeof REGRESSION_KINDS)[number];

/** How many samples a classification / regression kind generates unless `samples` says. */
export const CLASSIFICATION_SAMPLES = 300;
export const REGRESSION_SAMPLES = 200;

export interface ClassificationOptions {
  classes?: number;
  samples?: number;
  noise?: number;
  seed?: number;
}

export interface RegressionOptions {
  samples?: number;
  noise?: number;
  seed?: number;
  range?: readonly [number, number];
}

/** Draws one point of class c given its position u in [0, 1) within the class. */
type PointFn = (c: number, u: number, rng: Rng, classes: number) => [number, number];

interface ClassificationRow {
  defaultClasses: number;
  /** Only this many classes make sense (moons, xor). */
  fixedClasses?: number;
  defaultNoise: number;
  /** Whether the class is decided by the point (xor, checkerboard) rather than chosen first. */
  labelOf?: (x: number, y: number, classes: number) => number;
  point: PointFn;
  doc: string;
}

const TAU = 2 * Math.PI;

const CLASSIFICATION: Record<ClassificationKind, ClassificationRow> = {
  spiral: {
    defaultClasses: 3,
    defaultNoise: 0.1,
    // Arms start at the centre and wind 4 radians outwards, one arm per class, evenly turned.
    point: (c, u, _rng, k) => {
      const r = 0.1 + 0.9 * u; // not from 0: arms of different classes would share the centre
      const t = (TAU * c) / k + 4 * u;
      return [r * Math.sin(t), r * Math.cos(t)];
    },
    doc: 'interleaved spiral arms from the centre outwards, one per class',
  },
  circles: {
    defaultClasses: 2,
    defaultNoise: 0.05,
    point: (c, _u, rng, k) => {
      const r = (c + 1) / k;
      const t = TAU * rng.next();
      return [r * Math.cos(t), r * Math.sin(t)];
    },
    doc: 'concentric rings, the innermost class first',
  },
  moons: {
    defaultClasses: 2,
    fixedClasses: 2,
    defaultNoise: 0.1,
    // sklearn's make_moons, centred on the origin.
    point: (c, _u, rng) => {
      const t = Math.PI * rng.next();
      return c === 0 ? [Math.cos(t) - 0.5, Math.sin(t) - 0.25] : [0.5 - Math.cos(t), 0.25 - Math.sin(t)];
    },
    doc: 'two interleaving half circles',
  },
  xor: {
    defaultClasses: 2,
    fixedClasses: 2,
    defaultNoise: 0,
    labelOf: (x, y) => (x * y > 0 ? 0 : 1),
    point: (_c, _u, rng) => [rng.uniform(-1, 1), rng.uniform(-1, 1)],
    doc: 'the four quadrants of [-1, 1]², class 0 where x·y > 0',
  },
  blobs: {
    defaultClasses: 3,
    defaultNoise: 0.2,
    point: () => [0, 0], // drawn in generateBlobs: noise is the spread, not an extra jitter
    doc: 'Gaussian blobs centred on the unit circle',
  },
  checkerboard: {
    defaultClasses: 2,
    defaultNoise: 0,
    labelOf: (x, y, k) => {
      const i = Math.min(3, Math.floor((x + 1) * 2));
      const j = Math.min(3, Math.floor((y + 1) * 2));
      return (i + j) % k;
    },
    point: (_c, _u, rng) => [rng.uniform(-1, 1), rng.uniform(-1, 1)],
    doc: 'a 4×4 board on [-1, 1]², cells coloured (i + j) mod classes',
  },
};

/** The number of classes a configuration asks for (its default if left out); throws if impossible. */
export function classCount(kind: ClassificationKind, classes?: number): number {
  const row = CLASSIFICATION[kind];
  const k = classes ?? row.defaultClasses;
  if (row.fixedClasses !== undefined && k !== row.fixedClasses)
    throw new Error(`dataset ${kind}: has exactly ${row.fixedClasses} classes, got classes: ${k}`);
  if (!Number.isInteger(k) || k < 2)
    throw new Error(`dataset ${kind}: classes must be an integer >= 2, got ${k}`);
  return k;
}

export function isClassificationKind(kind: string): kind is ClassificationKind {
  return kind in CLASSIFICATION;
}

export function classificationDataset(kind: ClassificationKind, opts: ClassificationOptions = {}): Dataset {
  const row = CLASSIFICATION[kind];
  const classes = classCount(kind, opts.classes);
  const n = count(kind, opts.samples ?? CLASSIFICATION_SAMPLES);
  const noise = opts.noise ?? row.defaultNoise;
  const rng = new Rng(opts.seed ?? 0);
  const x = Tensor.zeros([n, 2], 'float64');
  const y = Tensor.zeros([n], 'float64');
  for (let i = 0; i < n; i++) {
    // Class-balanced: sample i belongs to class i mod classes, at position u along its class.
    const c = i % classes;
    const u = Math.floor(i / classes) / Math.ceil(n / classes);
    let px: number, py: number;
    if (kind === 'blobs') {
      const t = (TAU * c) / classes;
      px = Math.cos(t) + noise * rng.normal();
      py = Math.sin(t) + noise * rng.normal();
    } else {
      [px, py] = row.point(c, u, rng, classes);
    }
    const label = row.labelOf ? row.labelOf(px, py, classes) : c;
    if (kind !== 'blobs' && noise > 0) {
      // Spiral arms crowd together at the centre: there the noise shrinks with the radius.
      const scale = kind === 'spiral' ? noise * Math.hypot(px, py) : noise;
      px += scale * rng.normal();
      py += scale * rng.normal();
    }
    x.data[2 * i] = px;
    x.data[2 * i + 1] = py;
    y.data[i] = label;
  }
  return {
    name: `${kind}: ${classes} classes, ${n} samples, noise ${noise}`,
    task: 'classification',
    x,
    y,
    classes,
    featureNames: ['x1', 'x2'],
  };
}

interface RegressionRow {
  range: readonly [number, number];
  f: (x: number) => number;
  doc: string;
}

/** The lecture's sawtooth: f₀ = x, fₗ = 2·relu(fₗ₋₁) + 2·relu(-fₗ₋₁) - 2 = 2|fₗ₋₁| - 2, depth 4
 * (16 linear pieces), as examples/sawtooth.nngraph.json builds it. */
function sawtooth(x: number): number {
  let f = x;
  for (let l = 0; l < 4; l++) f = 2 * Math.abs(f) - 2;
  return f;
}

const REGRESSION: Record<RegressionKind, RegressionRow> = {
  sine: { range: [-Math.PI, Math.PI], f: Math.sin, doc: 'y = sin(x)' },
  sawtooth: {
    range: [-2, 2],
    f: sawtooth,
    doc: "the lecture's sawtooth fₗ = 2 relu(fₗ₋₁) + 2 relu(-fₗ₋₁) - 2 at depth 4 (16 linear pieces)",
  },
  step: { range: [-2, 2], f: (x) => (x < 0 ? -1 : 1), doc: 'y = -1 for x < 0, 1 otherwise' },
  polynomial: { range: [-2, 2], f: (x) => 0.5 * x * x * x - x, doc: 'y = x³/2 - x' },
};

export function regressionDataset(kind: RegressionKind, opts: RegressionOptions = {}): Dataset {
  const row = REGRESSION[kind];
  const [lo, hi] = opts.range ?? row.range;
  if (!(hi > lo))
    throw new Error(`dataset ${kind}: range must be [low, high] with low < high, got [${lo}, ${hi}]`);
  const n = count(kind, opts.samples ?? REGRESSION_SAMPLES);
  const noise = opts.noise ?? 0;
  const rng = new Rng(opts.seed ?? 0);
  const x = Tensor.zeros([n, 1], 'float64');
  const y = Tensor.zeros([n, 1], 'float64');
  for (let i = 0; i < n; i++) {
    const v = rng.uniform(lo, hi);
    x.data[i] = v;
    y.data[i] = row.f(v) + (noise > 0 ? noise * rng.normal() : 0);
  }
  return {
    name: `${kind}: ${n} samples on [${lo}, ${hi}], noise ${noise}`,
    task: 'regression',
    x,
    y,
    classes: 0,
    featureNames: ['x'],
  };
}

/** The formula or picture behind each synthetic kind, for help texts and the editor. */
export function describeSynthetic(kind: ClassificationKind | RegressionKind): string {
  return isClassificationKind(kind) ? CLASSIFICATION[kind].doc : REGRESSION[kind as RegressionKind].doc;
}

function count(kind: string, n: number): number {
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`dataset ${kind}: samples must be an integer >= 1, got ${n}`);
  return n;
}
