/**
 * Optimisers with PyTorch's exact update rules (torch.optim, single-tensor path), written as plain
 * loops over each parameter's flat data. State buffers are allocated once when the optimiser is
 * made, so a step allocates nothing. The learning rate is a field the schedule sets before a step.
 *
 * Defaults are PyTorch's: SGD momentum 0; Adam betas (0.9, 0.999), eps 1e-8, weight decay 0;
 * AdamW weight decay 0.01; RMSprop alpha 0.99, eps 1e-8; Adagrad eps 1e-10.
 */
import type { OptimizerConfig } from '../graph/document.js';
import { Data, Tensor, allocData, shapeToString, sameShape } from '../tensor/tensor.js';

/** A parameter and the buffer its gradient is written to (both owned by the Program). */
export interface ParamGrad {
  readonly param: Tensor;
  readonly grad: Tensor;
}

export interface Optimizer {
  readonly kind: OptimizerConfig['kind'];
  /** The learning rate the next step uses (a schedule changes it between steps). */
  lr: number;
  /** The learning rate from the configuration. */
  readonly baseLr: number;
  /** Steps taken so far. */
  readonly steps: number;
  /** Updates every parameter in place from its gradient. */
  step(): void;
  /** Forgets all state (momentum, moment estimates, step count) as if freshly made. */
  reset(): void;
}

export function createOptimizer(config: OptimizerConfig, params: readonly ParamGrad[]): Optimizer {
  for (const [i, { param, grad }] of params.entries()) {
    if (!sameShape(param.shape, grad.shape) || param.dtype !== grad.dtype)
      throw new Error(
        `optimiser: parameter ${i} is ${param.dtype} ${shapeToString(param.shape)} but its gradient is ` +
          `${grad.dtype} ${shapeToString(grad.shape)}`,
      );
  }
  if (!(config.lr >= 0)) throw new Error(`optimiser: lr must be a number >= 0, got ${config.lr}`);
  switch (config.kind) {
    case 'sgd':
      return new Sgd(config, params);
    case 'adam':
    case 'adamw':
      return new Adam(config, params);
    case 'rmsprop':
      return new RmsProp(config, params);
    case 'adagrad':
      return new Adagrad(config, params);
  }
}

/** One zeroed buffer per parameter, in the parameter's dtype. */
function buffers(params: readonly ParamGrad[]): Data[] {
  return params.map(({ param }) => allocData(param.dtype, param.size));
}

abstract class Base implements Optimizer {
  abstract readonly kind: OptimizerConfig['kind'];
  lr: number;
  readonly baseLr: number;
  steps = 0;
  protected readonly p: Data[];
  protected readonly g: Data[];

  constructor(lr: number, params: readonly ParamGrad[]) {
    this.lr = this.baseLr = lr;
    this.p = params.map((x) => x.param.data);
    this.g = params.map((x) => x.grad.data);
  }

  step(): void {
    this.steps++;
    for (let i = 0; i < this.p.length; i++) this.update(i, this.p[i]!, this.g[i]!);
  }

  reset(): void {
    this.steps = 0;
    for (const b of this.state()) b.fill(0);
  }

  protected abstract update(i: number, p: Data, g: Data): void;
  protected abstract state(): Data[];
}

type SgdConfig = Extract<OptimizerConfig, { kind: 'sgd' }>;

class Sgd extends Base {
  readonly kind = 'sgd';
  private readonly momentum: number;
  private readonly dampening: number;
  private readonly nesterov: boolean;
  private readonly weightDecay: number;
  private readonly buf: Data[];

  constructor(c: SgdConfig, params: readonly ParamGrad[]) {
    super(c.lr, params);
    this.momentum = c.momentum ?? 0;
    this.dampening = c.dampening ?? 0;
    this.nesterov = c.nesterov ?? false;
    this.weightDecay = c.weightDecay ?? 0;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0))
      throw new Error('optimiser sgd: Nesterov momentum needs momentum > 0 and dampening 0 (as in PyTorch)');
    this.buf = this.momentum !== 0 ? buffers(params) : [];
  }

  protected state(): Data[] {
    return this.buf;
  }

  protected update(i: number, p: Data, g: Data): void {
    const { lr, momentum: mu, weightDecay: wd, nesterov } = this;
    const damp = 1 - this.dampening;
    // PyTorch starts the momentum buffer as a copy of the first gradient (no dampening then).
    const first = this.steps === 1;
    const b = mu !== 0 ? this.buf[i]! : null;
    for (let k = 0; k < p.length; k++) {
      let d = wd !== 0 ? g[k]! + wd * p[k]! : g[k]!;
      if (b) {
        const v = (b[k] = first ? d : mu * b[k]! + damp * d);
        d = nesterov ? d + mu * v : v;
      }
      p[k] = p[k]! - lr * d;
    }
  }
}

type AdamConfig = Extract<OptimizerConfig, { kind: 'adam' | 'adamw' }>;

class Adam extends Base {
  readonly kind: 'adam' | 'adamw';
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly amsgrad: boolean;
  private readonly m: Data[];
  private readonly v: Data[];
  private readonly vMax: Data[];

  constructor(c: AdamConfig, params: readonly ParamGrad[]) {
    super(c.lr, params);
    this.kind = c.kind;
    [this.beta1, this.beta2] = c.betas ?? [0.9, 0.999];
    this.eps = c.eps ?? 1e-8;
    this.weightDecay = c.weightDecay ?? (c.kind === 'adamw' ? 0.01 : 0);
    this.amsgrad = c.amsgrad ?? false;
    this.m = buffers(params);
    this.v = buffers(params);
    this.vMax = this.amsgrad ? buffers(params) : [];
  }

  protected state(): Data[] {
    return [...this.m, ...this.v, ...this.vMax];
  }

  protected update(i: number, p: Data, g: Data): void {
    const { lr, beta1, beta2, eps, weightDecay: wd } = this;
    const decoupled = this.kind === 'adamw';
    const stepSize = lr / (1 - beta1 ** this.steps);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** this.steps);
    const m = this.m[i]!,
      v = this.v[i]!,
      vMax = this.amsgrad ? this.vMax[i]! : null;
    for (let k = 0; k < p.length; k++) {
      let x = p[k]!;
      let d = g[k]!;
      if (wd !== 0) {
        if (decoupled) x *= 1 - lr * wd;
        else d += wd * x;
      }
      // m.lerp_(g, 1 - beta1) as PyTorch computes it for weights below 0.5.
      const mk = (m[k] = m[k]! + (1 - beta1) * (d - m[k]!));
      let vk = (v[k] = beta2 * v[k]! + (1 - beta2) * d * d);
      if (vMax) vk = vMax[k] = Math.max(vMax[k]!, vk);
      p[k] = x - stepSize * (mk / (Math.sqrt(vk) / bc2Sqrt + eps));
    }
  }
}

type RmsPropConfig = Extract<OptimizerConfig, { kind: 'rmsprop' }>;

class RmsProp extends Base {
  readonly kind = 'rmsprop';
  private readonly alpha: number;
  private readonly eps: number;
  private readonly momentum: number;
  private readonly weightDecay: number;
  private readonly sq: Data[];
  private readonly buf: Data[];

  constructor(c: RmsPropConfig, params: readonly ParamGrad[]) {
    super(c.lr, params);
    this.alpha = c.alpha ?? 0.99;
    this.eps = c.eps ?? 1e-8;
    this.momentum = c.momentum ?? 0;
    this.weightDecay = c.weightDecay ?? 0;
    this.sq = buffers(params);
    this.buf = this.momentum > 0 ? buffers(params) : [];
  }

  protected state(): Data[] {
    return [...this.sq, ...this.buf];
  }

  protected update(i: number, p: Data, g: Data): void {
    const { lr, alpha, eps, momentum: mu, weightDecay: wd } = this;
    const sq = this.sq[i]!,
      b = mu > 0 ? this.buf[i]! : null;
    for (let k = 0; k < p.length; k++) {
      const d = wd !== 0 ? g[k]! + wd * p[k]! : g[k]!;
      const s = (sq[k] = alpha * sq[k]! + (1 - alpha) * d * d);
      const step = d / (Math.sqrt(s) + eps);
      if (b) p[k] = p[k]! - lr * (b[k] = mu * b[k]! + step);
      else p[k] = p[k]! - lr * step;
    }
  }
}

type AdagradConfig = Extract<OptimizerConfig, { kind: 'adagrad' }>;

class Adagrad extends Base {
  readonly kind = 'adagrad';
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly sum: Data[];

  constructor(c: AdagradConfig, params: readonly ParamGrad[]) {
    super(c.lr, params);
    this.eps = c.eps ?? 1e-10;
    this.weightDecay = c.weightDecay ?? 0;
    this.sum = buffers(params);
  }

  protected state(): Data[] {
    return this.sum;
  }

  protected update(i: number, p: Data, g: Data): void {
    const { lr, eps, weightDecay: wd } = this;
    const sum = this.sum[i]!;
    for (let k = 0; k < p.length; k++) {
      const d = wd !== 0 ? g[k]! + wd * p[k]! : g[k]!;
      const s = (sum[k] = sum[k]! + d * d);
      p[k] = p[k]! - lr * (d / (Math.sqrt(s) + eps));
    }
  }
}
