// How long a 1,000-node graph takes to parse, check and compile (`npm run bench:compile`).
// A measurement to report, not a test: the machine's load moves it.
import { performance } from 'node:perf_hooks';
import { parseGraph } from '../engine/graph/parse.js';
import { checkGraph } from '../engine/graph/check.js';
import { compileGraph } from '../engine/graph/compile.js';
import { serializeGraph } from '../engine/graph/serialize.js';
import type { GraphDoc, GraphEdge, GraphNode } from '../engine/graph/document.js';

/** input → (linear 32 → relu) × k → linear 1 → mse_loss, with the target: 2k + 4 nodes. */
function deepMlp(nodeCount: number): GraphDoc {
  const k = Math.floor((nodeCount - 4) / 2);
  const nodes: GraphNode[] = [{ id: 'x', op: 'input', attrs: { features: 1 }, position: { x: 0, y: 0 } }];
  const edges: GraphEdge[] = [];
  let prev = 'x';
  const add = (id: string, op: string, attrs: GraphNode['attrs']) => {
    nodes.push({ id, op, attrs, position: { x: nodes.length * 180, y: 0 } });
    edges.push({ from: prev, to: id });
    prev = id;
  };
  for (let i = 1; i <= k; i++) {
    add(`h${i}`, 'linear', { units: 32 });
    add(`a${i}`, 'relu', {});
  }
  add('pred', 'linear', { units: 1 });
  nodes.push({ id: 'y', op: 'target', attrs: { features: 1 }, position: { x: 0, y: 200 } });
  nodes.push({ id: 'loss', op: 'mse_loss', attrs: {}, position: { x: nodes.length * 180, y: 100 } });
  edges.push({ from: 'pred', to: 'loss', toPort: 'pred' }, { from: 'y', to: 'loss', toPort: 'target' });
  return {
    format: 'backprop-studio.graph',
    version: 1,
    nodes,
    edges,
    training: { dataset: { kind: 'sine' }, optimizer: { kind: 'sgd', lr: 0.01 }, batchSize: 32, epochs: 1 },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median wall-clock and CPU milliseconds of `runs` calls (CPU time is steadier on a loaded machine). */
function time(f: () => unknown, runs: number): { wall: number; cpu: number } {
  f(); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    f();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const doc = deepMlp(1000);
const text = serializeGraph(doc);
const runs = Number(process.argv[2] ?? 7);
const rows: [string, { wall: number; cpu: number }][] = [
  ['serializeGraph', time(() => serializeGraph(doc), runs)],
  ['parseGraph', time(() => parseGraph(text), runs)],
  ['checkGraph (with shape inference)', time(() => checkGraph(doc), runs)],
  ['compileGraph (batch 32, float32)', time(() => compileGraph(doc, { batchSize: 32 }), runs)],
  ['withBatchSize(64)', time(() => compileGraph(doc, { batchSize: 32 }).withBatchSize(64), runs)],
];
console.log(
  `${doc.nodes.length} nodes, ${doc.edges.length} edges, ${(text.length / 1024).toFixed(0)} KiB of text; median of ${runs} runs:`,
);
for (const [what, ms] of rows)
  console.log(
    `  ${what.padEnd(36)} ${ms.wall.toFixed(1).padStart(7)} ms wall ${ms.cpu.toFixed(1).padStart(7)} ms CPU`,
  );
