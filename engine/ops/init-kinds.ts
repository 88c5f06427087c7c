/**
 * The initialisers a layer's `init` attribute may name. Declared here (metadata only) so that op
 * attribute specs, the JSON Schema and the inspector share one list; engine/nn/init.ts implements them.
 * `default` is PyTorch's own default for that layer (Linear/Conv: kaiming_uniform(a=√5) weights,
 * U(-1/√fan_in, 1/√fan_in) biases).
 */
export const INIT_KINDS = [
  'default',
  'xavier_uniform',
  'xavier_normal',
  'he_uniform',
  'he_normal',
  'zeros',
] as const;
export type InitKind = (typeof INIT_KINDS)[number];
