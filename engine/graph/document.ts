/**
 * The graph document, format 1 (`*.nngraph.json`): the types only. The text file is the source of
 * truth; parsing/validation (parse.ts), serialisation with a fixed key order (serialize.ts) and
 * compilation (compile.ts) live beside this file.
 */
import type { Attrs } from '../ops/define.js';

export const GRAPH_FORMAT = 'backprop-studio.graph';
export const GRAPH_VERSION = 1;

export type NodeId = string;

export interface GraphNode {
  id: NodeId;
  op: string;
  attrs: Attrs;
  position: { x: number; y: number };
}

export interface GraphEdge {
  from: NodeId;
  to: NodeId;
  /** Output port of `from` (ops have one output today; kept for multi-output ops). */
  fromPort?: string;
  /** Input port of `to`; may be left out when `to` has a single input. */
  toPort?: string;
}

/**
 * Which of the dataset's features feed which `input` node, by node id: a graph with several
 * inputs says this, each input taking its own columns. Features are named as the dataset names
 * them (datasetFeatures): CSV columns; x1, x2 for the two-feature built-ins; x for the
 * one-feature ones. Absent: the graph's one input takes every feature.
 */
export type InputColumns = Record<NodeId, string[]>;

export type DatasetConfig = (
  | {
      kind: 'spiral' | 'circles' | 'moons' | 'xor' | 'blobs' | 'checkerboard';
      classes?: number;
      samples?: number;
      noise?: number;
      seed?: number;
    }
  | {
      kind: 'sine' | 'sawtooth' | 'step' | 'polynomial';
      samples?: number;
      noise?: number;
      seed?: number;
      range?: [number, number];
    }
  | {
      kind: 'csv';
      /**
       * The CSV file, relative to the graph. Absent when no file is known yet (an imported model:
       * the graph says which columns it needs and the user chooses the file).
       */
      path?: string;
      features: string[];
      target: string;
      task?: 'classification' | 'regression';
      standardize?: boolean;
      /** Feature columns of whole numbers (token indices for an embedding): never standardised. */
      integers?: string[];
    }
  | { kind: 'digits'; samples?: number; seed?: number; noise?: number; size?: number }
  | { kind: 'mnist'; samples?: number; normalize?: 'standard' | 'unit' }
  | { kind: 'iris'; standardize?: boolean }
  | { kind: 'phrases' }
  | { kind: 'reverse'; samples?: number; length?: number; symbols?: number; seed?: number }
) & { inputs?: InputColumns };

export type OptimizerConfig =
  | {
      kind: 'sgd';
      lr: number;
      momentum?: number;
      dampening?: number;
      nesterov?: boolean;
      weightDecay?: number;
    }
  | {
      kind: 'adam' | 'adamw';
      lr: number;
      betas?: [number, number];
      eps?: number;
      weightDecay?: number;
      amsgrad?: boolean;
    }
  | { kind: 'rmsprop'; lr: number; alpha?: number; eps?: number; momentum?: number; weightDecay?: number }
  | { kind: 'adagrad'; lr: number; eps?: number; weightDecay?: number };

export type ScheduleConfig =
  | { kind: 'constant' }
  | { kind: 'step'; stepSize: number; gamma: number }
  | { kind: 'exponential'; gamma: number }
  | { kind: 'cosine'; tMax: number; etaMin?: number }
  | { kind: 'linear_warmup'; startFactor: number; endFactor?: number; totalIters: number }
  | {
      kind: 'one_cycle';
      maxLr: number;
      /** Optimisation steps in the cycle; default: epochs × batches per epoch. */
      totalSteps?: number;
      pctStart?: number;
      divFactor?: number;
      finalDivFactor?: number;
    };

export interface TrainingConfig {
  dataset: DatasetConfig;
  optimizer: OptimizerConfig;
  schedule?: ScheduleConfig;
  batchSize: number;
  epochs: number;
  seed?: number;
  /** Fraction of the data held out for validation. */
  validationSplit?: number;
  /** Stop after this many epochs without validation improvement. */
  earlyStopping?: { patience: number };
  /** Clip gradients by global norm. */
  clipGradNorm?: number;
  metrics?: ('loss' | 'accuracy')[];
}

export interface GraphDoc {
  format: typeof GRAPH_FORMAT;
  version: typeof GRAPH_VERSION;
  nodes: GraphNode[];
  edges: GraphEdge[];
  training: TrainingConfig;
}

export type Severity = 'error' | 'warning' | 'info';

/** A problem in a document: where it is and what to do about it. */
export interface Diagnostic {
  severity: Severity;
  /** One or two sentences: what is wrong and what to do. */
  message: string;
  /** Stable machine-readable code, e.g. 'unknown-op', 'shape-mismatch'. */
  code: string;
  node?: NodeId;
  port?: string;
  attr?: string;
  /** The training setting at fault, as a dotted path (e.g. 'training.dataset.path'). */
  setting?: string;
  /** Index into `edges` where the problem is an edge. */
  edge?: number;
  /** Text position (1-based) where known (JSON syntax errors, or the node's place in the file). */
  line?: number;
  column?: number;
}
