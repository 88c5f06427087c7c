/** Graphs the PyTorch tests share. */
import type { GraphDoc } from '../../../engine/graph/document.js';
import { chainGraph } from '../train/graphs.js';

/** Regression with a last batch of one sample: SGD with Nesterov momentum and weight decay, a step schedule, clipping. */
export function sgdSine(): GraphDoc {
  return chainGraph(
    [
      ['linear', { units: 8, init: 'xavier_uniform' }],
      ['tanh', {}],
      ['linear', { units: 1 }],
    ],
    { input: { features: 1 }, target: { features: 1 }, loss: 'mse_loss' },
    {
      dataset: { kind: 'sine', samples: 41, noise: 0.05, seed: 2 },
      optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.001 },
      schedule: { kind: 'step', stepSize: 2, gamma: 0.5 },
      clipGradNorm: 0.5,
      batchSize: 20,
      seed: 3,
    },
  );
}
