/**
 * split: one tensor in, several out (torch.split / torch.chunk along an axis). The first op with
 * several outputs: the compiler runs it once per output port (ctx.output says which), each run
 * copying its piece, and the pieces' gradients accumulate into x's as fan-out does.
 */
import { defineOp } from './define.js';
import { AttrError } from './attrs.js';
import { ShapeError } from '../tensor/broadcast.js';
import { shapeToString, type Shape } from '../tensor/tensor.js';
import { normaliseAxis, splitAt } from './axes.js';

type SplitAttrs = { axis: number; parts: number; sizes: readonly number[] };

/** More pieces than a canvas can show are a typo, not a network. */
const MAX_PIECES = 256;

/** The output ports: out0, out1, … one per piece. */
function splitPorts({ parts, sizes }: SplitAttrs): string[] {
  return Array.from({ length: sizes.length || parts }, (_, i) => `out${i}`);
}

/** The pieces' lengths along the axis: `sizes` as given, or `parts` equal pieces. */
function pieceSizes(x: Shape, { axis, parts, sizes }: SplitAttrs): { ax: number; sizes: number[] } {
  const ax = normaliseAxis('split', axis, x);
  const n = x[ax]!;
  if (sizes.length) {
    if (sizes.length > MAX_PIECES)
      throw new AttrError(`split.sizes lists ${sizes.length} pieces; at most ${MAX_PIECES}`, 'sizes');
    const total = sizes.reduce((a, b) => a + b, 0);
    if (sizes.some((s) => s < 1) || total !== n)
      throw new ShapeError(
        `split: sizes [${sizes.join(', ')}] must be whole numbers ≥ 1 adding up to axis ${axis} of x ${shapeToString(x)} (${n})`,
      );
    return { ax, sizes: [...sizes] };
  }
  if (n % parts !== 0)
    throw new ShapeError(
      `split: axis ${axis} of x ${shapeToString(x)} has ${n} entries, which don't make ${parts} equal parts; set sizes`,
    );
  return { ax, sizes: Array<number>(parts).fill(n / parts) };
}

/** [outer, axis length, inner, and where each piece starts along the axis]. */
type SplitPlan = { outer: number; n: number; inner: number; starts: number[]; sizes: number[] };

export const split = defineOp<SplitAttrs, SplitPlan>({
  name: 'split',
  category: 'shape',
  inputs: ['x'],
  outputs: splitPorts,
  attrs: {
    axis: { type: 'integer', default: 1, doc: 'the axis to cut along (1: features or channels)' },
    parts: {
      type: 'integer',
      default: 2,
      min: 1,
      max: MAX_PIECES,
      doc: 'how many equal pieces (when sizes is empty)',
    },
    sizes: {
      type: 'ints',
      default: [],
      doc: 'the length of each piece along the axis, e.g. [2, 3] (torch.split with a list); empty: parts equal pieces',
    },
  },
  shape: ([x], attrs, output = 0) => {
    const { ax, sizes } = pieceSizes(x!, attrs);
    if (!(output >= 0 && output < sizes.length))
      throw new ShapeError(`split: there is no output ${output} (it makes ${sizes.length} pieces)`);
    return x!.map((d, i) => (i === ax ? sizes[output]! : d));
  },
  flops: () => 0,
  plan: ([x], attrs) => {
    const { ax, sizes } = pieceSizes(x!, attrs);
    const [outer, n, inner] = splitAt(x!, ax);
    const starts = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
    return { outer, n, inner, starts, sizes };
  },
  forward: ({ plan: { outer, n, inner, starts, sizes }, output }, [x], out) => {
    const len = sizes[output]! * inner;
    for (let o = 0; o < outer; o++) {
      const from = (o * n + starts[output]!) * inner;
      out.data.set(x!.data.subarray(from, from + len), o * len);
    }
  },
  vjp: ({ plan: { outer, n, inner, starts, sizes }, output }, _xs, _out, g, [gx]) => {
    if (!gx) return;
    const len = sizes[output]! * inner;
    for (let o = 0; o < outer; o++) {
      const from = (o * n + starts[output]!) * inner;
      for (let i = 0; i < len; i++) gx.data[from + i]! += g.data[o * len + i]!;
    }
  },
  jvp: ({ plan: { outer, n, inner, starts, sizes }, output }, _xs, _out, [tx], tout) => {
    if (!tx) return void tout.fill(0);
    const len = sizes[output]! * inner;
    for (let o = 0; o < outer; o++) {
      const from = (o * n + starts[output]!) * inner;
      tout.data.set(tx.data.subarray(from, from + len), o * len);
    }
  },
  secondOrder: { kind: 'linear' },
  doc: 'split(x) cuts x along the axis into pieces out0, out1, … (torch.split); ∂/∂x = the pieces of g side by side',
});
