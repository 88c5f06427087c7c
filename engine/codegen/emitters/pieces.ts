/**
 * constant (a fixed tensor, the node's state), embedding (rows of a table picked by whole-number indices) and split (one piece of x per output:
 * each of split's outputs is written as its own function, `c.node.output` says which).
 */
import type { EmitCtx, LayerCode, OpEmitter } from '../emitter.js';
import { sizeExpr } from '../emitter.js';

export const embedding: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const num = c.attrs['num'] as number;
    const dim = c.attrs['dim'] as number;
    const row = [
      '  const r = indices[i];',
      `  if (!(Number.isInteger(r) && r >= 0 && r < ${num}))`,
      `    throw new RangeError(\`index \${r} is not a row of the table (0 to ${num - 1})\`);`,
    ];
    return {
      doc: `the rows of the table [${num}, ${dim}] at the indices.`,
      forward: [
        `const w = ${c.param('weight')};`,
        `const y = new Float64Array(indices.length * ${dim});`,
        'for (let i = 0; i < indices.length; i++) {',
        ...row,
        `  y.set(w.subarray(r * ${dim}, (r + 1) * ${dim}), i * ${dim});`,
        '}',
        'return y;',
      ],
      // The indices get no gradient; the picked rows gather dy's.
      backward: [
        'for (let i = 0; i < indices.length; i++) {',
        ...row,
        `  for (let k = 0; k < ${dim}; k++) grad.weight[r * ${dim} + k] += dy[i * ${dim} + k];`,
        '}',
      ],
    };
  },
};

export const split: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const x = c.inShapes[0]!;
    const raw = c.attrs['axis'] as number;
    const axis = raw < 0 ? raw + x.length : raw;
    const k = c.node.output ?? 0;
    const n = x[axis] as number;
    const given = c.attrs['sizes'] as readonly number[];
    const parts = c.attrs['parts'] as number;
    const sizes = given.length ? given : Array<number>(parts).fill(n / parts);
    const start = sizes.slice(0, k).reduce((a, b) => a + b, 0);
    const outer = sizeExpr(x.slice(0, axis));
    const inner = sizeExpr(x.slice(axis + 1));
    const times = (a: number, b: string) => (b === '1' ? String(a) : `${a} * ${b}`);
    const len = times(sizes[k]!, inner);
    const from = `o * ${times(n, inner)} + ${times(start, inner)}`;
    return {
      doc: `piece ${k} of x along axis ${axis}: entries ${start} to ${start + sizes[k]! - 1}.`,
      forward: [
        `const y = new Float64Array(${outer === '1' ? len : `${outer} * ${len}`});`,
        `for (let o = 0; o < ${outer}; o++) y.set(x.subarray(${from}, ${from} + ${len}), o * ${len});`,
        'return y;',
      ],
      backward: c.needsGrad[0]
        ? [
            'const dx = new Float64Array(x.length);',
            `for (let o = 0; o < ${outer}; o++) dx.set(dy.subarray(o * ${len}, (o + 1) * ${len}), ${from});`,
          ]
        : [],
    };
  },
};

/** A fixed tensor: a copy of the node's state (nothing flows back into it). */
export const constant: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const shape = c.attrs['shape'] as readonly number[];
    return {
      doc: `a fixed tensor [${shape.join(', ')}] (the same for every sample).`,
      forward: [`return ${c.state('value')}.slice();`],
      backward: [],
    };
  },
};
