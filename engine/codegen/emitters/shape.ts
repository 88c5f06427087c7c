/**
 * Ops that move elements without arithmetic. reshape and flatten keep the row-major order, so on
 * flat arrays they are the identity (their functions say so); concat copies blocks.
 */
import type { EmitCtx, LayerCode, OpEmitter } from '../emitter.js';
import type { OpName } from '../../ops/registry.js';
import { sizeExpr } from '../emitter.js';
import type { SymShape } from '../ir.js';

const sameOrder = (what: string): OpEmitter => ({
  emit(c: EmitCtx): LayerCode {
    return {
      doc: `${what}; row-major order is unchanged, so the values are passed on as they are.`,
      forward: ['return x;'],
      backward: c.needsGrad[0] ? ['const dx = dy;'] : [],
    };
  },
});

/** [outer, axis size, inner] around an axis, as expressions. */
function around(shape: SymShape, axis: number): [string, string, string] {
  return [sizeExpr(shape.slice(0, axis)), sizeExpr([shape[axis]!]), sizeExpr(shape.slice(axis + 1))];
}

const times = (a: string, b: string): string => (a === '1' ? b : b === '1' ? a : `${a} * ${b}`);

export const concat: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const [sa, sb] = c.inShapes as [SymShape, SymShape];
    const raw = c.attrs['axis'] as number;
    const axis = raw < 0 ? raw + sa.length : raw;
    const [outer, na] = around(sa, axis);
    const [, nb, inner] = around(sb, axis);
    const la = times(na, inner);
    const lb = times(nb, inner);
    const doc = `joins a and b along axis ${axis}: each of the ${outer} blocks is ${la} values of a, then ${lb} of b.`;
    const forward = [
      `const y = new Float64Array(a.length + b.length);`,
      `for (let o = 0; o < ${outer}; o++) {`,
      `  y.set(a.subarray(o * ${la}, (o + 1) * ${la}), o * (${la} + ${lb}));`,
      `  y.set(b.subarray(o * ${lb}, (o + 1) * ${lb}), o * (${la} + ${lb}) + ${la});`,
      '}',
      'return y;',
    ];
    const [needA, needB] = c.needsGrad;
    const backward =
      needA || needB
        ? [
            ...(needA ? ['const da = new Float64Array(a.length);'] : []),
            ...(needB ? ['const db = new Float64Array(b.length);'] : []),
            `for (let o = 0; o < ${outer}; o++) {`,
            `  const start = o * (${la} + ${lb});`,
            ...(needA ? [`  da.set(dy.subarray(start, start + ${la}), o * ${la});`] : []),
            ...(needB ? [`  db.set(dy.subarray(start + ${la}, start + ${la} + ${lb}), o * ${lb});`] : []),
            '}',
          ]
        : [];
    return { doc, forward, backward };
  },
};

/** sum and mean over one axis (or all axes when `axis` is absent). */
const reduce = (mean: boolean): OpEmitter => ({
  emit(c: EmitCtx): LayerCode {
    const x = c.inShapes[0]!;
    const raw = c.attrs['axis'] as number | undefined;
    const [outer, size, inner] =
      raw === undefined ? ['1', sizeExpr(x), '1'] : around(x, raw < 0 ? raw + x.length : raw);
    const scale = mean ? ` / ${size.includes(' ') ? `(${size})` : size}` : '';
    const at = (k: string): string =>
      inner === '1' ? `o * ${size} + ${k}` : `(o * ${size} + ${k}) * ${inner} + i`;
    const open = inner === '1' ? [] : [`for (let i = 0; i < ${inner}; i++) {`];
    const close = inner === '1' ? [] : ['}'];
    const outAt = inner === '1' ? 'o' : `o * ${inner} + i`;
    const pad = inner === '1' ? '  ' : '    ';
    const doc = `${mean ? 'mean' : 'sum'} over ${raw === undefined ? 'all elements' : `axis ${raw}`}.`;
    const forward = [
      `const y = new Float64Array(${times(outer, inner)});`,
      `for (let o = 0; o < ${outer}; o++) {`,
      ...open.map((l) => `  ${l}`),
      `${pad}let total = 0;`,
      `${pad}for (let k = 0; k < ${size}; k++) total += x[${at('k')}];`,
      `${pad}y[${outAt}] = total${scale};`,
      ...close.map((l) => `  ${l}`),
      '}',
      'return y;',
    ];
    const backward = c.needsGrad[0]
      ? [
          `const dx = new Float64Array(x.length);`,
          `for (let o = 0; o < ${outer}; o++) {`,
          ...open.map((l) => `  ${l}`),
          `${pad}const g = dy[${outAt}]${scale};`,
          `${pad}for (let k = 0; k < ${size}; k++) dx[${at('k')}] = g;`,
          ...close.map((l) => `  ${l}`),
          '}',
        ]
      : [];
    return { doc, forward, backward };
  },
});

/** transpose: output axis i is input axis perm[i] (default: all axes reversed). */
export const transpose: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const x = c.inShapes[0]!;
    const given = (c.attrs['perm'] as readonly number[] | undefined) ?? [];
    const perm = given.length ? given : x.map((_, i) => x.length - 1 - i);
    const out = c.outShape;
    const dim = (d: SymShape[number]): string => (d === 'N' ? 'n' : String(d));
    // Loop over output axes; the input index uses the input's strides permuted.
    const inStride = (axis: number): string => sizeExpr(x.slice(axis + 1));
    const term = (v: string, stride: string): string => (stride === '1' ? v : `${v} * ${stride}`);
    const inIndex = perm.map((axis, i) => term(`i${i}`, inStride(axis))).join(' + ');
    const outIndex = out.map((_, i) => term(`i${i}`, sizeExpr(out.slice(i + 1)))).join(' + ');
    const nest = (body: string): string[] => [
      ...out.map((d, i) => `${'  '.repeat(i)}for (let i${i} = 0; i${i} < ${dim(d)}; i${i}++) {`),
      `${'  '.repeat(out.length)}${body}`,
      ...out.map((_, i) => `${'  '.repeat(out.length - 1 - i)}}`),
    ];
    return {
      doc: `output axis i is input axis [${perm.join(', ')}][i].`,
      forward: [
        'const y = new Float64Array(x.length);',
        ...nest(`y[${outIndex}] = x[${inIndex}];`),
        'return y;',
      ],
      backward: c.needsGrad[0]
        ? ['const dx = new Float64Array(x.length);', ...nest(`dx[${inIndex}] = dy[${outIndex}];`)]
        : [],
    };
  },
};

export const SHAPE_EMITTERS = {
  reshape: sameOrder('the same values under a new shape'),
  flatten: sameOrder('[N, …] as [N, everything else]'),
  concat,
  transpose,
  sum: reduce(false),
  mean: reduce(true),
} satisfies Partial<Record<OpName, OpEmitter>>;
