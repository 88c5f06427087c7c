/**
 * The generated module's trainStep: one optimiser step with PyTorch's update rules, the same as
 * engine/optim (SGD with momentum/dampening/Nesterov, Adam, AdamW, RMSprop, Adagrad, weight decay,
 * optional clipping by global gradient norm). State lives in one module-level object whose arrays
 * line up with paramList(params).
 */
import type { OptimizerConfig, TrainingConfig } from '../graph/document.js';

export interface OptimizerCode {
  /** Module-level declarations: constants, the state object and the update function. */
  declarations: string[];
  /** Lines of trainStep after `grads` is computed: the update of every parameter. */
  step: string[];
}

const lit = (v: number): string => String(v);

/** A top-level `function name(params): void {` line, or one parameter per line past 110 characters. */
function signature(name: string, params: readonly string[]): string[] {
  const one = `function ${name}(${params.join(', ')}): void {`;
  return one.length <= 110 ? [one] : [`function ${name}(`, ...params.map((p) => `  ${p},`), '): void {'];
}

function describe(c: OptimizerConfig): string {
  const parts: string[] = [`lr ${c.lr}`];
  for (const [k, v] of Object.entries(c)) if (k !== 'kind' && k !== 'lr') parts.push(`${k} ${String(v)}`);
  return `${c.kind} (${parts.join(', ')})`;
}

export function optimizerCode(training: TrainingConfig): OptimizerCode {
  const c = training.optimizer;
  const declarations: string[] = [
    `/** The optimiser's learning rate from the graph (a schedule may pass another to trainStep). */`,
    `export const LEARNING_RATE = ${lit(c.lr)};`,
    '',
  ];
  const step: string[] = [];
  if (training.clipGradNorm !== undefined) {
    declarations.push(
      `/** Gradients are scaled down so that their global L2 norm is at most this. */`,
      `const CLIP_GRAD_NORM = ${lit(training.clipGradNorm)};`,
      '',
    );
    step.push(
      `// Clip by global norm: scale every gradient by min(1, CLIP_GRAD_NORM / ‖g‖).`,
      `let squares = 0;`,
      `for (const gi of g) for (const v of gi) squares += v * v;`,
      `const scale = CLIP_GRAD_NORM / (Math.sqrt(squares) + 1e-6);`,
      `if (scale < 1) for (const gi of g) for (let k = 0; k < gi.length; k++) gi[k] *= scale;`,
    );
  }
  const zeros = 'paramList(zeroParams())';
  switch (c.kind) {
    case 'sgd': {
      const mu = c.momentum ?? 0;
      const damp = c.dampening ?? 0;
      const nesterov = c.nesterov ?? false;
      const wd = c.weightDecay ?? 0;
      const decay = wd !== 0 ? `g[k] + ${lit(wd)} * p[k]` : 'g[k]';
      if (mu === 0) {
        declarations.push(
          `/** ${describe(c)}: p ← p - lr·${wd !== 0 ? '(g + wd·p)' : 'g'}. */`,
          `function sgdUpdate(p: Float64Array, g: Float64Array, lr: number): void {`,
          `  for (let k = 0; k < p.length; k++) p[k] -= lr * ${wd !== 0 ? `(${decay})` : decay};`,
          `}`,
        );
        step.push(`for (let i = 0; i < p.length; i++) sgdUpdate(p[i], g[i], lr);`);
      } else {
        declarations.push(
          `/** ${describe(c)}: the momentum buffer of every parameter (PyTorch starts it at the first gradient). */`,
          `const sgd = { step: 0, momentum: ${zeros} };`,
          '',
          ...signature('sgdUpdate', [
            'p: Float64Array',
            'g: Float64Array',
            'buf: Float64Array',
            'lr: number',
            'first: boolean',
          ]),
          `  for (let k = 0; k < p.length; k++) {`,
          `    const d = ${decay};`,
          `    buf[k] = first ? d : ${lit(mu)} * buf[k] + (1 - ${lit(damp)}) * d;`,
          `    p[k] -= lr * ${nesterov ? `(d + ${lit(mu)} * buf[k])` : 'buf[k]'};`,
          `  }`,
          `}`,
        );
        step.push(
          `sgd.step++;`,
          `for (let i = 0; i < p.length; i++) sgdUpdate(p[i], g[i], sgd.momentum[i], lr, sgd.step === 1);`,
        );
      }
      break;
    }
    case 'adam':
    case 'adamw': {
      const [b1, b2] = c.betas ?? [0.9, 0.999];
      const eps = c.eps ?? 1e-8;
      const wd = c.weightDecay ?? (c.kind === 'adamw' ? 0.01 : 0);
      const ams = c.amsgrad ?? false;
      const decoupled = c.kind === 'adamw';
      declarations.push(
        `const BETA1 = ${lit(b1)};`,
        `const BETA2 = ${lit(b2)};`,
        `const EPSILON = ${lit(eps)};`,
        ...(wd !== 0 ? [`const WEIGHT_DECAY = ${lit(wd)};`] : []),
        '',
        `/** ${describe(c)}: first and second moments of every parameter${ams ? ' and the running maximum of the second' : ''}. */`,
        `const adam = { step: 0, m: ${zeros}, v: ${zeros}${ams ? `, vMax: ${zeros}` : ''} };`,
        '',
        ...signature('adamUpdate', [
          'p: Float64Array',
          'g: Float64Array',
          'm: Float64Array',
          'v: Float64Array',
          ...(ams ? ['vMax: Float64Array'] : []),
          'lr: number',
          't: number',
        ]),
        `  const stepSize = lr / (1 - BETA1 ** t);`,
        `  const bias2Sqrt = Math.sqrt(1 - BETA2 ** t);`,
        `  for (let k = 0; k < p.length; k++) {`,
        ...(wd === 0
          ? [`    const x = p[k];`, `    const d = g[k];`]
          : decoupled
            ? [
                `    const x = p[k] * (1 - lr * WEIGHT_DECAY); // decoupled weight decay`,
                `    const d = g[k];`,
              ]
            : [`    const x = p[k];`, `    const d = g[k] + WEIGHT_DECAY * x; // L2 weight decay`]),
        `    m[k] += (1 - BETA1) * (d - m[k]);`,
        `    v[k] = BETA2 * v[k] + (1 - BETA2) * d * d;`,
        ...(ams ? [`    vMax[k] = Math.max(vMax[k], v[k]);`] : []),
        `    p[k] = x - stepSize * (m[k] / (Math.sqrt(${ams ? 'vMax[k]' : 'v[k]'}) / bias2Sqrt + EPSILON));`,
        `  }`,
        `}`,
      );
      step.push(
        `adam.step++;`,
        `for (let i = 0; i < p.length; i++) adamUpdate(p[i], g[i], adam.m[i], adam.v[i]${ams ? ', adam.vMax[i]' : ''}, lr, adam.step);`,
      );
      break;
    }
    case 'rmsprop': {
      const alpha = c.alpha ?? 0.99;
      const eps = c.eps ?? 1e-8;
      const mu = c.momentum ?? 0;
      const wd = c.weightDecay ?? 0;
      declarations.push(
        `/** ${describe(c)}: the running mean of squared gradients${mu > 0 ? ' and the momentum buffer' : ''}. */`,
        `const rmsprop = { squares: ${zeros}${mu > 0 ? `, momentum: ${zeros}` : ''} };`,
        '',
        ...signature('rmspropUpdate', [
          'p: Float64Array',
          'g: Float64Array',
          'sq: Float64Array',
          ...(mu > 0 ? ['buf: Float64Array'] : []),
          'lr: number',
        ]),
        `  for (let k = 0; k < p.length; k++) {`,
        `    const d = ${wd !== 0 ? `g[k] + ${lit(wd)} * p[k]` : 'g[k]'};`,
        `    sq[k] = ${lit(alpha)} * sq[k] + (1 - ${lit(alpha)}) * d * d;`,
        ...(mu > 0
          ? [
              `    buf[k] = ${lit(mu)} * buf[k] + d / (Math.sqrt(sq[k]) + ${lit(eps)});`,
              `    p[k] -= lr * buf[k];`,
            ]
          : [`    p[k] -= lr * (d / (Math.sqrt(sq[k]) + ${lit(eps)}));`]),
        `  }`,
        `}`,
      );
      step.push(
        `for (let i = 0; i < p.length; i++) rmspropUpdate(p[i], g[i], rmsprop.squares[i]${mu > 0 ? ', rmsprop.momentum[i]' : ''}, lr);`,
      );
      break;
    }
    case 'adagrad': {
      const eps = c.eps ?? 1e-10;
      const wd = c.weightDecay ?? 0;
      declarations.push(
        `/** ${describe(c)}: the sum of squared gradients of every parameter. */`,
        `const adagrad = { sums: ${zeros} };`,
        '',
        `function adagradUpdate(p: Float64Array, g: Float64Array, sum: Float64Array, lr: number): void {`,
        `  for (let k = 0; k < p.length; k++) {`,
        `    const d = ${wd !== 0 ? `g[k] + ${lit(wd)} * p[k]` : 'g[k]'};`,
        `    sum[k] += d * d;`,
        `    p[k] -= lr * (d / (Math.sqrt(sum[k]) + ${lit(eps)}));`,
        `  }`,
        `}`,
      );
      step.push(`for (let i = 0; i < p.length; i++) adagradUpdate(p[i], g[i], adagrad.sums[i], lr);`);
      break;
    }
  }
  return { declarations, step };
}
