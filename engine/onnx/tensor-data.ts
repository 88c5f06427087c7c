/**
 * TensorProto contents as numbers and back. ONNX stores a tensor's elements either in
 * `raw_data` (fixed-width little-endian) or in a typed repeated field; both are read here.
 * Numbers are widened to float64 (int64 exactly within ±2^53, which shapes and axes are).
 */
import { DataType, TensorProto } from './onnx-proto.js';

export class OnnxTensorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxTensorError';
  }
}

/** A constant tensor: its dims, element type and values (row-major). */
export interface ConstTensor {
  dims: number[];
  dataType: number;
  data: Float64Array;
}

const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(DataType).map(([k, v]) => [v, k.toLowerCase()]),
);

export function dataTypeName(t: number | undefined): string {
  return TYPE_NAMES[t ?? 0] ?? `type ${t}`;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function fromRaw(raw: Uint8Array, dataType: number, n: number, name: string): Float64Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const width: Record<number, number> = {
    [DataType.FLOAT]: 4,
    [DataType.DOUBLE]: 8,
    [DataType.INT64]: 8,
    [DataType.INT32]: 4,
    [DataType.INT8]: 1,
    [DataType.UINT8]: 1,
    [DataType.BOOL]: 1,
    [DataType.FLOAT16]: 2,
  };
  const w = width[dataType];
  if (w === undefined)
    throw new OnnxTensorError(`tensor '${name}': ${dataTypeName(dataType)} is not supported`);
  if (raw.length !== n * w) {
    throw new OnnxTensorError(`tensor '${name}': raw_data has ${raw.length} bytes, expected ${n * w}`);
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * w;
    switch (dataType) {
      case DataType.FLOAT:
        out[i] = view.getFloat32(o, true);
        break;
      case DataType.DOUBLE:
        out[i] = view.getFloat64(o, true);
        break;
      case DataType.INT64:
        out[i] = view.getInt32(o + 4, true) * 4294967296 + view.getUint32(o, true);
        break;
      case DataType.INT32:
        out[i] = view.getInt32(o, true);
        break;
      case DataType.INT8:
        out[i] = view.getInt8(o);
        break;
      case DataType.UINT8:
      case DataType.BOOL:
        out[i] = view.getUint8(o);
        break;
      case DataType.FLOAT16:
        out[i] = halfToFloat(view.getUint16(o, true));
        break;
    }
  }
  return out;
}

/**
 * The bytes of an external data file (`location`, relative to the model's folder, already checked
 * by externalLocation), or undefined when the caller has no such file. The engine reads no files:
 * the CLI and the extension pass a reader.
 */
export type ExternalDataReader = (location: string) => Uint8Array | undefined;

/**
 * An external data location as a safe relative path ('weights/model.onnx.data'), or an error:
 * a model must not make the importer read files outside its own folder.
 */
export function externalLocation(t: TensorProto): string {
  const name = t.name ?? '(unnamed)';
  const location = t.externalData.find((e) => e.key === 'location')?.value;
  if (!location) throw new OnnxTensorError(`tensor '${name}' is external but names no 'location'`);
  const parts = location.replace(/\\/g, '/').split('/');
  if (location.startsWith('/') || /^[A-Za-z]:/.test(location) || parts.includes('..'))
    throw new OnnxTensorError(
      `tensor '${name}': external data location '${location}' is outside the model's folder; only files beside the model are read`,
    );
  return parts.filter((p) => p !== '' && p !== '.').join('/');
}

/** True when a tensor keeps its bytes in an external file (`model.onnx.data`). */
export function isExternal(t: TensorProto): boolean {
  return t.dataLocation === 1 || t.externalData.length > 0;
}

/** The raw bytes of an external tensor: `length` bytes at `offset` of its location's file. */
function externalBytes(t: TensorProto, read: ExternalDataReader | undefined): Uint8Array {
  const name = t.name ?? '(unnamed)';
  const location = externalLocation(t);
  const file = read?.(location);
  if (!file)
    throw new OnnxTensorError(
      `tensor '${name}' keeps its data in '${location}' beside the model, which ${read ? 'is missing' : "can't be read here"}; keep the two files together (or re-export with the weights embedded)`,
    );
  const entry = (key: string) => {
    const v = t.externalData.find((e) => e.key === key)?.value;
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v))
      throw new OnnxTensorError(`tensor '${name}': external data ${key} '${v}' is not a whole number`);
    return Number(v);
  };
  const offset = entry('offset') ?? 0;
  const length = entry('length') ?? file.length - offset;
  if (offset + length > file.length)
    throw new OnnxTensorError(
      `tensor '${name}': bytes ${offset}..${offset + length} lie past the end of '${location}' (${file.length} bytes); the data file doesn't belong to this model`,
    );
  return file.subarray(offset, offset + length);
}

/** The values of a TensorProto, from raw_data, an external data file, or the typed field its data type uses. */
export function readTensor(t: TensorProto, external?: ExternalDataReader): ConstTensor {
  const name = t.name ?? '(unnamed)';
  const dataType = t.dataType ?? DataType.UNDEFINED;
  const dims = t.dims.slice();
  const n = dims.reduce((a, b) => a * b, 1);
  let data: Float64Array;
  if (isExternal(t)) data = fromRaw(externalBytes(t, external), dataType, n, name);
  else if (t.rawData !== undefined) data = fromRaw(t.rawData, dataType, n, name);
  else {
    let typed: number[];
    switch (dataType) {
      case DataType.FLOAT:
        typed = t.floatData;
        break;
      case DataType.DOUBLE:
        typed = t.doubleData;
        break;
      case DataType.INT64:
        typed = t.int64Data;
        break;
      case DataType.INT32:
      case DataType.INT8:
      case DataType.UINT8:
      case DataType.BOOL:
        typed = t.int32Data;
        break;
      case DataType.FLOAT16:
        typed = t.int32Data.map(halfToFloat);
        break;
      default:
        throw new OnnxTensorError(`tensor '${name}': ${dataTypeName(dataType)} is not supported`);
    }
    if (typed.length !== n) {
      throw new OnnxTensorError(`tensor '${name}': ${typed.length} values for dims [${dims.join(', ')}]`);
    }
    data = Float64Array.from(typed);
  }
  return { dims, dataType, data };
}

/** A float32 TensorProto with its values in raw_data (how exporters store weights). */
export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  const f32 = Float32Array.from(values);
  return {
    name,
    dims: dims.slice(),
    dataType: DataType.FLOAT,
    rawData: new Uint8Array(f32.buffer, 0, f32.byteLength),
    ...emptyTensorFields(),
  };
}

/** An int64 TensorProto (shapes, axes) with its values in raw_data. */
export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): TensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => {
    view.setUint32(i * 8, v >>> 0, true);
    view.setInt32(i * 8 + 4, Math.floor(v / 4294967296), true);
  });
  return { name, dims: dims.slice(), dataType: DataType.INT64, rawData: raw, ...emptyTensorFields() };
}

/** The repeated fields of a TensorProto, all empty. */
export function emptyTensorFields(): Pick<
  TensorProto,
  'floatData' | 'int32Data' | 'stringData' | 'int64Data' | 'externalData' | 'doubleData' | 'uint64Data'
> {
  return {
    floatData: [],
    int32Data: [],
    stringData: [],
    int64Data: [],
    externalData: [],
    doubleData: [],
    uint64Data: [],
  };
}
