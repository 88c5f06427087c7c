/**
 * Runtime checks for run requests. They come from the webview (untrusted) through the host, and
 * the worker checks what the host sends it with the same functions, so a request is validated by
 * one piece of code wherever it is read. Each validator returns the request rebuilt from its
 * checked fields (nothing unexpected passes through) or throws RequestError naming the field.
 */
import type { RunAction, RunOptions, RunRequest, ToWorker, TraceAction } from './protocol.js';
import type { GraphDoc } from '../graph/document.js';
import { readWeights, type Weights } from '../graph/weights.js';
import { userMessage } from '../errors/user-error.js';
import type { StepTarget } from '../autodiff/step-through.js';

export class RequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestError';
  }
}

type Obj = Record<string, unknown>;

const RUN_ACTIONS: readonly RunAction[] = ['play', 'pause', 'step', 'reset'];
const TRACE_ACTIONS: readonly TraceAction[] = ['start', 'step', 'back', 'finish', 'restart', 'end'];

function oneOf<T extends string>(v: unknown, allowed: readonly T[], where: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    throw new RequestError(`${where} must be one of ${allowed.join(', ')}`);
  return v as T;
}
function requestId(v: unknown): number {
  if (!Number.isSafeInteger(v)) throw new RequestError('requestId must be an integer');
  return v as number;
}
function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') throw new RequestError(`${where} must be true or false`);
  return v;
}
function object(v: unknown, where: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new RequestError(`${where} must be an object`);
  return v as Obj;
}
function stepTarget(v: unknown): StepTarget {
  const o = object(v, 'target');
  const node = o.node;
  if (typeof node !== 'string' || node.length === 0 || node.length > 200)
    throw new RequestError('target.node must be a node id');
  return { node, phase: oneOf(o.phase, ['forward', 'backward'] as const, 'target.phase') };
}
function runOptions(v: unknown): RunOptions {
  const o = object(v, 'options');
  return {
    overlay: bool(o.overlay, 'options.overlay'),
    prediction: bool(o.prediction, 'options.prediction'),
    hiddenUnits: bool(o.hiddenUnits, 'options.hiddenUnits'),
  };
}

type RequestValidators = { [K in RunRequest['type']]: (o: Obj) => Extract<RunRequest, { type: K }> };

/** One row per request type: a request type without a row is a compile error. */
export const RUN_REQUEST_VALIDATORS: RequestValidators = {
  run: (o) => ({ type: 'run', action: oneOf(o.action, RUN_ACTIONS, 'action') }),
  trace: (o) => ({
    type: 'trace',
    requestId: requestId(o.requestId),
    action: oneOf(o.action, TRACE_ACTIONS, 'action'),
  }),
  traceTo: (o) => ({ type: 'traceTo', requestId: requestId(o.requestId), target: stepTarget(o.target) }),
  gradcheck: (o) => ({ type: 'gradcheck', requestId: requestId(o.requestId) }),
  analyze: (o) => ({ type: 'analyze', requestId: requestId(o.requestId) }),
  cancelTask: (o) => ({ type: 'cancelTask', requestId: requestId(o.requestId) }),
  runOptions: (o) => ({ type: 'runOptions', options: runOptions(o.options) }),
};

export function isRunRequestType(type: string): type is RunRequest['type'] {
  return Object.hasOwn(RUN_REQUEST_VALIDATORS, type);
}

/** The request if `v` is a well-formed RunRequest; throws RequestError saying what is wrong. */
export function validateRunRequest(v: unknown): RunRequest {
  const o = object(v, 'request');
  const type = o.type;
  if (typeof type !== 'string' || !isRunRequestType(type))
    throw new RequestError(`request.type must be one of ${Object.keys(RUN_REQUEST_VALIDATORS).join(', ')}`);
  return RUN_REQUEST_VALIDATORS[type](o);
}

/** A ToWorker message, checked: run requests by the shared validator, the rest by shape. */
export function validateWorkerMessage(raw: unknown): ToWorker {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new RequestError('a message must be an object');
  const o = raw as Record<string, unknown>;
  if (o.type === 'dispose') return { type: 'dispose' };
  if (o.type === 'loadWeights') {
    if (!Number.isSafeInteger(o.requestId))
      throw new RequestError('loadWeights.requestId must be an integer');
    if (typeof o.source !== 'string') throw new RequestError('loadWeights.source must be a file name');
    let weights: Weights;
    try {
      weights = readWeights(o.weights);
    } catch (e) {
      throw new RequestError(`loadWeights.weights: ${userMessage(e)}`);
    }
    return { type: 'loadWeights', requestId: o.requestId as number, weights, source: o.source };
  }
  if (o.type === 'snapshotWeights') {
    if (!Number.isSafeInteger(o.requestId))
      throw new RequestError('snapshotWeights.requestId must be an integer');
    return { type: 'snapshotWeights', requestId: o.requestId as number };
  }
  if (o.type === 'document') {
    const doc = o.doc;
    if (doc !== null) {
      const d = doc as Record<string, unknown> | undefined;
      if (
        typeof d !== 'object' ||
        !Array.isArray(d.nodes) ||
        !Array.isArray(d.edges) ||
        typeof d.training !== 'object' ||
        d.training === null
      )
        throw new RequestError('document.doc must be a graph document (nodes, edges, training) or null');
    }
    if (!Number.isSafeInteger(o.version)) throw new RequestError('document.version must be an integer');
    if (o.baseDir !== null && typeof o.baseDir !== 'string')
      throw new RequestError('document.baseDir must be a path or null');
    return {
      type: 'document',
      doc: doc as GraphDoc | null,
      version: o.version as number,
      baseDir: o.baseDir as string | null,
    };
  }
  return validateRunRequest(raw);
}
