/**
 * The reference file format (../shared/reference/README.md): `{ generator, seed, cases: [...] }`,
 * tensors as `{ shape, data, dtype? }`. Cases are untrusted JSON; these helpers read fields with
 * messages naming the case and the field.
 */
import { DType, Tensor, sizeOf } from '../tensor/tensor.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type CaseJson = { [key: string]: Json };

/** A malformed case: names the field and what was wrong. */
export class CaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaseError';
  }
}

export function isObject(v: unknown): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function field(c: CaseJson, key: string): Json {
  const v = c[key];
  if (v === undefined) throw new CaseError(`missing field '${key}'`);
  return v;
}

export function objectField(c: CaseJson, key: string): CaseJson {
  const v = field(c, key);
  if (!isObject(v)) throw new CaseError(`field '${key}' must be an object`);
  return v;
}

export function numberField(c: CaseJson, key: string): number {
  const v = field(c, key);
  if (typeof v !== 'number') throw new CaseError(`field '${key}' must be a number`);
  return v;
}

export function stringField(c: CaseJson, key: string): string {
  const v = field(c, key);
  if (typeof v !== 'string') throw new CaseError(`field '${key}' must be a string`);
  return v;
}

export function numbersField(c: CaseJson, key: string): number[] {
  const v = field(c, key);
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number'))
    throw new CaseError(`field '${key}' must be a list of numbers`);
  return v as number[];
}

/** A `{ shape, data }` tensor as a Tensor of the given dtype. */
export function toTensor(v: Json | undefined, dtype: DType, where: string): Tensor {
  if (!isObject(v) || !Array.isArray(v.shape) || !Array.isArray(v.data))
    throw new CaseError(`${where} must be a tensor { "shape": [...], "data": [...] }`);
  const shape = v.shape as number[];
  const data = v.data as number[];
  if (!shape.every((d) => Number.isInteger(d) && d >= 0) || !data.every((x) => typeof x === 'number'))
    throw new CaseError(`${where}: shape must be non-negative integers and data numbers`);
  if (sizeOf(shape) !== data.length)
    throw new CaseError(
      `${where}: shape [${shape.join(', ')}] needs ${sizeOf(shape)} values, got ${data.length}`,
    );
  return Tensor.from(shape, data, dtype);
}

/** A `{ name: tensor }` object field as a map of Tensors (empty when the field is absent). */
export function tensorsField(c: CaseJson, key: string, dtype: DType): Map<string, Tensor> {
  const v = c[key];
  if (v === undefined) return new Map();
  if (!isObject(v)) throw new CaseError(`field '${key}' must be an object of tensors`);
  return new Map(Object.entries(v).map(([k, t]) => [k, toTensor(t, dtype, `${key}.${k}`)]));
}
