/**
 * softmax and log_softmax along one axis (`axis`, default the last), computed stably by
 * subtracting each slice's maximum. The slices are [outer, size, inner]: inner is 1 for the last
 * axis, which is what the loops below are written for first.
 */
import type { EmitCtx, LayerCode, OpEmitter } from '../emitter.js';
import { sizeExpr } from '../emitter.js';

function slices(c: EmitCtx): { outer: string; size: number; inner: string; axis: number } {
  const shape = c.inShapes[0]!;
  const raw = typeof c.attrs['axis'] === 'number' ? (c.attrs['axis'] as number) : -1;
  const axis = raw < 0 ? shape.length + raw : raw;
  const size = shape[axis];
  if (typeof size !== 'number')
    throw new Error('softmax over the batch axis is not supported in TypeScript export');
  return { outer: sizeExpr(shape.slice(0, axis)), size, inner: sizeExpr(shape.slice(axis + 1)), axis };
}

function emitSoftmax(c: EmitCtx, log: boolean): LayerCode {
  const { outer, size, inner, axis } = slices(c);
  const at = inner === '1' ? (j: string) => `base + ${j}` : (j: string) => `base + ${j} * ${inner}`;
  const loops = (body: string[]): string[] =>
    inner === '1'
      ? [
          `for (let r = 0; r < ${outer}; r++) {`,
          `  const base = r * ${size};`,
          ...body.map((l) => `  ${l}`),
          '}',
        ]
      : [
          `for (let r = 0; r < ${outer}; r++) {`,
          `  for (let s = 0; s < ${inner}; s++) {`,
          `    const base = r * ${size} * ${inner} + s;`,
          ...body.map((l) => `    ${l}`),
          '  }',
          '}',
        ];
  const doc = log ? `y = x - log Σ exp(x) along axis ${axis}.` : `y = exp(x) / Σ exp(x) along axis ${axis}.`;
  const forward = [
    'const y = new Float64Array(x.length);',
    ...loops([
      `let max = -Infinity;`,
      `for (let j = 0; j < ${size}; j++) max = Math.max(max, x[${at('j')}]);`,
      `let sum = 0;`,
      `for (let j = 0; j < ${size}; j++) sum += Math.exp(x[${at('j')}] - max);`,
      ...(log
        ? [
            `const logSum = max + Math.log(sum);`,
            `for (let j = 0; j < ${size}; j++) y[${at('j')}] = x[${at('j')}] - logSum;`,
          ]
        : [`for (let j = 0; j < ${size}; j++) y[${at('j')}] = Math.exp(x[${at('j')}] - max) / sum;`]),
    ]),
    'return y;',
  ];
  if (!c.needsGrad[0]) return { doc, forward, backward: [] };
  const backward = [
    'const dx = new Float64Array(dy.length);',
    ...loops(
      log
        ? [
            `// dx = dy - softmax(x)·Σ dy`,
            `let total = 0;`,
            `for (let j = 0; j < ${size}; j++) total += dy[${at('j')}];`,
            `for (let j = 0; j < ${size}; j++) dx[${at('j')}] = dy[${at('j')}] - Math.exp(y[${at('j')}]) * total;`,
          ]
        : [
            `// dx = y ⊙ (dy - Σ y·dy)`,
            `let dot = 0;`,
            `for (let j = 0; j < ${size}; j++) dot += y[${at('j')}] * dy[${at('j')}];`,
            `for (let j = 0; j < ${size}; j++) dx[${at('j')}] = y[${at('j')}] * (dy[${at('j')}] - dot);`,
          ],
    ),
  ];
  return { doc, forward, backward };
}

export const softmax: OpEmitter = { emit: (c) => emitSoftmax(c, false) };
export const logSoftmax: OpEmitter = { emit: (c) => emitSoftmax(c, true) };
