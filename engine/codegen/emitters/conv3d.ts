/**
 * conv3d over [N, C, D, H, W] volumes, written as the nested loops the engine's own op walks
 * (engine/ops/conv3d.ts): each output voxel sums its window's taps, and the backward pass walks the
 * same taps sending each gradient back along the edge it came from. The geometry (output sizes,
 * zeros before each axis) is the op's, so the module computes what the engine computes.
 */
import type { EmitCtx, LayerCode, OpEmitter } from '../emitter.js';
import { sizeExpr } from '../emitter.js';
import { concrete, coord } from './conv.js';
import { conv3dGeometry, type Conv3dAttrs, type Conv3dGeometry } from '../../ops/conv3d.js';

/** Loops over the output voxels, then over a window's taps inside the volume, around `body`. */
function walk(g: Conv3dGeometry, body: { voxel: string[]; tap: string[]; after: string[] }): string[] {
  const [D, H, W] = g.inDims;
  const [OD, OH, OW] = g.outDims;
  const [KD, KH, KW] = g.kernel as [number, number, number];
  const cg = g.c / g.groups;
  const og = g.o / g.groups;
  const axes = [
    { o: 'od', k: 'kd', t: 'iz', len: D, out: OD, kn: KD, i: 0 },
    { o: 'oh', k: 'kh', t: 'iy', len: H, out: OH, kn: KH, i: 1 },
    { o: 'ow', k: 'kw', t: 'ix', len: W, out: OW, kn: KW, i: 2 },
  ];
  // A tap can land in the padding only if padding exists or the last window reaches past the end.
  const mayLeave = (a: (typeof axes)[number]) =>
    g.before[a.i]! > 0 ||
    (a.out - 1) * g.stride[a.i]! - g.before[a.i]! + (a.kn - 1) * g.dilation[a.i]! >= a.len;
  let taps = body.tap;
  for (const a of [...axes].reverse())
    taps = [
      `for (let ${a.k} = 0; ${a.k} < ${a.kn}; ${a.k}++) {`,
      `  const ${a.t} = ${coord(a.o, g.stride[a.i]!, a.k, g.dilation[a.i]!, g.before[a.i]!)};`,
      ...(mayLeave(a) ? [`  if (${a.t} < 0 || ${a.t} >= ${a.len}) continue;`] : []),
      ...taps.map((l) => `  ${l}`),
      '}',
    ];
  let voxel = [
    `const o = (((b * ${g.o} + co) * ${OD} + od) * ${OH} + oh) * ${OW} + ow;`,
    ...body.voxel,
    `for (let ci = 0; ci < ${cg}; ci++) {`,
    `  const ic = ${g.groups === 1 ? 'ci' : `Math.floor(co / ${og}) * ${cg} + ci`};`,
    ...taps.map((l) => `  ${l}`),
    '}',
    ...body.after,
  ];
  for (const a of [...axes].reverse())
    voxel = [`for (let ${a.o} = 0; ${a.o} < ${a.out}; ${a.o}++) {`, ...voxel.map((l) => `  ${l}`), '}'];
  return [
    'for (let b = 0; b < n; b++) {',
    `  for (let co = 0; co < ${g.o}; co++) {`,
    ...voxel.map((l) => `    ${l}`),
    '  }',
    '}',
  ];
}

export const conv3d: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const a = c.attrs as Conv3dAttrs;
    const g = conv3dGeometry(concrete(c.inShapes[0]!), a);
    const [D, H, W] = g.inDims;
    const [KD, KH, KW] = g.kernel as [number, number, number];
    const cg = g.c / g.groups;
    const hasBias = c.node.params.some((p) => p.name === 'bias');
    const xAt = `(((b * ${g.c} + ic) * ${D} + iz) * ${H} + iy) * ${W} + ix`;
    const wAt = `(((co * ${cg} + ci) * ${KD} + kd) * ${KH} + kh) * ${KW} + kw`;
    const doc =
      `${g.o} filters of ${cg}×${g.kernel.join('×')}${g.groups > 1 ? ` in ${g.groups} groups` : ''}, ` +
      `stride ${g.stride.join('×')}, dilation ${g.dilation.join('×')}, zeros before ${g.before.join('×')}: ` +
      `y[b, co, …] = ${hasBias ? 'bias[co] + ' : ''}Σ weight[co, ci, …]·x[b, ci, …] over the window.`;
    const forward = [
      `const w = ${c.param('weight')};`,
      ...(hasBias ? [`const bias = ${c.param('bias')};`] : []),
      `const out = new Float64Array(${sizeExpr(c.outShape)});`,
      ...walk(g, {
        voxel: [`let sum = ${hasBias ? 'bias[co]' : '0'};`],
        tap: [`sum += x[${xAt}] * w[${wAt}];`],
        after: ['out[o] = sum;'],
      }),
      'return out;',
    ];
    const needX = c.needsGrad[0];
    const backward = [
      `const w = ${c.param('weight')};`,
      ...(needX ? ['const dx = new Float64Array(x.length);'] : []),
      ...walk(g, {
        voxel: ['const g = dy[o];', ...(hasBias ? ['grad.bias[co] += g;'] : [])],
        tap: [`grad.weight[${wAt}] += g * x[${xAt}];`, ...(needX ? [`dx[${xAt}] += g * w[${wAt}];`] : [])],
        after: [],
      }),
    ];
    return { doc, forward, backward };
  },
};
