/**
 * 2-D convolution and pooling over [N, C, H, W] images, written as the plain nested loops a
 * person would write (no im2col): each output pixel reads its window; the backward pass walks the
 * same windows and sends each gradient back along the edge it came from.
 */
import type { EmitCtx, LayerCode, OpEmitter } from '../emitter.js';
import type { OpName } from '../../ops/registry.js';
import type { SymShape } from '../ir.js';

/** An attribute given as one number or [h, w]. */
function pair(c: EmitCtx, names: readonly string[], fallback?: readonly [number, number]): [number, number] {
  for (const name of names) {
    const v = c.attrs[name];
    if (typeof v === 'number') return [v, v];
    if (Array.isArray(v) && v.length === 2) return [v[0] as number, v[1] as number];
    if (Array.isArray(v) && v.length === 1) return [v[0] as number, v[0] as number];
    if (v !== undefined)
      throw new Error(
        `${name} ${JSON.stringify(v)} is not supported in TypeScript export (one number or one per axis)`,
      );
  }
  if (fallback) return [fallback[0], fallback[1]];
  throw new Error(`expected attribute ${names.join(' or ')}`);
}

interface Geometry {
  cin: number;
  h: number;
  w: number;
  cout: number;
  ho: number;
  wo: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
}

function geometry(
  c: EmitCtx,
  kernel: [number, number],
  stride: [number, number],
  pad: [number, number],
): Geometry {
  const x = c.inShapes[0] as SymShape;
  const y = c.outShape;
  if (x.length !== 4 || y.length !== 4) throw new Error('expects [N, C, H, W] images');
  const [, cin, h, w] = x as [Dim, number, number, number];
  const [, cout, ho, wo] = y as [Dim, number, number, number];
  return {
    cin,
    h,
    w,
    cout,
    ho,
    wo,
    kh: kernel[0],
    kw: kernel[1],
    sh: stride[0],
    sw: stride[1],
    ph: pad[0],
    pw: pad[1],
  };
}
type Dim = number | 'N';

/** The input row and column read by kernel tap (i, j) of output pixel (oy, ox). */
function window(g: Geometry): { iy: string; ix: string } {
  const term = (o: string, s: number, k: string, p: number): string =>
    `${s === 1 ? o : `${o} * ${s}`} + ${k}${p ? ` - ${p}` : ''}`;
  return { iy: term('oy', g.sh, 'i', g.ph), ix: term('ox', g.sw, 'j', g.pw) };
}

export const conv2d: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const groups = (c.attrs['groups'] as number | undefined) ?? 1;
    const dil = pair(c, ['dilation'], [1, 1]);
    if (dil[0] !== 1 || dil[1] !== 1)
      throw new Error('dilation other than 1 is not supported in TypeScript export');
    const wShape = c.node.params.find((p) => p.name === 'weight')!.shape;
    const g = geometry(
      c,
      [wShape[2]!, wShape[3]!],
      pair(c, ['stride'], [1, 1]),
      pair(c, ['padding'], [0, 0]),
    );
    const hasBias = c.node.params.some((p) => p.name === 'bias');
    const { iy, ix } = window(g);
    const padded = g.ph > 0 || g.pw > 0;
    // With groups, output channel co reads only its group's cin/groups input channels: ci0 + cg.
    const grouped = groups > 1;
    const cinG = g.cin / groups;
    const xAt = `((b * ${g.cin} + ci) * ${g.h} + iy) * ${g.w} + ix`;
    const wAt = grouped
      ? `((co * ${cinG} + cg) * ${g.kh} + i) * ${g.kw} + j`
      : `((co * ${g.cin} + ci) * ${g.kh} + i) * ${g.kw} + j`;
    const yAt = `((b * ${g.cout} + co) * ${g.ho} + oy) * ${g.wo} + ox`;
    const taps = (body: string[]): string[] => [
      `for (let b = 0; b < n; b++) {`,
      `  for (let co = 0; co < ${g.cout}; co++) {`,
      ...(grouped ? [`    const ci0 = Math.floor(co / ${g.cout / groups}) * ${cinG};`] : []),
      `    for (let oy = 0; oy < ${g.ho}; oy++) {`,
      `      for (let ox = 0; ox < ${g.wo}; ox++) {`,
      ...body.slice(0, body.indexOf('#taps')).map((l) => `        ${l}`),
      ...(grouped
        ? [`        for (let cg = 0; cg < ${cinG}; cg++) {`, `          const ci = ci0 + cg;`]
        : [`        for (let ci = 0; ci < ${g.cin}; ci++) {`]),
      `          for (let i = 0; i < ${g.kh}; i++) {`,
      `            const iy = ${iy};`,
      ...(g.ph > 0 ? [`            if (iy < 0 || iy >= ${g.h}) continue;`] : []),
      `            for (let j = 0; j < ${g.kw}; j++) {`,
      `              const ix = ${ix};`,
      ...(g.pw > 0 ? [`              if (ix < 0 || ix >= ${g.w}) continue;`] : []),
      ...body.slice(body.indexOf('#taps') + 1, body.indexOf('#after')).map((l) => `              ${l}`),
      `            }`,
      `          }`,
      `        }`,
      ...body.slice(body.indexOf('#after') + 1).map((l) => `        ${l}`),
      `      }`,
      `    }`,
      `  }`,
      `}`,
    ];
    const doc =
      `${g.cout} filters of ${cinG}×${g.kh}×${g.kw}${grouped ? ` in ${groups} groups (each sees ${cinG} of the ${g.cin} input channels)` : ''}, stride ${g.sh === g.sw ? g.sh : `${g.sh}×${g.sw}`}` +
      `${padded ? `, zero padding ${g.ph === g.pw ? g.ph : `${g.ph}×${g.pw}`}` : ''}: ` +
      `y[b, co, oy, ox] = ${hasBias ? 'bias[co] + ' : ''}Σ weight[co, ci, i, j]·x[b, ci, oy·s + i${padded ? ' - p' : ''}, ox·s + j${padded ? ' - p' : ''}].`;
    const forward = [
      `const w = ${c.param('weight')};`,
      ...(hasBias ? [`const bias = ${c.param('bias')};`] : []),
      `const out = new Float64Array(n * ${g.cout * g.ho * g.wo});`,
      ...taps([
        `let sum = ${hasBias ? 'bias[co]' : '0'};`,
        '#taps',
        `sum += x[${xAt}] * w[${wAt}];`,
        '#after',
        `out[${yAt}] = sum;`,
      ]),
      'return out;',
    ];
    const needX = c.needsGrad[0];
    const backward = [
      `const w = ${c.param('weight')};`,
      ...(needX ? [`const dx = new Float64Array(x.length);`] : []),
      ...taps([
        `const g = dy[${yAt}];`,
        ...(hasBias ? ['grad.bias[co] += g;'] : []),
        '#taps',
        `grad.weight[${wAt}] += g * x[${xAt}];`,
        ...(needX ? [`dx[${xAt}] += g * w[${wAt}];`] : []),
        '#after',
      ]),
    ];
    return { doc, forward, backward };
  },
};

function pool(kind: 'max' | 'avg'): OpEmitter {
  return {
    emit(c: EmitCtx): LayerCode {
      const kernel = pair(c, ['kernel_size', 'kernel']);
      const stride = pair(c, ['stride'], kernel);
      const g = geometry(c, kernel, stride, pair(c, ['padding'], [0, 0]));
      const padded = g.ph > 0 || g.pw > 0;
      const { iy, ix } = window(g);
      const countPad = (c.attrs['count_include_pad'] as boolean | undefined) ?? true;
      const inAt = `((b * ${g.cin} + ch) * ${g.h} + iy) * ${g.w} + ix`;
      const outAt = `((b * ${g.cout} + ch) * ${g.ho} + oy) * ${g.wo} + ox`;
      const loops = (pre: string[], tap: string[], post: string[]): string[] => [
        `for (let b = 0; b < n; b++) {`,
        `  for (let ch = 0; ch < ${g.cin}; ch++) {`,
        `    for (let oy = 0; oy < ${g.ho}; oy++) {`,
        `      for (let ox = 0; ox < ${g.wo}; ox++) {`,
        ...pre.map((l) => `        ${l}`),
        `        for (let i = 0; i < ${g.kh}; i++) {`,
        `          const iy = ${iy};`,
        ...(g.ph > 0 ? [`          if (iy < 0 || iy >= ${g.h}) continue;`] : []),
        `          for (let j = 0; j < ${g.kw}; j++) {`,
        `            const ix = ${ix};`,
        ...(g.pw > 0 ? [`            if (ix < 0 || ix >= ${g.w}) continue;`] : []),
        ...tap.map((l) => `            ${l}`),
        `          }`,
        `        }`,
        ...post.map((l) => `        ${l}`),
        `      }`,
        `    }`,
        `  }`,
        `}`,
      ];
      const win = `${g.kh}×${g.kw} windows, stride ${g.sh === g.sw ? g.sh : `${g.sh}×${g.sw}`}${padded ? `, padding ${g.ph}` : ''}`;
      if (kind === 'max') {
        const forward = [
          `const out = new Float64Array(n * ${g.cout * g.ho * g.wo});`,
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
                [`dx[at] += dy[${outAt}];`],
              ),
            ]
          : [];
        return { doc: `the maximum of ${win}.`, forward, backward };
      }
      const divisor = padded && !countPad ? 'count' : String(g.kh * g.kw);
      const forward = [
        `const out = new Float64Array(n * ${g.cout * g.ho * g.wo});`,
        ...loops(
          ['let sum = 0;', ...(divisor === 'count' ? ['let count = 0;'] : [])],
          [`sum += x[${inAt}];`, ...(divisor === 'count' ? ['count++;'] : [])],
          [`out[${outAt}] = sum / ${divisor};`],
        ),
        'return out;',
      ];
      const backward = c.needsGrad[0]
        ? divisor === 'count'
          ? [
              'const dx = new Float64Array(x.length);',
              ...loops(
                ['let count = 0;'],
                ['count++;'],
                [
                  `const g = dy[${outAt}] / count;`,
                  `for (let i = 0; i < ${g.kh}; i++) for (let j = 0; j < ${g.kw}; j++) {`,
                  `  const iy = ${iy};`,
                  `  const ix = ${ix};`,
                  `  if (iy >= 0 && iy < ${g.h} && ix >= 0 && ix < ${g.w}) dx[${inAt}] += g;`,
                  '}',
                ],
              ),
            ]
          : [
              'const dx = new Float64Array(x.length);',
              ...loops([`const g = dy[${outAt}] / ${divisor};`], [`dx[${inAt}] += g;`], []),
            ]
        : [];
      return { doc: `the mean of ${win}.`, forward, backward };
    },
  };
}

/** Global pooling: each (sample, channel) plane of x [N, C, ...] becomes one value. */
function globalPool(kind: 'max' | 'avg'): OpEmitter {
  return {
    emit(c: EmitCtx): LayerCode {
      const x = c.inShapes[0]!;
      const plane = (x.slice(2) as number[]).reduce((a, b) => a * b, 1);
      const planes = `x.length / ${plane}`;
      const forward =
        kind === 'avg'
          ? [
              `const y = new Float64Array(${planes});`,
              `for (let p = 0; p < y.length; p++) {`,
              `  let sum = 0;`,
              `  for (let k = 0; k < ${plane}; k++) sum += x[p * ${plane} + k];`,
              `  y[p] = sum / ${plane};`,
              '}',
              'return y;',
            ]
          : [
              `const y = new Float64Array(${planes});`,
              `for (let p = 0; p < y.length; p++) {`,
              `  let best = -Infinity;`,
              `  for (let k = 0; k < ${plane}; k++) best = Math.max(best, x[p * ${plane} + k]);`,
              `  y[p] = best;`,
              '}',
              'return y;',
            ];
      const backward = !c.needsGrad[0]
        ? []
        : kind === 'avg'
          ? [
              'const dx = new Float64Array(x.length);',
              `for (let i = 0; i < x.length; i++) dx[i] = dy[Math.floor(i / ${plane})] / ${plane};`,
            ]
          : [
              'const dx = new Float64Array(x.length);',
              `// The gradient goes to the first maximum of each plane.`,
              `for (let p = 0; p < dy.length; p++) {`,
              `  let at = p * ${plane};`,
              `  for (let k = 1; k < ${plane}; k++) if (x[p * ${plane} + k] > x[at]) at = p * ${plane} + k;`,
              `  dx[at] += dy[p];`,
              '}',
            ];
      return {
        doc: `the ${kind === 'avg' ? 'mean' : 'maximum'} of each channel's ${plane} values.`,
        forward,
        backward,
      };
    },
  };
}

export const CONV_EMITTERS = {
  conv2d,
  max_pool2d: pool('max'),
  avg_pool2d: pool('avg'),
  global_avg_pool: globalPool('avg'),
  global_max_pool: globalPool('max'),
} satisfies Partial<Record<OpName, OpEmitter>>;
