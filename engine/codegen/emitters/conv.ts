/**
 * Convolutions, pools and pad over [N, C, H, W] images and [N, C, L] sequences, written as the
 * plain nested loops a person would write (no im2col): each output pixel reads its window; the
 * backward pass walks the same windows and sends each gradient back along the edge it came from.
 * The geometry (output sizes, padding before each axis) is the engine's own (engine/ops/conv.ts,
 * pool.ts), so the module computes what the engine computes; a 1-D op is written without the row
 * loops.
 */
import type { EmitCtx, LayerCode, OpEmitter } from '../emitter.js';
import { sizeExpr } from '../emitter.js';
import type { OpName } from '../../ops/registry.js';
import type { SymShape } from '../ir.js';
import type { Shape } from '../../tensor/tensor.js';
import type { ConvGeometry } from '../../kernels/im2col.js';
import { convGeometry, transposeGeometry, type ConvAttrs, type ConvTransposeAttrs } from '../../ops/conv.js';
import { poolGeometry, type PoolAttrs } from '../../ops/pool.js';
import { paddingOf, perAxis, type Spatial } from '../../ops/window.js';

/** The concrete shape of one sample's tensor with a batch of 1 (the geometry does not depend on it). */
export const concrete = (s: SymShape): Shape => s.map((d) => (d === 'N' ? 1 : d));

const indent = (lines: readonly string[], depth = 1): string[] => lines.map((l) => '  '.repeat(depth) + l);

/** `o·s + k·d - p`, without the ones and zeros. */
export function coord(o: string, s: number, k: string, d: number, p: number): string {
  const terms = [s === 1 ? o : `${o} * ${s}`, d === 1 ? k : `${k} * ${d}`];
  return `${terms.join(' + ')}${p > 0 ? ` - ${p}` : p < 0 ? ` + ${-p}` : ''}`;
}

/** Whether some tap of some window lands outside [0, len). */
const mayLeave = (outLen: number, s: number, k: number, d: number, p: number, len: number): boolean =>
  p > 0 || (outLen - 1) * s - p + (k - 1) * d >= len;

/** Loop variable names: the window's position (pixel) and where its taps land. */
interface Names {
  py: string;
  px: string;
  ty: string;
  tx: string;
}
const CONV_NAMES: Names = { py: 'oy', px: 'ox', ty: 'iy', tx: 'ix' };

/** Loops over the window positions (rows only in 2-D). */
function pixelLoops(g: ConvGeometry, spatial: Spatial, n: Names, body: string[]): string[] {
  const inner = [`for (let ${n.px} = 0; ${n.px} < ${g.ow}; ${n.px}++) {`, ...indent(body), '}'];
  return spatial === 2
    ? [`for (let ${n.py} = 0; ${n.py} < ${g.oh}; ${n.py}++) {`, ...indent(inner), '}']
    : inner;
}

/** Loops over a window's taps, skipping those that land in the padding. */
function tapLoops(g: ConvGeometry, spatial: Spatial, n: Names, body: string[]): string[] {
  const cols = [
    `for (let j = 0; j < ${g.kw}; j++) {`,
    `  const ${n.tx} = ${coord(n.px, g.sw, 'j', g.dw, g.pl)};`,
    ...(mayLeave(g.ow, g.sw, g.kw, g.dw, g.pl, g.w)
      ? [`  if (${n.tx} < 0 || ${n.tx} >= ${g.w}) continue;`]
      : []),
    ...indent(body),
    '}',
  ];
  if (spatial === 1) return cols;
  return [
    `for (let i = 0; i < ${g.kh}; i++) {`,
    `  const ${n.ty} = ${coord(n.py, g.sh, 'i', g.dh, g.pt)};`,
    ...(mayLeave(g.oh, g.sh, g.kh, g.dh, g.pt, g.h)
      ? [`  if (${n.ty} < 0 || ${n.ty} >= ${g.h}) continue;`]
      : []),
    ...indent(cols),
    '}',
  ];
}

/** The flat index of element (b, ch, y, x) of an [n, channels, rows, cols] tensor (no rows in 1-D). */
function at(
  spatial: Spatial,
  channels: number,
  rows: number,
  cols: number,
  ch: string,
  y: string,
  x: string,
) {
  return spatial === 2
    ? `((b * ${channels} + ${ch}) * ${rows} + ${y}) * ${cols} + ${x}`
    : `(b * ${channels} + ${ch}) * ${cols} + ${x}`;
}

/** The flat index of tap (i, j) of filter row `row` of a [rows, per, kh, kw] weight. */
function weightAt(spatial: Spatial, per: number, g: ConvGeometry, row: string, col: string): string {
  return spatial === 2
    ? `((${row} * ${per} + ${col}) * ${g.kh} + i) * ${g.kw} + j`
    : `(${row} * ${per} + ${col}) * ${g.kw} + j`;
}

const sizesText = (v: readonly number[]): string => (v.every((e) => e === v[0]) ? String(v[0]) : v.join('×'));

function conv(spatial: Spatial): OpEmitter {
  return {
    emit(c: EmitCtx): LayerCode {
      const a = c.attrs as ConvAttrs;
      const g = convGeometry(spatial === 2 ? 'conv2d' : 'conv1d', concrete(c.inShapes[0]!), a, spatial);
      const co = a.outChannels;
      const cg = g.c / g.groups;
      const og = co / g.groups;
      const hasBias = c.node.params.some((p) => p.name === 'bias');
      const ch = g.groups === 1 ? 'ci' : 'c0 + ci';
      const xAt = at(spatial, g.c, g.h, g.w, ch, 'iy', 'ix');
      const yAt = at(spatial, co, g.oh, g.ow, 'co', 'oy', 'ox');
      const wAt = weightAt(spatial, cg, g, 'co', 'ci');
      const nest = (pre: string[], tap: string[], post: string[]): string[] => [
        'for (let b = 0; b < n; b++) {',
        `  for (let co = 0; co < ${co}; co++) {`,
        ...(g.groups === 1
          ? []
          : [`    const c0 = Math.floor(co / ${og}) * ${cg}; // the group's first input channel`]),
        ...indent(
          pixelLoops(g, spatial, CONV_NAMES, [
            ...pre,
            `for (let ci = 0; ci < ${cg}; ci++) {`,
            ...indent(tapLoops(g, spatial, CONV_NAMES, tap)),
            '}',
            ...post,
          ]),
          2,
        ),
        '  }',
        '}',
      ];
      const kernel = spatial === 2 ? [g.kh, g.kw] : [g.kw];
      const doc =
        `${co} filters of ${cg}×${kernel.join('×')}${g.groups > 1 ? ` in ${g.groups} groups` : ''}, ` +
        `stride ${sizesText(spatial === 2 ? [g.sh, g.sw] : [g.sw])}` +
        `${perAxis(a.dilation, spatial, 1).some((d) => d !== 1) ? `, dilation ${sizesText(perAxis(a.dilation, spatial, 1))}` : ''}` +
        `${a.padding === 0 ? '' : `, padding ${JSON.stringify(a.padding)}`}: ` +
        `y[b, co, …] = ${hasBias ? 'bias[co] + ' : ''}Σ weight[co, ci, …]·x[b, ci, …] over the window.`;
      const forward = [
        `const w = ${c.param('weight')};`,
        ...(hasBias ? [`const bias = ${c.param('bias')};`] : []),
        `const out = new Float64Array(${sizeExpr(c.outShape)});`,
        ...nest(
          [`let sum = ${hasBias ? 'bias[co]' : '0'};`],
          [`sum += x[${xAt}] * w[${wAt}];`],
          [`out[${yAt}] = sum;`],
        ),
        'return out;',
      ];
      const needX = c.needsGrad[0];
      const backward = [
        `const w = ${c.param('weight')};`,
        ...(needX ? ['const dx = new Float64Array(x.length);'] : []),
        ...nest(
          [`const g = dy[${yAt}];`, ...(hasBias ? ['grad.bias[co] += g;'] : [])],
          [`grad.weight[${wAt}] += g * x[${xAt}];`, ...(needX ? [`dx[${xAt}] += g * w[${wAt}];`] : [])],
          [],
        ),
      ];
      return { doc, forward, backward };
    },
  };
}

/**
 * conv_transpose2d: each input pixel (iy, ix) scatters its value times the kernel over a window of
 * the output; the geometry is that of the conv2d this is the transpose of, with the roles of its
 * grids swapped.
 */
const convTranspose2d: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const a = c.attrs as ConvTransposeAttrs;
    const g = transposeGeometry(concrete(c.inShapes[0]!), a);
    const cin = concrete(c.inShapes[0]!)[1]!;
    const co = a.outChannels;
    const cig = cin / g.groups;
    const cog = co / g.groups;
    const hasBias = c.node.params.some((p) => p.name === 'bias');
    const names: Names = { py: 'iy', px: 'ix', ty: 'oy', tx: 'ox' };
    const ch = g.groups === 1 ? 'col' : 'o0 + col';
    const xAt = at(2, cin, g.oh, g.ow, 'ci', 'iy', 'ix');
    const yAt = at(2, co, g.h, g.w, ch, 'oy', 'ox');
    const wAt = weightAt(2, cog, g, 'ci', 'col');
    const nest = (pre: string[], tap: string[], post: string[]): string[] => [
      'for (let b = 0; b < n; b++) {',
      `  for (let ci = 0; ci < ${cin}; ci++) {`,
      ...(g.groups === 1
        ? []
        : [`    const o0 = Math.floor(ci / ${cig}) * ${cog}; // the group's first output channel`]),
      ...indent(
        pixelLoops(g, 2, names, [
          ...pre,
          `for (let col = 0; col < ${cog}; col++) {`,
          ...indent(tapLoops(g, 2, names, tap)),
          '}',
          ...post,
        ]),
        2,
      ),
      '  }',
      '}',
    ];
    const plane = g.h * g.w;
    const forward = [
      `const w = ${c.param('weight')};`,
      `const out = new Float64Array(${sizeExpr(c.outShape)});`,
      ...nest([`const v = x[${xAt}];`], [`out[${yAt}] += v * w[${wAt}];`], []),
      ...(hasBias
        ? [
            `const bias = ${c.param('bias')};`,
            `for (let k = 0; k < out.length; k++) out[k] += bias[Math.floor(k / ${plane}) % ${co}];`,
          ]
        : []),
      'return out;',
    ];
    const needX = c.needsGrad[0];
    const backward = [
      `const w = ${c.param('weight')};`,
      ...(needX ? ['const dx = new Float64Array(x.length);'] : []),
      ...nest(
        [`const v = x[${xAt}];`, ...(needX ? ['let sum = 0;'] : [])],
        [`grad.weight[${wAt}] += v * dy[${yAt}];`, ...(needX ? [`sum += dy[${yAt}] * w[${wAt}];`] : [])],
        needX ? [`dx[${xAt}] = sum;`] : [],
      ),
      ...(hasBias
        ? [`for (let k = 0; k < dy.length; k++) grad.bias[Math.floor(k / ${plane}) % ${co}] += dy[k];`]
        : []),
    ];
    return {
      doc: `the transpose of a convolution: each input pixel adds its value times the ${g.kh}×${g.kw} kernel to a window of the output (stride ${sizesText([g.sh, g.sw])}).`,
      forward,
      backward,
    };
  },
};

function pool(kind: 'max' | 'avg', spatial: Spatial): OpEmitter {
  return {
    emit(c: EmitCtx): LayerCode {
      const a = c.attrs as PoolAttrs;
      const name = `${kind}_pool${spatial}d`;
      const g = poolGeometry(name, concrete(c.inShapes[0]!), a, spatial);
      const inAt = at(spatial, g.c, g.h, g.w, 'ch', 'iy', 'ix');
      const outAt = at(spatial, g.c, g.oh, g.ow, 'ch', 'oy', 'ox');
      const loops = (pre: string[], tap: string[], post: string[]): string[] => [
        'for (let b = 0; b < n; b++) {',
        `  for (let ch = 0; ch < ${g.c}; ch++) {`,
        ...indent(
          pixelLoops(g, spatial, CONV_NAMES, [...pre, ...tapLoops(g, spatial, CONV_NAMES, tap), ...post]),
          2,
        ),
        '  }',
        '}',
      ];
      const win = `${spatial === 2 ? `${g.kh}×${g.kw}` : g.kw} windows, stride ${sizesText(spatial === 2 ? [g.sh, g.sw] : [g.sw])}`;
      if (kind === 'max') {
        const forward = [
          `const out = new Float64Array(${sizeExpr(c.outShape)});`,
          ...loops(['let max = -Infinity;'], [`max = Math.max(max, x[${inAt}]);`], [`out[${outAt}] = max;`]),
          'return out;',
        ];
        const backward = c.needsGrad[0]
          ? [
              '// Each window sends its gradient to its (first) largest input.',
              'const dx = new Float64Array(x.length);',
              ...loops(
                ['let max = -Infinity;', 'let at = -1;'],
                [`const k = ${inAt};`, 'if (x[k] > max) {', '  max = x[k];', '  at = k;', '}'],
                [`if (at >= 0) dx[at] += dy[${outAt}];`],
              ),
            ]
          : [];
        return { doc: `the maximum of ${win}.`, forward, backward };
      }
      // PyTorch's divisor: the window clipped to the padded input, and to the input itself
      // unless count_include_pad.
      const after = paddingOf(a.padding, spatial, perAxis(a.kernel, spatial, 1)).after;
      const constant = a.count_include_pad && !a.ceil_mode;
      const span = (
        o: string,
        s: number,
        p: number,
        k: number,
        len: number,
        pa: number,
        v: string,
      ): string[] => [
        `const ${v}0 = ${s === 1 ? o : `${o} * ${s}`}${p > 0 ? ` - ${p}` : ''}, ${v}1 = Math.min(${v}0 + ${k}, ${len + pa});`,
      ];
      const divisorLines = constant
        ? []
        : [
            ...(spatial === 2 ? span('oy', g.sh, g.pt, g.kh, g.h, after[0]!, 'y') : []),
            ...span('ox', g.sw, g.pl, g.kw, g.w, after[spatial - 1]!, 'x'),
            a.count_include_pad
              ? `const count = ${spatial === 2 ? '(y1 - y0) * ' : ''}(x1 - x0);`
              : `const count = ${spatial === 2 ? `(Math.min(y1, ${g.h}) - Math.max(y0, 0)) * ` : ''}(Math.min(x1, ${g.w}) - Math.max(x0, 0));`,
          ];
      const divisor = constant ? String(g.kh * g.kw) : 'count';
      const forward = [
        `const out = new Float64Array(${sizeExpr(c.outShape)});`,
        ...loops(
          [...divisorLines, 'let sum = 0;'],
          [`sum += x[${inAt}];`],
          [`out[${outAt}] = sum / ${divisor};`],
        ),
        'return out;',
      ];
      const backward = c.needsGrad[0]
        ? [
            'const dx = new Float64Array(x.length);',
            ...loops([...divisorLines, `const g = dy[${outAt}] / ${divisor};`], [`dx[${inAt}] += g;`], []),
          ]
        : [];
      return {
        doc: `the mean of ${win}${a.count_include_pad ? '' : ' (padding not counted)'}.`,
        forward,
        backward,
      };
    },
  };
}

function globalPool(kind: 'max' | 'avg'): OpEmitter {
  return {
    emit(c: EmitCtx): LayerCode {
      const x = concrete(c.inShapes[0]!);
      const size = x.slice(2).reduce((p, v) => p * v, 1);
      const planes = `n * ${x[1]}`;
      const forward = [
        `const out = new Float64Array(${planes});`,
        `for (let p = 0; p < ${planes}; p++) {`,
        kind === 'max' ? '  let best = -Infinity;' : '  let sum = 0;',
        `  for (let k = p * ${size}; k < (p + 1) * ${size}; k++) ${kind === 'max' ? 'best = Math.max(best, x[k]);' : 'sum += x[k];'}`,
        `  out[p] = ${kind === 'max' ? 'best' : `sum / ${size}`};`,
        '}',
        'return out;',
      ];
      const backward = !c.needsGrad[0]
        ? []
        : kind === 'max'
          ? [
              'const dx = new Float64Array(x.length);',
              `for (let p = 0; p < ${planes}; p++) {`,
              `  let at = p * ${size};`,
              `  for (let k = at + 1; k < (p + 1) * ${size}; k++) if (x[k] > x[at]) at = k;`,
              '  dx[at] += dy[p];',
              '}',
            ]
          : [
              'const dx = new Float64Array(x.length);',
              `for (let k = 0; k < x.length; k++) dx[k] = dy[Math.floor(k / ${size})] / ${size};`,
            ];
      return {
        doc: `the ${kind === 'max' ? 'largest element' : 'mean'} of each channel over its ${size} positions.`,
        forward,
        backward,
      };
    },
  };
}

/** pad: nested loops over the output; each padded axis maps its index back to a source index. */
const pad: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const x = concrete(c.inShapes[0]!);
    const out = concrete(c.outShape);
    const pads = c.attrs['pad'] as readonly number[];
    const mode = c.attrs['mode'] as string;
    const value = c.attrs['value'] as number;
    const rank = x.length;
    const before = new Array<number>(rank).fill(0);
    for (let k = 0; k < pads.length / 2; k++) before[rank - 1 - k] = pads[2 * k]!;
    const padded = (ax: number) => ax > 0 && out[ax] !== x[ax];
    const source = (ax: number): string => {
      const r = before[ax] ? `a${ax} - ${before[ax]}` : `a${ax}`;
      const len = x[ax]!;
      if (!padded(ax)) return `const s${ax} = a${ax};`;
      if (mode === 'reflect')
        return `const r${ax} = ${r}, s${ax} = r${ax} < 0 ? -r${ax} : r${ax} >= ${len} ? ${2 * (len - 1)} - r${ax} : r${ax};`;
      if (mode === 'replicate') return `const s${ax} = Math.min(Math.max(${r}, 0), ${len - 1});`;
      return `const s${ax} = ${r};`;
    };
    let index = 's0';
    for (let ax = 1; ax < rank; ax++) index = `(${index}) * ${x[ax]} + s${ax}`;
    const inside = Array.from({ length: rank }, (_, ax) => ax)
      .filter((ax) => mode === 'constant' && padded(ax))
      .map((ax) => `s${ax} >= 0 && s${ax} < ${x[ax]}`);
    const loops = (body: string[]): string[] => {
      let lines = body;
      for (let ax = rank - 1; ax >= 0; ax--)
        lines = [
          `for (let a${ax} = 0; a${ax} < ${ax === 0 ? 'n' : out[ax]}; a${ax}++) {`,
          `  ${source(ax)}`,
          ...indent(lines),
          '}',
        ];
      return lines;
    };
    const read = inside.length ? `${inside.join(' && ')} ? x[${index}] : ${value}` : `x[${index}]`;
    const forward = [
      `const out = new Float64Array(${sizeExpr(c.outShape)});`,
      'let q = 0;',
      ...loops([`out[q++] = ${read};`]),
      'return out;',
    ];
    const backward = c.needsGrad[0]
      ? [
          '// Every copy of an element sends its gradient back to it.',
          'const dx = new Float64Array(x.length);',
          'let q = 0;',
          ...loops([
            inside.length ? `if (${inside.join(' && ')}) dx[${index}] += dy[q];` : `dx[${index}] += dy[q];`,
            'q++;',
          ]),
        ]
      : [];
    return {
      doc: `${mode} padding by [${pads.join(', ')}] (last axis first, before and after).`,
      forward,
      backward,
    };
  },
};

export const CONV_EMITTERS = {
  conv1d: conv(1),
  conv2d: conv(2),
  conv_transpose2d: convTranspose2d,
  max_pool1d: pool('max', 1),
  max_pool2d: pool('max', 2),
  avg_pool1d: pool('avg', 1),
  avg_pool2d: pool('avg', 2),
  global_avg_pool: globalPool('avg'),
  global_max_pool: globalPool('max'),
  pad,
} satisfies Partial<Record<OpName, OpEmitter>>;
