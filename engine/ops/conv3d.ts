/**
 * conv3d over [N, C, D, H, W] with PyTorch's layout and defaults (weight [O, C/groups, kd, kh, kw]),
 * as torch.nn.Conv3d: kernel, stride, dilation per axis, zero padding per axis or per side,
 * groups. Forward and both gradients are conv2d's im2col products (engine/kernels/im2col.ts), whose
 * windows have a depth axis for this op; the scratch lives in `saved`, so a step allocates nothing.
 */
import { defineOp, type AttrSpec } from './define.js';
import { AttrError } from './attrs.js';
import { ShapeError } from '../tensor/broadcast.js';
import { shapeToString, type Shape } from '../tensor/tensor.js';
import { INIT_KINDS } from './init-kinds.js';
import { outLength, times, type Sizes } from './window.js';
import { scratchOf, unfoldedPlan, type ConvAttrs } from './conv.js';
import {
  addBiasGrad,
  unfoldedForward,
  unfoldedJvp,
  unfoldedVjp,
  type UnfoldedConv,
} from '../kernels/im2col.js';

/** The same settings as conv1d/conv2d's, with sizes per axis of three. */
export type Conv3dAttrs = ConvAttrs;

/** Sizes of x, the window per axis (D, H, W) and the output. */
export interface Conv3dGeometry {
  n: number;
  c: number;
  o: number;
  groups: number;
  inDims: [number, number, number];
  kernel: number[];
  stride: number[];
  dilation: number[];
  /** Zeros before each axis (the amounts after only shorten or lengthen the output). */
  before: number[];
  outDims: [number, number, number];
}

const three = (v: Sizes, fallback: number): number[] => {
  if (typeof v === 'number') return [v, v, v];
  if (typeof v === 'string') throw new Error(`a size of '${v}' where numbers were expected`);
  return v.length === 3 ? v.slice() : [fallback, fallback, fallback];
};

export function conv3dGeometry(x: Shape, a: Conv3dAttrs): Conv3dGeometry {
  if (x.length !== 5) throw new ShapeError(`conv3d: x must be [N, C, D, H, W], got ${shapeToString(x)}`);
  const [n, c, d, h, w] = x as [number, number, number, number, number];
  if (c % a.groups !== 0)
    throw new AttrError(
      `conv3d: groups ${a.groups} does not divide the ${c} input channels of x ${shapeToString(x)}; use a divisor of ${c}`,
      'groups',
    );
  if (a.outChannels % a.groups !== 0)
    throw new AttrError(
      `conv3d: groups ${a.groups} does not divide outChannels ${a.outChannels}; use a multiple of ${a.groups}`,
      'outChannels',
    );
  const kernel = three(a.kernel, 1);
  const stride = three(a.stride, 1);
  const dilation = three(a.dilation, 1);
  const p = a.padding;
  const perSide = Array.isArray(p) && p.length === 6;
  const before = perSide ? [p[0]!, p[2]!, p[4]!] : three(p, 0);
  const after = perSide ? [p[1]!, p[3]!, p[5]!] : three(p, 0);
  const inDims: [number, number, number] = [d, h, w];
  const outDims = inDims.map((len, i) =>
    outLength(len, kernel[i]!, stride[i]!, dilation[i]!, before[i]!, after[i]!),
  ) as [number, number, number];
  if (outDims.some((v) => v < 1))
    throw new AttrError(
      `conv3d: the ${times(kernel)} kernel is larger than x ${shapeToString(x)} padded to ${times(inDims.map((len, i) => len + before[i]! + after[i]!))}; use a smaller kernel or dilation, or more padding`,
      'kernel',
    );
  return { n, c, o: a.outChannels, groups: a.groups, inDims, kernel, stride, dilation, before, outDims };
}

/** The im2col products' plan: conv2d's window geometry with the depth axis in front. */
function conv3dPlan(x: Shape, a: Conv3dAttrs): UnfoldedConv {
  const g = conv3dGeometry(x, a);
  const [depth, h, w] = g.inDims;
  const [od, oh, ow] = g.outDims;
  const [kd, kh, kw] = g.kernel as [number, number, number];
  const [sd, sh, sw] = g.stride as [number, number, number];
  const [dd, dh, dw] = g.dilation as [number, number, number];
  const [pf, pt, pl] = g.before as [number, number, number];
  const window = { n: g.n, c: g.c, groups: g.groups, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow };
  return unfoldedPlan({ ...window, depth, kd, sd, dd, pf, od }, g.o / g.groups);
}

const sizes = (doc: string, lengths: number[], min: number, dflt?: number): AttrSpec => ({
  type: 'sizes',
  lengths,
  min,
  ...(dflt !== undefined ? { default: dflt } : {}),
  doc,
});

export const conv3d = defineOp<Conv3dAttrs, UnfoldedConv>({
  name: 'conv3d',
  category: 'layers',
  inputs: ['x'],
  params: [
    {
      name: 'weight',
      role: 'weight',
      shape: ([x], a) => [a.outChannels, Math.floor((x![1] ?? 0) / a.groups), ...three(a.kernel, 1)],
    },
    { name: 'bias', role: 'bias', shape: (_x, a) => [a.outChannels], present: (a) => a.bias },
  ],
  attrs: {
    outChannels: { type: 'integer', min: 1, doc: 'output channels' },
    kernel: sizes('kernel size: k, or [kd, kh, kw]', [3], 1),
    stride: sizes('step between windows, per axis', [3], 1, 1),
    padding: sizes(
      'zeros added: p, [pd, ph, pw], or per side [front, back, top, bottom, left, right]',
      [3, 6],
      0,
      0,
    ),
    dilation: sizes('spacing between kernel taps, per axis', [3], 1, 1),
    groups: {
      type: 'integer',
      min: 1,
      default: 1,
      doc: 'channel groups convolved separately (groups = channels: depthwise)',
    },
    bias: { type: 'boolean', default: true, doc: 'add a learned bias per output channel' },
    init: { type: 'enum', values: INIT_KINDS, default: 'default', doc: 'how the weights start' },
  },
  deriveAttrs: ({ weight, x }) => {
    if (weight?.length !== 5) return {};
    const k = weight.slice(2);
    const groups = x && x[1]! % weight[1]! === 0 ? x[1]! / weight[1]! : 1;
    return {
      outChannels: weight[0]!,
      kernel: k.every((v) => v === k[0]) ? k[0]! : k,
      ...(groups !== 1 ? { groups } : {}),
    };
  },
  shape: ([x, wt, b], a) => {
    const g = conv3dGeometry(x!, a);
    const want = [a.outChannels, g.c / a.groups, ...g.kernel];
    if (wt!.length !== 5 || wt!.some((v, i) => v !== want[i]))
      throw new ShapeError(
        `conv3d: weight must be ${shapeToString(want)} for x ${shapeToString(x!)}, got ${shapeToString(wt!)}`,
      );
    if (b && (b.length !== 1 || b[0] !== a.outChannels))
      throw new ShapeError(`conv3d: bias must be [${a.outChannels}], got ${shapeToString(b)}`);
    return [g.n, a.outChannels, ...g.outDims];
  },
  flops: ([x], a) => {
    const g = conv3dGeometry(x!, a);
    const taps = (g.c / a.groups) * g.kernel[0]! * g.kernel[1]! * g.kernel[2]!;
    return g.n * a.outChannels * g.outDims[0] * g.outDims[1] * g.outDims[2] * (2 * taps + (a.bias ? 1 : 0));
  },
  plan: ([x], a) => conv3dPlan(x!, a),
  saved: ([x], a) => scratchOf(conv3dPlan(x!, a)),
  forward: ({ plan: d, saved: { cols, rows } }, xs, out) => {
    const b = xs[2];
    unfoldedForward(d, xs[0]!.data, xs[1]!.data, b ? b.data : null, cols!.data, rows!.data, out.data);
  },
  vjp: ({ plan: d, saved: { cols, rows } }, xs, _out, g, grads) => {
    const gx = grads[0],
      gw = grads[1],
      gb = grads[2];
    if (gb) addBiasGrad(d.n, d.groups * d.og, d.plane, g.data, gb.data);
    const gxd = gx ? gx.data : null,
      gwd = gw ? gw.data : null;
    unfoldedVjp(d, xs[0]!.data, xs[1]!.data, g.data, gxd, gwd, cols!.data, rows!.data);
  },
  jvp: ({ plan: d, saved: { cols, rows } }, [x, w], _out, [tx, tw, tb], tout) => {
    const txd = tx ? tx.data : null,
      twd = tw ? tw.data : null;
    unfoldedJvp(d, x!.data, w!.data, txd, twd, tb ? tb.data : null, cols!.data, rows!.data, tout.data);
  },
  secondOrder: { kind: 'bilinear', pair: ['x', 'weight'] },
  doc: 'conv3d(x) = Σ w·x over each window + b, x [N, C, D, H, W], weight [O, C/groups, kd, kh, kw] (torch.nn.Conv3d); ∂/∂x: the transposed convolution of g, ∂/∂w: g correlated with x, ∂/∂b: Σ g',
});
