/**
 * Weights files: trained parameters (and running statistics) beside a graph, keyed by node id
 * and parameter name, never inside the document.
 * `{ "format": "backprop-studio.weights", "version": 1, "weights": { "<node>": { "<param>": { "shape", "data" } } } }`
 */
import type { Diagnostic, NodeId } from './document.js';
import type { CompiledGraph } from './compile.js';
import { GraphError } from './graph-error.js';
import { tensorFromJson, type TensorJson } from '../tensor/tensor-json.js';
import { sameShape, shapeToString, type Tensor } from '../tensor/tensor.js';

export const WEIGHTS_FORMAT = 'backprop-studio.weights';
export const WEIGHTS_VERSION = 1;

export interface Weights {
  format: typeof WEIGHTS_FORMAT;
  version: typeof WEIGHTS_VERSION;
  /** node id → parameter or state name → tensor. */
  weights: Record<NodeId, Record<string, TensorJson>>;
}

/** A weights file that cannot be read; the message says where. */
export class WeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsError';
  }
}

/** Validates a parsed weights file (or its text). Throws WeightsError naming the bad entry. */
export function readWeights(json: unknown): Weights {
  let v = json;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch (e) {
      throw new WeightsError(`the weights file is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new WeightsError('a weights file is a JSON object');
  const o = v as Record<string, unknown>;
  if (o['format'] !== WEIGHTS_FORMAT)
    throw new WeightsError(
      `not a weights file: "format" must be "${WEIGHTS_FORMAT}", got ${JSON.stringify(o['format'])}`,
    );
  if (o['version'] !== WEIGHTS_VERSION)
    throw new WeightsError(
      `unknown weights version ${JSON.stringify(o['version'])}; this tool reads version ${WEIGHTS_VERSION}`,
    );
  const w = o['weights'];
  if (typeof w !== 'object' || w === null || Array.isArray(w))
    throw new WeightsError('"weights" must be an object keyed by node id');
  const weights: Weights['weights'] = {};
  for (const [node, params] of Object.entries(w as Record<string, unknown>)) {
    if (typeof params !== 'object' || params === null || Array.isArray(params))
      throw new WeightsError(`weights.${node} must be an object keyed by parameter name`);
    weights[node] = {};
    for (const [name, t] of Object.entries(params as Record<string, unknown>)) {
      try {
        weights[node]![name] = tensorFromJson(t, `weights.${node}.${name}`).toJSON();
      } catch (e) {
        throw new WeightsError((e as Error).message);
      }
    }
  }
  return { format: WEIGHTS_FORMAT, version: WEIGHTS_VERSION, weights };
}

/** Every parameter and state tensor of a compiled graph, as a weights file. */
export function weightsOf(compiled: CompiledGraph): Weights {
  const weights: Weights['weights'] = {};
  for (const [node, name, t] of tensorsOf(compiled)) (weights[node] ??= {})[name] = t.toJSON();
  return { format: WEIGHTS_FORMAT, version: WEIGHTS_VERSION, weights };
}

/**
 * Copies weights into a compiled graph's parameter and state tensors (in place, so programs for
 * other batch sizes see them too). Every parameter must be given with its shape; state may be
 * left out (it keeps its initial value). Throws GraphError naming each mismatch.
 */
export function applyWeights(compiled: CompiledGraph, w: Weights): void {
  const problems: Diagnostic[] = [];
  const bad = (node: NodeId, message: string) =>
    problems.push({ severity: 'error', code: 'bad-weights', node, message });
  const known = new Map<NodeId, Set<string>>();
  const copies: [Tensor, TensorJson][] = [];
  for (const [node, name, t, isParam] of tensorsOf(compiled)) {
    (known.get(node) ?? known.set(node, new Set()).get(node)!).add(name);
    const given = w.weights[node]?.[name];
    if (!given) {
      if (isParam)
        bad(
          node,
          `The weights file has no '${name}' for node '${node}'; it must hold every parameter of the graph.`,
        );
      continue;
    }
    if (!sameShape(given.shape, t.shape))
      bad(
        node,
        `Weights '${node}.${name}' have shape ${shapeToString(given.shape)}, but the graph needs ${shapeToString(t.shape)}. Were they saved from another version of the graph?`,
      );
    else copies.push([t, given]);
  }
  for (const [node, params] of Object.entries(w.weights))
    for (const name of Object.keys(params))
      if (!known.get(node)?.has(name))
        bad(
          node,
          `The weights file has '${node}.${name}', which the graph does not have${known.has(node) ? '' : ` (no node '${node}' with parameters)`}. Were they saved from another graph?`,
        );
  if (problems.length) throw new GraphError(problems);
  for (const [t, given] of copies) t.data.set(given.data);
}

/** [node, name, tensor, isParam] for every parameter, then every state tensor, in program order. */
function tensorsOf(compiled: CompiledGraph): [NodeId, string, Tensor, boolean][] {
  const out: [NodeId, string, Tensor, boolean][] = compiled.params.map((p) => [
    p.node,
    p.name,
    compiled.program.value(p.slot),
    true,
  ]);
  for (const n of compiled.program.nodes)
    for (const [name, t] of Object.entries(n.ctx.state)) out.push([n.id, name, t, false]);
  return out;
}
