/**
 * The benchmark's workloads, described once for both sides: layer sizes, batch, the training data
 * and the initial weights (seeded, so our engine and TensorFlow.js train the very same network on
 * the very same numbers), and the floating point work of one training step.
 *
 * Weights are given in mathematical layout: a dense layer computes x·W + b with W [in, out];
 * a convolution's kernel is [outChannels, inChannels, kh, kw]. Images are NCHW. Each side converts
 * to its own layout once, before timing.
 */
import { Rng } from '../engine/tensor/random.js';
import { GRAPH_FORMAT, GRAPH_VERSION, GraphDoc, GraphEdge, GraphNode } from '../engine/graph/document.js';

export type WorkloadName =
  'mlp-tiny' | 'mlp-mnist' | 'cnn-small' | 'lenet5' | 'resnet-mini' | 'attention-block' | 'compile-1000';
export const WORKLOAD_NAMES: readonly WorkloadName[] = [
  'mlp-tiny',
  'mlp-mnist',
  'cnn-small',
  'lenet5',
  'resnet-mini',
  'attention-block',
  'compile-1000',
];

export type Activation = 'tanh' | 'relu';
export type Loss = 'mse' | 'cross_entropy';

export interface DenseLayer {
  kind: 'dense';
  in: number;
  out: number;
  /** Applied after the layer, if any. */
  activation?: Activation;
  w: Float32Array;
  b: Float32Array;
}

export interface ConvLayer {
  kind: 'conv';
  inChannels: number;
  outChannels: number;
  kernel: number;
  /** 0 ('valid') or (kernel - 1)/2 ('same' at stride 1). */
  padding: number;
  activation?: Activation;
  /** Max pooling window (and stride) after the activation; 1 for none. */
  pool: number;
  w: Float32Array;
  b: Float32Array;
}

/**
 * A residual block (He et al.): relu(x + conv(relu(conv(x)))), both convolutions 3×3 'same' with
 * the block's channels in and out, then an optional max pool.
 */
export interface ResidualLayer {
  kind: 'residual';
  channels: number;
  kernel: number;
  pool: number;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

/**
 * Multi-head self-attention over [tokens, dim] with a residual: x + Wo·concat_h softmax(Q_h·K_hᵀ)·V_h,
 * Q, K, V and the output projection dense layers [dim, dim]. The 1/√(dim/heads) scale of the scores
 * is folded into Wq and bq, so both sides compute softmax(Q·Kᵀ)·V with the same numbers.
 */
export interface AttentionLayer {
  kind: 'attention';
  tokens: number;
  dim: number;
  heads: number;
  q: DenseLayer;
  k: DenseLayer;
  v: DenseLayer;
  out: DenseLayer;
}

export type Layer = DenseLayer | ConvLayer | ResidualLayer | AttentionLayer;

export interface TrainingWorkload {
  name: Exclude<WorkloadName, 'compile-1000'>;
  description: string;
  batch: number;
  /** Per-sample input shape: [features] or [channels, height, width]. */
  inputShape: number[];
  layers: Layer[];
  loss: Loss;
  /** Outputs per sample (regression targets or classes). */
  outputs: number;
  lr: number;
  /** Inputs, batch × input size. */
  x: Float32Array;
  /** Regression targets (batch × outputs) or class indices (batch). */
  y: Float32Array;
  /** Forward + backward (2× forward for each product) floating point operations of one step. */
  flopsPerStep: number;
}

function uniform(rng: Rng, n: number, bound: number): Float32Array {
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = (rng.next() * 2 - 1) * bound;
  return d;
}

function dense(rng: Rng, inF: number, outF: number, activation?: Activation): DenseLayer {
  // Kaiming-uniform bound (PyTorch's default for nn.Linear): 1/sqrt(fan_in).
  const bound = 1 / Math.sqrt(inF);
  return {
    kind: 'dense',
    in: inF,
    out: outF,
    activation,
    w: uniform(rng, inF * outF, bound),
    b: uniform(rng, outF, bound),
  };
}

function conv(
  rng: Rng,
  inC: number,
  outC: number,
  kernel: number,
  opts: { same?: boolean; pool?: number; activation?: Activation } = {},
): ConvLayer {
  // PyTorch's default for nn.Conv2d: U(±1/√fan_in).
  const bound = 1 / Math.sqrt(inC * kernel * kernel);
  return {
    kind: 'conv',
    inChannels: inC,
    outChannels: outC,
    kernel,
    padding: opts.same ? (kernel - 1) / 2 : 0,
    activation: opts.activation ?? 'relu',
    pool: opts.pool ?? 1,
    w: uniform(rng, outC * inC * kernel * kernel, bound),
    b: uniform(rng, outC, bound),
  };
}

function residual(rng: Rng, channels: number, pool = 1): ResidualLayer {
  const a = conv(rng, channels, channels, 3),
    b = conv(rng, channels, channels, 3);
  return { kind: 'residual', channels, kernel: 3, pool, w1: a.w, b1: a.b, w2: b.w, b2: b.b };
}

function attention(rng: Rng, tokens: number, dim: number, heads: number): AttentionLayer {
  const q = dense(rng, dim, dim);
  const scale = 1 / Math.sqrt(dim / heads);
  q.w = q.w.map((v) => v * scale);
  q.b = q.b.map((v) => v * scale);
  return {
    kind: 'attention',
    tokens,
    dim,
    heads,
    q,
    k: dense(rng, dim, dim),
    v: dense(rng, dim, dim),
    out: dense(rng, dim, dim),
  };
}

/** The [channels, height, width] of an image after each layer (dense layers keep the last one). */
export function imageShapes(inputShape: number[], layers: readonly Layer[]): number[][] {
  let [c, h, w] = inputShape.length === 3 ? inputShape : [0, 0, 0];
  return layers.map((l) => {
    if (l.kind === 'attention') return [0, 0, 0];
    if (l.kind === 'conv') {
      const oh = h! + 2 * l.padding - l.kernel + 1,
        ow = w! + 2 * l.padding - l.kernel + 1;
      [c, h, w] = [l.outChannels, Math.floor(oh / l.pool), Math.floor(ow / l.pool)];
    } else if (l.kind === 'residual') [h, w] = [Math.floor(h! / l.pool), Math.floor(w! / l.pool)];
    return [c!, h!, w!];
  });
}

/** Multiply-adds of the forward pass; a training step is about three times that (dx and dW). */
function stepFlops(batch: number, inputShape: number[], layers: Layer[]): number {
  let macs = 0;
  const shapes = imageShapes(inputShape, layers);
  layers.forEach((l, i) => {
    if (l.kind === 'dense') macs += l.in * l.out;
    // Four projections per token, then scores and their weighted sum per pair of tokens.
    else if (l.kind === 'attention') macs += 4 * l.tokens * l.dim * l.dim + 2 * l.tokens * l.tokens * l.dim;
    else {
      const [, h, w] = i > 0 ? shapes[i - 1]! : inputShape;
      if (l.kind === 'conv') {
        const oh = h! + 2 * l.padding - l.kernel + 1,
          ow = w! + 2 * l.padding - l.kernel + 1;
        macs += oh * ow * l.outChannels * l.inChannels * l.kernel * l.kernel;
      } else macs += 2 * h! * w! * l.channels * l.channels * l.kernel * l.kernel;
    }
  });
  return 3 * 2 * macs * batch;
}

export function trainingWorkload(name: TrainingWorkload['name']): TrainingWorkload {
  const rng = new Rng(1234);
  let batch: number, inputShape: number[], layers: Layer[], loss: Loss, outputs: number;
  let description: string;
  switch (name) {
    case 'mlp-tiny':
      description = '2-16-16-1 tanh, MSE, batch 32';
      batch = 32;
      inputShape = [2];
      layers = [dense(rng, 2, 16, 'tanh'), dense(rng, 16, 16, 'tanh'), dense(rng, 16, 1)];
      loss = 'mse';
      outputs = 1;
      break;
    case 'mlp-mnist':
      description = '784-256-256-10 ReLU, softmax CE, batch 128';
      batch = 128;
      inputShape = [784];
      layers = [dense(rng, 784, 256, 'relu'), dense(rng, 256, 256, 'relu'), dense(rng, 256, 10)];
      loss = 'cross_entropy';
      outputs = 10;
      break;
    case 'cnn-small': {
      description = '8x8 digits: conv 3x3 8ch, ReLU, maxpool 2, linear 10, softmax CE, batch 64';
      batch = 64;
      inputShape = [1, 8, 8];
      const fanIn = 1 * 3 * 3;
      const bound = 1 / Math.sqrt(fanIn);
      const first: ConvLayer = {
        kind: 'conv',
        inChannels: 1,
        outChannels: 8,
        kernel: 3,
        padding: 0,
        activation: 'relu',
        pool: 2,
        w: uniform(rng, 8 * fanIn, bound),
        b: uniform(rng, 8, bound),
      };
      layers = [first, dense(rng, 8 * 3 * 3, 10)];
      loss = 'cross_entropy';
      outputs = 10;
      break;
    }
    case 'lenet5':
      // LeCun et al. 1998 with ReLU and max pooling, as usually written today (28×28, padding 2).
      description =
        '28x28: conv 5x5 6ch pad 2, maxpool 2, conv 5x5 16ch, maxpool 2, 120-84-10 ReLU, softmax CE, batch 64';
      batch = 64;
      inputShape = [1, 28, 28];
      layers = [
        conv(rng, 1, 6, 5, { same: true, pool: 2 }),
        conv(rng, 6, 16, 5, { pool: 2 }),
        dense(rng, 16 * 5 * 5, 120, 'relu'),
        dense(rng, 120, 84, 'relu'),
        dense(rng, 84, 10),
      ];
      loss = 'cross_entropy';
      outputs = 10;
      break;
    case 'resnet-mini':
      description =
        '28x28: conv 3x3 16ch, maxpool 2, 2 residual blocks (conv 3x3, ReLU, conv 3x3, add, ReLU), maxpool 2, linear 10, softmax CE, batch 64';
      batch = 64;
      inputShape = [1, 28, 28];
      layers = [
        conv(rng, 1, 16, 3, { same: true, pool: 2 }),
        residual(rng, 16),
        residual(rng, 16, 2),
        dense(rng, 16 * 7 * 7, 10),
      ];
      loss = 'cross_entropy';
      outputs = 10;
      break;
    case 'attention-block':
      description =
        '16 tokens × 32: 4-head self-attention (Q, K, V, output projections, softmax(Q·Kᵀ/√8)·V, residual), linear 10, softmax CE, batch 32';
      batch = 32;
      inputShape = [16, 32];
      layers = [attention(rng, 16, 32, 4), dense(rng, 16 * 32, 10)];
      loss = 'cross_entropy';
      outputs = 10;
      break;
  }
  const inSize = inputShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(batch * inSize);
  for (let i = 0; i < x.length; i++) x[i] = name === 'mlp-tiny' ? rng.next() * 4 - 2 : rng.next();
  const y = new Float32Array(loss === 'mse' ? batch * outputs : batch);
  for (let i = 0; i < batch; i++) {
    if (loss === 'mse') y[i] = Math.sin(x[2 * i]!) * Math.cos(x[2 * i + 1]!);
    else y[i] = rng.int(outputs);
  }
  return {
    name,
    description,
    batch,
    inputShape,
    layers,
    loss,
    outputs,
    lr: 0.01,
    x,
    y,
    flopsPerStep: stepFlops(batch, inputShape, layers),
  };
}

/**
 * The compile-1000 graph: input → 498 × (linear 16 → tanh) → linear 1 → mse_loss, with the target:
 * exactly 1,000 nodes, a chain as deep as graphs in the editor get.
 */
export function graph1000(): GraphDoc {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const add = (id: string, op: string, attrs: GraphNode['attrs'], from?: string, toPort?: string) => {
    nodes.push({ id, op, attrs, position: { x: 150 * nodes.length, y: 0 } });
    if (from) edges.push({ from, to: id, ...(toPort ? { toPort } : {}) });
  };
  add('x', 'input', { features: 1 });
  add('y', 'target', { features: 1 });
  let prev = 'x';
  for (let i = 0; i < 498; i++) {
    add(`dense${i}`, 'linear', { units: 16 }, prev);
    add(`act${i}`, 'tanh', {}, `dense${i}`);
    prev = `act${i}`;
  }
  add('out', 'linear', { units: 1 }, prev);
  add('loss', 'mse_loss', {}, 'out', 'pred');
  edges.push({ from: 'y', to: 'loss', toPort: 'target' });
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    nodes,
    edges,
    training: {
      dataset: { kind: 'sine', samples: 64 },
      optimizer: { kind: 'sgd', lr: 0.01 },
      batchSize: 32,
      epochs: 1,
    },
  };
}
