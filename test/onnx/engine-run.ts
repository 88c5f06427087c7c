/** One forward pass of a graph document through the engine, as `backprop-studio run` does it. */
import { compileGraph } from '../../engine/graph/compile.js';
import type { GraphDoc } from '../../engine/graph/document.js';
import type { Weights } from '../../engine/graph/weights.js';
import type { DType } from '../../engine/tensor/tensor.js';
import type { StoredTensor } from './reference-models.js';

export function runEngine(
  doc: GraphDoc,
  weights: Weights | undefined,
  input: StoredTensor,
  dtype: DType = 'float32',
): StoredTensor {
  // A model imported without a loss (an output that is not [N, k]) runs too, as `run` runs it.
  const compiled = compileGraph(doc, {
    batchSize: input.shape[0]!,
    dtype,
    inference: true,
    ...(weights ? { weights } : {}),
  });
  const program = compiled.program;
  program.setTraining(false);
  program.value(compiled.input).data.set(input.data);
  program.forward();
  const out = program.value(compiled.prediction);
  return { shape: out.shape.slice(), data: Array.from(out.data) };
}
