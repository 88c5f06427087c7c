/**
 * Convolutions over NCHW / NCL tensors with PyTorch's layouts and defaults: conv1d and conv2d
 * (weight [O, C/groups, (kh,) kw]) and conv_transpose2d (weight [C, O/groups, kh, kw]). Forward
 * and both gradients are matrix products over im2col rows (engine/kernels/im2col.ts), one per
 * channel group; the scratch lives in `saved`, so a step allocates nothing.
 */
import { defineOp, type AttrSpec } from './define.js';
import { AttrError } from './attrs.js';
import { ShapeError } from '../tensor/broadcast.js';
import { shapeToString, type Shape } from '../tensor/tensor.js';
import { INIT_KINDS, type InitKind } from './init-kinds.js';
import {
  addBiasGrad,
  addChannelBias,
  col2imAdd,
  convRows,
  depthwiseBackward,
  depthwiseForward,
  im2col,
  nchwToRows,
  rowsToCols,
  rowsToNchw,
  unfoldedForward,
  unfoldedJvp,
  unfoldedVjp,
  weightGrad,
  type ConvGeometry,
  type UnfoldedConv,
} from '../kernels/im2col.js';
import { wasmFloat32 } from '../kernels/gemm.js';
import {
  checkGroups,
  colsRows,
  colsWidth,
  outPlane,
  paddingOf,
  perAxis,
  sizesAttr,
  spatialDims,
  times,
  windowGeometry,
  windowShape,
  type Sizes,
  type Spatial,
} from './window.js';

export type ConvAttrs = {
  outChannels: number;
  kernel: Sizes;
  stride: Sizes;
  padding: Sizes;
  dilation: Sizes;
  groups: number;
  bias: boolean;
  init: InitKind;
};

/** The im2col products' plan (engine/kernels/im2col.ts), and which direct kernels run instead. */
type ConvPlan = UnfoldedConv & {
  /** One input channel and one filter per group: direct loops instead of im2col products. */
  depthwise: boolean;
  /**
   * Stride 1, not depthwise, few taps per output (channels per group × kernel): float32 runs
   * the WebAssembly direct convolution, since building and transposing im2col rows would cost
   * more than the products (e.g. a 3×3 or 5×5 kernel over one input channel).
   */
  thin: boolean;
};

/** The widest im2col row (channels per group × taps) that the direct kernels take. */
const THIN_WIDTH = 32;

/** The im2col products of a convolution (conv3d's too) with `outPerGroup` output channels a group. */
export function unfoldedPlan(d: ConvGeometry, outPerGroup: number): UnfoldedConv {
  return {
    ...d,
    og: outPerGroup,
    width: colsWidth(d),
    pixels: colsRows(d),
    plane: outPlane(d),
    colsOf: { data: null },
  };
}

function planOf(d: ConvGeometry, outPerGroup: number): ConvPlan {
  const depthwise = d.groups === d.c && outPerGroup === 1;
  return {
    ...unfoldedPlan(d, outPerGroup),
    depthwise,
    thin: d.sh === 1 && d.sw === 1 && colsWidth(d) <= THIN_WIDTH && !depthwise,
  };
}

/** The attributes of every convolution, in the order documents write them (older files' keys first). */
const convAttrs = <E extends Record<string, AttrSpec>>(spatial: Spatial, padding: AttrSpec, extra?: E) => ({
  outChannels: { type: 'integer', min: 1, doc: 'output channels' } as AttrSpec,
  kernel: sizesAttr(spatial, spatial === 2 ? 'kernel size: k, or [kh, kw]' : 'kernel size', { min: 1 }),
  stride: sizesAttr(spatial, 'step between windows, per axis', { min: 1, default: 1 }),
  padding,
  ...(extra as E),
  dilation: sizesAttr(spatial, 'spacing between kernel taps, per axis', { min: 1, default: 1 }),
  groups: {
    type: 'integer',
    min: 1,
    default: 1,
    doc: 'channel groups convolved separately (groups = channels: depthwise)',
  } as AttrSpec,
  bias: { type: 'boolean', default: true, doc: 'add a learned bias per output channel' } as AttrSpec,
  init: { type: 'enum', values: INIT_KINDS, default: 'default', doc: 'how the weights start' } as AttrSpec,
});

/** The geometry of conv1d/conv2d on x, every attribute checked. */
export function convGeometry(op: string, x: Shape, a: ConvAttrs, spatial: Spatial): ConvGeometry {
  const { c } = spatialDims(op, x, spatial);
  checkGroups(op, a.groups, c, a.outChannels, x);
  const kernel = perAxis(a.kernel, spatial, 1);
  const stride = perAxis(a.stride, spatial, 1);
  const dilation = perAxis(a.dilation, spatial, 1);
  if (a.padding === 'same' && stride.some((s) => s !== 1))
    throw new AttrError(`${op}: padding 'same' needs stride 1, got stride ${times(stride)}`, 'padding');
  const padding = paddingOf(
    a.padding,
    spatial,
    kernel.map((k, i) => dilation[i]! * (k - 1) + 1),
  );
  return windowGeometry(op, x, spatial, { kernel, stride, dilation, padding }, a.groups);
}

const scratch = (d: ConvPlan) => (d.depthwise ? {} : scratchOf(d));

/** The im2col products' scratch, kept in `saved` so that a step allocates nothing. */
export const scratchOf = (d: UnfoldedConv) => ({
  cols: [d.groups * d.pixels * d.width],
  rows: [d.groups * d.pixels * d.og],
});

function convOp(name: string, spatial: Spatial) {
  const layout =
    spatial === 2 ? 'x [N, C, H, W], weight [O, C/groups, kh, kw]' : 'x [N, C, L], weight [O, C/groups, k]';
  const plan = ([x]: Shape[], a: ConvAttrs) => {
    const d = convGeometry(name, x!, a, spatial);
    return planOf(d, a.outChannels / a.groups);
  };
  return defineOp<ConvAttrs, ConvPlan>({
    name,
    category: 'layers',
    inputs: ['x'],
    params: [
      {
        name: 'weight',
        role: 'weight',
        shape: ([x], a) => [
          a.outChannels,
          Math.floor((x![1] ?? 0) / a.groups),
          ...(spatial === 2 ? perAxis(a.kernel, 2, 1) : perAxis(a.kernel, 1, 1)),
        ],
      },
      { name: 'bias', role: 'bias', shape: (_x, a) => [a.outChannels], present: (a) => a.bias },
    ],
    attrs: convAttrs(
      spatial,
      sizesAttr(
        spatial,
        spatial === 2
          ? "zeros added: p, [ph, pw], per side [top, bottom, left, right], 'same' or 'valid'"
          : "zeros added: p, per side [left, right], 'same' or 'valid'",
        { min: 0, default: 0, perSide: true, words: ['same', 'valid'] },
      ),
    ),
    deriveAttrs: ({ weight, x }) => {
      if (weight?.length !== spatial + 2) return {};
      const kernel = spatial === 2 && weight[2] !== weight[3] ? [weight[2]!, weight[3]!] : weight[2]!;
      const groups = x && x[1]! % weight[1]! === 0 ? x[1]! / weight[1]! : 1;
      return { outChannels: weight[0]!, kernel, ...(groups !== 1 ? { groups } : {}) };
    },
    shape: ([x, wt, b], a) => {
      const d = convGeometry(name, x!, a, spatial);
      const want = [a.outChannels, d.c / a.groups, ...(spatial === 2 ? [d.kh, d.kw] : [d.kw])];
      if (wt!.length !== want.length || wt!.some((v, i) => v !== want[i]))
        throw new ShapeError(
          `${name}: weight must be ${shapeToString(want)} for x ${shapeToString(x!)}, got ${shapeToString(wt!)}`,
        );
      if (b && (b.length !== 1 || b[0] !== a.outChannels))
        throw new ShapeError(`${name}: bias must be [${a.outChannels}], got ${shapeToString(b)}`);
      return windowShape(d, a.outChannels, spatial);
    },
    flops: ([x], a) => {
      const d = convGeometry(name, x!, a, spatial);
      return d.n * a.outChannels * d.oh * d.ow * (2 * colsWidth(d) + (a.bias ? 1 : 0));
    },
    plan,
    saved: (shapes, a) => scratch(plan(shapes, a)),
    forward: ({ plan: d, saved: { cols, rows } }, xs, out) => {
      const x = xs[0],
        wt = xs[1],
        b = xs[2];
      if (d.depthwise) {
        depthwiseForward(d, x!.data, wt!.data, out.data, false);
        if (b) addChannelBias(d.n, d.c, d.plane, b.data, out.data);
        return;
      }
      const direct = d.thin ? wasmFloat32(x!.data) : null;
      if (direct) {
        d.colsOf.data = null;
        direct.convForward(d, d.groups * d.og, x!.data, wt!.data, b ? b.data : null, out.data);
        return;
      }
      unfoldedForward(d, x!.data, wt!.data, b ? b.data : null, cols!.data, rows!.data, out.data);
    },
    vjp: ({ plan: d, saved: { cols, rows } }, xs, _out, g, grads) => {
      const x = xs[0],
        wt = xs[1],
        gx = grads[0],
        gw = grads[1],
        gb = grads[2];
      const gxd = gx ? gx.data : null,
        gwd = gw ? gw.data : null;
      const direct = d.thin ? wasmFloat32(x!.data) : null;
      if (direct) {
        const gbd = gb ? gb.data : null;
        direct.convBackward(d, d.groups * d.og, x!.data, wt!.data, g.data, gxd, gwd, gbd);
        return;
      }
      if (gb) addBiasGrad(d.n, d.groups * d.og, d.plane, g.data, gb.data);
      if (d.depthwise) return depthwiseBackward(d, x!.data, wt!.data, g.data, gxd, gwd);
      unfoldedVjp(d, x!.data, wt!.data, g.data, gxd, gwd, cols!.data, rows!.data);
    },
    jvp: ({ plan: d, saved: { cols, rows } }, [x, wt], _out, [tx, tw, tb], tout) => {
      if (d.depthwise) {
        tout.fill(0);
        if (tx) depthwiseForward(d, tx.data, wt!.data, tout.data, true);
        if (tw) depthwiseForward(d, x!.data, tw.data, tout.data, true);
        if (tb) addChannelBias(d.n, d.c, d.plane, tb.data, tout.data);
        return;
      }
      const txd = tx ? tx.data : null,
        twd = tw ? tw.data : null;
      unfoldedJvp(d, x!.data, wt!.data, txd, twd, tb ? tb.data : null, cols!.data, rows!.data, tout.data);
    },
    secondOrder: { kind: 'bilinear', pair: ['x', 'weight'] },
    doc:
      `${name}(x)[n,o] = b_o + Σ_c w[o,c] ⋆ x[n,c] over the channels of o's group (${layout}; stride, dilation, zero padding); ` +
      '∂/∂x: g correlated with flipped w, ∂/∂w: g ⋆ x',
  });
}

export const conv2d = convOp('conv2d', 2);
export const conv1d = convOp('conv1d', 1);

export type ConvTransposeAttrs = ConvAttrs & { output_padding: Sizes };

/**
 * conv_transpose2d is the adjoint of a conv2d from its output's grid to its input's: the
 * geometry below is that conv2d's (input = the transposed conv's output, output = its input),
 * and weight [C, O/groups, kh, kw] is that conv2d's OIHW weight.
 */
export function transposeGeometry(x: Shape, a: ConvTransposeAttrs): ConvGeometry & { out: [number, number] } {
  const op = 'conv_transpose2d';
  const { n, c, h, w } = spatialDims(op, x, 2);
  checkGroups(op, a.groups, c, a.outChannels, x);
  const kernel = perAxis(a.kernel, 2, 1);
  const stride = perAxis(a.stride, 2, 1);
  const dilation = perAxis(a.dilation, 2, 1);
  const extra = perAxis(a.output_padding, 2, 0);
  extra.forEach((e, i) => {
    if (e >= stride[i]! && e >= dilation[i]!)
      throw new AttrError(
        `${op}: output_padding ${e} must be smaller than the stride ${stride[i]} or the dilation ${dilation[i]} on axis ${i + 2}`,
        'output_padding',
      );
  });
  const pad = paddingOf(
    a.padding,
    2,
    kernel.map((k, i) => dilation[i]! * (k - 1) + 1),
  );
  const out = [h, w].map(
    (len, i) =>
      (len - 1) * stride[i]! -
      pad.before[i]! -
      pad.after[i]! +
      dilation[i]! * (kernel[i]! - 1) +
      extra[i]! +
      1,
  ) as [number, number];
  pad.before.forEach((p, i) => {
    const limit = (dilation[i]! * (kernel[i]! - 1) + 1) / 2;
    if (Math.max(p, pad.after[i]!) > limit)
      throw new AttrError(
        `${op}: padding ${Math.max(p, pad.after[i]!)} is more than half the ${dilation[i] === 1 ? '' : 'dilated '}kernel (${limit}) on axis ${i + 2}; pad at most ${Math.floor(limit)}`,
        'padding',
      );
  });
  if (out.some((o) => o < 1))
    throw new AttrError(`${op}: the output would be ${times(out)}; use less padding`, 'padding');
  return {
    n,
    c: a.outChannels,
    h: out[0],
    w: out[1],
    kh: kernel[0]!,
    kw: kernel[1]!,
    sh: stride[0]!,
    sw: stride[1]!,
    dh: dilation[0]!,
    dw: dilation[1]!,
    pt: pad.before[0]!,
    pl: pad.before[1]!,
    oh: h,
    ow: w,
    groups: a.groups,
    out,
  };
}

/** Plan of conv_transpose2d: the adjoint conv2d's, whose `og` is x's channels per group. */
const transposePlan = ([x]: Shape[], a: ConvTransposeAttrs): ConvPlan => {
  const d = transposeGeometry(x!, a);
  // No direct paths here: the transposed kernels always run the im2col products.
  return { ...planOf(d, x![1]! / a.groups), depthwise: false, thin: false };
};

export const convTranspose2d = defineOp<ConvTransposeAttrs, ConvPlan>({
  name: 'conv_transpose2d',
  category: 'layers',
  inputs: ['x'],
  params: [
    {
      name: 'weight',
      role: 'weight',
      shape: ([x], a) => [x![1] ?? 0, Math.floor(a.outChannels / a.groups), ...perAxis(a.kernel, 2, 1)],
    },
    { name: 'bias', role: 'bias', shape: (_x, a) => [a.outChannels], present: (a) => a.bias },
  ],
  attrs: convAttrs(
    2,
    sizesAttr(2, 'rows and columns taken off each side of the output: p, [ph, pw] or per side', {
      min: 0,
      default: 0,
      perSide: true,
    }),
    {
      output_padding: sizesAttr(
        2,
        'rows and columns added after the output (to pick among the sizes a stride allows)',
        { min: 0, default: 0 },
      ),
    },
  ),
  deriveAttrs: ({ weight }, given) => {
    if (weight?.length !== 4) return {};
    const groups = typeof given.groups === 'number' ? given.groups : 1;
    const kernel = weight[2] !== weight[3] ? [weight[2]!, weight[3]!] : weight[2]!;
    return { outChannels: weight[1]! * groups, kernel };
  },
  shape: ([x, wt, b], a) => {
    const d = transposeGeometry(x!, a);
    const want = [x![1]!, a.outChannels / a.groups, d.kh, d.kw];
    if (wt!.length !== 4 || wt!.some((v, i) => v !== want[i]))
      throw new ShapeError(
        `conv_transpose2d: weight must be ${shapeToString(want)} for x ${shapeToString(x!)}, got ${shapeToString(wt!)}`,
      );
    if (b && (b.length !== 1 || b[0] !== a.outChannels))
      throw new ShapeError(`conv_transpose2d: bias must be [${a.outChannels}], got ${shapeToString(b)}`);
    return [d.n, a.outChannels, d.out[0], d.out[1]];
  },
  flops: ([x], a) => {
    const d = transposeGeometry(x!, a);
    return 2 * d.n * d.oh * d.ow * x![1]! * colsWidth(d) + (a.bias ? d.n * a.outChannels * d.h * d.w : 0);
  },
  plan: transposePlan,
  saved: (shapes, a) => scratchOf(transposePlan(shapes, a)),
  forward: ({ plan: d, saved: { cols, rows } }, xs, out) => {
    const x = xs[0],
      wt = xs[1],
      b = xs[2];
    nchwToRows(x!.data, rows!.data, d.n, d.groups, d.og, d.plane);
    rowsToCols(d, rows!.data, wt!.data, cols!.data, false);
    d.colsOf.data = null;
    out.fill(0);
    col2imAdd(d, cols!.data, out.data);
    if (b) addChannelBias(d.n, d.c, d.h * d.w, b.data, out.data);
  },
  vjp: ({ plan: d, saved: { cols, rows } }, xs, _out, g, grads) => {
    const x = xs[0],
      wt = xs[1],
      gx = grads[0],
      gw = grads[1],
      gb = grads[2];
    im2col(d, g.data, cols!.data);
    d.colsOf.data = null;
    if (gw) {
      nchwToRows(x!.data, rows!.data, d.n, d.groups, d.og, d.plane);
      weightGrad(d, rows!.data, cols!.data, gw.data);
    }
    if (gx) {
      convRows(d, cols!.data, wt!.data, rows!.data, false);
      rowsToNchw(rows!.data, gx.data, d.n, d.groups, d.og, d.plane, true);
    }
    if (gb) addBiasGrad(d.n, d.c, d.h * d.w, g.data, gb.data);
  },
  jvp: ({ plan: d, saved: { cols, rows } }, [x, wt], _out, [tx, tw, tb], tout) => {
    tout.fill(0);
    let any = false;
    if (tx) {
      nchwToRows(tx.data, rows!.data, d.n, d.groups, d.og, d.plane);
      rowsToCols(d, rows!.data, wt!.data, cols!.data, false);
      any = true;
    }
    if (tw) {
      nchwToRows(x!.data, rows!.data, d.n, d.groups, d.og, d.plane);
      rowsToCols(d, rows!.data, tw.data, cols!.data, any);
      any = true;
    }
    d.colsOf.data = null;
    if (any) col2imAdd(d, cols!.data, tout.data);
    if (tb) addChannelBias(d.n, d.c, d.h * d.w, tb.data, tout.data);
  },
  secondOrder: { kind: 'bilinear', pair: ['x', 'weight'] },
  doc: 'conv_transpose2d(x) = the adjoint of conv2d in its input (x [N, C, H, W], weight [C, O/groups, kh, kw]): each input pixel scatters w·x over a window of the output; + b',
});

export const CONV_OPS = { conv1d, conv2d, conv_transpose2d: convTranspose2d } as const;
