/**
 * Graph document + weights + dataset → a small Python package that trains the same network with
 * PyTorch (model.py, data.py, train.py, README.md, and the data and weights as JSON beside them).
 *
 * Same numbers by construction rather than by reimplementation: the package reads the engine's
 * initial (or trained) weights from weights.json and the engine's samples, already split, from
 * data.json; data.py carries the engine's seeded generator (mulberry32) so the batches come in the
 * engine's order; train.py applies the graph's optimiser, schedule and clipping as the engine does
 * (both follow torch.optim). Pure: no Node imports; the CLI and the extension write the files.
 */
import { analyzeGraph, sourceKeys, valueKey, type ResolvedNode, type SymbolicShape } from '../graph/check.js';
import type { GraphDoc, NodeId } from '../graph/document.js';
import { encodeWeightsFile, weightsOf, type Weights } from '../graph/weights.js';
import { utf8Decode } from '../onnx/protobuf.js';
import { encodeBase64 } from '../kernels/wasm/base64.js';
import { compileGraph } from '../graph/compile.js';
import { trainingData } from '../train/session.js';
import { sampleCount, type Dataset } from '../data/dataset.js';
import type { ReadBundled } from '../data/mnist.js';
import { Namer } from '../codegen/names.js';
import { PYTORCH_FORMS, pytorchForm, py, type FormCtx, type PyTorchForm } from './forms.js';
import { DATA_PY, README_MD, TRAIN_PY } from './python.js';

/** Bad input for the PyTorch export: the graph has errors, or ops without a PyTorch form (named). */
export class PyTorchExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PyTorchExportError';
  }
}

export interface PyTorchExportOptions {
  /** Names the model class's docstring and the README, e.g. the graph file's stem. */
  name: string;
  /** The graph file's name, for the comments. */
  source: string;
  /** Where train.py writes the trained weights by default, relative to the package (beside the graph). */
  saveWeights: string;
  /** What the weights are, for the README: "the graph's initial weights (seed 1)", "trained weights from …". */
  weightsNote: string;
}

export interface PyTorchData {
  train: Dataset;
  validation: Dataset | null;
}

/** A file of the package, by its name inside the package folder. */
export interface PackageFile {
  name: string;
  contents: string;
}

/** Python keywords and builtins the generated code uses, and torch.nn.Module's own attributes. */
const PYTHON_RESERVED = (
  'False None True and as assert async await break class continue def del elif else except finally ' +
  'for from global if import in is lambda nonlocal not or pass raise return try while with yield ' +
  'self torch nn super tuple range len print json os math ' +
  'forward training train eval parameters named_parameters buffers named_buffers children ' +
  'named_children modules named_modules state_dict load_state_dict to cpu cuda double float half ' +
  'bfloat16 type apply zero_grad register_buffer register_parameter register_module add_module ' +
  'get_submodule get_parameter get_buffer requires_grad_ share_memory extra_repr dump_patches ' +
  'call_super_init xpu ipu NODES TENSORS'
).split(' ');

/** The nodes of the model in order, each with its Python name, form and inputs. */
interface ModelPlan {
  /** The input nodes, the model's arguments in this order. */
  inputs: ResolvedNode[];
  target: ResolvedNode | null;
  /** Nodes the prediction needs, in order (without the input). */
  predictionPart: ResolvedNode[];
  /** The rest up to the loss (needs the target), in order. */
  lossPart: ResolvedNode[];
  prediction: NodeId;
  loss: NodeId;
  shapes: Map<NodeId, SymbolicShape>;
  /** Python names by value key; one output of several (split's tuple) is `<name>[k]`. */
  names: Map<NodeId, string>;
}

/** The forms by op name (a parameter so a test can take one away and see the refusal). */
export type FormTable = Readonly<Partial<Record<string, PyTorchForm | null>>>;

function planModel(doc: GraphDoc, forms: FormTable = PYTORCH_FORMS): ModelPlan {
  const a = analyzeGraph(doc);
  const errors = a.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0)
    throw new PyTorchExportError(
      `the graph has errors; fix them first:\n  ${errors.map((d) => (d.node ? `${d.node}: ${d.message}` : d.message)).join('\n  ')}`,
    );
  const byId = new Map(a.order.map((r) => [r.node.id, r]));
  const lossNode = byId.get(a.loss!)!;
  const prediction = sourceKeys(lossNode)[0]!;
  const ancestors = (id: NodeId): Set<NodeId> => {
    const seen = new Set<NodeId>([id]);
    for (const r of [...a.order].reverse()) if (seen.has(r.node.id)) r.sources.forEach((s) => seen.add(s));
    return seen;
  };
  const forPrediction = ancestors(lossNode.sources[0]!);
  const forLoss = ancestors(lossNode.node.id);
  // Every input node, in graph order: the model's arguments (the dataset feeds each its columns).
  const inputs = a.order.filter((r) => r.op.name === 'input');
  if (!inputs.some((r) => forPrediction.has(r.node.id)))
    throw new PyTorchExportError(`the prediction '${prediction}' does not depend on the input`);
  const target = a.target !== null ? byId.get(a.target)! : null;
  const compute = a.order.filter((r) => r.op.category !== 'data' && forLoss.has(r.node.id));
  const missing = compute.filter((r) => !(Object.hasOwn(forms, r.op.name) && forms[r.op.name]));
  if (missing.length > 0)
    throw new PyTorchExportError(
      `these ops have no PyTorch form: ${missing.map((r) => `${r.op.name} (node '${r.node.id}')`).join(', ')}`,
    );
  const namer = new Namer();
  namer.reserve(...PYTHON_RESERVED);
  const names = new Map<NodeId, string>();
  for (const r of a.order) {
    const own = namer.unique(r.node.id.replace(/\$/g, '_'));
    names.set(r.node.id, own);
    r.outputs?.forEach((port, k) => names.set(valueKey(r.node.id, port), `${own}[${k}]`));
  }
  return {
    inputs,
    target,
    predictionPart: compute.filter((r) => forPrediction.has(r.node.id)),
    lossPart: compute.filter((r) => !forPrediction.has(r.node.id)),
    prediction,
    loss: lossNode.node.id,
    shapes: a.shapes,
    names,
  };
}

/** The nodes of a graph whose ops have no PyTorch form, as `op (node 'id')`. */
export function opsWithoutPyTorchForm(doc: GraphDoc, forms: FormTable = PYTORCH_FORMS): string[] {
  try {
    planModel(doc, forms);
    return [];
  } catch (e) {
    if (!(e instanceof PyTorchExportError) || !e.message.startsWith('these ops')) throw e;
    return e.message.replace(/^[^:]*: /, '').split(', ');
  }
}

const shapeText = (s: SymbolicShape) => `[${s.join(', ')}]`;

/** model.py: the Model class and reading/writing the project's weights files. */
function modelPy(plan: ModelPlan, weights: Weights, opts: PyTorchExportOptions): string {
  const name = (id: NodeId) => plan.names.get(id)!;
  const init: string[] = [];
  const body = (nodes: ResolvedNode[]): string[] =>
    nodes.map((r) => {
      const form = pytorchForm(r.op.name)!;
      const id = r.node.id;
      const ctx: FormCtx = {
        attrs: r.attrs,
        inputs: sourceKeys(r).map(name),
        inShapes: sourceKeys(r).map((s) => plan.shapes.get(s)!),
        outShape: plan.shapes.get(id)!,
        module: `self.${name(id)}`,
      };
      if (form.module) init.push(`        self.${name(id)} = ${form.module(ctx)}`);
      const call = form.call ? form.call(ctx) : `${ctx.module}(${ctx.inputs.join(', ')})`;
      const comment = `  # ${r.op.name} ${shapeText(ctx.outShape)}`;
      return `        ${name(id)} = ${call}${comment}`;
    });
  const xs = plan.inputs.map((r) => name(r.node.id));
  const sizes = plan.inputs.map((r) =>
    plan.shapes
      .get(r.node.id)!
      .slice(1)
      .reduce<number>((a, d) => a * (d as number), 1),
  );
  const y = plan.target ? name(plan.target.node.id) : 'target';
  const predictionLines = body(plan.predictionPart);
  const lossLines = body(plan.lossPart);
  const nodes = Object.fromEntries(
    [...plan.predictionPart, ...plan.lossPart].map((r) => [r.node.id, name(r.node.id)]),
  );
  const tensors = Object.fromEntries(Object.entries(weights.weights).map(([n, t]) => [n, Object.keys(t)]));
  const noTarget = plan.target ? '' : ` (this graph's loss needs no target: pass anything but None)`;
  return `"""The ${opts.name} network as a torch.nn.Module, exported by Backprop Studio from ${opts.source}.

Each submodule is the graph node of the same name (NODES maps node ids to attribute names where an
id is not a Python name); forward() runs the nodes in the graph's order. The weights live in the
project's weights format (backprop-studio.weights JSON, keyed by node id and parameter name), so
the editor's "Load weights", analyses, step-through and exports read what train.py writes.
"""
import json
import os

import torch
from torch import nn

# Node id in the graph -> submodule or variable name here.
NODES = ${pyDict(nodes)}

# Node id -> the parameters and state tensors a weights file holds for it.
TENSORS = ${pyDict(tensors)}


class Model(nn.Module):
    def __init__(self):
        super().__init__()
${init.length ? init.join('\n') : '        pass'}

    def forward(self, ${xs.join(', ')}, ${y}=None):
        """${plan.inputs.map((r) => `${name(r.node.id)}: ${shapeText(plan.shapes.get(r.node.id)!)}`).join(', ')}. Returns the prediction (${name(plan.prediction)}), or (prediction, loss) given ${y}${noTarget}."""
${predictionLines.join('\n')}
        if ${y} is None:
            return ${name(plan.prediction)}
${lossLines.join('\n')}
        return ${name(plan.prediction)}, ${name(plan.loss)}


# The model's inputs and how many values of a data.json row each takes, in order.
INPUTS = ${pyDict(Object.fromEntries(plan.inputs.map((r) => [r.node.id, name(r.node.id)])))}
INPUT_SIZES = ${py(sizes)}


def model_inputs(x):
    """The model's arguments from a batch of data.json rows: ${plan.inputs.length === 1 ? 'the rows themselves' : "each input's columns, side by side in INPUT_SIZES order"}."""
    ${plan.inputs.length === 1 ? 'return (x,)' : `return tuple(part.reshape(x.shape[0], *shape) for part, shape in zip(torch.split(x.reshape(x.shape[0], -1), INPUT_SIZES, dim=1), ${pyLiteral(plan.inputs.map((r) => plan.shapes.get(r.node.id)!.slice(1)))}))`}


def _tensor(model, node, tensor):
    return getattr(getattr(model, NODES[node]), tensor)


def load_weights(model, path):
    """Copies a backprop-studio.weights file into the model (every parameter must be there)."""
    with open(path) as f:
        doc = json.load(f)
    if doc.get("format") != "backprop-studio.weights" or doc.get("version") != 1:
        raise ValueError(f"{path}: not a backprop-studio.weights file (version 1)")
    weights = doc["weights"]
    with torch.no_grad():
        for node, names in TENSORS.items():
            for tensor in names:
                given = weights.get(node, {}).get(tensor)
                if given is None:
                    raise ValueError(f"{path}: no '{tensor}' for node '{node}'")
                target = _tensor(model, node, tensor)
                value = torch.tensor(given["data"], dtype=torch.float64).reshape(given["shape"])
                if tuple(value.shape) != tuple(target.shape):
                    raise ValueError(
                        f"{path}: '{node}.{tensor}' has shape {list(value.shape)}, the model needs {list(target.shape)}"
                    )
                target.copy_(value)
    return model


def weights_json(model):
    """The model's parameters and state as a backprop-studio.weights document."""
    weights = {}
    for node, names in TENSORS.items():
        weights[node] = {}
        for tensor in names:
            t = _tensor(model, node, tensor).detach().to("cpu", torch.float64)
            weights[node][tensor] = {"shape": list(t.shape), "data": t.reshape(-1).tolist()}
    return {"format": "backprop-studio.weights", "version": 1, "weights": weights}


def save_weights(model, path):
    with open(path, "w") as f:
        json.dump(weights_json(model), f, separators=(",", ":"))
        f.write("\\n")


def load_model(path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights.json"), dtype=torch.float32):
    """A Model in this dtype with the weights of a backprop-studio.weights file (read in float64);
    by default the package's weights.json, the weights it was exported with."""
    return load_weights(Model().to(dtype), path)
`;
}

/** A dict literal, one entry per line when it is long. */
function pyDict(o: Record<string, string | readonly string[]>): string {
  const entries = Object.entries(o).map(
    ([k, v]) =>
      `${JSON.stringify(k)}: ${typeof v === 'string' ? JSON.stringify(v) : `[${v.map((s) => JSON.stringify(s)).join(', ')}]`}`,
  );
  const flat = `{${entries.join(', ')}}`;
  return flat.length <= 90 ? flat : `{\n${entries.map((e) => `    ${e},`).join('\n')}\n}`;
}

/** A JSON value as a Python literal (null → None, booleans capitalised). */
function pyLiteral(v: unknown): string {
  if (v === undefined || v === null) return 'None';
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return py(v);
  if (Array.isArray(v)) return `[${v.map(pyLiteral).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${JSON.stringify(k)}: ${pyLiteral(x)}`)
    .join(', ')}}`;
}

function dataJson(data: PyTorchData, plan: ModelPlan): string {
  const several = plan.inputs.length > 1;
  const part = (ds: Dataset) =>
    ds.pixels && !several
      ? { pixels: encodeBase64(pixelBytes(ds, ds.pixels)), y: Array.from(ds.y.data) }
      : { x: several ? inputRows(ds, plan) : Array.from(ds.x.data), y: Array.from(ds.y.data) };
  const { train } = data;
  return `${JSON.stringify({
    name: train.name,
    task: train.task,
    classes: train.classes,
    sample_shape: several ? [inputRows(train, plan).length / sampleCount(train)] : train.x.shape.slice(1),
    target_shape: train.y.shape.slice(1),
    // Images as their 8-bit pixels (base64), which data.py scales as the engine did: a fifth of
    // the size of the numbers written out.
    ...(train.pixels ? { pixels: { mean: train.pixels.mean, std: train.pixels.std } } : {}),
    train: part(train),
    validation: data.validation ? part(data.validation) : null,
  })}\n`;
}

/** Each sample's inputs side by side, in the model's argument order (what model_inputs splits). */
function inputRows(ds: Dataset, plan: ModelPlan): number[] {
  const parts = plan.inputs.map((r) => {
    const t = ds.inputs?.[r.node.id];
    if (!t)
      throw new PyTorchExportError(
        `the dataset feeds no '${r.node.id}': name its columns in training.dataset.inputs`,
      );
    return t;
  });
  const rows: number[] = [];
  for (let i = 0; i < sampleCount(ds); i++)
    for (const t of parts) {
      const w = t.size / sampleCount(ds);
      for (let k = 0; k < w; k++) rows.push(t.data[i * w + k]!);
    }
  return rows;
}

/** The bytes p behind x = float32((p / 255 - mean) / std), checked to give x back exactly. */
function pixelBytes(ds: Dataset, { mean, std }: { mean: number; std: number }): Uint8Array {
  const x = ds.x.data;
  const bytes = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const p = Math.round((x[i]! * std + mean) * 255);
    if (!(p >= 0 && p <= 255) || Math.fround((p / 255 - mean) / std) !== x[i])
      throw new Error(
        `${ds.name}: value ${i} (${x[i]}) is not an 8-bit pixel scaled by mean ${mean}, std ${std}`,
      );
    bytes[i] = p;
  }
  return bytes;
}

/** The header of train.py: the graph's training settings as Python constants. */
function trainSettings(
  doc: GraphDoc,
  plan: ModelPlan,
  data: PyTorchData,
  opts: PyTorchExportOptions,
): string {
  const t = doc.training;
  const lossNode = doc.nodes.find((n) => n.id === plan.loss)!;
  const reduction = lossNode.attrs['reduction'] === 'sum' ? 'sum' : 'mean';
  const targetShape = plan.target ? plan.shapes.get(plan.target.node.id)!.slice(1) : [];
  return [
    `# The graph's training settings (the "training" section of ${opts.source}).`,
    `EPOCHS = ${t.epochs}`,
    `BATCH_SIZE = ${t.batchSize}`,
    `# Orders the batches (data.BatchOrder) and seeds PyTorch's generator (dropout). The initial`,
    `# weights and the validation split came from the graph's seed at export: weights.json, data.json.`,
    `SEED = ${t.seed ?? 0}`,
    `OPTIMIZER = ${pyLiteral(t.optimizer)}`,
    `SCHEDULE = ${pyLiteral(t.schedule)}`,
    `CLIP_GRAD_NORM = ${pyLiteral(t.clipGradNorm)}`,
    `EARLY_STOPPING = ${pyLiteral(t.earlyStopping)}`,
    `# How the loss reduces the batch ("mean" or "sum"): data-parallel processes weigh their part by it.`,
    `LOSS_REDUCTION = ${py(reduction)}`,
    `# The shape of one target as the graph's target node takes it ([] for class indices).`,
    `TARGET_SHAPE = ${pyLiteral(targetShape)}`,
    `# Where the trained weights go without --save-weights: beside the graph (relative to this folder).`,
    `SAVE_WEIGHTS = ${py(opts.saveWeights)}`,
  ].join('\n');
}

/** Every file of the package. Throws PyTorchExportError naming what can't be exported. */
export function exportPyTorch(
  doc: GraphDoc,
  weights: Weights,
  data: PyTorchData,
  opts: PyTorchExportOptions,
): PackageFile[] {
  const plan = planModel(doc);
  return [
    { name: 'model.py', contents: modelPy(plan, weights, opts) },
    { name: 'data.py', contents: DATA_PY },
    { name: 'train.py', contents: TRAIN_PY.replace('# @@SETTINGS@@', trainSettings(doc, plan, data, opts)) },
    {
      name: 'README.md',
      contents: README_MD.replaceAll('@@NAME@@', opts.name)
        .replaceAll('@@SOURCE@@', opts.source)
        .replaceAll('@@WEIGHTS@@', opts.weightsNote)
        .replaceAll('@@DATA@@', data.train.name.replace(/ \(training\)$/, '')),
    },
    // JSON, which Python reads without a package beyond torch (typed arrays become number lists).
    { name: 'weights.json', contents: utf8Decode(encodeWeightsFile(weights, 'json')) },
    { name: 'data.json', contents: dataJson(data, plan) },
  ];
}

export interface PyTorchPackageInput {
  doc: GraphDoc;
  /** Trained weights to start from, or null for the graph's initial weights from its seed. */
  weights: Weights | null;
  /** Reads a CSV file named by the dataset, relative to the graph. */
  readText?: (path: string) => string;
  /** Reads the data files that ship with Backprop Studio (MNIST). */
  readBundled?: ReadBundled;
  /** The graph file's name, e.g. "spiral.nngraph.json". */
  source: string;
  /** Where train.py writes the trained weights by default, relative to the package folder. */
  saveWeights: string;
  /** Where `weights` came from, for the README (default: the initial weights' seed). */
  weightsFrom?: string;
}

/**
 * The package for a graph as the engine would train it: the dataset loaded and split with the
 * graph's seed, and the weights given or the initial ones (float64, so float32 and float64 runs
 * both start from exactly the engine's values).
 */
export function pytorchPackage(input: PyTorchPackageInput): PackageFile[] {
  const { doc } = input;
  const seed = doc.training.seed ?? 0;
  planModel(doc); // refuse ops without a PyTorch form before loading any data
  const weights = input.weights ?? weightsOf(compileGraph(doc, { batchSize: 1, dtype: 'float64', seed }));
  const { train, validation } = trainingData(doc, seed, {
    readText: input.readText,
    readBundled: input.readBundled,
  });
  const name = input.source.replace(/\.nngraph\.json$/i, '').replace(/\.json$/i, '');
  return exportPyTorch(
    doc,
    weights,
    { train, validation },
    {
      name,
      source: input.source,
      saveWeights: input.saveWeights,
      weightsNote: input.weights
        ? (input.weightsFrom ?? 'the trained weights given at export')
        : `the graph's initial weights (seed ${seed})`,
    },
  );
}
