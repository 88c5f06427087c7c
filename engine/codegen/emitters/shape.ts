/**
 * Ops that move elements without arithmetic. reshape and flatten keep the row-major order, so on
 * flat arrays they are the identity (their functions say so); concat copies blocks.
 */
import type { EmitCtx, LayerCode, OpEmitter } from '../emitter.js';
import type { OpName } from '../../ops/registry.js';
import { gradName, sizeExpr } from '../emitter.js';
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

/**
 * concat and stack copy blocks: each of the outer blocks of the output is a block of every input
 * in turn. `newAxis`: stack (the inputs have no axis `axis`; each block is everything from it on).
 */
const join = (newAxis: boolean): OpEmitter => ({
  emit(c: EmitCtx): LayerCode {
    const first = c.inShapes[0]!;
    const raw = c.attrs['axis'] as number;
    const axis = raw < 0 ? raw + first.length + (newAxis ? 1 : 0) : raw;
    const outer = sizeExpr(first.slice(0, axis));
    const lengths = c.inShapes.map((s) => sizeExpr(s.slice(axis)));
    const block = lengths.length === 1 ? lengths[0]! : `(${lengths.join(' + ')})`;
    const offsets = lengths.map((_, j) => lengths.slice(0, j).join(' + ') || '0');
    const at = (j: number): string => (offsets[j] === '0' ? 'start' : `start + ${offsets[j]}`);
    const doc = `${newAxis ? 'stacks' : 'joins'} ${c.inputs.join(', ')} along ${newAxis ? 'a new ' : ''}axis ${axis}: each of the ${outer} blocks is ${c.inputs
      .map((x, j) => `${lengths[j]} values of ${x}`)
      .join(', then ')}.`;
    const forward = [
      `const y = new Float64Array(${c.inputs.map((x) => `${x}.length`).join(' + ')});`,
      `for (let o = 0; o < ${outer}; o++) {`,
      `  const start = o * ${block};`,
      ...c.inputs.map(
        (x, j) => `  y.set(${x}.subarray(o * ${lengths[j]}, (o + 1) * ${lengths[j]}), ${at(j)});`,
      ),
      '}',
      'return y;',
    ];
    const needed = c.inputs.filter((_, j) => c.needsGrad[j]);
    const backward = needed.length
      ? [
          ...needed.map((x) => `const ${gradName(x)} = new Float64Array(${x}.length);`),
          `for (let o = 0; o < ${outer}; o++) {`,
          `  const start = o * ${block};`,
          ...c.inputs.flatMap((x, j) =>
            c.needsGrad[j]
              ? [`  ${gradName(x)}.set(dy.subarray(${at(j)}, ${at(j)} + ${lengths[j]}), o * ${lengths[j]});`]
              : [],
          ),
          '}',
        ]
      : [];
    return { doc, forward, backward };
  },
});

export const concat = join(false);
export const stack = join(true);

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
  stack,
  transpose,
  sum: reduce(false),
  mean: reduce(true),
} satisfies Partial<Record<OpName, OpEmitter>>;
