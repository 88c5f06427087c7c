/** linear: y = x·Wᵀ + b over the last axis, W stored [out, in] (PyTorch's layout). */
import type { EmitCtx, LayerCode, OpEmitter } from '../emitter.js';
import { sizeExpr } from '../emitter.js';

export const linear: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const x = c.inShapes[0]!;
    const fin = x[x.length - 1] as number;
    const fout = c.outShape[c.outShape.length - 1] as number;
    const rows = sizeExpr(x.slice(0, -1));
    const hasBias = c.node.params.some((p) => p.name === 'bias');
    const w = c.param('weight');
    const b = c.param('bias');
    const doc = `y = x·Wᵀ${hasBias ? ' + b' : ''}, W [${fout}, ${fin}]${hasBias ? `, b [${fout}]` : ''}.`;
    const forward = [
      `const w = ${w};`,
      ...(hasBias ? [`const b = ${b};`] : []),
      `const y = new Float64Array(${rows === '1' ? '' : `${rows} * `}${fout});`,
      `for (let i = 0; i < ${rows}; i++) {`,
      `  for (let o = 0; o < ${fout}; o++) {`,
      `    let sum = ${hasBias ? 'b[o]' : '0'};`,
      `    for (let k = 0; k < ${fin}; k++) sum += x[i * ${fin} + k] * w[o * ${fin} + k];`,
      `    y[i * ${fout} + o] = sum;`,
      '  }',
      '}',
      'return y;',
    ];
    const needX = c.needsGrad[0];
    const backward = [
      ...(needX ? [`const w = ${w};`, `const dx = new Float64Array(x.length);`] : []),
      '// dW = dyᵀ·x, db = Σ dy over rows, dx = dy·W',
      `for (let i = 0; i < ${rows}; i++) {`,
      `  for (let o = 0; o < ${fout}; o++) {`,
      `    const g = dy[i * ${fout} + o];`,
      ...(hasBias ? ['    grad.bias[o] += g;'] : []),
      `    for (let k = 0; k < ${fin}; k++) {`,
      `      grad.weight[o * ${fin} + k] += g * x[i * ${fin} + k];`,
      ...(needX ? [`      dx[i * ${fin} + k] += g * w[o * ${fin} + k];`] : []),
      '    }',
      '  }',
      '}',
    ];
    return { doc, forward, backward };
  },
};
