/**
 * The parameters of a Program as one flat vector (the space Hessians and Jacobians live in):
 * parameter slots in Program.params() order, each flattened row-major. Maps flat indices back to
 * (node, parameter, index) so a direction in parameter space can be named.
 */
import type { Program } from '../autodiff/program.js';
import { Tensor } from '../tensor/tensor.js';

export interface ParamBlock {
  slot: number;
  node: string;
  param: string;
  shape: number[];
  /** Where this parameter starts in the flat vector. */
  offset: number;
  size: number;
}

export interface ParamLayout {
  blocks: ParamBlock[];
  size: number;
}

export function paramLayout(program: Program): ParamLayout {
  return slotLayout(program, program.params());
}

/** The same flat layout over any slots (inputs too: the Jacobian with respect to the input). */
export function slotLayout(program: Program, slots: readonly number[]): ParamLayout {
  let offset = 0;
  const blocks = slots.map((slot) => {
    const s = program.slots[slot]!;
    const size = s.value.size;
    const b: ParamBlock = {
      slot,
      node: s.owner?.node ?? s.name,
      param: s.owner?.param ?? '',
      shape: s.shape.slice(),
      offset,
      size,
    };
    offset += size;
    return b;
  });
  return { blocks, size: offset };
}

/** Splits a flat vector into one tensor per parameter slot (Program's tangent/seed format). */
export function splitParams(
  program: Program,
  layout: ParamLayout,
  v: ArrayLike<number>,
): Map<number, Tensor> {
  const out = new Map<number, Tensor>();
  for (const b of layout.blocks) {
    const t = Tensor.zeros(b.shape, program.dtype);
    for (let i = 0; i < b.size; i++) t.data[i] = v[b.offset + i]!;
    out.set(b.slot, t);
  }
  return out;
}

/** Concatenates per-slot tensors (missing slots are zero) into one flat float64 vector. */
export function joinParams(layout: ParamLayout, parts: ReadonlyMap<number, Tensor>): Float64Array {
  const v = new Float64Array(layout.size);
  for (const b of layout.blocks) {
    const t = parts.get(b.slot);
    if (t) v.set(t.data, b.offset);
  }
  return v;
}

/** The current gradients of the layout's slots (after a backward pass) as one flat vector. */
export function flatGradient(program: Program, layout: ParamLayout): Float64Array {
  const v = new Float64Array(layout.size);
  for (const b of layout.blocks) {
    const g = program.grad(b.slot);
    if (g) v.set(g.data, b.offset);
  }
  return v;
}

/** One entry of a parameter-space vector, named. */
export interface ParamComponent {
  node: string;
  param: string;
  /** Row-major index into the parameter tensor, and the same as a multi-index. */
  index: number;
  at: number[];
  value: number;
}

export function nameComponent(layout: ParamLayout, flat: number, value: number): ParamComponent {
  const b = layout.blocks.find((x) => flat >= x.offset && flat < x.offset + x.size);
  if (!b) throw new Error(`parameter index ${flat} is outside 0..${layout.size - 1}`);
  const index = flat - b.offset;
  const at: number[] = [];
  let rest = index;
  for (let d = b.shape.length - 1; d >= 0; d--) {
    at.unshift(rest % b.shape[d]!);
    rest = Math.floor(rest / b.shape[d]!);
  }
  return { node: b.node, param: b.param, index, at, value };
}

/** The `count` entries of largest magnitude, named. */
export function largestComponents(layout: ParamLayout, v: Float64Array, count: number): ParamComponent[] {
  const order = Array.from(v.keys()).sort((i, j) => Math.abs(v[j]!) - Math.abs(v[i]!));
  return order.slice(0, count).map((i) => nameComponent(layout, i, v[i]!));
}

/** How a unit vector's squared norm splits over the parameter tensors (sums to 1). */
export function shareByParam(
  layout: ParamLayout,
  v: Float64Array,
): { node: string; param: string; share: number }[] {
  return layout.blocks.map((b) => {
    let s = 0;
    for (let i = b.offset; i < b.offset + b.size; i++) s += v[i]! * v[i]!;
    return { node: b.node, param: b.param, share: s };
  });
}
