/** Axis arithmetic shared by the ops that work along one axis (reductions, softmax, concat). */
import { ShapeError } from '../tensor/broadcast.js';
import { shapeToString, type Shape } from '../tensor/tensor.js';

/** A possibly negative axis as an index into `shape`, or a ShapeError naming the op. */
export function normaliseAxis(op: string, axis: number, shape: Shape): number {
  const a = axis < 0 ? axis + shape.length : axis;
  if (a < 0 || a >= shape.length)
    throw new ShapeError(`${op}: axis ${axis} is out of range for x ${shapeToString(shape)}`);
  return a;
}

/** The shape as [outer, n, inner] around `axis`: element (o, k, i) is at (o·n + k)·inner + i. */
export function splitAt(shape: Shape, axis: number): [number, number, number] {
  let outer = 1,
    inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis]!, inner];
}
