/** One forward pass of a graph document through the engine, as `backprop-studio run` does it. */
import { compileGraph } from '../../../engine/graph/compile.js';
import type { GraphDoc } from '../../../engine/graph/document.js';
import type { Weights } from '../../../engine/graph/weights.js';
import type { DType } from '../../../engine/tensor/tensor.js';
import type { StoredTensor } from './reference-models.js';

/** `input`: the one input's batch, or a batch per input node by id (a graph with several inputs). */
export function runEngine(
  doc: GraphDoc,
  weights: Weights | undefined,
  input: StoredTensor | Record<string, StoredTensor>,
  dtype: DType = 'float32',
): StoredTensor {
  const byNode = 'data' in input ? null : (input as Record<string, StoredTensor>);
  const first = byNode ? Object.values(byNode)[0]! : (input as StoredTensor);
  // A model imported without a loss (an output that is not [N, k]) runs too, as `run` runs it.
  const compiled = compileGraph(doc, {
    batchSize: first.shape[0]!,
    dtype,
    inference: true,
    ...(weights ? { weights } : {}),
  });
  const program = compiled.program;
  program.setTraining(false);
  for (const { node, slot } of compiled.inputs) {
    const x = byNode ? byNode[node] : first;
    if (!x) throw new Error(`runEngine: no batch for input '${node}'`);
    program.value(slot).data.set(x.data);
  }
  program.forward();
  const out = program.value(compiled.prediction);
  return { shape: out.shape.slice(), data: Array.from(out.data) };
}
