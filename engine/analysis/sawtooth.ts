/**
 * The lecture's sawtooth: f_0(x) = x and f_l = 2·relu(f_{l-1}) + 2·relu(−f_{l-1}) − 2 = 2|f_{l-1}| − 2,
 * which maps [−2, 2] onto itself twice, so the number of linear pieces doubles with every layer:
 * 2^L pieces at depth L on [−2, 2], from only 5L weights. As a graph each layer is
 * split_l = linear(1→2, W = [[1], [−1]], no bias) → relu_l → f_l = linear(2→1, W = [[2, 2]], b = −2),
 * so depth L has L ReLU layers. examples/sawtooth.nngraph.json is this graph at depth 4.
 */
import type { GraphDoc, GraphEdge, GraphNode } from '../graph/document.js';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../graph/document.js';
import { WEIGHTS_FORMAT, WEIGHTS_VERSION, type Weights } from '../graph/weights.js';

/** The sawtooth of the given depth as a graph document and its weights file. */
export function sawtoothGraph(depth: number): { doc: GraphDoc; weights: Weights } {
  if (!Number.isInteger(depth) || depth < 1)
    throw new Error(`sawtooth depth must be a positive integer, got ${depth}`);
  const nodes: GraphNode[] = [
    { id: 'x', op: 'input', attrs: { features: 1 }, position: { x: 0, y: 0 } },
    { id: 'y', op: 'target', attrs: { features: 1 }, position: { x: 0, y: 200 } },
  ];
  const edges: GraphEdge[] = [];
  const weights: Weights['weights'] = {};
  let prev = 'x';
  for (let l = 1; l <= depth; l++) {
    const split = `split${l}`,
      relu = `relu${l}`,
      fold = `f${l}`;
    const x = 150 * 3 * (l - 1) + 150;
    nodes.push(
      { id: split, op: 'linear', attrs: { units: 2, bias: false }, position: { x, y: 0 } },
      { id: relu, op: 'relu', attrs: {}, position: { x: x + 150, y: 0 } },
      { id: fold, op: 'linear', attrs: { units: 1 }, position: { x: x + 300, y: 0 } },
    );
    edges.push({ from: prev, to: split }, { from: split, to: relu }, { from: relu, to: fold });
    weights[split] = { weight: { shape: [2, 1], data: [1, -1] } };
    weights[fold] = { weight: { shape: [1, 2], data: [2, 2] }, bias: { shape: [1], data: [-2] } };
    prev = fold;
  }
  nodes.push({ id: 'loss', op: 'mse_loss', attrs: {}, position: { x: 450 * depth + 150, y: 100 } });
  edges.push({ from: prev, to: 'loss', toPort: 'pred' }, { from: 'y', to: 'loss', toPort: 'target' });
  const doc: GraphDoc = {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    nodes,
    edges,
    training: {
      dataset: { kind: 'sawtooth', samples: 200, noise: 0, seed: 1, range: [-2, 2] },
      optimizer: { kind: 'adam', lr: 0.01 },
      batchSize: 32,
      epochs: 100,
    },
  };
  return { doc, weights: { format: WEIGHTS_FORMAT, version: WEIGHTS_VERSION, weights } };
}

/** The sawtooth evaluated directly (the independent check): 2|f| − 2, depth times. */
export function sawtoothValue(depth: number, x: number): number {
  let f = x;
  for (let l = 0; l < depth; l++) f = 2 * Math.abs(f) - 2;
  return f;
}
