/** `backprop-studio import <model.onnx> -o <graph.nngraph.json>`: an ONNX model as a graph + weights. */
import { writeTextFile } from '../../io/read-file.js';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Command, UsageError } from '../command.js';
import { OnnxImportError } from '../../onnx/import.js';
import { importOnnxFile } from '../../io/onnx-files.js';
import { serializeGraph } from '../../graph/serialize.js';
import { weightsPathFor, writeWeightsFile } from '../paths.js';
import { weightsFormatFor } from '../../graph/weights.js';
import { noDatasetMessage } from '../../data/load.js';

const usage = `Usage: backprop-studio import <model.onnx> [-o <graph.nngraph.json>] [--force]

Reads an ONNX model (e.g. exported by PyTorch or Keras) and writes a graph document and its
weights beside it: <graph>.weights.json, or <graph>.weights.safetensors from 100,000 values on.
Weights kept in external data files beside the model (model.onnx.data, as
onnx.save_model(..., save_as_external_data=True) writes) are read too. Layers the exporter spelt
out (GELU, LayerNorm, MatMul + Add) become single nodes. If any op can't be imported, nothing is
written and every such op is listed with its node name.

Options:
  -o, --output <file>   the graph to write (default: <model>.nngraph.json next to the model)
  --force               overwrite existing files`;

export const importCommand: Command = {
  name: 'import',
  summary: 'import an ONNX model as a graph document and weights',
  usage,
  async run(args) {
    let model: string | undefined;
    let output: string | undefined;
    let force = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-o' || a === '--output') {
        output = args[++i];
        if (!output) throw new UsageError(`${a} needs a file name`);
      } else if (a === '--force') force = true;
      else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
      else if (model === undefined) model = a;
      else throw new UsageError(`unexpected argument '${a}'`);
    }
    if (!model) throw new UsageError('which model? give the path of an .onnx file');
    if (!existsSync(model)) {
      process.stderr.write(`backprop-studio import: ${model}: no such file\n`);
      return 1;
    }
    const graphPath =
      output ?? join(dirname(model), `${basename(model).replace(/\.onnx$/i, '')}.nngraph.json`);
    const existing = [
      graphPath,
      weightsPathFor(graphPath, 'json'),
      weightsPathFor(graphPath, 'safetensors'),
    ].filter((p) => existsSync(p));
    if (existing.length > 0 && !force) {
      process.stderr.write(
        `backprop-studio import: ${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; ` +
          `choose another -o or pass --force to overwrite\n`,
      );
      return 1;
    }
    let result;
    try {
      result = importOnnxFile(model);
    } catch (e) {
      if (!(e instanceof OnnxImportError)) throw e;
      process.stderr.write(`backprop-studio import: ${model}: ${e.message}\nNothing was written.\n`);
      return 1;
    }
    // Big weights (a ResNet's millions) go to safetensors, small ones to readable JSON.
    const weightsPath = weightsPathFor(graphPath, weightsFormatFor(result.weights));
    writeTextFile(graphPath, serializeGraph(result.doc));
    writeWeightsFile(weightsPath, result.weights);
    const input = result.doc.nodes.find((n) => n.op === 'input')!;
    const sample =
      input.attrs['features'] !== undefined ? [input.attrs['features']] : (input.attrs['shape'] as number[]);
    for (const note of result.notes) process.stdout.write(`note: ${note}\n`);
    process.stdout.write(
      `wrote ${graphPath} (${result.doc.nodes.length} nodes) and ${weightsPath}\n` +
        `run it with: backprop-studio run ${graphPath} --input <tensor.json> --weights ${weightsPath}\n` +
        `  (the input is { "shape": [batch, ${sample.join(', ')}], "data": [...] })\n`,
    );
    const dataset = result.doc.training.dataset;
    if (dataset.kind === 'csv' && dataset.path === undefined)
      process.stdout.write(
        `note: ${noDatasetMessage(dataset)}\n  To train it, set training.dataset.path in ${graphPath} (or choose the file in the editor's run panel).\n`,
      );
    return 0;
  },
};
