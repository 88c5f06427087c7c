/**
 * Export as TypeScript: a graph document (and optionally trained weights) → one self-contained
 * module. The graph is compiled by the engine's own compiler in float64 (twice, at two batch
 * sizes, to tell the batch dimension apart), so shapes, attribute defaults and the initial
 * weights are exactly the engine's. This is what the CLI (`export --to ts`) and the editor's
 * "Export as TypeScript" command call.
 */
import type { GraphDoc } from '../graph/document.js';
import { compileGraph } from '../graph/compile.js';
import { weightsOf, type Weights } from '../graph/weights.js';
import { graphFromProgram } from './from-program.js';
import { generateTypeScript } from './typescript.js';

export interface ExportTypeScriptOptions {
  /** The module's name for its header, e.g. the graph file's base name ('spiral'). */
  name: string;
  /** Where the graph came from, for the header ('spiral.nngraph.json'). */
  source?: string;
  /**
   * Leave the weights out of the module and return them as a weights file of this name, to be
   * written beside the module and passed to its loadWeights(). Default: embedded.
   */
  weightsFile?: string;
}

export interface TypeScriptExport {
  /** The module's source. */
  code: string;
  /** The identifier each node got in the module (keys of its Params and Gradients). */
  names: ReadonlyMap<string, string>;
  /** With `weightsFile`: the file's name and contents (Backprop Studio weights format). */
  weightsFile?: { name: string; json: Weights };
}

/**
 * Throws GraphError (with diagnostics) for a document that does not compile, and CodegenError
 * naming the node and op when an op has no TypeScript emitter.
 */
export function exportTypeScript(
  doc: GraphDoc,
  weights: Weights | null,
  options: ExportTypeScriptOptions,
): TypeScriptExport {
  const compiled = compileGraph(doc, { batchSize: 2, dtype: 'float64', ...(weights ? { weights } : {}) });
  const other = compiled.withBatchSize(3);
  const graph = graphFromProgram({
    program: compiled.program,
    other: other.program,
    input: compiled.input,
    inputs: compiled.inputs.map((i) => i.slot),
    target: compiled.target,
    loss: compiled.loss,
    prediction: compiled.prediction,
    training: doc.training,
  });
  const { code, names } = generateTypeScript(graph, {
    name: options.name,
    ...(options.source ? { source: options.source } : {}),
    weights: options.weightsFile ? { kind: 'file', fileName: options.weightsFile } : { kind: 'embedded' },
  });
  return {
    code,
    names,
    ...(options.weightsFile ? { weightsFile: { name: options.weightsFile, json: weightsOf(compiled) } } : {}),
  };
}
