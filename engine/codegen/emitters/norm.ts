/**
 * Normalisation layers. layer_norm normalises each sample over its trailing features;
 * batch_norm normalises each channel over the batch (and the pixels) while training and with
 * its running statistics in evaluation, updating them as PyTorch does (unbiased variance).
 * Backward passes recompute the statistics from the input rather than keeping them. dropout is
 * here too: like batch_norm, it behaves differently while training.
 */
import type { EmitCtx, LayerCode, OpEmitter } from '../emitter.js';
import type { OpName } from '../../ops/registry.js';
import { sizeExpr } from '../emitter.js';
import { sizeOfStatic } from '../ir.js';

/** `n * 4` → `(n * 4)`, for a divisor. */
const paren = (e: string): string => (e.includes(' ') ? `(${e})` : e);

const epsOf = (c: EmitCtx): number => (c.attrs['eps'] as number | undefined) ?? 1e-5;

export const layerNorm: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const x = c.inShapes[0]!;
    const weight = c.node.params.find((p) => p.name === 'weight');
    const bias = c.node.params.find((p) => p.name === 'bias');
    const d = weight ? sizeOfStatic(weight.shape) : (x[x.length - 1] as number);
    const rows = `x.length / ${d}`;
    const eps = epsOf(c);
    const stats = [
      `let mean = 0;`,
      `for (let k = 0; k < ${d}; k++) mean += x[r * ${d} + k];`,
      `mean /= ${d};`,
      `let variance = 0;`,
      `for (let k = 0; k < ${d}; k++) variance += (x[r * ${d} + k] - mean) ** 2;`,
      `const rstd = 1 / Math.sqrt(variance / ${d} + ${eps});`,
    ];
    const scaled = (xhat: string): string => `${weight ? `${xhat} * w[k]` : xhat}${bias ? ' + b[k]' : ''}`;
    const forward = [
      ...(weight ? [`const w = ${c.param('weight')};`] : []),
      ...(bias ? [`const b = ${c.param('bias')};`] : []),
      'const y = new Float64Array(x.length);',
      `for (let r = 0; r < ${rows}; r++) {`,
      ...stats.map((l) => `  ${l}`),
      `  for (let k = 0; k < ${d}; k++) y[r * ${d} + k] = ${scaled(`(x[r * ${d} + k] - mean) * rstd`)};`,
      '}',
      'return y;',
    ];
    const needX = c.needsGrad[0];
    const backward = [
      ...(weight ? [`const w = ${c.param('weight')};`] : []),
      ...(needX ? ['const dx = new Float64Array(x.length);'] : []),
      `for (let r = 0; r < ${rows}; r++) {`,
      ...stats.map((l) => `  ${l}`),
      `  // dx = rstd·(dx̂ - mean(dx̂) - x̂·mean(dx̂·x̂)) with dx̂ = dy${weight ? '·w' : ''}`,
      `  let meanDxhat = 0;`,
      `  let meanDxhatXhat = 0;`,
      `  for (let k = 0; k < ${d}; k++) {`,
      `    const i = r * ${d} + k;`,
      `    const xhat = (x[i] - mean) * rstd;`,
      `    const dxhat = dy[i]${weight ? ' * w[k]' : ''};`,
      ...(weight ? ['    grad.weight[k] += dy[i] * xhat;'] : []),
      ...(bias ? ['    grad.bias[k] += dy[i];'] : []),
      `    meanDxhat += dxhat / ${d};`,
      `    meanDxhatXhat += (dxhat * xhat) / ${d};`,
      '  }',
      ...(needX
        ? [
            `  for (let k = 0; k < ${d}; k++) {`,
            `    const i = r * ${d} + k;`,
            `    dx[i] = rstd * (dy[i]${weight ? ' * w[k]' : ''} - meanDxhat - (x[i] - mean) * rstd * meanDxhatXhat);`,
            '  }',
          ]
        : []),
      '}',
    ];
    return {
      doc: `y = (x - mean) / √(var + ${eps})${weight ? ' · weight' : ''}${bias ? ' + bias' : ''}, over the last ${d} values of each sample.`,
      forward,
      backward: needX || weight || bias ? backward : [],
    };
  },
};

export const batchNorm: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const x = c.inShapes[0]!;
    if (x.length < 2 || x[1] === 'N') throw new Error('expects [N, C] or [N, C, …] inputs');
    const ch = x[1] as number;
    const pixels = sizeExpr(x.slice(2));
    const eps = epsOf(c);
    const momentum = (c.attrs['momentum'] as number | undefined) ?? 0.1;
    const stateNames = c.node.state.map((s) => s.name);
    const meanName = stateNames.find((s) => /mean/i.test(s));
    const varName = stateNames.find((s) => /var/i.test(s));
    if (!meanName || !varName) throw new Error('expects running mean and variance state');
    const at = pixels === '1' ? 'b * C + ch' : `(b * C + ch) * ${pixels} + s`;
    const index = at.replace('C', String(ch));
    const count = pixels === '1' ? 'n' : `n * ${pixels}`;
    const eachValue = (body: string[]): string[] =>
      pixels === '1'
        ? [`for (let b = 0; b < n; b++) {`, `  const i = ${index};`, ...body.map((l) => `  ${l}`), '}']
        : [
            `for (let b = 0; b < n; b++) {`,
            `  for (let s = 0; s < ${pixels}; s++) {`,
            `    const i = ${index};`,
            ...body.map((l) => `    ${l}`),
            '  }',
            '}',
          ];
    const batchStats = [
      `let mean = 0;`,
      ...eachValue(['mean += x[i];']),
      `mean /= ${count};`,
      `let variance = 0;`,
      ...eachValue(['variance += (x[i] - mean) ** 2;']),
      `variance /= ${count};`,
    ];
    const forward = [
      `const weight = ${c.param('weight')};`,
      `const bias = ${c.param('bias')};`,
      `const runningMean = ${c.state(meanName)};`,
      `const runningVar = ${c.state(varName)};`,
      'const y = new Float64Array(x.length);',
      `for (let ch = 0; ch < ${ch}; ch++) {`,
      '  let mean = runningMean[ch];',
      '  let variance = runningVar[ch];',
      '  if (training) {',
      ...batchStats.map((l) => `    ${l.replace(/^let /, '')}`),
      `    // Running statistics move towards the batch's (the variance unbiased, as PyTorch keeps it).`,
      `    runningMean[ch] = (1 - ${momentum}) * runningMean[ch] + ${momentum} * mean;`,
      `    runningVar[ch] = (1 - ${momentum}) * runningVar[ch] + ${momentum} * variance * (${paren(count)} / (${count} - 1));`,
      '  }',
      `  const rstd = 1 / Math.sqrt(variance + ${eps});`,
      ...eachValue(['y[i] = (x[i] - mean) * rstd * weight[ch] + bias[ch];']).map((l) => `  ${l}`),
      '}',
      'return y;',
    ];
    const needX = c.needsGrad[0];
    const backward = [
      ...(needX ? [`const weight = ${c.param('weight')};`, 'const dx = new Float64Array(x.length);'] : []),
      `for (let ch = 0; ch < ${ch}; ch++) {`,
      ...batchStats.map((l) => `  ${l}`),
      `  const rstd = 1 / Math.sqrt(variance + ${eps});`,
      `  // dx = w·rstd·(dy - mean(dy) - x̂·mean(dy·x̂)) over the channel's ${count} values`,
      '  let sumDy = 0;',
      '  let sumDyXhat = 0;',
      ...eachValue([
        'const xhat = (x[i] - mean) * rstd;',
        'sumDy += dy[i];',
        'sumDyXhat += dy[i] * xhat;',
      ]).map((l) => `  ${l}`),
      '  grad.weight[ch] += sumDyXhat;',
      '  grad.bias[ch] += sumDy;',
      ...(needX
        ? [
            `  const meanDy = sumDy / ${paren(count)};`,
            `  const meanDyXhat = sumDyXhat / ${paren(count)};`,
            ...eachValue([
              `dx[i] = weight[ch] * rstd * (dy[i] - meanDy - (x[i] - mean) * rstd * meanDyXhat);`,
            ]).map((l) => `  ${l}`),
          ]
        : []),
      '}',
    ];
    return {
      doc:
        `per channel: y = (x - mean) / √(var + ${eps}) · weight + bias, with the batch's statistics while ` +
        `training (gradients below are for that mode) and the running ones in evaluation.`,
      forward,
      backward,
    };
  },
};

/**
 * group_norm and instance_norm (one group per channel): each sample's group of channels is a
 * contiguous block of the [N, C, ...] layout, normalised like a layer_norm row; the weight and
 * bias (when affine) are per channel.
 */
export const sampleNorm = (groupsOf: (c: EmitCtx) => number): OpEmitter => ({
  emit(c: EmitCtx): LayerCode {
    const x = c.inShapes[0]!;
    const ch = x[1] as number;
    const rest = sizeOfStatic(x.slice(2) as number[]);
    const groups = groupsOf(c);
    const size = (ch / groups) * rest;
    const affine = c.attrs['affine'] === true;
    const eps = epsOf(c);
    const channel = `(r % ${groups}) * ${ch / groups} + ${rest === 1 ? 'k' : `Math.floor(k / ${rest})`}`;
    const stats = [
      `let mean = 0;`,
      `for (let k = 0; k < ${size}; k++) mean += x[r * ${size} + k];`,
      `mean /= ${size};`,
      `let variance = 0;`,
      `for (let k = 0; k < ${size}; k++) variance += (x[r * ${size} + k] - mean) ** 2;`,
      `const rstd = 1 / Math.sqrt(variance / ${size} + ${eps});`,
    ];
    const forward = [
      ...(affine ? [`const w = ${c.param('weight')};`, `const b = ${c.param('bias')};`] : []),
      'const y = new Float64Array(x.length);',
      `for (let r = 0; r < x.length / ${size}; r++) {`,
      ...stats.map((l) => `  ${l}`),
      `  for (let k = 0; k < ${size}; k++) {`,
      `    const xhat = (x[r * ${size} + k] - mean) * rstd;`,
      ...(affine ? [`    const ch = ${channel};`] : []),
      `    y[r * ${size} + k] = ${affine ? 'xhat * w[ch] + b[ch]' : 'xhat'};`,
      '  }',
      '}',
      'return y;',
    ];
    const needX = c.needsGrad[0];
    const backward = [
      ...(affine ? [`const w = ${c.param('weight')};`] : []),
      ...(needX ? ['const dx = new Float64Array(x.length);'] : []),
      `for (let r = 0; r < x.length / ${size}; r++) {`,
      ...stats.map((l) => `  ${l}`),
      `  // dx = rstd·(dx̂ - mean(dx̂) - x̂·mean(dx̂·x̂)) with dx̂ = dy${affine ? '·w' : ''}`,
      `  let meanDxhat = 0;`,
      `  let meanDxhatXhat = 0;`,
      `  for (let k = 0; k < ${size}; k++) {`,
      `    const i = r * ${size} + k;`,
      `    const xhat = (x[i] - mean) * rstd;`,
      ...(affine
        ? [
            `    const ch = ${channel};`,
            `    const dxhat = dy[i] * w[ch];`,
            '    grad.weight[ch] += dy[i] * xhat;',
            '    grad.bias[ch] += dy[i];',
          ]
        : ['    const dxhat = dy[i];']),
      `    meanDxhat += dxhat / ${size};`,
      `    meanDxhatXhat += (dxhat * xhat) / ${size};`,
      '  }',
      ...(needX
        ? [
            `  for (let k = 0; k < ${size}; k++) {`,
            `    const i = r * ${size} + k;`,
            ...(affine ? [`    const ch = ${channel};`] : []),
            `    dx[i] = rstd * (dy[i]${affine ? ' * w[ch]' : ''} - meanDxhat - (x[i] - mean) * rstd * meanDxhatXhat);`,
            '  }',
          ]
        : []),
      '}',
    ];
    return {
      doc: `y = (x - mean) / √(var + ${eps})${affine ? ' · weight + bias (per channel)' : ''}, statistics per sample over ${groups === ch ? 'each channel' : `each of ${groups} groups of ${ch / groups} channels`}.`,
      forward,
      backward: needX || affine ? backward : [],
    };
  },
});

/** dropout: the mask is drawn by the caller while training (see LayerCode.mask); identity otherwise. */
export const dropout: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const p = c.attrs['p'] as number;
    c.helper('random');
    return {
      doc: `while training, each value is zeroed with probability ${p} and the rest scaled by 1/(1 - ${p}); identity in evaluation.`,
      forward: [
        'if (!mask) return x;',
        'const y = new Float64Array(x.length);',
        'for (let i = 0; i < x.length; i++) y[i] = x[i] * mask[i];',
        'return y;',
      ],
      backward: c.needsGrad[0]
        ? [
            'const dx = new Float64Array(dy.length);',
            'for (let i = 0; i < dy.length; i++) dx[i] = dy[i] * mask[i];',
          ]
        : [],
      mask: `${c.helper('dropoutMask')}(${sizeExpr(c.outShape)}, ${p})`,
    };
  },
};

export const NORM_EMITTERS = {
  layer_norm: layerNorm,
  batch_norm: batchNorm,
  group_norm: sampleNorm((c) => c.attrs['num_groups'] as number),
  instance_norm: sampleNorm((c) => c.inShapes[0]![1] as number),
  dropout,
} satisfies Partial<Record<OpName, OpEmitter>>;
