/**
 * pad: PyTorch's F.pad. `pad` lists amounts from the last axis backwards, before and after each
 * ([left, right, top, bottom, ...]); constant mode fills with `value`, reflect mirrors without
 * repeating the edge, replicate repeats it. Every output element reads one input element or the
 * constant, so the op is linear and its gradient adds each output's gradient to its source.
 */
import { defineOp } from './define.js';
import { AttrError } from './attrs.js';
import { ShapeError } from '../tensor/broadcast.js';
import { shapeToString, type Shape } from '../tensor/tensor.js';

const MODES = ['constant', 'reflect', 'replicate'] as const;

type PadAttrs = { pad: readonly number[]; mode: string; value: number };

/** The output shape, with every combination PyTorch refuses refused by attribute. */
function padShape(x: Shape, a: PadAttrs): Shape {
  const op = 'pad';
  const pads = a.pad;
  if (pads.length % 2 !== 0)
    throw new AttrError(
      `${op}: pad needs a before and an after amount per axis, got ${pads.length} numbers`,
      'pad',
    );
  const axes = pads.length / 2;
  if (axes > x.length - 1)
    throw new AttrError(
      `${op}: pad covers ${axes} axes but x ${shapeToString(x)} has ${x.length - 1} besides the batch; pad at most ${x.length - 1}`,
      'pad',
    );
  if (pads.some((p) => p < 0)) throw new AttrError(`${op}: pad must be ≥ 0, got [${pads.join(', ')}]`, 'pad');
  const out = x.slice();
  for (let k = 0; k < axes; k++) {
    const axis = x.length - 1 - k;
    const [before, after] = [pads[2 * k]!, pads[2 * k + 1]!];
    const len = x[axis]!;
    if (a.mode === 'reflect' && (before >= len || after >= len))
      throw new AttrError(
        `${op}: reflect padding ${Math.max(before, after)} must be less than the size ${len} of axis ${axis} of x ${shapeToString(x)}`,
        'pad',
      );
    if (a.mode !== 'constant' && len === 0)
      throw new ShapeError(`${op}: ${a.mode} padding needs a non-empty axis ${axis}`);
    out[axis] = len + before + after;
  }
  return out;
}

/** For each output element, the input element it reads (-1: the constant). */
function sourceTable(x: Shape, a: PadAttrs): Int32Array {
  const out = padShape(x, a);
  const rank = x.length;
  const before = new Array<number>(rank).fill(0);
  for (let k = 0; k < a.pad.length / 2; k++) before[rank - 1 - k] = a.pad[2 * k]!;
  const size = out.reduce((p, v) => p * v, 1);
  const src = new Int32Array(size);
  const index = new Array<number>(rank).fill(0);
  for (let q = 0; q < size; q++) {
    let from = 0;
    for (let ax = 0; ax < rank; ax++) {
      let i = index[ax]! - before[ax]!;
      const len = x[ax]!;
      if (i < 0 || i >= len) {
        if (a.mode === 'constant') {
          from = -1;
          break;
        }
        if (a.mode === 'reflect') i = i < 0 ? -i : 2 * (len - 1) - i;
        else i = i < 0 ? 0 : len - 1;
      }
      from = from * len + i;
    }
    src[q] = from;
    for (let ax = rank - 1; ax >= 0; ax--) {
      if (++index[ax]! < out[ax]!) break;
      index[ax] = 0;
    }
  }
  return src;
}

export const pad = defineOp<PadAttrs, Int32Array>({
  name: 'pad',
  category: 'shape',
  inputs: ['x'],
  attrs: {
    pad: {
      type: 'ints',
      // F.pad has no default; a node fresh from the palette pads the last axis by one on each side.
      default: [1, 1],
      doc: 'amounts before and after each axis, from the last axis backwards: [left, right, top, bottom, …]',
    },
    mode: { type: 'enum', values: MODES, default: 'constant', doc: 'what fills the border' },
    value: { type: 'number', default: 0, doc: 'the fill in constant mode' },
  },
  shape: ([x], a) => padShape(x!, a),
  flops: () => 0,
  plan: ([x], a) => sourceTable(x!, a),
  forward: ({ plan: src, attrs }, [x], out) => {
    for (let q = 0; q < src.length; q++) out.data[q] = src[q]! >= 0 ? x!.data[src[q]!]! : attrs.value;
  },
  vjp: ({ plan: src }, _xs, _out, g, [gx]) => {
    if (!gx) return;
    for (let q = 0; q < src.length; q++) if (src[q]! >= 0) gx.data[src[q]!]! += g.data[q]!;
  },
  jvp: ({ plan: src }, _xs, _out, [tx], tout) => {
    for (let q = 0; q < src.length; q++) tout.data[q] = tx && src[q]! >= 0 ? tx.data[src[q]!]! : 0;
  },
  secondOrder: { kind: 'linear' },
  doc: 'pad(x) = x with a border (constant, reflect or replicate), amounts from the last axis backwards as F.pad; ∂/∂x sums the gradient of every copy of an element',
});
