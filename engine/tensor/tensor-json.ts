/** Tensors as JSON, `{ "shape": [...], "data": [...] }` with data flat in row-major order. */
import { type DType, Tensor, sizeOf, shapeToString } from './tensor.js';

export interface TensorJson {
  shape: number[];
  data: number[];
}

/** Reads a tensor, or throws an Error whose message names `where` and what is wrong. */
export function tensorFromJson(v: unknown, where: string, dtype: DType = 'float64'): Tensor {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`${where} must be an object { "shape": [...], "data": [...] }`);
  const { shape, data } = v as Record<string, unknown>;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0))
    throw new Error(`${where}.shape must be a list of whole numbers ≥ 0, e.g. [2, 3]`);
  if (!Array.isArray(data)) throw new Error(`${where}.data must be a flat list of numbers`);
  const bad = data.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
  if (bad >= 0) throw new Error(`${where}.data[${bad}] is ${JSON.stringify(data[bad])}, not a finite number`);
  const n = sizeOf(shape as number[]);
  if (data.length !== n)
    throw new Error(
      `${where}: shape ${shapeToString(shape as number[])} needs ${n} values, data has ${data.length}`,
    );
  return Tensor.from(shape as number[], data as number[], dtype);
}
