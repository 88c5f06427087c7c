/**
 * scaled_dot_product_attention: y = softmax(q·kᵀ·scale + mask)·v, one query row at a time (the rows
 * are independent). The backward pass recomputes a row's attention weights p from q and k rather
 * than keeping every batch's T×S weights from the forward pass.
 */
import type { EmitCtx, LayerCode, OpEmitter } from '../emitter.js';
import { sizeExpr } from '../emitter.js';
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
    const S = fixed(ks[r - 2]!, 'key token');
    const dv = fixed(vs[r - 1]!, 'value feature');
    const batches = sizeExpr(qs.slice(0, -2));
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
      `  for (let c = 0; c < ${d}; c++) s += q[qi + c] * k[(kb + j) * ${d} + c];`,
      `  p[j] = s * ${scale};`,
      '  max = Math.max(max, p[j]);',
      '}',
      'let sum = 0;',
      'for (let j = 0; j < keep; j++) sum += p[j] = Math.exp(p[j] - max);',
      'for (let j = 0; j < keep; j++) p[j] /= sum;',
    ];
    const rows = (body: string[]): string[] => [
      `for (let b = 0; b < ${batches}; b++) {`,
      `  const kb = b * ${S};`,
      `  for (let i = 0; i < ${T}; i++) {`,
      `    const qi = (b * ${T} + i) * ${d};`,
      `    const yi = (b * ${T} + i) * ${dv};`,
      ...[...weights, ...body].map((l) => `    ${l}`),
      '  }',
      '}',
    ];
    const forward = [
      `const y = new Float64Array(${sizeExpr(c.outShape)});`,
      `const p = new Float64Array(${S});`,
      ...rows([
        'for (let j = 0; j < keep; j++) {',
        `  for (let c = 0; c < ${dv}; c++) y[yi + c] += p[j] * v[(kb + j) * ${dv} + c];`,
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
        `    s += dy[yi + c] * v[(kb + j) * ${dv} + c];`,
        ...(needV ? [`    dv[(kb + j) * ${dv} + c] += p[j] * dy[yi + c];`] : []),
        '  }',
        '  dp[j] = s;',
        '  dot += s * p[j];',
        '}',
        ...(needQ || needK
          ? [
              'for (let j = 0; j < keep; j++) {',
              `  const ds = p[j] * (dp[j] - dot) * ${scale};`,
              `  for (let c = 0; c < ${d}; c++) {`,
              ...(needQ ? [`    dq[qi + c] += ds * k[(kb + j) * ${d} + c];`] : []),
              ...(needK ? [`    dk[(kb + j) * ${d} + c] += ds * q[qi + c];`] : []),
              '  }',
              '}',
            ]
          : []),
      ]),
    ];
    return { doc, forward, backward };
  },
};
