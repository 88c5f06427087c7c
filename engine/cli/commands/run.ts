/**
 * `backprop-studio run <graph> --input <tensor.json> [--weights <weights.json> | --init-weights]`:
 * one forward pass.
 */
import { readTextFile } from '../../io/read-file.js';
import { userMessage } from '../../errors/user-error.js';
import { Command, UsageError } from '../command.js';
import { checkGraphText } from '../../graph/check.js';
import { compileGraph } from '../../graph/compile.js';
import { GraphError } from '../../graph/graph-error.js';
import { WeightsError, type Weights } from '../../graph/weights.js';
import { tensorFromJson } from '../../tensor/tensor-json.js';
import { shapeToString, type Tensor } from '../../tensor/tensor.js';
import { formatDiagnostic } from './check.js';
import { chooseWeightsFile, readWeightsFile, WEIGHTS_OPTIONS_USAGE } from '../paths.js';

const usage = `Usage: backprop-studio run <graph.nngraph.json> --input <tensor.json>
                          [--weights <weights.json> | --init-weights]

Runs one forward pass in inference mode (dropout off, batch norm on its running statistics) and
prints what feeds the loss (the logits or the prediction; in a graph without a loss, the node that
ends the computation) as { "shape": [...], "data": [...] }.
The input is { "shape": [batch, ...one sample], "data": [...] } in row-major order (one sample's
shape alone is read as a batch of one); a graph with several inputs takes an object of such
tensors keyed by input node id, { "a": {...}, "b": {...} }; a graph whose input takes flat features also takes
[batch, ...any shape with that many values], read row-major. The parameters come from
<name>.weights.json (or .safetensors) beside the graph when there is one (said on stderr), else
from the graph's initialisers and training.seed.
${WEIGHTS_OPTIONS_USAGE}`;

class RunError extends Error {}

/**
 * The tensors the input file gives, by input node: a bare tensor feeds a graph's one input; a
 * graph with several takes an object keyed by input name ({ "a": tensor, "b": tensor }).
 */
function namedInputs(given: unknown, ids: string[], path: string): [string, Tensor][] {
  const isTensor = typeof given === 'object' && given !== null && 'data' in given && 'shape' in given;
  if (isTensor) {
    if (ids.length > 1)
      throw new RunError(
        `${path}: the graph has ${ids.length} inputs (${ids.join(', ')}); give an object keyed by input name, e.g. { ${ids.map((i) => `"${i}": { "shape": [...], "data": [...] }`).join(', ')} }`,
      );
    return [[ids[0]!, tensorFor(given, 'input', path)]];
  }
  if (typeof given !== 'object' || given === null || Array.isArray(given))
    throw new RunError(
      `${path}: the input must be a tensor { "shape", "data" } or an object of them keyed by input name`,
    );
  const entries = Object.entries(given);
  const unknown = entries.find(([k]) => !ids.includes(k));
  if (unknown)
    throw new RunError(
      `${path}: '${unknown[0]}' is not an input of the graph; its inputs are ${ids.join(', ')}`,
    );
  const missing = ids.filter((id) => !(id in given));
  if (missing.length)
    throw new RunError(
      `${path}: no tensor for the input(s) ${missing.join(', ')}; the graph's inputs are ${ids.join(', ')}`,
    );
  return entries.map(([k, v]) => [k, tensorFor(v, `input '${k}'`, path)]);
}

function tensorFor(json: unknown, what: string, path: string): Tensor {
  try {
    return tensorFromJson(json, what);
  } catch (e) {
    throw new RunError(`${path}: ${(e as Error).message}`);
  }
}

/**
 * One input's tensor as a batch of its samples: one sample's shape alone is a batch of one; a flat
 * input (features) takes samples of any shape with as many values, row-major like a CSV row (an
 * imported model whose first op flattens is fed its original images).
 */
function batchedInput(input: Tensor, id: string, sample: number[], path: string): Tensor {
  const perSample = sample.reduce((a, b) => a * b, 1);
  const batched =
    shapeToString(input.shape) === shapeToString(sample)
      ? input.reshape([1, ...sample])
      : sample.length === 1 && input.shape.length > 2 && input.size === input.shape[0]! * perSample
        ? input.reshape([input.shape[0]!, perSample])
        : input;
  if (shapeToString(batched.shape.slice(1)) !== shapeToString(sample) || batched.shape[0] === 0)
    throw new RunError(
      `${path}: the input has shape ${shapeToString(input.shape)}, but '${id}' takes [batch, ${sample.join(', ')}]`,
    );
  return batched;
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readTextFile(path);
  } catch (e) {
    throw new RunError(`the ${what}: ${userMessage(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RunError(`${path}: the ${what} is not valid JSON (${(e as Error).message})`);
  }
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (!v || v.startsWith('-')) throw new UsageError(`${name} needs a file name`);
  return v;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run one forward pass of a graph on an input tensor',
  usage,
  async run(args) {
    const inputPath = option(args, '--input');
    const givenWeights = option(args, '--weights');
    const initWeights = args.includes('--init-weights');
    if (givenWeights !== undefined && initWeights)
      throw new UsageError('--weights and --init-weights contradict each other; give one');
    const rest = args.filter(
      (a, i) =>
        !['--input', '--weights', '--init-weights'].includes(a) &&
        !['--input', '--weights'].includes(args[i - 1]!),
    );
    const unknown = rest.find((a) => a.startsWith('-'));
    if (unknown) throw new UsageError(`unknown option '${unknown}'`);
    if (rest.length !== 1)
      throw new UsageError(
        rest.length
          ? `one graph at a time; got ${rest.join(', ')}`
          : 'which graph? give the path of a .nngraph.json file',
      );
    if (!inputPath) throw new UsageError('--input <tensor.json> is required');
    const graphPath = rest[0]!;
    const weightsPath = chooseWeightsFile(graphPath, { weights: givenWeights, initWeights }, (s) =>
      process.stderr.write(s),
    );
    try {
      let text: string;
      try {
        text = readTextFile(graphPath);
      } catch (e) {
        throw new RunError(`the graph: ${userMessage(e)}`);
      }
      // Only a document that can't be read stops here; the compile below reports the errors on
      // the forward path and ignores the rest (the dataset, the loss: inference needs neither).
      const checked = checkGraphText(text);
      if (!checked.doc) {
        for (const d of checked.diagnostics.filter((d) => d.severity === 'error'))
          process.stderr.write(`${formatDiagnostic(graphPath, d)}\n`);
        return 1;
      }
      const doc = checked.doc;
      let given: unknown;
      try {
        given = readJson(inputPath, 'input');
      } catch (e) {
        throw new RunError(e instanceof RunError ? e.message : `${inputPath}: ${(e as Error).message}`);
      }
      const inputNodes = doc.nodes.filter((n) => n.op === 'input');
      if (!inputNodes.length) throw new RunError(`${graphPath}: the graph has no 'input' node to feed`);
      const fed = new Map(
        namedInputs(
          given,
          inputNodes.map((n) => n.id),
          inputPath,
        ).map(([id, t]) => [
          id,
          batchedInput(t, id, (checked.shapes.get(id) ?? []).slice(1) as number[], inputPath),
        ]),
      );
      const batch = [...fed.values()][0]!.shape[0]!;
      for (const [id, t] of fed)
        if (t.shape[0] !== batch)
          throw new RunError(
            `${inputPath}: '${id}' has a batch of ${t.shape[0]} but '${inputNodes[0]!.id}' one of ${batch}; give every input the same number of samples`,
          );
      let weights: Weights | undefined;
      if (weightsPath) {
        try {
          weights = readWeightsFile(weightsPath);
        } catch (e) {
          if (e instanceof WeightsError) throw new RunError(`${weightsPath}: ${e.message}`);
          throw e;
        }
      }
      const g = compileGraph(doc, {
        batchSize: batch,
        dtype: 'float64',
        inference: true,
        ...(weights ? { weights } : {}),
      });
      g.program.setTraining(false);
      for (const { node, slot } of g.inputs) {
        const t = fed.get(node);
        if (t) g.program.value(slot).data.set(t.data);
      }
      g.program.forward(g.prediction);
      for (const id of g.order) {
        const slot = g.nodeSlot.get(id)!;
        const bad = g.program.value(slot).data.findIndex((x) => !Number.isFinite(x));
        if (bad >= 0)
          throw new RunError(
            `the value of node '${id}' is not finite (element ${bad}); check the input and the weights`,
          );
        if (slot === g.prediction) break;
      }
      process.stdout.write(`${JSON.stringify(g.program.value(g.prediction).toJSON())}\n`);
      return 0;
    } catch (e) {
      if (e instanceof GraphError) {
        for (const d of e.diagnostics)
          process.stderr.write(
            `${formatDiagnostic(weightsPath && d.code === 'bad-weights' ? weightsPath : graphPath, d)}\n`,
          );
        return 1;
      }
      if (e instanceof RunError) {
        process.stderr.write(`backprop-studio run: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};
