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

const dimOf = (d: SymShape[number]): string => (d === 'N' ? 'n' : String(d));
const term = (v: string, stride: string): string => (stride === '1' ? v : `${v} * ${stride}`);
const sum = (terms: string[]): string => terms.filter((t) => t !== '').join(' + ') || '0';

/** Nested loops over a shape's axes (index variables `${v}0`, `${v}1`, …) around a body. */
function nest(shape: SymShape, body: string[], v = 'i'): string[] {
  return [
    ...shape.map((d, a) => `${'  '.repeat(a)}for (let ${v}${a} = 0; ${v}${a} < ${dimOf(d)}; ${v}${a}++) {`),
    ...body.map((l) => `${'  '.repeat(shape.length)}${l}`),
    ...shape.map((_, a) => `${'  '.repeat(shape.length - 1 - a)}}`),
  ];
}

/** The row-major flat index of a shape's loop variables. */
const flatIndex = (shape: SymShape, v = 'i'): string =>
  sum(shape.map((_, a) => term(`${v}${a}`, sizeExpr(shape.slice(a + 1)))));

/**
 * A gather: one loop per output axis; output coordinate i_a reads input offset `at(a, 'i<a>')`
 * (summed over the axes; '' for none). The gradient scatters back (+=): expand and tile read an
 * element several times.
 */
function gather(c: EmitCtx, doc: string, at: (axis: number, v: string) => string): LayerCode {
  const out = c.outShape;
  const from = sum(out.map((_, a) => at(a, `i${a}`)));
  const to = flatIndex(out);
  return {
    doc,
    forward: [
      'const y = new Float64Array(' + sizeExpr(out) + ');',
      ...nest(out, [`y[${to}] = x[${from}];`]),
      'return y;',
    ],
    backward: c.needsGrad[0]
      ? ['const dx = new Float64Array(x.length);', ...nest(out, [`dx[${from}] += dy[${to}];`])]
      : [],
  };
}

/** The permuted-axes gather of transpose and swapaxes: output axis a is input axis perm[a]. */
function permuted(c: EmitCtx, perm: readonly number[], doc: string): LayerCode {
  const x = c.inShapes[0]!;
  return gather(c, doc, (a, v) => term(v, sizeExpr(x.slice(perm[a]! + 1))));
}

const normalise = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** transpose: output axis i is input axis perm[i] (default: all axes reversed). */
export const transpose: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const x = c.inShapes[0]!;
    const given = (c.attrs['perm'] as readonly number[] | undefined) ?? [];
    const perm = given.length ? given : x.map((_, i) => x.length - 1 - i);
    return permuted(c, perm, `output axis i is input axis [${perm.join(', ')}][i].`);
  },
};

export const swapaxes: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const rank = c.inShapes[0]!.length;
    const [a, b] = [c.attrs['axis0'] as number, c.attrs['axis1'] as number].map((v) => normalise(v, rank));
    const perm = Array.from({ length: rank }, (_, i) => (i === a ? b! : i === b ? a! : i));
    return permuted(c, perm, `axes ${a} and ${b} swapped.`);
  },
};

/** slice: x[start:end:step] on the given axes (Python's clamping, worked out here). */
export const slice: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const x = c.inShapes[0]!;
    const list = (k: string) => c.attrs[k] as readonly number[];
    const start = x.map(() => 0),
      step = x.map(() => 1);
    list('axes').forEach((raw, i) => {
      const a = normalise(raw, x.length);
      const d = x[a];
      if (typeof d !== 'number')
        throw new Error('slicing the batch axis is not supported in TypeScript export');
      const s = list('starts')[i]!;
      start[a] = Math.min(Math.max(s < 0 ? s + d : s, 0), d);
      step[a] = list('steps')[i] ?? 1;
    });
    const parts = list('axes').map(
      (raw, i) => `${list('starts')[i]}:${list('ends')[i]}:${step[normalise(raw, x.length)]}`,
    );
    return gather(c, `x[${parts.join(', ')}] on axes [${list('axes').join(', ')}].`, (a, v) => {
      const index = start[a] === 0 && step[a] === 1 ? v : `(${start[a]} + ${term(v, String(step[a]))})`;
      return term(index, sizeExpr(x.slice(a + 1)));
    });
  },
};

/** expand: axes of size 1 (and new leading ones) repeated; their input stride is 0. */
export const expand: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const x = c.inShapes[0]!;
    const lead = c.outShape.length - x.length;
    return gather(c, `x broadcast to [${c.outShape.map(dimOf).join(', ')}].`, (a, v) => {
      const own = x[a - lead];
      return own === undefined || (own === 1 && c.outShape[a] !== 1)
        ? ''
        : term(v, sizeExpr(x.slice(a - lead + 1)));
    });
  },
};

/** tile: output coordinate i reads x at i mod x's size on each axis (reps aligned to the last axes). */
export const tile: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const x = c.inShapes[0]!;
    const lead = c.outShape.length - x.length;
    return gather(
      c,
      `x repeated [${(c.attrs['reps'] as readonly number[]).join(', ')}] times along its axes.`,
      (a, v) => {
        const own = x[a - lead];
        if (own === undefined) return '';
        const index = c.outShape[a] === own ? v : `(${v} % ${dimOf(own)})`;
        return term(index, sizeExpr(x.slice(a - lead + 1)));
      },
    );
  },
};

/** The reduced axes of a reduction's `axis` attribute (absent or []: all). */
function reducedAxes(x: SymShape, axis: unknown): Set<number> {
  const list = axis === undefined ? [] : typeof axis === 'number' ? [axis] : (axis as readonly number[]);
  return new Set(list.length ? list.map((a) => normalise(a, x.length)) : x.map((_, i) => i));
}

/**
 * The loops of a reduction: over every axis of x; `inAt` is the element's flat index, `outAt`
 * the output's (the kept axes' coordinates, row-major), `n` the count reduced into each output.
 */
function reductionParts(c: EmitCtx, axes: Set<number>) {
  const x = c.inShapes[0]!;
  const kept = x.filter((_, a) => !axes.has(a));
  const keptVars = x.flatMap((_, a) => (axes.has(a) ? [] : [`i${a}`]));
  return {
    x,
    inAt: flatIndex(x),
    outAt: sum(keptVars.map((v, k) => term(v, sizeExpr(kept.slice(k + 1))))),
    outSize: sizeExpr(kept),
    n: sizeExpr(x.filter((_, a) => axes.has(a))),
  };
}

const paren = (e: string): string => (/[ ]/.test(e) ? `(${e})` : e);

/** sum, mean, max, min, var and std over the chosen axes (all when absent). */
function reduce(kind: 'sum' | 'mean' | 'max' | 'min' | 'var' | 'std'): OpEmitter {
  return {
    emit(c: EmitCtx): LayerCode {
      const axes = reducedAxes(c.inShapes[0]!, c.attrs['axis']);
      const { x, inAt, outAt, outSize, n } = reductionParts(c, axes);
      const where = `over axes [${[...axes].join(', ')}]`;
      const loop = (body: string[]) => nest(x, body);
      if (kind === 'sum' || kind === 'mean') {
        const scale = kind === 'mean' ? ` / ${paren(n)}` : '';
        return {
          doc: `${kind} ${where}.`,
          forward: [
            `const y = new Float64Array(${outSize});`,
            ...loop([`y[${outAt}] += x[${inAt}];`]),
            ...(kind === 'mean' ? [`for (let k = 0; k < y.length; k++) y[k] /= ${paren(n)};`] : []),
            'return y;',
          ],
          backward: c.needsGrad[0]
            ? ['const dx = new Float64Array(x.length);', ...loop([`dx[${inAt}] = dy[${outAt}]${scale};`])]
            : [],
        };
      }
      if (kind === 'max' || kind === 'min') {
        const [start, cmp] = kind === 'max' ? ['-Infinity', '>'] : ['Infinity', '<'];
        return {
          doc: `${kind} ${where}; the gradient goes to the first element picked.`,
          forward: [
            `const y = new Float64Array(${outSize}).fill(${start});`,
            ...loop([`if (x[${inAt}] ${cmp} y[${outAt}]) y[${outAt}] = x[${inAt}];`]),
            'return y;',
          ],
          backward: c.needsGrad[0]
            ? [
                'const dx = new Float64Array(x.length);',
                `const taken = new Uint8Array(${outSize});`,
                ...loop([
                  `if (!taken[${outAt}] && x[${inAt}] === y[${outAt}]) {`,
                  `  dx[${inAt}] = dy[${outAt}];`,
                  `  taken[${outAt}] = 1;`,
                  '}',
                ]),
              ]
            : [],
        };
      }
      const divisor = `(${n} - ${c.attrs['correction'] as number})`;
      const means = [
        `const mean = new Float64Array(${outSize});`,
        ...loop([`mean[${outAt}] += x[${inAt}];`]),
        `for (let k = 0; k < mean.length; k++) mean[k] /= ${paren(n)};`,
      ];
      const grad =
        kind === 'var'
          ? `(2 * dy[${outAt}] * (x[${inAt}] - mean[${outAt}])) / ${divisor}`
          : `(dy[${outAt}] * (x[${inAt}] - mean[${outAt}])) / (${divisor} * y[${outAt}])`;
      return {
        doc: `${kind} ${where}: Σ (x - mean)² / (n - ${c.attrs['correction'] as number})${kind === 'std' ? ', square-rooted' : ''}.`,
        forward: [
          ...means,
          `const y = new Float64Array(${outSize});`,
          ...loop([`const d = x[${inAt}] - mean[${outAt}];`, `y[${outAt}] += d * d;`]),
          `for (let k = 0; k < y.length; k++) y[k] = ${kind === 'std' ? `Math.sqrt(y[k] / ${divisor})` : `y[k] / ${divisor}`};`,
          'return y;',
        ],
        backward: c.needsGrad[0]
          ? [...means, 'const dx = new Float64Array(x.length);', ...loop([`dx[${inAt}] = ${grad};`])]
          : [],
      };
    },
  };
}

/** argmax: the index of the first largest element along the axis (of the flattened x when absent). */
export const argmax: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const x = c.inShapes[0]!;
    const raw = c.attrs['axis'] as number | undefined;
    const { inAt, outAt, outSize } = reductionParts(c, reducedAxes(x, raw));
    const position = raw === undefined ? inAt : `i${normalise(raw, x.length)}`;
    return {
      doc: `index of the largest element ${raw === undefined ? 'of the flattened x' : `along axis ${raw}`}; nothing flows back.`,
      forward: [
        `const y = new Float64Array(${outSize}).fill(-1);`,
        `const best = new Float64Array(${outSize}).fill(-Infinity);`,
        ...nest(x, [
          `if (y[${outAt}] === -1 || x[${inAt}] > best[${outAt}]) {`,
          `  best[${outAt}] = x[${inAt}];`,
          `  y[${outAt}] = ${position};`,
          '}',
        ]),
        'return y;',
      ],
      backward: [],
    };
  },
};

export const SHAPE_EMITTERS = {
  reshape: sameOrder('the same values under a new shape'),
  flatten: sameOrder('[N, …] as [N, everything else]'),
  squeeze: sameOrder('size-1 axes dropped'),
  unsqueeze: sameOrder('a size-1 axis inserted'),
  concat,
  stack,
  transpose,
  swapaxes,
  slice,
  expand,
  tile,
  sum: reduce('sum'),
  mean: reduce('mean'),
  max: reduce('max'),
  min: reduce('min'),
  var: reduce('var'),
  std: reduce('std'),
  argmax,
} satisfies Partial<Record<OpName, OpEmitter>>;
