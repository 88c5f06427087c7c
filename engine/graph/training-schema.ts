/**
 * The `training` section of a graph document as a JSON Schema: the single statement of which
 * datasets, optimisers and schedules exist and which settings each takes. parse.ts validates with
 * it; the generated schema/nngraph.schema.json embeds it. The TypeScript types are in document.ts.
 */
import type { JsonSchema } from './json-schema.js';
import { CLASSIFICATION_KINDS, REGRESSION_KINDS } from '../data/synthetic.js';
import { DIGIT_MAX_SIZE, DIGIT_SIZE } from '../data/digits.js';
import { MNIST_SAMPLES } from '../data/mnist.js';

export const CLASSIFICATION_DATASETS = [
  'spiral',
  'circles',
  'moons',
  'xor',
  'blobs',
  'checkerboard',
] as const;
export const REGRESSION_DATASETS = ['sine', 'sawtooth', 'step', 'polynomial'] as const;

const int = (description: string, minimum = 0): JsonSchema => ({ type: 'integer', minimum, description });
const positive = (description: string): JsonSchema => ({ type: 'number', exclusiveMinimum: 0, description });
const nonNegative = (description: string): JsonSchema => ({ type: 'number', minimum: 0, description });

function kinded(
  kind: string | readonly string[],
  properties: Record<string, JsonSchema>,
  required: readonly string[] = [],
  description?: string,
): JsonSchema {
  return {
    type: 'object',
    properties: { kind: typeof kind === 'string' ? { const: kind } : { enum: kind }, ...properties },
    required: ['kind', ...required],
    additionalProperties: false,
    ...(description ? { description } : {}),
  };
}

/** Every dataset kind may hand its features out to several input nodes. */
const inputs: JsonSchema = {
  type: 'object',
  properties: {},
  additionalProperties: { type: 'array', items: { type: 'string' }, minItems: 1 },
  description:
    'which features feed which input node, by node id (a graph with several inputs): CSV columns, x1/x2 for the 2-feature built-ins, x for the 1-feature ones',
};

const samples = int('number of samples to generate', 1);
const seed = int('seed of the data generator');
const noise = nonNegative('standard deviation of the added noise');

export const datasetSchema: JsonSchema = {
  description: 'where the training data comes from',
  oneOf: [
    kinded(
      CLASSIFICATION_KINDS,
      { classes: int('number of classes (default 2; spiral 3)', 2), samples, noise, seed, inputs },
      [],
      '2-D classification: 2 features, `classes` classes',
    ),
    kinded(
      REGRESSION_KINDS,
      {
        samples,
        noise,
        seed,
        range: {
          type: 'array',
          items: { type: 'number' },
          minItems: 2,
          maxItems: 2,
          description: 'the x interval [lo, hi]',
        },
        inputs,
      },
      [],
      '1-D regression: 1 feature, 1 target',
    ),
    kinded(
      'csv',
      {
        path: {
          type: 'string',
          minLength: 1,
          description: 'the CSV file, relative to the graph file (absent: no file chosen yet)',
        },
        features: {
          type: 'array',
          items: { type: 'string' },
          minItems: 1,
          description: 'the feature columns',
        },
        target: { type: 'string', minLength: 1, description: 'the target column' },
        task: { enum: ['classification', 'regression'] },
        standardize: { type: 'boolean', description: 'scale each feature to mean 0, variance 1' },
        integers: {
          type: 'array',
          items: { type: 'string' },
          description:
            'feature columns of whole numbers (token indices for an embedding): never standardised',
        },
        inputs,
      },
      ['features', 'target'],
    ),
    kinded(
      'digits',
      {
        samples,
        seed,
        noise,
        size: {
          type: 'integer',
          minimum: DIGIT_SIZE,
          maximum: DIGIT_MAX_SIZE,
          description:
            'image side (default 8); larger images are the 8×8 ones scaled up, e.g. 28 for LeNet-5',
        },
        inputs,
      },
      [],
      'synthetic 8×8 grey digit images drawn from a bitmap font (not handwriting): shape [1, 8, 8] (or [1, size, size]), 10 classes',
    ),
    kinded(
      'mnist',
      {
        samples: {
          type: 'integer',
          minimum: 1,
          maximum: MNIST_SAMPLES,
          description: `how many of the ${MNIST_SAMPLES} digits to use (default all)`,
        },
        normalize: {
          enum: ['standard', 'unit'],
          description:
            'standard (default): (pixel/255 − 0.1307) / 0.3081, MNIST’s usual mean and deviation; unit: pixel/255 in [0, 1]',
        },
      },
      [],
      `MNIST: ${MNIST_SAMPLES} real handwritten digits, 28×28 grey images: shape [1, 28, 28], 10 classes (ships with Backprop Studio, no download)`,
    ),
    kinded(
      'iris',
      {
        standardize: {
          type: 'boolean',
          description: 'scale each measurement to mean 0, variance 1 (default true)',
        },
        inputs,
      },
      [],
      "Fisher's Iris flowers: 150 samples, 4 measurements (cm), 3 species",
    ),
    kinded(
      'phrases',
      { inputs },
      [],
      'short phrases (the film was not good) as 6 word indices w1..w6 for an embedding → negative or positive: 384 samples, 2 classes',
    ),
    kinded(
      'reverse',
      {
        samples,
        seed,
        length: int('digits per sequence (default 5)', 2),
        symbols: int('distinct digits (default 10)', 2),
      },
      [],
      'a toy sequence task: reverse a sequence of digits. Tokens are one-hot [digit | position] rows: shape [length, symbols + length]; the target is the reversed sequence, class indices [length]',
    ),
  ],
};

const lr = positive('learning rate');
const weightDecay = nonNegative('weight decay');
const eps = positive('term added to the denominator for stability');

export const optimizerSchema: JsonSchema = {
  description: 'how the parameters are updated',
  oneOf: [
    kinded(
      'sgd',
      {
        lr,
        momentum: nonNegative('momentum'),
        dampening: nonNegative('dampening'),
        nesterov: { type: 'boolean' },
        weightDecay,
      },
      ['lr'],
    ),
    kinded(
      ['adam', 'adamw'],
      {
        lr,
        betas: {
          type: 'array',
          items: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
          minItems: 2,
          maxItems: 2,
          description: 'moment decay rates [β1, β2]',
        },
        eps,
        weightDecay,
        amsgrad: { type: 'boolean' },
      },
      ['lr'],
    ),
    kinded(
      'rmsprop',
      { lr, alpha: nonNegative('smoothing constant'), eps, momentum: nonNegative('momentum'), weightDecay },
      ['lr'],
    ),
    kinded('adagrad', { lr, eps, weightDecay }, ['lr']),
  ],
};

export const scheduleSchema: JsonSchema = {
  description: 'how the learning rate changes over training',
  oneOf: [
    kinded('constant', {}),
    kinded('step', { stepSize: int('epochs between decays', 1), gamma: positive('decay factor') }, [
      'stepSize',
      'gamma',
    ]),
    kinded('exponential', { gamma: positive('decay factor per epoch') }, ['gamma']),
    kinded('cosine', { tMax: int('period in epochs', 1), etaMin: nonNegative('smallest learning rate') }, [
      'tMax',
    ]),
    kinded(
      'linear_warmup',
      {
        startFactor: positive('starting fraction of lr'),
        endFactor: positive('final fraction of lr (default 1)'),
        totalIters: int('warm-up length in epochs', 1),
      },
      ['startFactor', 'totalIters'],
    ),
    kinded(
      'one_cycle',
      {
        maxLr: positive('peak learning rate'),
        totalSteps: int('batches in the cycle (default: epochs × batches per epoch)', 1),
        pctStart: {
          type: 'number',
          exclusiveMinimum: 0,
          exclusiveMaximum: 1,
          description: 'warm-up fraction (0.3)',
        },
        divFactor: positive('initial lr = maxLr / divFactor (25)'),
        finalDivFactor: positive('final lr = initial lr / finalDivFactor (1e4)'),
      },
      ['maxLr'],
    ),
  ],
};

export const trainingSchema: JsonSchema = {
  type: 'object',
  description: 'how the graph is trained',
  properties: {
    dataset: datasetSchema,
    optimizer: optimizerSchema,
    schedule: scheduleSchema,
    batchSize: int('samples per step', 1),
    epochs: int('passes over the data', 0),
    seed: int('seed for initial weights, shuffling and dropout'),
    validationSplit: {
      type: 'number',
      minimum: 0,
      exclusiveMaximum: 1,
      description: 'fraction of the data held out',
    },
    earlyStopping: {
      type: 'object',
      properties: { patience: int('epochs without validation improvement before stopping', 1) },
      required: ['patience'],
      additionalProperties: false,
    },
    clipGradNorm: positive('clip gradients to this global norm'),
    metrics: { type: 'array', items: { enum: ['loss', 'accuracy'] } },
  },
  required: ['dataset', 'optimizer', 'batchSize', 'epochs'],
  additionalProperties: false,
};
