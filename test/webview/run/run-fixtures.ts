/**
 * RunEvents shaped like the worker's for examples/spiral.nngraph.json (x → h1 → a1 → h2 → a2 →
 * logits → loss ← y), for the store's unit tests and the run panel's headless-Chromium test.
 */
import type { TensorStats } from '../../../engine/train/stats.js';
import type {
  DatasetView,
  OverlayNodeStats,
  PredictionView,
  RunEvent,
  RunStatus,
} from '../../../engine/run/protocol.js';
import type { ForwardStep, Step } from '../../../engine/autodiff/step-through.js';

export function status(patch: Partial<RunStatus> = {}): RunStatus {
  return {
    phase: 'running',
    step: 0,
    epoch: 0,
    epochs: 30,
    batchesPerEpoch: 10,
    loss: null,
    lr: 0.01,
    stale: false,
    tracing: false,
    ...patch,
  };
}

export function tensorStats(norm: number, spread = 1): TensorStats {
  return {
    norm,
    mean: norm / 100,
    std: norm / 10,
    min: -spread,
    max: spread,
    histogram: [1, 3, 8, 15, 22, 15, 8, 3, 1, 0],
  };
}

/** Overlay stats: `scale` multiplies every gradient (1 healthy, 1e-6 vanishing, 1e4 exploding). */
export function overlayStats(scale = 1): OverlayNodeStats[] {
  const node = (
    id: string,
    grad: number | null,
    params: Record<string, number> | null,
    act = 10,
  ): OverlayNodeStats => ({
    node: id,
    activation: tensorStats(act),
    grad: grad === null ? null : tensorStats(grad * scale, grad * scale),
    paramGradNorm: params ? Math.hypot(...Object.values(params)) * scale : null,
    paramGradNorms: Object.fromEntries(Object.entries(params ?? {}).map(([k, v]) => [k, v * scale])),
  });
  return [
    node('x', null, null, 20),
    node('h1', 0.08, { weight: 0.3, bias: 0.05 }, 15),
    node('a1', 0.06, null, 8),
    node('h2', 0.1, { weight: 0.35, bias: 0.06 }, 12),
    node('a2', 0.09, null, 7),
    node('logits', 0.2, { weight: 0.4, bias: 0.1 }, 9),
    node('y', null, null, 12),
    node('loss', 1, null, 1.1),
  ];
}

/** `count` steps of a falling batch loss starting after step `after`. */
export function metrics(after: number, count: number, from = 0, epochs = 0): RunEvent {
  const steps = Int32Array.from({ length: count }, (_, i) => after + i + 1);
  const loss = Float32Array.from(steps, (s) => 1.1 * Math.exp(-s / 40) + 0.05 * Math.sin(s));
  const history = Array.from({ length: epochs }, (_, i) => ({
    epoch: from + i + 1,
    loss: 1.1 * Math.exp(-(from + i + 1) / 4),
    accuracy: 1 - 0.6 * Math.exp(-(from + i + 1) / 3),
    valLoss: 1.2 * Math.exp(-(from + i + 1) / 4.5),
    valAccuracy: 1 - 0.65 * Math.exp(-(from + i + 1) / 3.2),
    lr: 0.01,
    steps: 10 * (from + i + 1),
  }));
  return { type: 'runMetrics', from, history, trace: { steps, loss } };
}

export const FORWARD_STEP: ForwardStep = {
  phase: 'forward',
  index: 1,
  node: 'h1',
  op: 'linear',
  inputs: ['x', 'h1.weight', 'h1.bias'],
  output: {
    shape: [4, 3],
    data: Float32Array.from([0.5, -1.25, 2, 0.125, 0, 3.5, -0.75, 1, 0.25, 9, -8, 0]),
  },
};

export const BACKWARD_STEP: Step = {
  phase: 'backward',
  index: 5,
  node: 'logits',
  op: 'linear',
  rule: {
    doc: 'y = x Wᵀ + b',
    jacobian: 'per sample y = Wφ + b: ∂y/∂vec(W) = φᵀ ⊗ I, so the VJP is ∂L/∂W = G φᵀ',
  },
  incoming: { shape: [2, 3], data: Float32Array.from([0.01, -0.02, 0.01, 0.03, 0.0, -0.03]) },
  passed: [
    {
      port: 'x',
      slot: 'a2',
      kind: 'node',
      contribution: { shape: [2, 2], data: Float32Array.from([0.1, 0.2, 0.3, 0.4]) },
      accumulated: { shape: [2, 2], data: Float32Array.from([0.1, 0.2, 0.3, 0.4]) },
    },
    {
      port: 'weight',
      slot: 'logits.weight',
      kind: 'param',
      contribution: { shape: [3, 2], data: Float32Array.from([0.5, 0.6, 0.7, 0.8, 0.9, 1.0]) },
      accumulated: { shape: [3, 2], data: Float32Array.from([0.5, 0.6, 0.7, 0.8, 0.9, 1.0]) },
    },
  ],
};

/** A 3-class spiral of `n` points, every fifth held out for validation. */
export function spiralDataset(n = 90): DatasetView {
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  const validation = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    const r = (Math.floor(i / 3) + 1) / (n / 3);
    const t = 1.75 * r * 2 * Math.PI + (k * 2 * Math.PI) / 3;
    x[2 * i] = r * Math.cos(t);
    x[2 * i + 1] = r * Math.sin(t);
    y[i] = k;
    validation[i] = i % 5 === 4 ? 1 : 0;
  }
  return { task: 'classification', features: 2, classes: 3, x, y, validation };
}

/** A boundary over [-1.2, 1.2]² split into three angular sectors, surer away from the centre. */
export function sectorBoundary(n = 32): Extract<PredictionView, { kind: 'boundary' }> {
  const label = new Uint8Array(n * n);
  const confidence = new Float32Array(n * n);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      const px = -1.2 + (2.4 * (c + 0.5)) / n;
      const py = -1.2 + (2.4 * (r + 0.5)) / n;
      const a = (Math.atan2(py, px) + 2 * Math.PI) % (2 * Math.PI);
      label[r * n + c] = Math.floor(a / ((2 * Math.PI) / 3));
      confidence[r * n + c] = Math.min(1, 0.4 + Math.hypot(px, py) / 2);
    }
  return { kind: 'boundary', bounds: [-1.2, 1.2, -1.2, 1.2], nx: n, ny: n, classes: 3, label, confidence };
}

/** A sawtooth-like regression dataset and a ReLU net's piecewise-linear fit with 4 hidden units. */
export function sawtoothCase(): { dataset: DatasetView; view: Extract<PredictionView, { kind: 'curve' }> } {
  const n = 60;
  const dx = Float32Array.from({ length: n }, (_, i) => -2 + (4 * i) / (n - 1));
  const saw = (v: number) => v - Math.floor(v) - 0.5;
  const dataset: DatasetView = {
    task: 'regression',
    features: 1,
    classes: 0,
    x: dx,
    y: Float32Array.from(dx, (v) => saw(v) + 0.03 * Math.sin(13 * v)),
    validation: Uint8Array.from({ length: n }, (_, i) => (i % 6 === 5 ? 1 : 0)),
  };
  const m = 128;
  const x = Float32Array.from({ length: m }, (_, i) => -2.2 + (4.4 * i) / (m - 1));
  const kinks = [-1, 0, 1, 1.5];
  const values = new Float32Array(kinks.length * m);
  kinks.forEach((k, j) => x.forEach((v, i) => (values[j * m + i] = Math.max(0, v - k))));
  const y = Float32Array.from(x, (v, i) => 0.4 * v - values[i]! * 0.6 + values[m + i]! * 0.5 - 0.1);
  return {
    dataset,
    view: {
      kind: 'curve',
      x,
      y,
      units: [{ node: 'a1', count: kinks.length, values }],
      breakpoints: Float32Array.from(kinks),
    },
  };
}
