/** Matrix products: linear (y = x·Wᵀ + b over the last axis, W [out, in] as PyTorch) and matmul. */
import type { EmitCtx, LayerCode, OpEmitter } from '../emitter.js';
import { sizeExpr } from '../emitter.js';
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

/** matmul: y = a·b for a [m, k] and b [k, n] (either may have the batch size as a dimension). */
export const matmul: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const [sa, sb] = c.inShapes as [SymShape, SymShape];
    const dim = (d: SymShape[number]): string => (d === 'N' ? 'n' : String(d));
    const [m, k] = [dim(sa[0]!), dim(sa[1]!)];
    const nn = dim(sb[1]!);
    const [needA, needB] = c.needsGrad;
    const forward = [
      `const y = new Float64Array(${m} * ${nn});`,
      `for (let i = 0; i < ${m}; i++) {`,
      `  for (let j = 0; j < ${nn}; j++) {`,
      '    let sum = 0;',
      `    for (let p = 0; p < ${k}; p++) sum += a[i * ${k} + p] * b[p * ${nn} + j];`,
      `    y[i * ${nn} + j] = sum;`,
      '  }',
      '}',
      'return y;',
    ];
    const backward =
      needA || needB
        ? [
            '// da = dy·bᵀ, db = aᵀ·dy',
            ...(needA ? ['const da = new Float64Array(a.length);'] : []),
            ...(needB ? ['const db = new Float64Array(b.length);'] : []),
            `for (let i = 0; i < ${m}; i++) {`,
            `  for (let j = 0; j < ${nn}; j++) {`,
            `    const g = dy[i * ${nn} + j];`,
            `    for (let p = 0; p < ${k}; p++) {`,
            ...(needA ? [`      da[i * ${k} + p] += g * b[p * ${nn} + j];`] : []),
            ...(needB ? [`      db[p * ${nn} + j] += g * a[i * ${k} + p];`] : []),
            '    }',
            '  }',
            '}',
          ]
        : [];
    return { doc: `y = a·b, a [${m}, ${k}], b [${k}, ${nn}].`, forward, backward };
  },
};
