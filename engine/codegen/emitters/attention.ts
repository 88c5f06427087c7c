/**
 * scaled_dot_product_attention: y = softmax(q·kᵀ·scale + mask)·v, one query row at a time (the rows
 * are independent), the batch axes of q, k and v broadcast (a gradient sums over the batches that
 * shared its operand). The backward pass recomputes a row's attention weights p from q and k rather
 * than keeping every batch's T×S weights from the forward pass.
 */
import type { EmitCtx, LayerCode, OpEmitter } from '../emitter.js';
import { batchLoops, sizeExpr } from '../emitter.js';
import type { SymShape } from '../ir.js';

function fixed(d: SymShape[number], what: string): number {
  if (typeof d !== 'number')
    throw new Error(`scaled_dot_product_attention: the ${what} axis must have a fixed size`);
  return d;
}

export const scaledDotProductAttention: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const [qs, ks, vs] = c.inShapes as [SymShape, SymShape, SymShape];
    const r = qs.length;
    const T = fixed(qs[r - 2]!, 'query token');
    const d = fixed(qs[r - 1]!, 'feature');
    const S = fixed(ks[ks.length - 2]!, 'key token');
    const dv = fixed(vs[vs.length - 1]!, 'value feature');
    // The batch axes of q, k and v broadcast: each has its own start per batch.
    const loops = batchLoops(
      [
        { batch: qs.slice(0, -2), matrix: [T, d] },
        { batch: ks.slice(0, -2), matrix: [S, d] },
        { batch: vs.slice(0, -2), matrix: [S, dv] },
      ],
      [T, dv],
    );
    const [qo, ko, vo, yo] = loops.starts as [string, string, string, string];
    const given = c.attrs['scale'] as number | undefined;
    const scale = given ?? 1 / Math.sqrt(d);
    const causal = c.attrs['causal'] === true;
    const keep = causal ? (S === 1 ? '1' : `Math.min(i + 1, ${S})`) : String(S);
    // The row's weights: p[j] = softmax_j(q_i·k_j·scale) over the kept keys.
    const weights = [
      `const keep = ${keep};`,
      'let max = -Infinity;',
      'for (let j = 0; j < keep; j++) {',
      '  let s = 0;',
      `  for (let c = 0; c < ${d}; c++) s += q[qi + c] * k[ko + j * ${d} + c];`,
      `  p[j] = s * ${scale};`,
      '  max = Math.max(max, p[j]);',
      '}',
      'let sum = 0;',
      'for (let j = 0; j < keep; j++) sum += p[j] = Math.exp(p[j] - max);',
      'for (let j = 0; j < keep; j++) p[j] /= sum;',
    ];
    const { open, close, indent } = loops;
    const rows = (body: string[]): string[] => [
      ...open,
      ...Object.entries({ qo, ko, vo, yo }).map(([name, start]) => `${indent}const ${name} = ${start};`),
      `${indent}for (let i = 0; i < ${T}; i++) {`,
      `${indent}  const qi = qo + i * ${d};`,
      `${indent}  const yi = yo + i * ${dv};`,
      ...[...weights, ...body].map((l) => `${indent}  ${l}`),
      `${indent}}`,
      ...close,
    ];
    const forward = [
      `const y = new Float64Array(${sizeExpr(c.outShape)});`,
      `const p = new Float64Array(${S});`,
      ...rows([
        'for (let j = 0; j < keep; j++) {',
        `  for (let c = 0; c < ${dv}; c++) y[yi + c] += p[j] * v[vo + j * ${dv} + c];`,
        '}',
      ]),
      'return y;',
    ];
    const [needQ, needK, needV] = c.needsGrad;
    const doc = `y = softmax(q·kᵀ·${scale}${causal ? ' + causal mask' : ''})·v, q [.., ${T}, ${d}], k [.., ${S}, ${d}], v [.., ${S}, ${dv}].`;
    if (!needQ && !needK && !needV) return { doc, forward, backward: [] };
    const backward = [
      '// dv += pᵀ·dy; ds = p ⊙ (dy·vᵀ − Σ p ⊙ dy·vᵀ)·scale; dq += ds·k; dk += dsᵀ·q (row by row)',
      ...(needQ ? ['const dq = new Float64Array(q.length);'] : []),
      ...(needK ? ['const dk = new Float64Array(k.length);'] : []),
      ...(needV ? ['const dv = new Float64Array(v.length);'] : []),
      `const p = new Float64Array(${S});`,
      `const dp = new Float64Array(${S});`,
      ...rows([
        'let dot = 0;',
        'for (let j = 0; j < keep; j++) {',
        '  let s = 0;',
        `  for (let c = 0; c < ${dv}; c++) {`,
        `    s += dy[yi + c] * v[vo + j * ${dv} + c];`,
        ...(needV ? [`    dv[vo + j * ${dv} + c] += p[j] * dy[yi + c];`] : []),
        '  }',
        '  dp[j] = s;',
        '  dot += s * p[j];',
        '}',
        ...(needQ || needK
          ? [
              'for (let j = 0; j < keep; j++) {',
              `  const ds = p[j] * (dp[j] - dot) * ${scale};`,
              `  for (let c = 0; c < ${d}; c++) {`,
              ...(needQ ? [`    dq[qi + c] += ds * k[ko + j * ${d} + c];`] : []),
              ...(needK ? [`    dk[ko + j * ${d} + c] += ds * q[qi + c];`] : []),
              '  }',
              '}',
            ]
          : []),
      ]),
    ];
    return { doc, forward, backward };
  },
};
