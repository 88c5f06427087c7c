/**
 * Dense row-major tensors in float32 or float64. A Tensor is a shape and a flat typed array;
 * kernels index `data` directly, so there is no stride/view machinery here on purpose.
 */
export type DType = 'float32' | 'float64';
export type Data = Float32Array | Float64Array;
export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function allocData(dtype: DType, size: number): Data {
  return dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
}

export function dtypeOf(data: Data): DType {
  return data instanceof Float32Array ? 'float32' : 'float64';
}

export function shapeToString(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class Tensor {
  readonly shape: Shape;
  readonly data: Data;

  constructor(shape: Shape, data: Data) {
    const n = sizeOf(shape);
    if (data.length !== n) {
      throw new Error(`Tensor: shape ${shapeToString(shape)} needs ${n} values, got ${data.length}`);
    }
    this.shape = shape.slice();
    this.data = data;
  }

  get dtype(): DType {
    return dtypeOf(this.data);
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  static zeros(shape: Shape, dtype: DType = 'float32'): Tensor {
    return new Tensor(shape, allocData(dtype, sizeOf(shape)));
  }

  static from(shape: Shape, values: ArrayLike<number>, dtype: DType = 'float32'): Tensor {
    const data = allocData(dtype, values.length);
    data.set(values);
    return new Tensor(shape, data);
  }

  static scalar(value: number, dtype: DType = 'float32'): Tensor {
    return Tensor.from([], [value], dtype);
  }

  /** A copy in the given dtype (or the same dtype). */
  to(dtype: DType = this.dtype): Tensor {
    return Tensor.from(this.shape, this.data, dtype);
  }

  clone(): Tensor {
    return this.to(this.dtype);
  }

  /** Same data, another shape with the same number of elements. */
  reshape(shape: Shape): Tensor {
    return new Tensor(shape, this.data);
  }

  fill(value: number): this {
    this.data.fill(value);
    return this;
  }

  toJSON(): { shape: number[]; data: number[] } {
    return { shape: this.shape.slice(), data: Array.from(this.data) };
  }
}
