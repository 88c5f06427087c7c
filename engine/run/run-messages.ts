/**
 * The run's messages checked at run time (engine/check/fields.ts): the run requests, which come
 * from the webview (untrusted) through the host, and everything the host sends the engine worker.
 * The host checks a request with RUN_REQUEST_CHECKS and the worker checks it again with the same
 * rows, so a request is validated by one piece of code wherever it is read.
 */
import type { GraphDoc } from '../graph/document.js';
import type { StepTarget } from '../autodiff/step-through.js';
import { readWeights, type Weights } from '../graph/weights.js';
import { userMessage } from '../errors/user-error.js';
import {
  boolean,
  checkTagged,
  FieldError,
  integer,
  object,
  oneOf,
  string,
  type TaggedCheckers,
} from '../check/fields.js';
import type { RunAction, RunOptions, RunRequest, ToWorker, TraceAction } from './protocol.js';

const RUN_ACTIONS: readonly RunAction[] = ['play', 'pause', 'step', 'reset'];
const TRACE_ACTIONS: readonly TraceAction[] = ['start', 'step', 'back', 'finish', 'restart', 'end'];

function stepTarget(v: unknown): StepTarget {
  const o = object(v, 'target');
  if (typeof o.node !== 'string' || o.node.length === 0 || o.node.length > 200)
    throw new FieldError('target.node', 'must be a node id');
  return { node: o.node, phase: oneOf(o.phase, ['forward', 'backward'] as const, 'target.phase') };
}

/** A row of the Images view's source: a whole number ≥ 0. */
function sampleIndex(v: unknown, where: string): number {
  const i = integer(v, where);
  if (i < 0) throw new FieldError(where, 'must be a sample index (≥ 0) or null');
  return i;
}

export function runOptions(v: unknown, where = 'options'): RunOptions {
  const o = object(v, where);
  return {
    overlay: boolean(o.overlay, `${where}.overlay`),
    prediction: boolean(o.prediction, `${where}.prediction`),
    hiddenUnits: boolean(o.hiddenUnits, `${where}.hiddenUnits`),
    ...(o.images === undefined ? {} : { images: boolean(o.images, `${where}.images`) }),
    ...(o.pickedSample === undefined || o.pickedSample === null
      ? {}
      : { pickedSample: sampleIndex(o.pickedSample, `${where}.pickedSample`) }),
  };
}

/** One row per request type: a request type without a row is a compile error. */
export const RUN_REQUEST_CHECKS: TaggedCheckers<RunRequest, 'type'> = {
  run: (o) => ({ type: 'run', action: oneOf(o.action, RUN_ACTIONS, 'action') }),
  trace: (o) => ({
    type: 'trace',
    requestId: integer(o.requestId, 'requestId'),
    action: oneOf(o.action, TRACE_ACTIONS, 'action'),
  }),
  traceTo: (o) => ({
    type: 'traceTo',
    requestId: integer(o.requestId, 'requestId'),
    target: stepTarget(o.target),
  }),
  gradcheck: (o) => ({ type: 'gradcheck', requestId: integer(o.requestId, 'requestId') }),
  analyze: (o) => ({ type: 'analyze', requestId: integer(o.requestId, 'requestId') }),
  cancelTask: (o) => ({ type: 'cancelTask', requestId: integer(o.requestId, 'requestId') }),
  runOptions: (o) => ({ type: 'runOptions', options: runOptions(o.options) }),
};

/** The rest of what the host sends the worker (the document and the host's own questions). */
const WORKER_MESSAGE_CHECKS: TaggedCheckers<ToWorker, 'type'> = {
  ...RUN_REQUEST_CHECKS,
  document: (o) => ({
    type: 'document',
    doc: graphDocument(o.doc),
    version: integer(o.version, 'document.version'),
    baseDir: o.baseDir === null ? null : string(o.baseDir, 'document.baseDir'),
  }),
  loadWeights: (o) => {
    let weights: Weights;
    try {
      weights = readWeights(o.weights);
    } catch (e) {
      throw new FieldError('loadWeights.weights', `is not a weights file: ${userMessage(e)}`);
    }
    return {
      type: 'loadWeights',
      requestId: integer(o.requestId, 'loadWeights.requestId'),
      weights,
      source: string(o.source, 'loadWeights.source'),
    };
  },
  snapshotWeights: (o) => ({
    type: 'snapshotWeights',
    requestId: integer(o.requestId, 'snapshotWeights.requestId'),
  }),
  dispose: () => ({ type: 'dispose' }),
};

/**
 * The document as the host parsed it, checked only for its shape: the host built it from the
 * file with engine/graph/parse.ts (the worker compiles it, and says what is wrong, node by node).
 */
function graphDocument(v: unknown): GraphDoc | null {
  if (v === null) return null;
  const d = v as Record<string, unknown> | undefined;
  if (
    typeof d !== 'object' ||
    !Array.isArray(d.nodes) ||
    !Array.isArray(d.edges) ||
    typeof d.training !== 'object' ||
    d.training === null
  )
    throw new FieldError('document.doc', 'must be a graph document (nodes, edges, training) or null');
  return v as GraphDoc;
}

/** A message to the engine worker, checked; throws FieldError naming the field that is wrong. */
export function checkWorkerMessage(v: unknown): ToWorker {
  return checkTagged(WORKER_MESSAGE_CHECKS, 'type', v, 'request');
}
