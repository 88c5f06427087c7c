/** Small graph documents for the training tests: a chain of ops from `input` to a loss. */
import type {
  DatasetConfig,
  GraphDoc,
  OptimizerConfig,
  TrainingConfig,
} from '../../../engine/graph/document.js';
import type { Attrs } from '../../../engine/ops/define.js';

/** input → each [op, attrs] in turn → loss(prediction, target). */
export function chainGraph(
  chain: readonly (readonly [string, Attrs])[],
  io: { input: Attrs; target: Attrs; loss: 'cross_entropy' | 'mse_loss' },
  training: Partial<TrainingConfig> & { dataset: DatasetConfig; optimizer: OptimizerConfig },
): GraphDoc {
  const nodes: GraphDoc['nodes'] = [
    { id: 'x', op: 'input', attrs: io.input, position: { x: 0, y: 0 } },
    { id: 'y', op: 'target', attrs: io.target, position: { x: 0, y: 100 } },
  ];
  const edges: GraphDoc['edges'] = [];
  let prev = 'x';
  chain.forEach(([op, attrs], i) => {
    const id = `${op}${i + 1}`;
    nodes.push({ id, op, attrs, position: { x: 100 * (i + 1), y: 0 } });
    edges.push({ from: prev, to: id });
    prev = id;
  });
  const [pred, tgt] = io.loss === 'cross_entropy' ? ['logits', 'target'] : ['pred', 'target'];
  nodes.push({ id: 'loss', op: io.loss, attrs: {}, position: { x: 100 * (chain.length + 1), y: 50 } });
  edges.push({ from: prev, to: 'loss', toPort: pred }, { from: 'y', to: 'loss', toPort: tgt });
  return {
    format: 'backprop-studio.graph',
    version: 1,
    nodes,
    edges,
    training: { batchSize: 32, epochs: 10, seed: 1, ...training },
  };
}

export function spiralGraph(training: Partial<TrainingConfig> = {}): GraphDoc {
  return chainGraph(
    [
      ['linear', { units: 32, init: 'he_uniform' }],
      ['relu', {}],
      ['linear', { units: 32, init: 'he_uniform' }],
      ['relu', {}],
      ['linear', { units: 3 }],
    ],
    { input: { features: 2 }, target: { classes: 3 }, loss: 'cross_entropy' },
    {
      dataset: { kind: 'spiral', classes: 3, samples: 300, noise: 0.1, seed: 1 },
      optimizer: { kind: 'adam', lr: 0.02 },
      epochs: 40,
      ...training,
    },
  );
}

export function sineGraph(training: Partial<TrainingConfig> = {}): GraphDoc {
  return chainGraph(
    [
      ['linear', { units: 32 }],
      ['tanh', {}],
      ['linear', { units: 32 }],
      ['tanh', {}],
      ['linear', { units: 1 }],
    ],
    { input: { features: 1 }, target: { features: 1 }, loss: 'mse_loss' },
    {
      dataset: { kind: 'sine', samples: 200, noise: 0, seed: 1 },
      optimizer: { kind: 'adam', lr: 0.01 },
      epochs: 60,
      ...training,
    },
  );
}

/**
 * exp(exp(exp(linear(x)))) on inputs in [-20, 20]: the first forward pass overflows to Infinity in
 * one of the exp nodes, so a run must stop at step 1 naming that node.
 */
export function overflowingGraph(): GraphDoc {
  return chainGraph(
    [
      ['linear', { units: 4 }],
      ['exp', {}],
      ['exp', {}],
      ['exp', {}],
      ['linear', { units: 1 }],
    ],
    { input: { features: 1 }, target: { features: 1 }, loss: 'mse_loss' },
    {
      dataset: { kind: 'sine', samples: 64, range: [-20, 20], seed: 1 },
      optimizer: { kind: 'sgd', lr: 0.1 },
    },
  );
}

/**
 * A small 2-D ReLU classifier on 60 spiral points (batch 16): small enough for the dense Hessian,
 * big enough that a gradient check or analysis takes many time slices.
 */
export function smallClassifier(units = 6): GraphDoc {
  return chainGraph(
    [
      ['linear', { units }],
      ['relu', {}],
      ['linear', { units: 3 }],
    ],
    { input: { features: 2 }, target: { classes: 3 }, loss: 'cross_entropy' },
    {
      dataset: { kind: 'spiral', classes: 3, samples: 60, seed: 1 },
      optimizer: { kind: 'sgd', lr: 0.1 },
      batchSize: 16,
    },
  );
}
