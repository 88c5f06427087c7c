/**
 * conv3d over [N, C, D, H, W] with PyTorch's layout and defaults (weight [O, C/groups, kd, kh, kw]),
 * as torch.nn.Conv3d: kernel, stride, dilation per axis, zero padding per axis or per side,
 * groups. Direct loops over the taps (forward, ∂/∂x, ∂/∂w, ∂/∂b): volumes are small here (ONNX
 * models and the lecture's examples), so there is no im2col path as conv2d has.
 */
import { defineOp, type AttrSpec } from './define.js';
import { AttrError } from './attrs.js';
import { ShapeError } from '../tensor/broadcast.js';
import { shapeToString, type Data, type Shape } from '../tensor/tensor.js';
import { INIT_KINDS } from './init-kinds.js';
import { outLength, times, type Sizes } from './window.js';
import type { ConvAttrs } from './conv.js';

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

/**
 * Every (output, input, weight) index triple of the convolution, handed to `tap` one product at a
 * time: y[out] += x[inp] · w[wt]. The forward pass and both gradients are this one walk.
 */
function eachTap(g: Conv3dGeometry, tap: (out: number, inp: number, wt: number) => void): void {
  const [D, H, W] = g.inDims;
  const [OD, OH, OW] = g.outDims;
  const [KD, KH, KW] = g.kernel as [number, number, number];
  const cg = g.c / g.groups;
  const og = g.o / g.groups;
  for (let b = 0; b < g.n; b++)
    for (let oc = 0; oc < g.o; oc++) {
      const group = Math.floor(oc / og);
      for (let od = 0; od < OD; od++)
        for (let oh = 0; oh < OH; oh++)
          for (let ow = 0; ow < OW; ow++) {
            const out = (((b * g.o + oc) * OD + od) * OH + oh) * OW + ow;
            for (let ci = 0; ci < cg; ci++) {
              const ic = group * cg + ci;
              for (let kd = 0; kd < KD; kd++) {
                const z = od * g.stride[0]! - g.before[0]! + kd * g.dilation[0]!;
                if (z < 0 || z >= D) continue;
                for (let kh = 0; kh < KH; kh++) {
                  const y = oh * g.stride[1]! - g.before[1]! + kh * g.dilation[1]!;
                  if (y < 0 || y >= H) continue;
                  for (let kw = 0; kw < KW; kw++) {
                    const x = ow * g.stride[2]! - g.before[2]! + kw * g.dilation[2]!;
                    if (x < 0 || x >= W) continue;
                    const inp = (((b * g.c + ic) * D + z) * H + y) * W + x;
                    const wt = (((oc * cg + ci) * KD + kd) * KH + kh) * KW + kw;
                    tap(out, inp, wt);
                  }
                }
              }
            }
          }
    }
}

/** y += conv(x, w) (no bias). */
function accumulate(g: Conv3dGeometry, x: Data, w: Data, y: Data): void {
  eachTap(g, (out, inp, wt) => {
    y[out]! += x[inp]! * w[wt]!;
  });
}

/** y += b per output channel. */
function addBias(g: Conv3dGeometry, b: Data, y: Data): void {
  const plane = g.outDims[0] * g.outDims[1] * g.outDims[2];
  for (let i = 0; i < y.length; i++) y[i]! += b[Math.floor(i / plane) % g.o]!;
}

const sizes = (doc: string, lengths: number[], min: number, dflt?: number): AttrSpec => ({
  type: 'sizes',
  lengths,
  min,
  ...(dflt !== undefined ? { default: dflt } : {}),
  doc,
});

export const conv3d = defineOp<Conv3dAttrs, Conv3dGeometry>({
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
  plan: ([x], a) => conv3dGeometry(x!, a),
  forward: ({ plan }, [x, w, b], out) => {
    out.fill(0);
    accumulate(plan, x!.data, w!.data, out.data);
    if (b) addBias(plan, b.data, out.data);
  },
  vjp: ({ plan }, [x, w], _out, g, [gx, gw, gb]) => {
    const gd = g.data;
    if (gx) {
      const wd = w!.data,
        r = gx.data;
      eachTap(plan, (out, inp, wt) => {
        r[inp]! += gd[out]! * wd[wt]!;
      });
    }
    if (gw) {
      const xd = x!.data,
        r = gw.data;
      eachTap(plan, (out, inp, wt) => {
        r[wt]! += gd[out]! * xd[inp]!;
      });
    }
    if (gb) {
      const plane = plan.outDims[0] * plan.outDims[1] * plan.outDims[2];
      for (let i = 0; i < gd.length; i++) gb.data[Math.floor(i / plane) % plan.o]! += gd[i]!;
    }
  },
  jvp: ({ plan }, [x, w], _out, [tx, tw, tb], tout) => {
    tout.fill(0);
    if (tx) accumulate(plan, tx.data, w!.data, tout.data);
    if (tw) accumulate(plan, x!.data, tw.data, tout.data);
    if (tb) addBias(plan, tb.data, tout.data);
  },
  secondOrder: { kind: 'bilinear', pair: ['x', 'weight'] },
  doc: 'conv3d(x) = Σ w·x over each window + b, x [N, C, D, H, W], weight [O, C/groups, kd, kh, kw] (torch.nn.Conv3d); ∂/∂x: the transposed convolution of g, ∂/∂w: g correlated with x, ∂/∂b: Σ g',
});
