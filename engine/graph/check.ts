/**
 * Whether a parsed graph makes sense: known ops, valid attributes, every port fed once, no
 * cycles, shapes that fit, one loss that everything leads to, and data that matches the dataset.
 * `analyzeGraph` does the work and also hands the compiler what it needs (order, wiring,
 * resolved attributes); `checkGraph` is the public face. Never throws.
 *
 * Shape inference: op shape functions take concrete sizes, so every shape is inferred twice with
 * two different batch sizes; a dimension that differs between the two is the batch dimension 'N'.
 */
import type { DatasetConfig, Diagnostic, GraphDoc, GraphNode, NodeId } from './document.js';
import { GraphLocations, parseGraph } from './parse.js';
import {
  datasetFeatures,
  datasetProblem,
  datasetSampleCount,
  integerFeatures,
  datasetSignature,
  loadDataset,
  noDatasetMessage,
} from '../data/load.js';
import { sampleCount, validationCount, type Dataset } from '../data/dataset.js';
import {
  inputPorts,
  outputPorts,
  presentParams,
  type AnyOp,
  type AttrSpec,
  type Attrs,
} from '../ops/define.js';
import { getOp, OPS } from '../ops/registry.js';
import { AttrError, resolveAttrs } from '../ops/attrs.js';
import { ShapeError } from '../tensor/broadcast.js';
import { shapeToString, type Shape } from '../tensor/tensor.js';

export type SymbolicShape = (number | 'N')[];

/**
 * The key of a value a node computes: its id, or `id:port` for one output of a node with several
 * (split). Shapes and slots are kept under these keys; a node with several outputs is also listed
 * under its bare id with its first output's shape.
 */
export function valueKey(node: NodeId, port?: string): string {
  return port === undefined ? node : `${node}:${port}`;
}

export interface CheckResult {
  /** The output shape of every node whose shape could be inferred ('N' = batch dimension). */
  shapes: Map<NodeId, SymbolicShape>;
  diagnostics: Diagnostic[];
}

export interface CheckOptions {
  /** From parseGraph: gives each diagnostic the line of its node or edge. */
  locations?: GraphLocations;
  /**
   * Reads a file the training settings name (a CSV dataset), relative to the graph. The engine
   * can't open files: the host that can (CLI, extension) passes this, and the dataset is then
   * read and checked like the rest of the document. Without it, only what needs no file is checked.
   */
  readDataFile?: (path: string) => string;
}

/** A node that passed the checks that don't need shapes: known op, valid attributes, fed ports. */
export interface ResolvedNode {
  node: GraphNode;
  op: AnyOp;
  attrs: Attrs;
  /** The node's data ports (a variadic op's follow from its attributes). */
  ports: readonly string[];
  /** For each data port, the id of the node feeding it. */
  sources: NodeId[];
  /** For each data port, the output port of its source where that has several outputs (else undefined). */
  sourcePorts: (string | undefined)[];
  /** The node's output ports where it has several (split); null for one output. */
  outputs: readonly string[] | null;
}

/** The value keys (see valueKey) feeding a node's data ports, in port order. */
export function sourceKeys(r: ResolvedNode): string[] {
  return r.sources.map((s, k) => valueKey(s, r.sourcePorts[k]));
}

export interface GraphAnalysis extends CheckResult {
  /** Every resolved node in an order where each comes after its sources (data nodes first). */
  order: ResolvedNode[];
  /** The first `input`, `target` and loss nodes (null when absent). */
  input: NodeId | null;
  /** Every `input` node, in order (a graph may take several inputs, each fed by its own columns). */
  inputs: NodeId[];
  target: NodeId | null;
  loss: NodeId | null;
  hasErrors: boolean;
}

/** The two batch sizes shapes are inferred with: odd primes no real layer size is likely to equal. */
const PROBE_BATCH = [1009, 1013] as const;
/** Refuse a node output with more elements per sample, or a parameter with more elements, rather than run out of memory. */
const MAX_PER_SAMPLE = 1 << 24;
const MAX_PARAM = 1 << 26;

/**
 * Parse and check in one go, as a file is opened: every diagnostic, with lines. A broken training
 * section does not hide the graph's own problems: its nodes and edges are still checked.
 */
export function checkGraphText(
  text: string,
  opts: Omit<CheckOptions, 'locations'> = {},
): CheckResult & { doc: GraphDoc | null } {
  const parsed = parseGraph(text);
  if (!parsed.doc) {
    const graph = parsed.wiring ? analyzeGraph(parsed.wiring, { locations: parsed.locations }) : null;
    return {
      doc: null,
      shapes: new Map(),
      diagnostics: [...parsed.diagnostics, ...(graph?.diagnostics ?? [])],
    };
  }
  const checked = checkGraph(parsed.doc, { ...opts, locations: parsed.locations });
  return {
    doc: parsed.doc,
    shapes: checked.shapes,
    diagnostics: [...parsed.diagnostics, ...checked.diagnostics],
  };
}

export function checkGraph(doc: GraphDoc, opts: CheckOptions = {}): CheckResult {
  const { shapes, diagnostics } = analyzeGraph(doc, opts);
  return { shapes, diagnostics };
}

/** Without `training` (a document whose training section is broken) the dataset checks are left out. */
export function analyzeGraph(
  doc: Pick<GraphDoc, 'nodes' | 'edges'> & { training?: GraphDoc['training'] },
  opts: CheckOptions = {},
): GraphAnalysis {
  const loc = opts.locations ?? GraphLocations.none;
  const diagnostics: Diagnostic[] = [];
  const report = (d: Diagnostic) => {
    if (d.line === undefined) {
      const line =
        d.edge !== undefined
          ? loc.edge(d.edge)
          : d.node !== undefined
            ? loc.node(d.node, d.attr)
            : d.setting !== undefined
              ? loc.pointer(`/${d.setting.replace(/\./g, '/')}`)
              : undefined;
      if (line !== undefined) d.line = line;
    }
    diagnostics.push(d);
  };

  // Nodes: ids, ops, attributes.
  const byId = new Map<NodeId, GraphNode>();
  const resolved = new Map<NodeId, ResolvedNode>();
  doc.nodes.forEach((node, index) => {
    if (byId.has(node.id)) {
      const line = loc.nodeAt(index);
      return report({
        severity: 'error',
        code: 'duplicate-id',
        node: node.id,
        message: `Two nodes have the id '${node.id}'; give this one another id (ids must be unique).`,
        ...(line !== undefined ? { line } : {}),
      });
    }
    byId.set(node.id, node);
    const op = getOp(node.op);
    if (!op) {
      const near = closest(
        node.op,
        OPS.map((o) => o.name),
      );
      return report({
        severity: 'error',
        code: 'unknown-op',
        node: node.id,
        message: `Node '${node.id}' uses the unknown op '${node.op}'.${near ? ` Did you mean '${near}'?` : ''} The ops are: ${OPS.map((o) => o.name).join(', ')}.`,
      });
    }
    try {
      const attrs = resolveAttrs(op, node.attrs);
      const ports = inputPorts(op, attrs);
      resolved.set(node.id, {
        node,
        op,
        attrs,
        ports,
        sources: new Array<NodeId>(ports.length),
        sourcePorts: new Array<string | undefined>(ports.length),
        outputs: outputPorts(op, attrs),
      });
    } catch (e) {
      if (!(e instanceof AttrError)) throw e;
      report(attrDiagnostic(node, op, e));
    }
  });

  // Edges: endpoints, ports, each port fed exactly once.
  const feeders = new Map<string, number>(); // `${node}\u0000${port}` → edge index
  doc.edges.forEach((edge, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!byId.has(edge[end]))
        report({
          severity: 'error',
          code: 'missing-node',
          edge: i,
          node: edge[end === 'from' ? 'to' : 'from'],
          message: `An edge goes ${end} '${edge[end]}', but there is no node with that id. Delete the edge or fix the id.`,
        });
    }
    const target = resolved.get(edge.to);
    if (!target || !byId.has(edge.from)) return;
    const source = resolved.get(edge.from);
    const outputs = source?.outputs ?? null;
    if (source && edge.fromPort !== undefined && !(outputs ?? []).includes(edge.fromPort))
      return report({
        severity: 'error',
        code: 'unknown-port',
        edge: i,
        node: edge.from,
        port: edge.fromPort,
        message: outputs
          ? `Node '${edge.from}' (${source.op.name}) has no output '${edge.fromPort}'; its outputs are ${outputs.join(', ')}.`
          : `Node '${edge.from}' (${source.op.name}) has one output; remove "fromPort": "${edge.fromPort}" from the edge into '${edge.to}'.`,
      });
    if (source && outputs && edge.fromPort === undefined)
      return report({
        severity: 'error',
        code: 'ambiguous-port',
        edge: i,
        node: edge.from,
        message: `The edge from '${edge.from}' (${source.op.name}) into '${edge.to}' must say which output it takes: set "fromPort" to one of ${outputs.join(', ')}.`,
      });
    const ports = target.ports;
    let port = edge.toPort;
    if (port === undefined) {
      if (ports.length === 1) port = ports[0]!;
      else
        return report({
          severity: 'error',
          code: ports.length === 0 ? 'unknown-port' : 'ambiguous-port',
          edge: i,
          node: edge.to,
          message:
            ports.length === 0
              ? `Node '${edge.to}' (${target.op.name}) takes no inputs; it is fed by the dataset. Delete the edge from '${edge.from}'.`
              : `The edge from '${edge.from}' into '${edge.to}' (${target.op.name}) must say which input it feeds: set "toPort" to one of ${ports.join(', ')}.`,
        });
    }
    const k = ports.indexOf(port);
    if (k < 0)
      return report({
        severity: 'error',
        code: 'unknown-port',
        edge: i,
        node: edge.to,
        port,
        message:
          ports.length === 0
            ? `Node '${edge.to}' (${target.op.name}) takes no inputs; it is fed by the dataset. Delete the edge from '${edge.from}'.`
            : `Node '${edge.to}' (${target.op.name}) has no input '${port}'; its inputs are ${ports.join(', ')}.`,
      });
    const key = `${edge.to}\u0000${port}`;
    const first = feeders.get(key);
    if (first !== undefined)
      return report({
        severity: 'error',
        code: 'port-fed-twice',
        edge: i,
        node: edge.to,
        port,
        message: `Input '${port}' of '${edge.to}' is fed twice (from '${doc.edges[first]!.from}' and '${edge.from}'). An input takes one edge: delete one, or combine them first (e.g. with add).`,
      });
    feeders.set(key, i);
    target.sources[k] = edge.from;
    target.sourcePorts[k] = edge.fromPort;
  });
  for (const r of resolved.values())
    r.ports.forEach((port, k) => {
      if (r.sources[k] === undefined)
        report({
          severity: 'error',
          code: 'port-unfed',
          node: r.node.id,
          port,
          message: `Input '${port}' of '${r.node.id}' (${r.op.name}) is not connected. Draw an edge into it${r.ports.length > 1 ? ` with "toPort": "${port}"` : ''}.`,
        });
    });

  // Order (Kahn) and cycles. Only fully wired nodes take part.
  const wired = [...resolved.values()].filter((r) => r.sources.every((s) => s !== undefined));
  const consumers = new Map<NodeId, NodeId[]>();
  for (const r of resolved.values())
    for (const s of r.sources)
      if (s !== undefined) (consumers.get(s) ?? consumers.set(s, []).get(s)!).push(r.node.id);
  const order = topologicalOrder(wired, consumers);
  const ordered = new Set(order.map((r) => r.node.id));
  for (const cycle of findCycles(doc, byId, ordered).slice(0, 10)) {
    report({
      severity: 'error',
      code: 'cycle',
      node: cycle[0]!,
      message: `These nodes form a cycle: ${[...cycle, cycle[0]].map((n) => `'${n}'`).join(' → ')}. A network must not feed back into itself; remove one of these edges.`,
    });
  }

  // Shapes, in order, twice (per output port for a node with several).
  const concrete = PROBE_BATCH.map(() => new Map<string, Shape>());
  const shapes = new Map<string, SymbolicShape>();
  for (const r of order) {
    const keys = sourceKeys(r);
    if (keys.some((s) => !concrete[0]!.has(s))) continue; // upstream failed: reported there
    const outputs = r.outputs ?? [undefined];
    const out: Shape[][] = outputs.map(() => []);
    let failed: Diagnostic | null = null;
    outputs.forEach((_, o) =>
      PROBE_BATCH.forEach((batch, b) => {
        if (failed) return;
        const result = inferNode(
          r,
          keys.map((s) => concrete[b]!.get(s)!),
          batch,
          o,
        );
        if ('diagnostic' in result) failed = result.diagnostic;
        else out[o]!.push(result.shape);
      }),
    );
    if (failed) {
      const d: Diagnostic = failed;
      if (d.code === 'shape-mismatch')
        d.message = shapeMessage(
          r,
          keys.map((s) => shapes.get(s)!),
          d.message,
        );
      report(d);
      continue;
    }
    const syms = out.map(([a, b]) => symbolic(a!, b!));
    const perSample = Math.max(
      ...syms.map((sym) => sym.reduce<number>((a, d) => (d === 'N' ? a : a * d), 1)),
    );
    const params = presentParams(r.op, r.attrs).map((p) =>
      p.shape(
        keys.map((s) => concrete[0]!.get(s)!),
        r.attrs,
      ),
    );
    const biggest = Math.max(
      perSample / MAX_PER_SAMPLE,
      ...params.map((p) => p.reduce((a, d) => a * d, 1) / MAX_PARAM),
    );
    if (!(biggest <= 1)) {
      report({
        severity: 'error',
        code: 'too-large',
        node: r.node.id,
        message: `Node '${r.node.id}' (${r.op.name}) is too large to allocate (output ${shapeToString(syms[0] as Shape)}${
          params.length ? `, parameters ${params.map((p) => shapeToString(p)).join(', ')}` : ''
        }). Use smaller layers.`,
      });
      continue;
    }
    outputs.forEach((port, o) => {
      PROBE_BATCH.forEach((_, b) => concrete[b]!.set(valueKey(r.node.id, port), out[o]![b]!));
      shapes.set(valueKey(r.node.id, port), syms[o]!);
    });
    // A node with several outputs is also known by its id, with its first output's shape.
    if (r.outputs) shapes.set(r.node.id, syms[0]!);
  }

  // Data nodes against the dataset.
  const inputs = order.filter((r) => r.op.name === 'input');
  const targets = order.filter((r) => r.op.name === 'target');
  const losses = lossNodes(order, consumers);
  for (const [list, what, code] of [
    [targets, 'target', 'several-targets'],
    [losses, 'loss', 'several-losses'],
  ] as const)
    for (const extra of list.slice(1))
      report({
        severity: 'error',
        code,
        node: extra.node.id,
        message: `The graph has more than one ${what} node ('${list[0]!.node.id}' and '${extra.node.id}'); keep one.`,
      });
  if (inputs.length === 0 && doc.nodes.every((n) => n.op !== 'input'))
    report({
      severity: 'error',
      code: 'no-input',
      message: `The graph has no 'input' node; add one: the dataset's samples enter there.`,
    });
  const input = inputs[0];
  const target = targets[0];
  if (doc.training)
    for (const d of datasetDiagnostics(
      doc.training.dataset,
      inputs.map((r) => ({ node: r, shape: shapes.get(r.node.id) })),
      target,
    ))
      report(d);
  const unreadable = doc.training && datasetFileDiagnostic(doc.training.dataset, opts.readDataFile);
  if (unreadable) report(unreadable);
  else if (doc.training)
    for (const d of embeddingRangeDiagnostics(
      doc.training.dataset,
      resolved,
      opts.readDataFile !== undefined,
    ))
      report(d);

  // The loss: present, scalar, and everything leads to it.
  const loss = losses[0];
  const reaches = new Set<NodeId>(loss ? [loss.node.id] : []);
  if (!loss) {
    if (!doc.nodes.some((n) => getOp(n.op)?.category === 'losses'))
      report({
        severity: 'error',
        code: 'no-loss',
        message: `The graph has no loss node, so there is nothing to train. Add one (e.g. cross_entropy for classes, mse_loss for values) and connect the prediction and the target to it, or end a computation from the target in a single number (e.g. mean).`,
      });
  } else {
    const s = shapes.get(loss.node.id);
    if (s && s.length > 0 && !s.every((d) => d === 1))
      report({
        severity: 'error',
        code: 'loss-not-scalar',
        node: loss.node.id,
        message: `The loss '${loss.node.id}' has shape ${shapeToString(s as Shape)}; a loss must be a single number. End it with a reduction over the batch (e.g. mean or sum without an axis).`,
      });
    for (const r of [...order].reverse())
      if (reaches.has(r.node.id)) r.sources.forEach((s) => reaches.add(s));
    for (const n of doc.nodes)
      if (!reaches.has(n.id) && byId.get(n.id) === n && resolved.has(n.id) && ordered.has(n.id))
        report({
          severity: 'warning',
          code: 'unreachable',
          node: n.id,
          message: `Node '${n.id}' does not lead to the loss '${loss.node.id}', so it is not trained. Connect its output onward or delete it.`,
        });
  }
  if (doc.training && !unreadable)
    for (const d of batchOfOneDiagnostics(
      doc.training,
      order.filter((r) => reaches.has(r.node.id)),
      shapes,
      opts.readDataFile !== undefined,
    ))
      report(d);

  return {
    shapes,
    diagnostics,
    order,
    input: input?.node.id ?? null,
    inputs: inputs.map((r) => r.node.id),
    target: target?.node.id ?? null,
    loss: loss?.node.id ?? null,
    hasErrors: diagnostics.some((d) => d.severity === 'error'),
  };
}

/**
 * A CSV dataset that can't be used: no file chosen (an imported model), or a file that is
 * missing, unreadable or malformed (only where `readDataFile` lets the file be read).
 */
function datasetFileDiagnostic(
  dataset: DatasetConfig,
  readDataFile: ((path: string) => string) | undefined,
): Diagnostic | null {
  if (dataset.kind !== 'csv') return null;
  // A warning: the graph runs and exports as it is; only training needs the data.
  if (dataset.path === undefined)
    return {
      severity: 'warning',
      code: 'no-dataset',
      setting: 'training.dataset.path',
      message: noDatasetMessage(dataset),
    };
  if (!readDataFile) return null;
  const unreadable = (message: string): Diagnostic => ({
    severity: 'error',
    code: 'dataset-unreadable',
    setting: 'training.dataset.path',
    message,
  });
  let text: string;
  try {
    text = readDataFile(dataset.path);
  } catch (e) {
    return unreadable(datasetProblem(dataset, e));
  }
  // The editor checks on every change: the same text and settings as last time aren't parsed again
  // (a host that hands back the same string for an unchanged file makes this a pointer compare).
  const config = JSON.stringify(dataset);
  if (lastCsvCheck?.config !== config || lastCsvCheck.text !== text) {
    let problem: string | null = null;
    let largest = new Map<string, Largest>();
    let samples = 0;
    try {
      const ds = loadDataset(dataset, { readText: () => text });
      largest = largestIndices(ds, integerFeatures(dataset));
      samples = sampleCount(ds);
    } catch (e) {
      problem = datasetProblem(dataset, e);
    }
    lastCsvCheck = { config, text, problem, largest, samples };
  }
  return lastCsvCheck.problem === null ? null : unreadable(lastCsvCheck.problem);
}

/**
 * The last CSV dataset checked: its settings, the file's text, what was wrong (null: nothing), its
 * largest indices and its number of rows.
 */
let lastCsvCheck: {
  config: string;
  text: string;
  problem: string | null;
  largest: Map<string, Largest>;
  samples: number;
} | null = null;

/** The last CSV check, when it was of this dataset's file (read in this check) and found it usable. */
function usableCsvCheck(dataset: DatasetConfig, fileRead: boolean): typeof lastCsvCheck {
  return dataset.kind === 'csv' &&
    fileRead &&
    lastCsvCheck?.config === JSON.stringify(dataset) &&
    lastCsvCheck.problem === null
    ? lastCsvCheck
    : null;
}

/** The largest value of a column of whole numbers, and the first data row (1-based) holding it. */
interface Largest {
  value: number;
  row?: number;
}

function largestIndices(ds: Dataset, columns: readonly string[]): Map<string, Largest> {
  const out = new Map<string, Largest>();
  const names = ds.featureNames ?? [];
  const [n, width] = ds.x.shape as [number, number];
  for (const c of columns) {
    const j = names.indexOf(c);
    if (j < 0) continue;
    let best: Largest = { value: -Infinity };
    for (let i = 0; i < n; i++) {
      const v = ds.x.data[i * width + j]!;
      if (v > best.value) best = { value: v, row: i + 1 };
    }
    out.set(c, best);
  }
  return out;
}

/** The phrases' largest word index per word column (the built-in set is always the same). */
let phraseIndices: Map<string, Largest> | undefined;

/** The largest index each whole-number feature holds, where that is known before training. */
function knownLargestIndices(dataset: DatasetConfig, fileRead: boolean): Map<string, Largest> | null {
  if (dataset.kind === 'phrases')
    return (phraseIndices ??= largestIndices(loadDataset(dataset), integerFeatures(dataset)));
  return usableCsvCheck(dataset, fileRead)?.largest ?? null;
}

/**
 * The trainer keeps an epoch's last short batch (engine/train/trainer.ts), and batch_norm refuses
 * a batch of one in training when it is its only value per channel (x [N, C], or spatial sizes
 * all 1): where the training split's size is known before training, say so if that will happen,
 * with a batch size that avoids it.
 */
function batchOfOneDiagnostics(
  training: NonNullable<GraphDoc['training']>,
  trained: ResolvedNode[],
  shapes: Map<string, SymbolicShape>,
  fileRead: boolean,
): Diagnostic[] {
  const norms = trained.filter((r) => {
    if (r.op.name !== 'batch_norm') return false;
    const x = shapes.get(sourceKeys(r)[0]!);
    return x !== undefined && x[0] === 'N' && x.slice(2).every((d) => d === 1);
  });
  if (!norms.length) return [];
  const dataset = training.dataset;
  const all =
    dataset.kind === 'csv'
      ? (usableCsvCheck(dataset, fileRead)?.samples ?? null)
      : datasetSampleCount(dataset);
  if (all === null) return [];
  const fraction = training.validationSplit ?? 0;
  const n = all - validationCount(all, fraction);
  const batch = training.batchSize;
  if (!(batch === 1 || n % batch === 1)) return [];
  const split =
    fraction > 0
      ? `the training split has ${n} samples (${all} less ${all - n} held out by validationSplit ${fraction})`
      : `the training set has ${n} sample${n === 1 ? '' : 's'}`;
  const why =
    n === 1
      ? 'every batch is that one sample'
      : batch === 1
        ? 'with batchSize 1 every batch is one sample'
        : `with batchSize ${batch} the last batch of every epoch is one sample (${n} = ${(n - 1) / batch} × ${batch} + 1)`;
  const fix = n === 1 ? 'Use more data' : `Set batchSize to ${nearestBatchSize(n, batch)}`;
  const stops = training.epochs > 0 ? 'training would stop' : 'training would stop (once epochs is above 0)';
  return norms.map((r) => ({
    severity: training.epochs > 0 ? 'error' : 'warning',
    code: 'batch-of-one',
    node: r.node.id,
    setting: 'training.batchSize',
    message: `batch_norm '${r.node.id}' normalises each channel over the batch, but ${split}, and ${why}: a batch of one has no batch statistics, so ${stops} ${n === 1 || batch === 1 ? 'at the first step' : 'at the end of the first epoch'}. ${fix}, or use layer_norm.`,
  }));
}

/** The batch size nearest `batch` (from 2 to n, the larger of two as near) that leaves no last batch of one of n samples. */
function nearestBatchSize(n: number, batch: number): number {
  for (let d = 0; ; d++)
    for (const b of [batch + d, batch - d]) if (b >= 2 && b <= Math.max(n, 2) && n % b !== 1) return b;
}

/** Ops that move indices around without changing them: an index that reaches embedding through them is the data's. */
const INDEX_KEEPING = new Set(['reshape', 'flatten', 'squeeze', 'unsqueeze', 'transpose', 'swapaxes']);

/**
 * An embedding fed (directly or through reshapes and transposes) by an integer input whose data
 * holds an index beyond its table would stop training at the first batch holding it: say so before.
 */
function embeddingRangeDiagnostics(
  dataset: DatasetConfig,
  resolved: Map<NodeId, ResolvedNode>,
  fileRead: boolean,
): Diagnostic[] {
  const largest = knownLargestIndices(dataset, fileRead);
  if (!largest) return [];
  const out: Diagnostic[] = [];
  for (const r of resolved.values()) {
    if (r.op.name !== 'embedding') continue;
    let src = resolved.get(r.sources[0]!);
    while (src && INDEX_KEEPING.has(src.op.name)) src = resolved.get(src.sources[0]!);
    if (!src || src.op.name !== 'input' || src.attrs['dtype'] !== 'int') continue;
    const columns = dataset.inputs?.[src.node.id] ?? datasetFeatures(dataset) ?? [];
    let worst: (Largest & { column: string }) | null = null;
    for (const column of columns) {
      const l = largest.get(column);
      if (l && (!worst || l.value > worst.value)) worst = { ...l, column };
    }
    const num = r.attrs['num'] as number;
    if (!worst || worst.value < num) continue;
    const where = worst.row === undefined ? '' : ` (first in data row ${worst.row})`;
    out.push({
      severity: 'error',
      code: 'embedding-range',
      node: r.node.id,
      attr: 'num',
      message: `Embedding '${r.node.id}' has a table of ${num} rows (indices 0 to ${num - 1}), but column '${worst.column}' of the ${dataset.kind} dataset, fed to it through input '${src.node.id}', holds index ${worst.value}${where}: training would stop there. Set "num": ${worst.value + 1} (or more), or fix the data.`,
    });
  }
  return out;
}

/** The input and target nodes against what the dataset feeds. */
function datasetDiagnostics(
  dataset: DatasetConfig,
  inputs: { node: ResolvedNode; shape: SymbolicShape | undefined }[],
  target: ResolvedNode | undefined,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  let sig: ReturnType<typeof datasetSignature>;
  try {
    sig = datasetSignature(dataset);
  } catch (e) {
    return [
      { severity: 'error', code: 'bad-training', message: `${(e as Error).message}. Fix training.dataset.` },
    ];
  }
  const name = `the ${dataset.kind} dataset`;
  out.push(...integerInputDiagnostics(dataset, inputs, name));
  if (dataset.inputs || inputs.length > 1) out.push(...inputColumnDiagnostics(dataset, inputs, name));
  else if (inputs[0]?.shape) {
    const input = inputs[0].node;
    const sample = inputs[0].shape.slice(1) as number[];
    if (shapeToString(sample) !== shapeToString(sig.sample)) {
      const flat = sig.sample.length === 1;
      out.push({
        severity: 'error',
        code: 'dataset-mismatch',
        node: input.node.id,
        attr: input.attrs['features'] !== undefined ? 'features' : 'shape',
        message: `Input '${input.node.id}' takes samples of shape ${shapeToString(sample)}, but ${name} has ${
          flat ? `${sig.sample[0]} feature(s)` : `samples of shape ${shapeToString(sig.sample)}`
        }. Set ${flat ? `"features": ${sig.sample[0]}` : `"shape": ${shapeToString(sig.sample)}`}.`,
      });
    }
  }
  if (!target) return out;
  // Regression data feeds one value per sample; a CSV's class count is known only once it is read.
  const classification =
    sig.classes !== null || (dataset.kind === 'csv' && dataset.task === 'classification');
  const classes = target.attrs['classes'];
  const features = target.attrs['features'];
  const id = target.node.id;
  if (classification && (classes === undefined || (sig.classes !== null && classes !== sig.classes)))
    out.push({
      severity: 'error',
      code: 'dataset-mismatch',
      node: id,
      attr: 'classes',
      message: `Target '${id}' must hold class labels: ${name} has ${
        sig.classes !== null
          ? `${sig.classes} classes; set "classes": ${sig.classes}`
          : `classes; set "classes"`
      }${features !== undefined ? ' instead of "features"' : ''}.`,
    });
  const labels = (target.attrs['shape'] as readonly number[] | undefined) ?? [];
  if (classification && shapeToString(labels) !== shapeToString(sig.labels ?? []))
    out.push({
      severity: 'error',
      code: 'dataset-mismatch',
      node: id,
      attr: 'shape',
      message: sig.labels
        ? `Target '${id}' must hold ${shapeToString(sig.labels)} class labels per sample for ${name}; set "shape": ${shapeToString(sig.labels)}.`
        : `Target '${id}' holds ${shapeToString(labels)} class labels per sample, but ${name} has one per sample; remove "shape".`,
    });
  if (!classification && features !== 1)
    out.push({
      severity: 'error',
      code: 'dataset-mismatch',
      node: id,
      attr: 'features',
      message: `Target '${id}' must hold 1 regression value per sample for ${name}; set "features": 1${
        classes !== undefined ? ' instead of "classes"' : ''
      }.`,
    });
  return out;
}

/**
 * An integer input (dtype int: token indices) takes whole numbers as they are: a CSV's columns
 * listed in training.dataset.integers (never standardised); the built-in datasets have none.
 */
function integerInputDiagnostics(
  dataset: DatasetConfig,
  inputs: { node: ResolvedNode }[],
  name: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { node } of inputs) {
    if (node.attrs['dtype'] !== 'int') continue;
    const id = node.node.id;
    const integers = integerFeatures(dataset);
    if (dataset.kind !== 'csv' && integers.length === 0) {
      out.push({
        severity: 'error',
        code: 'dataset-mismatch',
        node: id,
        attr: 'dtype',
        message: `Input '${id}' takes whole numbers (dtype int), but ${name} has none; set "dtype": "float", or use a CSV whose integer columns are listed in training.dataset.integers.`,
      });
      continue;
    }
    const columns = dataset.inputs?.[id] ?? datasetFeatures(dataset) ?? [];
    const loose = columns.filter((c) => !integers.includes(c));
    if (loose.length)
      out.push({
        severity: 'error',
        code: 'dataset-mismatch',
        setting: dataset.kind === 'csv' ? 'training.dataset.integers' : 'training.dataset.inputs',
        message:
          dataset.kind === 'csv'
            ? `Input '${id}' takes whole numbers (dtype int), but its column(s) ${loose.map((c) => `'${c}'`).join(', ')} are not in training.dataset.integers (they would be read as any number and standardised); add them there.`
            : `Input '${id}' takes whole numbers (dtype int), but ${name}'s features ${loose.map((c) => `'${c}'`).join(', ')} are not whole numbers; feed it ${integers.join(', ')}.`,
      });
  }
  return out;
}

/**
 * A graph with several inputs (or a dataset that hands out its features): every input node is
 * named in training.dataset.inputs with as many of the dataset's features as it takes per sample.
 */
function inputColumnDiagnostics(
  dataset: DatasetConfig,
  inputs: { node: ResolvedNode; shape: SymbolicShape | undefined }[],
  name: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const features = datasetFeatures(dataset);
  const setting = 'training.dataset.inputs';
  const ids = inputs.map((i) => i.node.node.id);
  const problem = (message: string, node?: ResolvedNode, attr?: string): void =>
    void out.push({
      severity: 'error',
      code: 'dataset-mismatch',
      message,
      ...(node ? { node: node.node.id, ...(attr ? { attr } : {}) } : { setting }),
    });
  if (!features) {
    problem(
      `${name} gives each sample as one tensor, so it feeds one input node; ${
        inputs.length > 1
          ? `keep one of ${ids.map((i) => `'${i}'`).join(', ')}`
          : 'remove training.dataset.inputs'
      } or choose a dataset with named features (a CSV).`,
    );
    return out;
  }
  const columns = dataset.inputs;
  if (!columns) {
    problem(
      `The graph has ${inputs.length} input nodes (${ids.map((i) => `'${i}'`).join(', ')}): say which of ${name}'s features (${features.join(', ')}) feed each in training.dataset.inputs, e.g. { ${ids
        .map((id) => `"${id}": ["…"]`)
        .join(', ')} }.`,
    );
    return out;
  }
  for (const key of Object.keys(columns))
    if (!ids.includes(key))
      problem(
        `training.dataset.inputs names '${key}', which is not an input node; the input nodes are ${ids.map((i) => `'${i}'`).join(', ')}. Rename the entry or remove it.`,
      );
  for (const { node, shape } of inputs) {
    const id = node.node.id;
    const cols = columns[id];
    if (!cols) {
      problem(
        `Input '${id}' is not fed: name the features it takes in training.dataset.inputs ("${id}": [...]; ${name} has ${features.join(', ')}).`,
        node,
      );
      continue;
    }
    const unknown = cols.filter((c) => !features.includes(c));
    if (unknown.length)
      problem(
        `training.dataset.inputs.${id} names ${unknown.map((c) => `'${c}'`).join(', ')}, which ${name} doesn't have; its features are ${features.join(', ')}.`,
      );
    const sample = shape?.slice(1) as number[] | undefined;
    if (sample && (sample.length !== 1 || sample[0] !== cols.length))
      problem(
        `Input '${id}' takes samples of shape ${shapeToString(sample)}, but training.dataset.inputs gives it ${cols.length} feature(s) (${cols.join(', ')}). Set "features": ${cols.length}.`,
        node,
        'features',
      );
  }
  return out;
}

/**
 * The loss: the node of a loss op; in a graph without one, a hand-built loss is the one node that
 * ends a computation starting at the target (depends on a `target`, feeds nothing).
 */
function lossNodes(order: ResolvedNode[], consumers: Map<NodeId, NodeId[]>): ResolvedNode[] {
  const ops = order.filter((r) => r.op.category === 'losses');
  if (ops.length) return ops;
  const fromTarget = new Set<NodeId>();
  for (const r of order)
    if (r.op.name === 'target' || r.sources.some((s) => fromTarget.has(s))) fromTarget.add(r.node.id);
  return order.filter(
    (r) => r.op.category !== 'data' && fromTarget.has(r.node.id) && !consumers.get(r.node.id)?.length,
  );
}

type Inferred = { shape: Shape } | { diagnostic: Diagnostic };

/** One node's output shape at one batch size, or the diagnostic for why there is none. */
function inferNode(r: ResolvedNode, inputs: Shape[], batch: number, output = 0): Inferred {
  try {
    if (r.ports.length === 0 && r.op.category === 'data')
      return { shape: [batch, ...r.op.shape([], r.attrs)] };
    const params = presentParams(r.op, r.attrs).map((p) => p.shape(inputs, r.attrs));
    return { shape: r.op.shape([...inputs, ...params], r.attrs, output) };
  } catch (e) {
    // An attribute that is fine alone but not with these inputs (groups that don't divide the
    // channels, a window larger than the padded input): the op's message says what to change.
    if (e instanceof AttrError)
      return {
        diagnostic: attrDiagnostic(r.node, r.op, e, e.message.replaceAll(String(batch), 'N')),
      };
    const message = e instanceof Error ? e.message : String(e);
    const port = r.ports[r.ports.length - 1];
    return {
      diagnostic: {
        severity: 'error',
        code: e instanceof ShapeError ? 'shape-mismatch' : 'shape-error',
        node: r.node.id,
        ...(port !== undefined ? { port } : {}),
        message,
      },
    };
  }
}

/** The shape-mismatch sentence: every input's symbolic shape, then the op's own explanation. */
function shapeMessage(r: ResolvedNode, inputs: SymbolicShape[], opMessage: string): string {
  const listed = r.ports.map((p, k) => `${p} ${shapeToString(inputs[k] as Shape)}`).join(', ');
  const why = opMessage.replaceAll(String(PROBE_BATCH[0]), 'N');
  return `The inputs of '${r.node.id}' (${r.op.name}) have shapes that don't fit together: ${listed} (${why}). Change the layer sizes or the wiring so that they agree.`;
}

/** `combination`: the message of an attribute refused with these inputs; it says the fix itself. */
function attrDiagnostic(node: GraphNode, op: AnyOp, e: AttrError, combination?: string): Diagnostic {
  const spec = (op.attrs as Record<string, AttrSpec>)[e.attr];
  const code =
    e.problem === 'unknown' ? 'unknown-attr' : e.problem === 'missing' ? 'missing-attr' : 'bad-attr';
  if (combination !== undefined)
    return {
      severity: 'error',
      code,
      node: node.id,
      attr: e.attr,
      message: `Node '${node.id}': ${combination}.`,
    };
  const fix =
    e.problem === 'unknown' ? 'Remove it or fix its name.' : spec ? `Set it to ${describeSpec(spec)}.` : '';
  return {
    severity: 'error',
    code,
    node: node.id,
    attr: e.attr,
    message: `Node '${node.id}': ${e.message}. ${fix}`.trim(),
  };
}

function describeSpec(spec: AttrSpec): string {
  switch (spec.type) {
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
    case 'ints':
      return 'a list of whole numbers';
    case 'axes':
      return `an axis or a list of axes (${spec.doc})`;
    case 'sizes':
      return `a whole number${spec.min !== undefined ? ` ≥ ${spec.min}` : ''} or a list of ${spec.lengths.join(' or ')}${spec.words?.length ? `, or ${spec.words.join(' or ')}` : ''} (${spec.doc})`;
    case 'integer':
    case 'number': {
      const range = [
        spec.min !== undefined ? `≥ ${spec.min}` : '',
        spec.max !== undefined ? `≤ ${spec.max}` : '',
      ].filter(Boolean);
      return `a ${spec.type === 'integer' ? 'whole number' : 'number'}${range.length ? ` ${range.join(' and ')}` : ''} (${spec.doc})`;
    }
    default:
      return `a ${spec.type} (${spec.doc})`;
  }
}

function symbolic(a: Shape, b: Shape): SymbolicShape {
  return a.map((d, i) => (d === b[i] ? d : 'N'));
}

function topologicalOrder(nodes: ResolvedNode[], consumers: Map<NodeId, NodeId[]>): ResolvedNode[] {
  const byId = new Map(nodes.map((r) => [r.node.id, r]));
  const pending = new Map(nodes.map((r) => [r.node.id, new Set(r.sources).size]));
  // Data nodes first, then in document order, so the order is stable under edits elsewhere.
  const ready = nodes.filter((r) => pending.get(r.node.id) === 0);
  const out: ResolvedNode[] = [];
  for (let i = 0; i < ready.length; i++) {
    const r = ready[i]!;
    out.push(r);
    for (const c of new Set(consumers.get(r.node.id) ?? [])) {
      const left = pending.get(c);
      if (left === undefined) continue;
      pending.set(c, left - 1);
      if (left === 1) ready.push(byId.get(c)!);
    }
  }
  return out;
}

/** Each cycle among the nodes left out of the order, as the list of node ids around it. */
function findCycles(
  doc: Pick<GraphDoc, 'edges'>,
  byId: Map<NodeId, GraphNode>,
  ordered: Set<NodeId>,
): NodeId[][] {
  // Follow edges between existing, unordered nodes (whether or not their ops resolved).
  const next = new Map<NodeId, NodeId[]>();
  for (const e of doc.edges)
    if (byId.has(e.from) && byId.has(e.to) && !ordered.has(e.from) && !ordered.has(e.to))
      (next.get(e.from) ?? next.set(e.from, []).get(e.from)!).push(e.to);
  const state = new Map<NodeId, 'open' | 'done'>();
  const cycles: NodeId[][] = [];
  const stack: NodeId[] = [];
  const visit = (start: NodeId) => {
    // Iterative DFS: graphs can be deep.
    const iters: { id: NodeId; k: number }[] = [{ id: start, k: 0 }];
    state.set(start, 'open');
    stack.push(start);
    while (iters.length) {
      const top = iters[iters.length - 1]!;
      const succ = next.get(top.id) ?? [];
      if (top.k < succ.length) {
        const n = succ[top.k++]!;
        const s = state.get(n);
        if (s === 'open') cycles.push(stack.slice(stack.indexOf(n)));
        else if (s === undefined) {
          state.set(n, 'open');
          stack.push(n);
          iters.push({ id: n, k: 0 });
        }
      } else {
        state.set(top.id, 'done');
        stack.pop();
        iters.pop();
      }
    }
  };
  for (const id of byId.keys()) if (!ordered.has(id) && !state.has(id)) visit(id);
  return cycles;
}

/** The candidate nearest to `name` by edit distance, if reasonably near. */
function closest(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Diagnostics about training alone (the dataset, the loss): a forward pass needs none of them fixed. */
const TRAINING_ONLY = new Set([
  'bad-training',
  'batch-of-one',
  'dataset-mismatch',
  'dataset-unreadable',
  'no-loss',
  'loss-not-scalar',
  'several-losses',
  'several-targets',
  'unreachable',
]);

/** What a forward pass computes: the prediction node, the nodes it needs, and the errors that stop it. */
export interface ForwardPath {
  /**
   * The value that is the prediction (a node's id, or `id:port` for one output of several; see
   * valueKey); null when the graph doesn't say (errors explain).
   */
  prediction: NodeId | null;
  /** The prediction and every node it depends on. */
  nodes: Set<NodeId>;
  /** Errors on that path (a broken loss, dataset or unrelated node doesn't stop inference). */
  errors: Diagnostic[];
}

/**
 * The part of a graph that inference runs. The prediction is what feeds the loss's first port
 * (logits or prediction); a graph without a loss (an imported model before the user adds one)
 * predicts with the one node that ends a computation from the input.
 */
export function forwardPath(doc: GraphDoc, a: GraphAnalysis): ForwardPath {
  const byId = new Map(a.order.map((r) => [r.node.id, r]));
  let prediction: NodeId | null = null;
  let predictionNode: NodeId | null = null;
  const errors: Diagnostic[] = [];
  if (a.loss !== null) {
    const loss = byId.get(a.loss);
    predictionNode = loss?.sources[0] ?? null;
    prediction = loss && predictionNode !== null ? sourceKeys(loss)[0]! : null;
  } else {
    const consumed = new Set(a.order.flatMap((r) => r.sources));
    const fromTarget = new Set<NodeId>();
    for (const r of a.order)
      if (r.op.name === 'target' || r.sources.some((s) => fromTarget.has(s))) fromTarget.add(r.node.id);
    const ends = a.order.filter(
      (r) => r.op.category !== 'data' && !fromTarget.has(r.node.id) && !consumed.has(r.node.id),
    );
    if (ends.length === 1) prediction = predictionNode = ends[0]!.node.id;
    else
      errors.push({
        severity: 'error',
        code: 'no-prediction',
        message: ends.length
          ? `The graph has no loss and ${ends.length} nodes that end it (${ends.map((r) => `'${r.node.id}'`).join(', ')}); which is the prediction? Add a loss fed by it, or delete the others.`
          : `The graph has no node that computes a prediction from the input; add one.`,
      });
  }
  const nodes = new Set<NodeId>(predictionNode !== null ? [predictionNode] : []);
  for (const r of [...a.order].reverse()) if (nodes.has(r.node.id)) r.sources.forEach((s) => nodes.add(s));
  for (const d of a.diagnostics) {
    if (d.severity !== 'error' || TRAINING_ONLY.has(d.code)) continue;
    const at = d.node ?? (d.edge !== undefined ? doc.edges[d.edge]?.to : undefined);
    if (at === undefined || nodes.has(at) || prediction === null) errors.push(d);
  }
  if (prediction !== null && ![...nodes].some((id) => byId.get(id)?.op.name === 'input'))
    errors.push({
      severity: 'error',
      code: 'no-prediction',
      node: predictionNode!,
      message: `The prediction '${prediction}' does not depend on the input; connect the input to it.`,
    });
  return { prediction, nodes, errors };
}
