/**
 * What convolutions and pools share: their window attributes (PyTorch's: a kernel, stride,
 * dilation and padding per axis, given as one number or one per axis), the output length, and
 * the checks that name the attribute at fault. A 1-D op works on [N, C, L] as a 2-D one on
 * [N, C, 1, L].
 */
import type { AttrSpec } from './define.js';
import { AttrError } from './attrs.js';
import { ShapeError } from '../tensor/broadcast.js';
import { shapeToString, type Shape } from '../tensor/tensor.js';
import type { ConvGeometry } from '../kernels/im2col.js';

/** Columns of one group's im2col matrix: its channels times the kernel's taps. */
export const colsWidth = (d: ConvGeometry): number => (d.c / d.groups) * (d.kd ?? 1) * d.kh * d.kw;

/** Output pixels (voxels, for conv3d) of one sample and channel. */
export const outPlane = (d: ConvGeometry): number => (d.od ?? 1) * d.oh * d.ow;

/** Rows of one group's im2col matrix: one per output pixel of the batch. */
export const colsRows = (d: ConvGeometry): number => d.n * outPlane(d);

/** A 'sizes' attribute's value: one number for every axis, one per axis (or per side), or a word. */
export type Sizes = number | readonly number[] | string;

/**
 * Spatial axes of a window op. The attribute helpers here (perAxis, paddingOf, sizesAttr) take any;
 * windowGeometry and the im2col kernels take 1 or 2 (conv3d has its own geometry, conv3d.ts).
 */
export type Spatial = 1 | 2 | 3;

export const sizesAttr = (
  spatial: Spatial,
  doc: string,
  extra: { min?: number; default?: number; perSide?: boolean; words?: readonly string[] } = {},
): AttrSpec => ({
  type: 'sizes',
  lengths: extra.perSide ? [spatial, 2 * spatial] : [spatial],
  ...(extra.min !== undefined ? { min: extra.min } : {}),
  ...(extra.default !== undefined ? { default: extra.default } : {}),
  ...(extra.words ? { words: extra.words } : {}),
  doc,
});

/** One value per spatial axis. */
export function perAxis(v: Sizes | undefined, spatial: Spatial, fallback: number): number[] {
  if (v === undefined) return new Array<number>(spatial).fill(fallback);
  if (typeof v === 'number') return new Array<number>(spatial).fill(v);
  if (typeof v === 'string') throw new Error(`a size of '${v}' where numbers were expected`);
  return v.slice(0, spatial);
}

/** Padding before and after each spatial axis. */
export interface Padding {
  before: number[];
  after: number[];
}

/**
 * A padding attribute as amounts per side: one number (every side), one per axis (both sides of
 * it), one per side ([before, after] axis by axis: [top, bottom, left, right]), 'valid' (none) or
 * 'same' (the output as long as the input at stride 1; an odd total puts the extra after, as
 * PyTorch does).
 */
export function paddingOf(v: Sizes, spatial: Spatial, effectiveKernel: readonly number[]): Padding {
  if (v === 'valid')
    return { before: new Array<number>(spatial).fill(0), after: new Array<number>(spatial).fill(0) };
  if (v === 'same') {
    const total = effectiveKernel.map((k) => k - 1);
    const before = total.map((t) => Math.floor(t / 2));
    return { before, after: total.map((t, i) => t - before[i]!) };
  }
  if (typeof v === 'number') return { before: perAxis(v, spatial, 0), after: perAxis(v, spatial, 0) };
  if (typeof v === 'string') throw new Error(`padding '${v}' is not a padding`);
  if (v.length === 2 * spatial)
    return {
      before: Array.from({ length: spatial }, (_, i) => v[2 * i]!),
      after: Array.from({ length: spatial }, (_, i) => v[2 * i + 1]!),
    };
  return { before: v.slice(0, spatial), after: v.slice(0, spatial) };
}

/** 2×3, or 5 for one axis. */
export const times = (v: readonly number[]): string => v.join('×');

/**
 * Output length along one axis: PyTorch's pooling_output_shape. In ceil mode the last window may
 * hang over the end but must start inside the input or its leading padding.
 */
export function outLength(
  length: number,
  kernel: number,
  stride: number,
  dilation: number,
  before: number,
  after: number,
  ceil = false,
): number {
  const span = length + before + after - dilation * (kernel - 1) - 1;
  if (span < 0) return 0;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceil && (out - 1) * stride >= length + before) out--;
  return out;
}

/** [N, C, ...spatial] from x, or a ShapeError naming the layout the op wants. */
export function spatialDims(
  op: string,
  x: Shape,
  spatial: Spatial,
): { n: number; c: number; h: number; w: number } {
  const layout = spatial === 2 ? '[N, C, H, W]' : '[N, C, L]';
  if (x.length !== spatial + 2) throw new ShapeError(`${op}: x must be ${layout}, got ${shapeToString(x)}`);
  return spatial === 2 ? { n: x[0]!, c: x[1]!, h: x[2]!, w: x[3]! } : { n: x[0]!, c: x[1]!, h: 1, w: x[2]! };
}

export interface WindowSpec {
  kernel: number[];
  stride: number[];
  dilation: number[];
  padding: Padding;
  ceil?: boolean;
  /** The attribute the padding came from ('padding'), for messages. */
  paddingAttr?: string;
  /** The largest padding per side allowed: half the (dilated) kernel by default. */
  maxPadding?: (kernel: number, dilation: number) => number;
}

const halfDilated = (k: number, d: number) => (d * (k - 1) + 1) / 2;

/**
 * The geometry of a window op over x ([N, C, H, W] or [N, C, L]), with the bad combinations
 * refused by attribute: padding over half the (dilated) kernel, a window larger than the padded
 * input.
 */
export function windowGeometry(
  op: string,
  x: Shape,
  spatial: Spatial,
  s: WindowSpec,
  groups = 1,
): ConvGeometry {
  const { n, c, h, w } = spatialDims(op, x, spatial);
  const lengths = spatial === 2 ? [h, w] : [w];
  const padAttr = s.paddingAttr ?? 'padding';
  const maxPad = s.maxPadding ?? halfDilated;
  for (let a = 0; a < spatial; a++) {
    const limit = maxPad(s.kernel[a]!, s.dilation[a]!);
    const p = Math.max(s.padding.before[a]!, s.padding.after[a]!);
    if (p > limit)
      throw new AttrError(
        `${op}: padding ${p} is more than half the ${s.dilation[a] === 1 ? '' : 'dilated '}kernel (${limit}) on axis ${a + 2}; ` +
          `pad at most ${Math.floor(limit)}`,
        padAttr,
      );
  }
  const out = lengths.map((len, a) =>
    outLength(
      len,
      s.kernel[a]!,
      s.stride[a]!,
      s.dilation[a]!,
      s.padding.before[a]!,
      s.padding.after[a]!,
      s.ceil,
    ),
  );
  if (out.some((o) => o < 1)) {
    const padded = lengths.map((len, a) => len + s.padding.before[a]! + s.padding.after[a]!);
    const span = s.kernel.map((k, a) => s.dilation[a]! * (k - 1) + 1);
    throw new AttrError(
      `${op}: the ${times(s.kernel)} kernel${span.some((v, a) => v !== s.kernel[a]) ? ` (${times(span)} dilated)` : ''} ` +
        `is larger than x ${shapeToString(x)} padded to ${times(padded)}; use a smaller kernel or dilation, or more padding`,
      'kernel',
    );
  }
  const [kh, sh, dh, pt, oh] =
    spatial === 2
      ? [s.kernel[0]!, s.stride[0]!, s.dilation[0]!, s.padding.before[0]!, out[0]!]
      : [1, 1, 1, 0, 1];
  const last = spatial - 1;
  return {
    n,
    c,
    h,
    w,
    kh,
    kw: s.kernel[last]!,
    sh,
    sw: s.stride[last]!,
    dh,
    dw: s.dilation[last]!,
    pt,
    pl: s.padding.before[last]!,
    oh,
    ow: out[last]!,
    groups,
  };
}

/** Output shape of a window op: [N, C, (oh,) ow]. */
export function windowShape(d: ConvGeometry, channels: number, spatial: Spatial): Shape {
  return spatial === 2 ? [d.n, channels, d.oh, d.ow] : [d.n, channels, d.ow];
}

/** Refuses channel counts that the groups do not divide, naming the attribute. */
export function checkGroups(
  op: string,
  groups: number,
  inChannels: number,
  outChannels: number,
  x: Shape,
): void {
  if (inChannels % groups !== 0)
    throw new AttrError(
      `${op}: groups ${groups} does not divide the ${inChannels} input channels of x ${shapeToString(x)}; ` +
        `use a divisor of ${inChannels}`,
      'groups',
    );
  if (outChannels % groups !== 0)
    throw new AttrError(
      `${op}: groups ${groups} does not divide outChannels ${outChannels}; use a multiple of ${groups}`,
      'outChannels',
    );
}
