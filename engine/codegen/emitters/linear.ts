/** Matrix products: linear (y = x·Wᵀ + b over the last axis, W [out, in] as PyTorch) and matmul. */
import type { EmitCtx, LayerCode, OpEmitter } from '../emitter.js';
import { batchLoops, sizeExpr } from '../emitter.js';
import type { SymShape } from '../ir.js';

/** `i * 16 + k`, without the `* 1` and `+ 0` a person would not write. */
function at(row: string, width: number, col: string): string {
  if (row === '0') return col;
  const base = width === 1 ? row : `${row} * ${width}`;
  return col === '0' ? base : `${base} + ${col}`;
}

export const linear: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const x = c.inShapes[0]!;
    const fin = x[x.length - 1] as number;
    const fout = c.outShape[c.outShape.length - 1] as number;
    const rows = sizeExpr(x.slice(0, -1));
    const hasBias = c.node.params.some((p) => p.name === 'bias');
    const doc = `y = x·Wᵀ${hasBias ? ' + b' : ''}, W [${fout}, ${fin}]${hasBias ? `, b [${fout}]` : ''}.`;
    // Loops of one iteration are left out: their index is 0.
    const o = fout === 1 ? '0' : 'o';
    const k = fin === 1 ? '0' : 'k';
    const loop = (v: string, size: number, body: string[]): string[] =>
      size === 1 ? body : [`for (let ${v} = 0; ${v} < ${size}; ${v}++) {`, ...body.map((l) => `  ${l}`), '}'];
    const inner = (line: string): string[] =>
      fin === 1 ? [line] : [`for (let k = 0; k < ${fin}; k++) ${line}`];
    const forward = [
      `const w = ${c.param('weight')};`,
      ...(hasBias ? [`const b = ${c.param('bias')};`] : []),
      `const y = new Float64Array(${sizeExpr(c.outShape)});`,
      `for (let i = 0; i < ${rows}; i++) {`,
      ...loop('o', fout, [
        `let sum = ${hasBias ? `b[${o}]` : '0'};`,
        ...inner(`sum += x[${at('i', fin, k)}] * w[${at(o, fin, k)}];`),
        `y[${at('i', fout, o)}] = sum;`,
      ]).map((l) => `  ${l}`),
      '}',
      'return y;',
    ];
    const needX = c.needsGrad[0];
    const what = ['dW = dyᵀ·x', ...(hasBias ? ['db = Σ dy over rows'] : []), ...(needX ? ['dx = dy·W'] : [])];
    const backward = [
      ...(needX ? [`const w = ${c.param('weight')};`, `const dx = new Float64Array(x.length);`] : []),
      `// ${what.join(', ')}`,
      `for (let i = 0; i < ${rows}; i++) {`,
      ...loop('o', fout, [
        `const g = dy[${at('i', fout, o)}];`,
        ...(hasBias ? [`grad.bias[${o}] += g;`] : []),
        ...loop('k', fin, [
          `grad.weight[${at(o, fin, k)}] += g * x[${at('i', fin, k)}];`,
          ...(needX ? [`dx[${at('i', fin, k)}] += g * w[${at(o, fin, k)}];`] : []),
        ]),
      ]).map((l) => `  ${l}`),
      '}',
    ];
    return { doc, forward, backward };
  },
};

/**
 * matmul as torch.matmul: a [..., m, k] · b [..., k, n], the batch axes broadcast (a 1-D a is a
 * row, a 1-D b a column). One loop per batch axis finds where each batch's matrices start.
 */
export const matmul: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const [sa, sb] = c.inShapes as [SymShape, SymShape];
    const dim = (d: SymShape[number]): string => (d === 'N' ? 'n' : String(d));
    const a2 = sa.length === 1 ? [1, sa[0]!] : sa;
    const b2 = sb.length === 1 ? [sb[0]!, 1] : sb;
    const [m, k] = [dim(a2[a2.length - 2]!), dim(a2[a2.length - 1]!)];
    const nn = dim(b2[b2.length - 1]!);
    const aBatch = a2.slice(0, -2),
      bBatch = b2.slice(0, -2);
    const rank = Math.max(aBatch.length, bBatch.length);
    const [am, ak] = a2.slice(-2),
      bn = b2[b2.length - 1]!;
    const loops = batchLoops(
      [
        { batch: aBatch, matrix: [am!, ak!] },
        { batch: bBatch, matrix: [ak!, bn] },
      ],
      [am!, bn],
    );
    const { open, close, indent: ind } = loops;
    const [ao, bo, outOff] = loops.starts as [string, string, string];
    const [pa, pb] = loops.padded as [SymShape, SymShape];
    const offsets = rank
      ? [`${ind}const ao = ${ao};`, `${ind}const bo = ${bo};`, `${ind}const yo = ${outOff};`]
      : [];
    // A single product (no batch axes) indexes from 0.
    const [A, B, Y] = rank ? ['ao + ', 'bo + ', 'yo + '] : ['', '', ''];
    const [needA, needB] = c.needsGrad;
    const forward = [
      `const y = new Float64Array(${sizeExpr(c.outShape)});`,
      ...open,
      ...offsets,
      `${ind}for (let i = 0; i < ${m}; i++) {`,
      `${ind}  for (let j = 0; j < ${nn}; j++) {`,
      `${ind}    let sum = 0;`,
      `${ind}    for (let p = 0; p < ${k}; p++) sum += a[${A}i * ${k} + p] * b[${B}p * ${nn} + j];`,
      `${ind}    y[${Y}i * ${nn} + j] = sum;`,
      `${ind}  }`,
      `${ind}}`,
      ...close,
      'return y;',
    ];
    const backward =
      needA || needB
        ? [
            '// da = dy·bᵀ, db = aᵀ·dy (summed over the batches an operand was broadcast along)',
            ...(needA ? ['const da = new Float64Array(a.length);'] : []),
            ...(needB ? ['const db = new Float64Array(b.length);'] : []),
            ...open,
            ...offsets,
            `${ind}for (let i = 0; i < ${m}; i++) {`,
            `${ind}  for (let j = 0; j < ${nn}; j++) {`,
            `${ind}    const g = dy[${Y}i * ${nn} + j];`,
            `${ind}    for (let p = 0; p < ${k}; p++) {`,
            ...(needA ? [`${ind}      da[${A}i * ${k} + p] += g * b[${B}p * ${nn} + j];`] : []),
            ...(needB ? [`${ind}      db[${B}p * ${nn} + j] += g * a[${A}i * ${k} + p];`] : []),
            `${ind}    }`,
            `${ind}  }`,
            `${ind}}`,
            ...close,
          ]
        : [];
    const doc =
      rank === 0
        ? `y = a·b, a [${m}, ${k}], b [${k}, ${nn}].`
        : `y = a·b per batch, a [${pa.map(dim).join(', ')}, ${m}, ${k}], b [${pb.map(dim).join(', ')}, ${k}, ${nn}].`;
    return { doc, forward, backward };
  },
};
