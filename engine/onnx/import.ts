/**
 * ONNX model → graph document + weights. The model is decoded, flattened (functions inlined,
 * constants gathered), rewritten (decompositions fused back into layers), and each remaining
 * node mapped to one registry op by the table in import-ops.ts. Every problem is collected; if
 * there is any, the import fails as a whole with the list (nothing is half-imported).
 */
import { decodeModel, DataType } from './onnx-proto.js';
import { DIGIT_MAX_SIZE, DIGIT_SIZE } from '../data/digits.js';
import { MNIST_SIDE } from '../data/idx.js';
import { ProtobufError } from './protobuf.js';
import { FlatGraph, flattenModel, INTEGER_TYPES, OnnxImportError, shortestFloat32 } from './onnx-graph.js';
import { fusePatterns } from './fuse.js';
import { foldShapes } from './fold-shapes.js';
import { upgradeNode, UpgradeRefusal } from './upgrade.js';
import { BatchAxisRefusal, Converted, LayoutRefusal, rowFor, Unsupported } from './import-ops.js';
import {
  OnnxTensorError,
  dataTypeName,
  externalLocation,
  isExternal,
  type ExternalDataReader,
} from './tensor-data.js';
import {
  GRAPH_FORMAT,
  GRAPH_VERSION,
  type GraphDoc,
  type GraphEdge,
  type GraphNode,
  type TrainingConfig,
  type DatasetConfig,
} from '../graph/document.js';
import { layoutDocument } from '../graph/layout.js';
import { datasetFeatures } from '../data/load.js';
import { WEIGHTS_FORMAT, WEIGHTS_VERSION, type Weights } from '../graph/weights.js';
import { getOp } from '../ops/registry.js';
import { resolveAttrs } from '../ops/attrs.js';
import { inputPorts, outputPorts, presentParams, type AttrSpec, type Attrs } from '../ops/define.js';
import { sameShape, type Shape } from '../tensor/tensor.js';

export { OnnxImportError };

export interface ImportResult {
  doc: GraphDoc;
  weights: Weights;
  /** ONNX node names → the node id each became part of (for messages and tests). */
  origin: Map<string, string>;
  /**
   * The model's input had no batch axis (e.g. [3]): the graph takes [N, 3] and the model's
   * computation is one sample of it, so its output gains a leading axis of 1. Said in `notes`.
   */
  batchAxisAdded: boolean;
  /** What the user should know about how the model was read (shown by the CLI and the editor). */
  notes: string[];
}

const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.DOUBLE]);
/** Integer inputs (token indices) become `input` nodes of dtype int. */

interface Emitted extends Converted {
  id: string;
  output: string;
  shape: Shape;
}

/** The loss and dataset an imported graph trains with; see chooseTraining. */
interface TrainingChoice {
  training: TrainingConfig;
  /** The dataset gives flat rows: the input takes features and a reshape restores the sample's shape. */
  flatInput: boolean;
  /** The guessed target and loss; null when the output isn't [N, k] (no loss until the user adds one). */
  loss: { op: 'cross_entropy' | 'mse_loss'; predictionPort: string; target: Attrs } | null;
}

export interface ImportOptions {
  /**
   * Reads the external data files a model keeps its weights in (`model.onnx.data`: what
   * `onnx.save_model(..., save_as_external_data=True)` and PyTorch's newer exporter write), by
   * location relative to the model's folder. See externalDataFiles for which files a model needs.
   */
  externalData?: ExternalDataReader;
}

/** The external data files a model reads its weights from (locations relative to the model), for callers that must fetch them first. */
export function externalDataFiles(bytes: Uint8Array): string[] {
  let model;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    if (e instanceof ProtobufError) throw new OnnxImportError(`not a readable ONNX model: ${e.message}`);
    throw e;
  }
  try {
    const tensors = model.graph?.initializer ?? [];
    return [...new Set(tensors.filter(isExternal).map(externalLocation))];
  } catch (e) {
    if (e instanceof OnnxTensorError) throw new OnnxImportError(e.message);
    throw e;
  }
}

/**
 * Imports a model. Throws OnnxImportError listing every unsupported op (by op type and node
 * name) and every node that can't be represented, with the reason.
 */
export function importOnnx(bytes: Uint8Array, opts: ImportOptions = {}): ImportResult {
  const read = (): FlatGraph => {
    try {
      return fusePatterns(foldShapes(flattenModel(decodeModel(bytes), opts.externalData)));
    } catch (e) {
      if (e instanceof ProtobufError) throw new OnnxImportError(`not a readable ONNX model: ${e.message}`);
      if (e instanceof OnnxTensorError) throw new OnnxImportError(e.message);
      throw e;
    }
  };
  const flat = read();
  if (flat.inputs.length === 0)
    // Graph inputs that have an initializer are parameters (flattenModel leaves them out).
    throw new OnnxImportError(
      'the model has no inputs (every graph input has an initializer); there is nothing to feed',
    );
  for (const input of flat.inputs)
    if (!FLOAT_TYPES.has(input.elemType) && !INTEGER_TYPES.has(input.elemType)) {
      throw new OnnxImportError(
        `input '${input.name}' is ${dataTypeName(input.elemType)}; only float and integer inputs can be imported`,
      );
    }
  for (const x of flat.inputs)
    if (!x.dims.slice(1).every((d) => typeof d === 'number'))
      throw new OnnxImportError(
        `input '${x.name}' has shape [${x.dims.join(', ')}]; expected fixed sizes after the first axis`,
      );
  if (flat.outputs.length !== 1) {
    throw new OnnxImportError(
      `the model has ${flat.outputs.length} outputs (${flat.outputs.join(', ')}); only models with one output can be imported`,
    );
  }
  // The model's first axis is the batch when every input has one of the same size. Else (an input
  // [3] beside [2, 3], or [2, 3] beside [3, 4]), or when an op works across that axis (a reduction
  // or transpose over axis 0), the model is one sample: see importGraph's `oneSample`.
  const first = flat.inputs[0]!.dims[0];
  const shared = flat.inputs.every((x) => x.dims.length >= 2 && x.dims[0] === first);
  if (!shared) return importGraph(flat, true);
  try {
    return importGraph(flat, false);
  } catch (e) {
    if (!(e instanceof BatchAxisError)) throw e;
    // Retried on a fresh read: the first attempt added constants to the graph it read.
    return importGraph(read(), true, e);
  }
}

/** Import problems among which some (by the op's use of the batch axis) go away with `oneSample`. */
class BatchAxisError extends OnnxImportError {}

/**
 * The graph document of a flat model. With `oneSample` every input is one sample of a batch that
 * the graph adds in front (the model's [2, 3] becomes the graph's [N, 2, 3], computed per sample
 * by every op), so ops may work along every axis of the model; otherwise the model's first axis
 * is the graph's batch axis. `before`: the problems of the attempt without `oneSample`, reported
 * instead when this one fails too (they say what the model does, not what the retry hit).
 */
function importGraph(flat: FlatGraph, oneSample: boolean, before?: OnnxImportError): ImportResult {
  const input = flat.inputs[0]!;
  const batch = oneSample ? 1 : typeof input.dims[0] === 'number' ? input.dims[0] : 1;
  const symbolic = oneSample
    ? flat.inputs.find((x) => x.dims.length > 0 && typeof x.dims[0] !== 'number')
    : undefined;
  if (symbolic) {
    if (before) throw before;
    const shape = (x: FlatGraph['inputs'][number]) => `[${x.dims.join(', ')}]`;
    const other = flat.inputs.find((x) => x.dims[0] !== symbolic.dims[0]);
    throw new OnnxImportError(
      `${other ? `input '${other.name}' ${shape(other)} and ` : ''}input '${symbolic.name}' ${shape(symbolic)} ${other ? 'differ in their first axis' : 'has no batch axis'}; read as one sample, every size must be fixed: give '${symbolic.name}' a fixed first axis`,
    );
  }
  const samples = flat.inputs.map((x) => (oneSample ? x.dims : x.dims.slice(1)) as number[]);

  // Unsupported op types first, all of them, so the user sees the whole list at once.
  const missing = flat.nodes.filter((n) => !rowFor(n));
  if (missing.length > 0) {
    const list = missing.map(
      (n) => `${n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.` : ''}${n.opType} (node '${n.name}')`,
    );
    throw new OnnxImportError(`the model uses ops that can't be imported: ${list.join(', ')}`, list);
  }

  const shapes = new Map<string, Shape>(flat.inputs.map((x, i) => [x.name, [batch, ...samples[i]!]]));
  const emitted: Emitted[] = [];
  const problems: string[] = [];
  const failed = new Set<string>();
  let batchAxisProblem = false;
  // A problem of its own (not the one-sample reading's lack of a batch axis for a layout op).
  let ownProblem = false;
  const origin = new Map<string, string>();
  const ids = new IdAllocator();
  // One input is `input`; several keep the model's names (what `run --input` and the dataset call them).
  const inputIds = flat.inputs.map((x) => ids.take(flat.inputs.length === 1 ? 'input' : inputIdHint(x.name)));
  // The node (and output port, for one output of several) that computes each ONNX value.
  const producerId = new Map<string, string>(flat.inputs.map((x, i) => [x.name, inputIds[i]!]));
  const producerPort = new Map<string, string>();
  // Values of an integer type: ONNX keeps an op's input type, so a value is an integer when its
  // node's first input is (ArgMax's indices are int64 whatever it searches). See RowContext.integer.
  const integerValues = new Set<string>(
    flat.inputs.filter((x) => INTEGER_TYPES.has(x.elemType)).map((x) => x.name),
  );
  for (const [name, t] of flat.consts) if (INTEGER_TYPES.has(t.dataType)) integerValues.add(name);
  for (const n of flat.nodes)
    if (n.opType === 'ArgMax' || integerValues.has(n.inputs[0] ?? ''))
      n.outputs.forEach((v) => integerValues.add(v));

  for (const node of flat.nodes) {
    const where = `node '${node.name}' (${node.opType})`;
    // Downstream of a node that failed: that node's problem is already reported.
    if (node.inputs.some((v) => failed.has(v))) {
      node.outputs.forEach((v) => failed.add(v));
      continue;
    }
    const unknown = node.inputs.find((v) => v && !flat.consts.has(v) && !shapes.has(v));
    if (unknown !== undefined) {
      problems.push(`${where}: its input '${unknown}' is not produced by any node`);
      node.outputs.forEach((v) => failed.add(v));
      continue;
    }
    const fresh = (hint: string) => {
      let name = hint;
      for (let k = 1; flat.consts.has(name) || shapes.has(name); k++) name = `${hint}_${k}`;
      return name;
    };
    try {
      // Older opsets' forms become the current one (attributes that turned into inputs, etc.).
      const upgraded = upgradeNode(node, {
        opset: flat.opset,
        constant: (v) => flat.consts.get(v),
        shape: (v) => shapes.get(v),
        addConstant: (hint, t) => {
          const name = fresh(hint);
          flat.consts.set(name, t);
          return name;
        },
      });
      // A registry node computing `values` (one per output port); returns its id.
      const place = (c: Converted, values: readonly string[]): string => {
        const { attrs, shape, outputs } = checkAgainstRegistry(c, shapes);
        if (outputs && outputs.ports.length !== values.length)
          throw new Unsupported(
            `as ${c.op}: it has ${values.length} outputs, the op makes ${outputs.ports.length}`,
          );
        const id = ids.take(idHint(node.name, c.op));
        emitted.push({ ...c, attrs, id, output: values[0]!, shape });
        shapes.set(values[0]!, shape);
        producerId.set(values[0]!, id);
        outputs?.ports.forEach((port, k) => {
          const v = values[k]!;
          if (!v) return;
          shapes.set(v, outputs.shapes[k]!);
          producerId.set(v, id);
          producerPort.set(v, port);
        });
        return id;
      };
      const c = rowFor(node)!({
        node: upgraded.node,
        opset: upgraded.opset,
        batch,
        oneSample,
        integer: (v) => integerValues.has(v) || INTEGER_TYPES.has(flat.consts.get(v)?.dataType ?? -1),
        constant: (v) => flat.consts.get(v),
        shape: (v) => {
          const s = shapes.get(v);
          if (!s) throw new Unsupported(`input '${v}' has no known shape`);
          return oneSample ? s.slice(1) : s;
        },
        emit: (step) => {
          const v = fresh(`${node.name}/${step.op}`);
          place(step, [v]);
          return v;
        },
        addConstant: (hint, t) => {
          const name = fresh(hint);
          flat.consts.set(name, t);
          return name;
        },
        // A constant operand becomes a `constant` node (once, however many nodes read it); as one
        // sample it gains the leading axis every value of the graph has.
        constantNode: (v) => {
          if (producerId.has(v)) return v;
          const t = flat.consts.get(v)!;
          const dims = oneSample ? [1, ...t.dims] : t.dims.slice();
          const value = { shape: dims, data: Array.from(t.data) };
          const id = ids.take(constantIdHint(v));
          emitted.push({
            op: 'constant',
            attrs: { shape: dims },
            inputs: [],
            params: { value },
            id,
            output: v,
            shape: dims,
          });
          shapes.set(v, dims);
          producerId.set(v, id);
          return v;
        },
      });
      origin.set(node.name, place(c, node.outputs));
    } catch (e) {
      if (!(e instanceof Unsupported || e instanceof OnnxImportError || e instanceof UpgradeRefusal)) throw e;
      if (e instanceof BatchAxisRefusal) batchAxisProblem = true;
      if (!(e instanceof LayoutRefusal)) ownProblem = true;
      problems.push(`${where}: ${e.message}`);
      node.outputs.forEach((v) => failed.add(v));
    }
  }
  const outputValue = flat.outputs[0]!;
  if (problems.length === 0 && !producerId.has(outputValue)) {
    problems.push(
      `the output '${outputValue}' is ${flat.consts.has(outputValue) ? 'a constant' : 'not computed by any node'}`,
    );
  }
  if (problems.length > 0) {
    // Read as one sample after the batch axis stood in the way: what still stops the import is
    // this reading's own problem, unless it only hit layout ops (then the first reading's says more).
    if (before && !ownProblem) throw before;
    const message = `the model can't be imported:\n  ${problems.join('\n  ')}`;
    throw batchAxisProblem ? new BatchAxisError(message, problems) : new OnnxImportError(message, problems);
  }

  const outShape = shapes.get(outputValue)!;
  const integer = flat.inputs.map((x) => INTEGER_TYPES.has(x.elemType));
  const choice = integerColumns(
    flat.inputs.length === 1
      ? chooseTraining(samples[0]!, outShape.slice(1))
      : chooseMultiInputTraining(
          inputIds.map((id, i) => ({ id, sample: samples[i]! })),
          outShape.slice(1),
        ),
    inputIds.filter((_, i) => integer[i]),
  );
  const dtype = (i: number): Attrs => (integer[i] ? { dtype: 'int' } : {});
  const nodes: Omit<GraphNode, 'position'>[] = [];
  const edges: GraphEdge[] = [];
  flat.inputs.forEach((x, i) => {
    const sample = samples[i]!;
    const inputId = inputIds[i]!;
    if ((choice.flatInput && sample.length > 1) || sample.length === 0) {
      // A CSV row is flat: the samples enter as features and take their shape again at once (a
      // scalar, one feature, loses its axis).
      const unflatten = ids.take(flat.inputs.length === 1 ? 'unflatten' : `${inputId}_unflatten`);
      nodes.push(
        { id: inputId, op: 'input', attrs: { features: sample.reduce((a, b) => a * b, 1), ...dtype(i) } },
        { id: unflatten, op: 'reshape', attrs: { shape: [-1, ...sample] } },
      );
      edges.push({ from: inputId, to: unflatten });
      producerId.set(x.name, unflatten);
    } else {
      nodes.push({
        id: inputId,
        op: 'input',
        attrs: { ...(sample.length === 1 ? { features: sample[0]! } : { shape: sample }), ...dtype(i) },
      });
    }
  });
  nodes.push(...emitted.map((e) => ({ id: e.id, op: e.op, attrs: e.attrs })));
  for (const e of emitted) {
    const ports = inputPorts(getOp(e.op)!, resolveAttrs(getOp(e.op)!, e.attrs));
    e.inputs.forEach((v, k) => {
      const edge: GraphEdge = { from: producerId.get(v)!, to: e.id };
      const fromPort = producerPort.get(v);
      if (fromPort !== undefined) edge.fromPort = fromPort;
      if (ports.length > 1) edge.toPort = ports[k]!;
      edges.push(edge);
    });
  }
  if (choice.loss) {
    const targetId = ids.take('target');
    const lossId = ids.take('loss');
    nodes.push(
      { id: targetId, op: 'target', attrs: choice.loss.target },
      { id: lossId, op: choice.loss.op, attrs: {} },
    );
    const fromPort = producerPort.get(outputValue);
    edges.push({
      from: producerId.get(outputValue)!,
      to: lossId,
      ...(fromPort !== undefined ? { fromPort } : {}),
      toPort: choice.loss.predictionPort,
    });
    edges.push({ from: targetId, to: lossId, toPort: 'target' });
  }

  const positions = layoutDocument(nodes, edges);
  const doc: GraphDoc = {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    nodes: nodes.map((n) => ({ ...n, position: positions.get(n.id)! })),
    edges,
    training: choice.training,
  };
  const weights: Weights = { format: WEIGHTS_FORMAT, version: WEIGHTS_VERSION, weights: {} };
  for (const e of emitted) if (e.params) weights.weights[e.id] = e.params;
  const notes = oneSample ? [oneSampleNote(flat, samples, outShape.slice(1))] : [];
  return { doc, weights, origin, batchAxisAdded: oneSample, notes };
}

/** What `oneSample` did, in the user's terms (the CLI and the editor show it). */
function oneSampleNote(flat: FlatGraph, samples: number[][], output: Shape): string {
  const list = (dims: readonly number[]) => `[${dims.join(', ')}]`;
  const inputs = flat.inputs.map((x, i) => `'${x.name}' ${list(samples[i]!)}`).join(', ');
  const why =
    flat.inputs.length === 1 && samples[0]!.length === 1
      ? 'its input has no batch axis'
      : flat.inputs.some((x, i) => x.dims[0] !== flat.inputs[0]!.dims[0] || samples[i]!.length < 2)
        ? 'its inputs do not share a first axis'
        : "its ops work along the inputs' first axis";
  return `the model is one sample (${why}): imported with a fixed batch of one, so the graph takes [N, ...] of each input (${inputs}) and the model's output ${list(output)} becomes ${list([1, ...output])}`;
}

/**
 * Resolves the row's attributes against the registry op, checks the weights' shapes, and infers
 * the output shape with the op's own shape function. Returns the attributes to write.
 */
function checkAgainstRegistry(
  c: Converted,
  shapes: Map<string, Shape>,
): { attrs: Attrs; shape: Shape; outputs?: { ports: readonly string[]; shapes: Shape[] } } {
  const op = getOp(c.op);
  if (!op) throw new Unsupported(`this project has no '${c.op}' op yet`);
  const inputShapes = c.inputs.map((v) => shapes.get(v)!);
  const paramShapes: Record<string, Shape> = {};
  for (const [k, t] of Object.entries(c.params ?? {})) paramShapes[k] = t.shape;
  // What the op reads off its weights' shapes (linear units, conv2d channels and kernel) wins.
  const given = asWritten({ ...c.attrs, ...(op.deriveAttrs?.(paramShapes, c.attrs) ?? {}) } as Attrs);
  let attrs: Attrs;
  try {
    attrs = resolveAttrs(op, given);
  } catch (e) {
    throw new Unsupported(`as ${c.op}: ${(e as Error).message}`);
  }
  try {
    const params = presentParams(op, attrs).map((p) => {
      const s = p.shape(inputShapes, attrs);
      const given = c.params?.[p.name];
      if (!given) throw new Unsupported(`as ${c.op}: no value for its parameter '${p.name}'`);
      if (!sameShape(given.shape, s)) {
        throw new Unsupported(
          `as ${c.op}: parameter '${p.name}' has shape [${given.shape.join(', ')}], the op expects [${s.join(', ')}]`,
        );
      }
      return s;
    });
    const shape = op.shape([...inputShapes, ...params], attrs);
    const ports = outputPorts(op, attrs);
    const outputs = ports
      ? { ports, shapes: ports.map((_, k) => op.shape([...inputShapes, ...params], attrs, k)) }
      : undefined;
    // The document keeps what differs from the op's defaults (less to read, smaller diffs).
    const specs = op.attrs as Record<string, AttrSpec>;
    const written = Object.fromEntries(
      Object.entries(given).filter(([k, v]) => JSON.stringify(specs[k]?.default) !== JSON.stringify(v)),
    );
    return { attrs: written, shape, ...(outputs ? { outputs } : {}) };
  } catch (e) {
    if (e instanceof Unsupported) throw e;
    throw new Unsupported(`as ${c.op}: ${(e as Error).message}`);
  }
}

/**
 * Attributes as the model's author wrote them: a value computed from float32 attributes (batch
 * norm's momentum is 1 − ONNX's 0.9, i.e. 0.09999999999999998 in double) is stored as the
 * shortest decimal that is the same float32 (0.1). Whole numbers are left alone.
 */
function asWritten(attrs: Attrs): Attrs {
  const round = (v: number) => (Number.isInteger(v) ? v : shortestFloat32(v));
  return Object.fromEntries(
    Object.entries(attrs).map(([k, v]) => [
      k,
      typeof v === 'number' ? round(v) : Array.isArray(v) ? v.map(round) : v,
    ]),
  ) as Attrs;
}

/**
 * What to train an imported model with. An output of [N, k] gets a guessed loss fed by it
 * (cross-entropy over k ≥ 2 classes, else mean squared error against one value); any other
 * output gets none: a forward pass doesn't need one (`run` and the exports ignore the training
 * section), and the document's only error then asks the user to add the loss that fits. The
 * dataset is a built-in one when the shapes fit one; else no dataset is known: a CSV dataset with
 * its columns (x1..xK and y) and no file, which `check` and the editor report as such for the
 * user to choose (never a file name that was never there).
 */
export function chooseTraining(sample: readonly number[], output: readonly number[]): TrainingChoice {
  const base = { optimizer: { kind: 'adam' as const, lr: 0.001 }, batchSize: 32, epochs: 20 };
  const k = output.length === 1 ? output[0]! : 0;
  const classification = k >= 2;
  const loss: TrainingChoice['loss'] =
    output.length !== 1
      ? null
      : classification
        ? { op: 'cross_entropy' as const, predictionPort: 'logits', target: { classes: k } }
        : { op: 'mse_loss' as const, predictionPort: 'pred', target: { features: k } };
  const builtIn = (dataset: DatasetConfig) => ({
    training: { ...base, dataset },
    loss,
    flatInput: false,
  });
  const shape = sample.join('x');
  // Grey square images with ten classes: MNIST's real digits at 28×28 (LeNet's), else the synthetic
  // digits, scaled up when larger than 8×8.
  const side = sample.length === 3 && sample[0] === 1 && sample[1] === sample[2] ? sample[1]! : 0;
  if (k === 10 && side === MNIST_SIDE) return builtIn({ kind: 'mnist' });
  if (k === 10 && side >= DIGIT_SIZE && side <= DIGIT_MAX_SIZE)
    return builtIn(side === DIGIT_SIZE ? { kind: 'digits' } : { kind: 'digits', size: side });
  if (shape === '2' && classification) return builtIn({ kind: 'spiral', classes: k });
  // One-hot [digit | position] tokens [T, V + T] to logits [V, T] (classes first): the reverse task.
  const [tokens, width] = sample as [number, number];
  const [symbols, positions] = output as [number, number];
  if (sample.length === 2 && output.length === 2 && positions === tokens && width === symbols + tokens)
    return {
      ...builtIn({ kind: 'reverse', length: tokens, symbols }),
      loss: {
        op: 'cross_entropy' as const,
        predictionPort: 'logits',
        target: { classes: symbols, shape: [tokens] },
      },
    };
  if (shape === '1' && k === 1) return builtIn({ kind: 'sine' });
  const features = Array.from({ length: sample.reduce((a, b) => a * b, 1) }, (_, i) => `x${i + 1}`);
  return {
    training: {
      ...base,
      dataset: {
        kind: 'csv',
        features,
        target: 'y',
        task: classification ? 'classification' : 'regression',
      },
    },
    loss,
    flatInput: sample.length > 1,
  };
}

/**
 * The training of a model with several inputs: a CSV with each input's columns (named
 * `<input>_1`, `<input>_2`, …) handed to it in training.dataset.inputs, and no file yet (the user
 * chooses it); the loss guessed from the output as for one input.
 */
function chooseMultiInputTraining(
  inputs: { id: string; sample: readonly number[] }[],
  output: readonly number[],
): TrainingChoice {
  const one = chooseTraining([0], output);
  const columns = Object.fromEntries(
    inputs.map(({ id, sample }) => [
      id,
      Array.from({ length: sample.reduce((a, b) => a * b, 1) }, (_, k) => `${id}_${k + 1}`),
    ]),
  );
  const dataset = one.training.dataset;
  if (dataset.kind !== 'csv') throw new Error('chooseTraining: a sample of [0] is no built-in dataset');
  return {
    training: {
      ...one.training,
      dataset: { ...dataset, features: Object.values(columns).flat(), inputs: columns },
    },
    loss: one.loss,
    flatInput: true,
  };
}

/**
 * Integer inputs (token indices) read their columns as whole numbers: a CSV dataset (no built-in
 * one has integer features) that lists those columns in `integers`.
 */
function integerColumns(choice: TrainingChoice, intInputs: string[]): TrainingChoice {
  if (!intInputs.length) return choice;
  const d = choice.training.dataset;
  const csv =
    d.kind === 'csv'
      ? d
      : {
          kind: 'csv' as const,
          features: datasetFeatures(d) ?? [],
          target: 'y',
          task: choice.loss?.op === 'cross_entropy' ? ('classification' as const) : ('regression' as const),
        };
  const integers = csv.inputs ? intInputs.flatMap((id) => csv.inputs![id] ?? []) : csv.features;
  return { ...choice, training: { ...choice.training, dataset: { ...csv, integers } } };
}

/** A constant's node id from its value name: `onnx::Add_1` → 'const_Add_1'. */
function constantIdHint(name: string): string {
  const tail = name.split(/[/:.]/).filter(Boolean).pop() ?? '';
  const id = tail.replace(/[^A-Za-z0-9_]/g, '_');
  return `const_${id || 'value'}`;
}

/** An ONNX input's name as a node id: its letters, digits and underscores. */
function inputIdHint(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z]/.test(id) ? id : `input_${id}`;
}

/** Node ids: the exporter's module name where it is a readable identifier, else op + counter. */
class IdAllocator {
  private readonly used = new Set<string>();
  private readonly counters = new Map<string, number>();

  take(hint: string): string {
    let id = hint;
    if (this.used.has(id) || /_$/.test(id)) {
      const base = hint.replace(/_$/, '');
      let k = this.counters.get(base) ?? 1;
      while (this.used.has(`${base}_${k}`)) k++;
      this.counters.set(base, k + 1);
      id = `${base}_${k}`;
    }
    this.used.add(id);
    return id;
  }
}

/** `/fc1/Gemm` → 'fc1'; `/0/Gemm` (Sequential index) → 'linear_' (numbered by the allocator). */
function idHint(onnxName: string, op: string): string {
  const parts = onnxName.split('/').filter(Boolean);
  const module = parts
    .slice(0, -1)
    .join('_')
    .replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z][A-Za-z0-9_]*$/.test(module) ? module : `${op}_`;
}
