/**
 * RunEvents shaped like the worker's for examples/spiral.nngraph.json (x → h1 → a1 → h2 → a2 →
 * logits → loss ← y), for the store's unit tests and the run panel's headless-Chromium test.
 */
import type { TensorStats } from '../../engine/train/stats.js';
import type { OverlayNodeStats, RunEvent, RunStatus } from '../../engine/run/protocol.js';
import type { Step } from '../../engine/autodiff/step-through.js';

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

export const FORWARD_STEP: Step = {
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
