/**
 * Initialisers with PyTorch's semantics (torch.nn.init), seeded with the engine's Rng so that a
 * graph's seed gives the same starting weights on every machine.
 *
 * - fans as torch.nn.init._calculate_fan_in_and_fan_out: a weight is [out, in, ...kernel];
 *   fan_in = in·∏kernel, fan_out = out·∏kernel.
 * - gains as torch.nn.init.calculate_gain for the activation that follows the layer.
 * - 'default' is what torch.nn.Linear / Conv2d do on construction: kaiming_uniform(a=√5), which
 *   works out to U(±1/√fan_in), and U(±1/√fan_in) for the bias. Every other kind leaves the bias
 *   at zero (nn.init.zeros_), as is usual when one picks an initialiser by hand.
 */
import type { InitKind } from '../ops/init-kinds.js';
import type { ParamRole } from '../ops/define.js';
import type { OpName } from '../ops/registry.js';
import type { Shape, Tensor } from '../tensor/tensor.js';
import type { Rng } from '../tensor/random.js';

export interface Fans {
  fanIn: number;
  fanOut: number;
}

/** torch's _calculate_fan_in_and_fan_out for a weight of shape [out, in, ...kernel]. */
export function fans(shape: Shape): Fans {
  if (shape.length < 2)
    throw new Error(`fans need a weight with at least 2 dimensions, got [${shape.join(', ')}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

/**
 * torch.nn.init.calculate_gain by the registry op of the activation that follows a layer; an op
 * without a row (anything linear, and activations torch gives no gain) has gain 1.
 */
const GAINS: Readonly<Partial<Record<OpName, (negativeSlope: number) => number>>> = {
  relu: () => Math.SQRT2,
  leaky_relu: (slope) => Math.sqrt(2 / (1 + slope * slope)),
  tanh: () => 5 / 3,
  selu: () => 3 / 4,
};

/** torch.nn.init.calculate_gain: the recommended scale for an activation (1 for anything linear). */
export function activationGain(activation: string | undefined, negativeSlope = 0.01): number {
  const gain =
    activation !== undefined && Object.hasOwn(GAINS, activation) ? GAINS[activation as OpName] : undefined;
  return gain ? gain(negativeSlope) : 1;
}

export const xavierUniformBound = ({ fanIn, fanOut }: Fans, gain = 1) =>
  gain * Math.sqrt(6 / (fanIn + fanOut));
export const xavierNormalStd = ({ fanIn, fanOut }: Fans, gain = 1) => gain * Math.sqrt(2 / (fanIn + fanOut));
/** kaiming_* with mode='fan_in': std = gain / √fan_in; the uniform bound is √3·std. */
export const kaimingNormalStd = ({ fanIn }: Fans, gain = Math.SQRT2) => gain / Math.sqrt(fanIn);
export const kaimingUniformBound = (f: Fans, gain = Math.SQRT2) => Math.sqrt(3) * kaimingNormalStd(f, gain);
/** torch.nn.Linear's reset_parameters: kaiming_uniform(a=√5) for the weight, the same bound for the bias. */
export const torchDefaultBound = (f: Fans) =>
  kaimingUniformBound(f, activationGain('leaky_relu', Math.sqrt(5)));

/** torch.nn.PReLU's starting slope. */
export const PRELU_INITIAL_SLOPE = 0.25;

export interface InitContext {
  /** Fans of the layer's weight (a bias uses its layer's weight's fans). */
  fans: Fans;
  /** Op name of the activation that follows the layer, if any (sets the gain). */
  activation?: string;
}

/**
 * Fills `t` for a parameter of the given role. 'ones'/'zeros' roles (normalisation scales and
 * shifts) ignore the kind. He/Kaiming without a following rectifier uses PyTorch's default
 * nonlinearity (leaky_relu with slope 0, gain √2).
 */
export function initialize(t: Tensor, kind: InitKind, role: ParamRole, ctx: InitContext, rng: Rng): void {
  const d = t.data;
  const uniform = (bound: number) => {
    for (let i = 0; i < d.length; i++) d[i] = rng.uniform(-bound, bound);
  };
  const normal = (std: number) => {
    for (let i = 0; i < d.length; i++) d[i] = std * rng.normal();
  };
  if (role === 'ones') return void d.fill(1);
  if (role === 'slope') return void d.fill(PRELU_INITIAL_SLOPE);
  if (role === 'zeros' || kind === 'zeros') return void d.fill(0);
  if (role === 'bias') return kind === 'default' ? uniform(torchDefaultBound(ctx.fans)) : void d.fill(0);
  if (role === 'table' && kind === 'default') return normal(1);
  const gain = activationGain(ctx.activation);
  const heGain = ctx.activation && gain !== 1 ? gain : Math.SQRT2;
  switch (kind) {
    case 'default':
      return uniform(torchDefaultBound(ctx.fans));
    case 'xavier_uniform':
      return uniform(xavierUniformBound(ctx.fans, gain));
    case 'xavier_normal':
      return normal(xavierNormalStd(ctx.fans, gain));
    case 'he_uniform':
      return uniform(kaimingUniformBound(ctx.fans, heGain));
    case 'he_normal':
      return normal(kaimingNormalStd(ctx.fans, heGain));
  }
}
