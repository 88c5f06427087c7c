/**
 * Weights files: trained parameters (and running statistics) beside a graph, keyed by node id
 * and parameter name, never inside the document.
 * `{ "format": "backprop-studio.weights", "version": 1, "weights": { "<node>": { "<param>": { "shape", "data" } } } }`
 */
import type { Diagnostic, NodeId } from './document.js';
import type { CompiledGraph } from './compile.js';
import { GraphError } from './graph-error.js';
import { tensorFromJson } from '../tensor/tensor-json.js';
import { utf8Decode, utf8Encode } from '../onnx/protobuf.js';
import { sameShape, shapeToString, type Tensor } from '../tensor/tensor.js';

export const WEIGHTS_FORMAT = 'backprop-studio.weights';
export const WEIGHTS_VERSION = 1;

export interface Weights {
  format: typeof WEIGHTS_FORMAT;
  version: typeof WEIGHTS_VERSION;
  /** node id → parameter or state name → tensor. */
  weights: Record<NodeId, Record<string, WeightTensor>>;
}

/**
 * One tensor of a weights file: as in JSON (`number[]`), or as read from safetensors (a typed
 * array over the file's bytes: 11 M parameters load without making 11 M JS numbers).
 */
export interface WeightTensor {
  shape: number[];
  data: number[] | Float32Array | Float64Array;
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
        const data = (t as { data?: unknown } | null)?.data;
        // Typed arrays (weights read from safetensors, passed on in a message) are checked in place.
        weights[node]![name] =
          data instanceof Float32Array || data instanceof Float64Array
            ? typedWeight(t as WeightTensor, `weights.${node}.${name}`)
            : tensorFromJson(t, `weights.${node}.${name}`).toJSON();
      } catch (e) {
        throw new WeightsError((e as Error).message);
      }
    }
  }
  return { format: WEIGHTS_FORMAT, version: WEIGHTS_VERSION, weights };
}

function typedWeight(t: WeightTensor, where: string): WeightTensor {
  const { shape, data } = t;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new Error(`${where}.shape must be a list of whole numbers ≥ 0, e.g. [2, 3]`);
  if (data.length !== shape.reduce((a, b) => a * b, 1))
    throw new Error(`${where}: shape ${shapeToString(shape)} doesn't hold ${data.length} values`);
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]!)) throw new Error(`${where}.data[${i}] is not a finite number`);
  return { shape: shape.slice(), data };
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
  const copies: [Tensor, WeightTensor][] = [];
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

// ---- Weights files on disk: JSON text or safetensors -------------------------------------------

/** The two spellings of a weights file; the name's ending says which. */
export type WeightsFileFormat = 'json' | 'safetensors';

export const WEIGHTS_FILE_SUFFIX: Record<WeightsFileFormat, string> = {
  json: '.weights.json',
  safetensors: '.weights.safetensors',
};

/**
 * From this many values on, a new weights file is safetensors (a ResNet-18's 11 M parameters are
 * 45 MB of float32 there, 200 MB of JSON text); below it JSON, which reads and diffs as text.
 */
export const BINARY_WEIGHTS_FROM = 100_000;

/** The format a weights file of this name is written in (.safetensors, else JSON). */
export function weightsFormatOf(fileName: string): WeightsFileFormat {
  return /\.safetensors$/i.test(fileName) ? 'safetensors' : 'json';
}

/** The format a new weights file for these weights gets (see BINARY_WEIGHTS_FROM). */
export function weightsFormatFor(w: Weights): WeightsFileFormat {
  let n = 0;
  for (const params of Object.values(w.weights)) for (const t of Object.values(params)) n += t.data.length;
  return n >= BINARY_WEIGHTS_FROM ? 'safetensors' : 'json';
}

/** A weights file's bytes in the given format. */
export function encodeWeightsFile(w: Weights, format: WeightsFileFormat): Uint8Array {
  if (format === 'safetensors') return encodeSafetensors(w);
  // Tensors read from safetensors hold typed arrays, which JSON would write as objects.
  const text = JSON.stringify(w, (_key, v: unknown) =>
    v instanceof Float32Array || v instanceof Float64Array ? Array.from(v) : v,
  );
  return utf8Encode(`${text}\n`);
}

/**
 * Reads a weights file of either format (told apart by content: JSON text starts with '{').
 * Throws WeightsError saying what is wrong.
 */
export function decodeWeightsFile(bytes: Uint8Array): Weights {
  let k = 0;
  while (
    k < bytes.length &&
    (bytes[k] === 0x20 || bytes[k] === 0x0a || bytes[k] === 0x0d || bytes[k] === 0x09)
  )
    k++;
  if (bytes[k] === 0x7b) return readWeights(utf8Decode(bytes));
  return decodeSafetensors(bytes);
}

/**
 * safetensors (https://github.com/huggingface/safetensors): an 8-byte little-endian header length,
 * a JSON header `{ "<node>.<param>": { "dtype", "shape", "data_offsets": [begin, end] }, ... }`
 * (offsets into the bytes after the header), then the tensors' bytes. Keys are the node id and
 * parameter name joined by the last '.', so PyTorch's state_dict names (`fc1.weight`) read as
 * node `fc1`'s `weight`. Values are written as float32 (what the engine trains in) unless one of a
 * tensor's values is not a float32, then as float64.
 */
function encodeSafetensors(w: Weights): Uint8Array {
  const entries: { key: string; t: WeightTensor; f64: boolean }[] = [];
  for (const [node, params] of Object.entries(w.weights))
    for (const [name, t] of Object.entries(params))
      entries.push({ key: `${node}.${name}`, t, f64: t.data.some((x) => Math.fround(x) !== x) });
  const header: Record<string, unknown> = {
    __metadata__: { format: WEIGHTS_FORMAT, version: String(WEIGHTS_VERSION) },
  };
  let offset = 0;
  for (const e of entries) {
    const bytes = e.t.data.length * (e.f64 ? 8 : 4);
    header[e.key] = {
      dtype: e.f64 ? 'F64' : 'F32',
      shape: e.t.shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // The header is padded with spaces so the tensors start 8-byte aligned (the format allows it).
  json += ' '.repeat((8 - ((utf8Encode(json).length + 8) % 8)) % 8);
  const head = utf8Encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, head.length, true);
  view.setUint32(4, 0, true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const e of entries) {
    const typed = e.f64 ? Float64Array.from(e.t.data) : Float32Array.from(e.t.data);
    out.set(new Uint8Array(typed.buffer), at);
    at += typed.byteLength;
  }
  return out;
}

function decodeSafetensors(bytes: Uint8Array): Weights {
  if (bytes.length < 8) throw new WeightsError('not a weights file: neither JSON nor safetensors');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > bytes.length - 8 || headerLength < 2)
    throw new WeightsError(
      'not a weights file: neither JSON nor safetensors (the safetensors header length is past the end)',
    );
  let header: unknown;
  try {
    header = JSON.parse(utf8Decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw new WeightsError(`the safetensors header is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new WeightsError('the safetensors header must be a JSON object');
  const data = bytes.subarray(8 + headerLength);
  const weights: Weights['weights'] = {};
  for (const [key, v] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') continue;
    const dot = key.lastIndexOf('.');
    if (dot <= 0 || dot === key.length - 1)
      throw new WeightsError(
        `safetensors tensor '${key}': the name must be <node>.<parameter>, e.g. fc1.weight`,
      );
    const { dtype, shape, data_offsets: offsets } = (v ?? {}) as Record<string, unknown>;
    const width = dtype === 'F32' ? 4 : dtype === 'F64' ? 8 : 0;
    if (!width)
      throw new WeightsError(
        `safetensors tensor '${key}' is ${JSON.stringify(dtype)}; only F32 and F64 can be read (convert it with tensor.float())`,
      );
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0))
      throw new WeightsError(`safetensors tensor '${key}': shape must be a list of whole numbers`);
    const n = (shape as number[]).reduce((a, b) => a * b, 1);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isInteger(o)) ||
      (offsets[1] as number) - (offsets[0] as number) !== n * width ||
      (offsets[0] as number) < 0 ||
      (offsets[1] as number) > data.length
    )
      throw new WeightsError(
        `safetensors tensor '${key}': data_offsets ${JSON.stringify(offsets)} don't hold ${n} ${dtype} values inside the file`,
      );
    // A view where the bytes are aligned for the typed array (always, for files written here), else a copy.
    const begin = data.byteOffset + (offsets[0] as number);
    const buffer = begin % width === 0 ? data.buffer : data.slice(offsets[0], offsets[1]).buffer;
    const at = begin % width === 0 ? begin / width : 0;
    const values = width === 4 ? new Float32Array(buffer, at * 4, n) : new Float64Array(buffer, at * 8, n);
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(values[i]!))
        throw new WeightsError(`safetensors tensor '${key}': value ${i} is not a finite number`);
    (weights[key.slice(0, dot)] ??= {})[key.slice(dot + 1)] = {
      shape: (shape as number[]).slice(),
      data: values,
    };
  }
  return { format: WEIGHTS_FORMAT, version: WEIGHTS_VERSION, weights };
}
