/**
 * Losses: a scalar from predictions and targets, averaged over the batch (reduction 'mean', the
 * default) or summed ('sum'). The backward body scales by dy[0], the gradient of the loss itself.
 */
import type { EmitCtx, LayerCode, OpEmitter } from '../emitter.js';
import { sizeExpr } from '../emitter.js';

/** The divisor of the reduction as an expression ('1' for sum). */
function reduction(
  c: EmitCtx,
  count: string,
): { divide: (e: string) => string; scale: string; name: string } {
  const r = (c.attrs['reduction'] as string | undefined) ?? 'mean';
  if (r !== 'mean' && r !== 'sum') throw new Error(`reduction '${r}' is not supported in TypeScript export`);
  if (r === 'sum') return { divide: (e) => e, scale: 'dy[0]', name: 'sum' };
  return { divide: (e) => `${e} / ${count}`, scale: `dy[0] / ${count}`, name: 'mean' };
}

export const crossEntropy: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const logits = c.inShapes[0]!;
    if (logits.length > 2) return crossEntropyPerPosition(c);
    if (logits.length !== 2) throw new Error('cross_entropy export expects logits [N, classes]');
    const classes = logits[1] as number;
    const smoothing = (c.attrs['label_smoothing'] as number | undefined) ?? 0;
    if (smoothing !== 0) throw new Error('label_smoothing is not supported in TypeScript export');
    const rows = sizeExpr(logits.slice(0, 1));
    const red = reduction(c, rows);
    const [lp, tp] = c.inputs as [string, string];
    const forward = [
      'let total = 0;',
      `for (let i = 0; i < ${rows}; i++) {`,
      `  const row = ${lp}.subarray(i * ${classes}, (i + 1) * ${classes});`,
      '  const max = Math.max(...row);',
      '  let sum = 0;',
      '  for (const v of row) sum += Math.exp(v - max);',
      `  total += max + Math.log(sum) - row[${tp}[i]];`,
      '}',
      `return Float64Array.of(${red.divide('total')});`,
    ];
    const backward = c.needsGrad[0]
      ? [
          `// d${lp} = (softmax(${lp}) - onehot(${tp})) · dLoss${red.name === 'mean' ? ' / N' : ''}`,
          `const scale = ${red.scale};`,
          `const d${lp} = new Float64Array(${lp}.length);`,
          `for (let i = 0; i < ${rows}; i++) {`,
          `  const row = ${lp}.subarray(i * ${classes}, (i + 1) * ${classes});`,
          '  const max = Math.max(...row);',
          '  let sum = 0;',
          '  for (const v of row) sum += Math.exp(v - max);',
          `  for (let j = 0; j < ${classes}; j++) d${lp}[i * ${classes} + j] = (Math.exp(row[j] - max) / sum) * scale;`,
          `  d${lp}[i * ${classes} + ${tp}[i]] -= scale;`,
          '}',
        ]
      : [];
    return { doc: `-log softmax(${lp})[${tp}], ${red.name} over the batch.`, forward, backward };
  },
};

/**
 * cross_entropy with a label per position: logits [N, C, d…] (classes on axis 1, as torch), target
 * [N, d…]; class j of position s in sample i is at (i·C + j)·positions + s.
 */
function crossEntropyPerPosition(c: EmitCtx): LayerCode {
  const logits = c.inShapes[0]!;
  const classes = logits[1] as number;
  const rows = sizeExpr(logits.slice(0, 1));
  const positions = sizeExpr(logits.slice(2));
  const red = reduction(c, `(${rows} * ${positions})`);
  const [lp, tp] = c.inputs as [string, string];
  const open = [
    `for (let i = 0; i < ${rows}; i++) {`,
    `  for (let s = 0; s < ${positions}; s++) {`,
    `    const at = i * ${classes} * ${positions} + s;`,
    '    let max = -Infinity;',
    `    for (let j = 0; j < ${classes}; j++) max = Math.max(max, ${lp}[at + j * ${positions}]);`,
    '    let sum = 0;',
    `    for (let j = 0; j < ${classes}; j++) sum += Math.exp(${lp}[at + j * ${positions}] - max);`,
    `    const label = ${tp}[i * ${positions} + s];`,
  ];
  const forward = [
    'let total = 0;',
    ...open,
    `    total += max + Math.log(sum) - ${lp}[at + label * ${positions}];`,
    '  }',
    '}',
    `return Float64Array.of(${red.divide('total')});`,
  ];
  const backward = c.needsGrad[0]
    ? [
        `// d${lp} = (softmax over the classes - onehot(${tp})) · dLoss${red.name === 'mean' ? ' / (N · positions)' : ''}`,
        `const scale = ${red.scale};`,
        `const d${lp} = new Float64Array(${lp}.length);`,
        ...open,
        `    for (let j = 0; j < ${classes}; j++) d${lp}[at + j * ${positions}] = (Math.exp(${lp}[at + j * ${positions}] - max) / sum) * scale;`,
        `    d${lp}[at + label * ${positions}] -= scale;`,
        '  }',
        '}',
      ]
    : [];
  return {
    doc: `-log softmax over axis 1 of ${lp} at each position's label, ${red.name} over the batch and positions.`,
    forward,
    backward,
  };
}

export const mseLoss: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const [pp, tp] = c.inputs as [string, string];
    const red = reduction(c, `${pp}.length`);
    const forward = [
      'let total = 0;',
      `for (let i = 0; i < ${pp}.length; i++) total += (${pp}[i] - ${tp}[i]) ** 2;`,
      `return Float64Array.of(${red.divide('total')});`,
    ];
    const [needP, needT] = c.needsGrad;
    const backward =
      needP || needT
        ? [
            `const scale = ${red.name === 'mean' ? `(2 * dy[0]) / ${pp}.length` : '2 * dy[0]'};`,
            ...(needP ? [`const d${pp} = new Float64Array(${pp}.length);`] : []),
            ...(needT ? [`const d${tp} = new Float64Array(${tp}.length);`] : []),
            `for (let i = 0; i < ${pp}.length; i++) {`,
            `  const diff = (${pp}[i] - ${tp}[i]) * scale;`,
            ...(needP ? [`  d${pp}[i] = diff;`] : []),
            ...(needT ? [`  d${tp}[i] = -diff;`] : []),
            '}',
          ]
        : [];
    return { doc: `(${pp} - ${tp})², ${red.name} over all elements.`, forward, backward };
  },
};

export const bceWithLogits: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const [lp, tp] = c.inputs as [string, string];
    const red = reduction(c, `${lp}.length`);
    const forward = [
      'let total = 0;',
      `for (let i = 0; i < ${lp}.length; i++) {`,
      `  const z = ${lp}[i];`,
      `  total += Math.max(z, 0) - z * ${tp}[i] + Math.log1p(Math.exp(-Math.abs(z)));`,
      '}',
      `return Float64Array.of(${red.divide('total')});`,
    ];
    const backward = c.needsGrad[0]
      ? [
          `// d${lp} = (σ(${lp}) - ${tp}) · dLoss${red.name === 'mean' ? ' / count' : ''}`,
          `const scale = ${red.scale};`,
          `const d${lp} = new Float64Array(${lp}.length);`,
          `for (let i = 0; i < ${lp}.length; i++) d${lp}[i] = (1 / (1 + Math.exp(-${lp}[i])) - ${tp}[i]) * scale;`,
        ]
      : [];
    return {
      doc: `binary cross-entropy of σ(${lp}) against ${tp} in [0, 1], computed stably; ${red.name} over all elements.`,
      forward,
      backward,
    };
  },
};

export const huberLoss: OpEmitter = {
  emit(c: EmitCtx): LayerCode {
    const [pp, tp] = c.inputs as [string, string];
    const red = reduction(c, `${pp}.length`);
    const delta = (c.attrs['delta'] as number | undefined) ?? 1;
    const forward = [
      'let total = 0;',
      `for (let i = 0; i < ${pp}.length; i++) {`,
      `  const d = Math.abs(${pp}[i] - ${tp}[i]);`,
      `  total += d < ${delta} ? 0.5 * d * d : ${delta} * (d - 0.5 * ${delta});`,
      '}',
      `return Float64Array.of(${red.divide('total')});`,
    ];
    const [needP, needT] = c.needsGrad;
    const backward =
      needP || needT
        ? [
            `// d${pp} = clamp(${pp} - ${tp}, -${delta}, ${delta}) · dLoss${red.name === 'mean' ? ' / count' : ''}`,
            `const scale = ${red.scale};`,
            ...(needP ? [`const d${pp} = new Float64Array(${pp}.length);`] : []),
            ...(needT ? [`const d${tp} = new Float64Array(${tp}.length);`] : []),
            `for (let i = 0; i < ${pp}.length; i++) {`,
            `  const slope = Math.min(Math.max(${pp}[i] - ${tp}[i], -${delta}), ${delta}) * scale;`,
            ...(needP ? [`  d${pp}[i] = slope;`] : []),
            ...(needT ? [`  d${tp}[i] = -slope;`] : []),
            '}',
          ]
        : [];
    return {
      doc: `½d² where |d| < ${delta}, else ${delta}(|d| - ${delta}/2), d = ${pp} - ${tp}; ${red.name} over all elements.`,
      forward,
      backward,
    };
  },
};
