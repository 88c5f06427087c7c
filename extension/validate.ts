/**
 * Runtime checks for every message the webview posts. The webview is untrusted (it renders
 * document content and could be confused or compromised), so the host accepts nothing that isn't
 * exactly a WebviewToHost: right tags, right field types, finite numbers, no extra surprises
 * reaching the document. One validator per message type, in a table keyed by `type`, so a new
 * message can't be forgotten (the mapped type makes a missing row a compile error).
 */
import type { AttrValue, Attrs } from '../engine/ops/define.js';
import type { GraphEdge, GraphNode, TrainingConfig } from '../engine/graph/document.js';
import { trainingProblems, type GraphEdit, type Position } from '../engine/graph/edits.js';
import { EXPORT_FORMAT_IDS, type ExportFormatId, type WebviewToHost } from './protocol.js';
import { RequestError, RUN_REQUEST_VALIDATORS } from '../engine/run/validate-request.js';

export type Validated<T> = { ok: true; value: T } | { ok: false; error: string };

class Invalid extends Error {}

type Obj = Record<string, unknown>;

function obj(v: unknown, where: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Invalid(`${where} must be an object`);
  return v as Obj;
}
function str(v: unknown, where: string, max = 200): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max)
    throw new Invalid(`${where} must be a non-empty string of at most ${max} characters`);
  return v;
}
function num(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Invalid(`${where} must be a finite number`);
  return v;
}
function int(v: unknown, where: string): number {
  if (!Number.isSafeInteger(v)) throw new Invalid(`${where} must be an integer`);
  return v as number;
}
function arr(v: unknown, where: string, max = 10_000): unknown[] {
  if (!Array.isArray(v) || v.length > max)
    throw new Invalid(`${where} must be a list of at most ${max} items`);
  return v;
}
function optional<T>(
  o: Obj,
  key: string,
  check: (v: unknown, where: string) => T,
  where: string,
): T | undefined {
  return o[key] === undefined ? undefined : check(o[key], `${where}.${key}`);
}
function position(v: unknown, where: string): Position {
  const o = obj(v, where);
  return { x: num(o.x, `${where}.x`), y: num(o.y, `${where}.y`) };
}
function attrValue(v: unknown, where: string): AttrValue {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return num(v, where);
  if (typeof v === 'string') {
    if (v.length > 1000) throw new Invalid(`${where} is too long`);
    return v;
  }
  return arr(v, where, 64).map((x, i) => num(x, `${where}[${i}]`));
}
function attrs(v: unknown, where: string): Attrs {
  const o = obj(v, where);
  const out: Attrs = {};
  for (const [k, x] of Object.entries(o)) out[str(k, `${where} key`, 100)] = attrValue(x, `${where}.${k}`);
  return out;
}
function edge(v: unknown, where: string): GraphEdge {
  const o = obj(v, where);
  const e: GraphEdge = { from: str(o.from, `${where}.from`), to: str(o.to, `${where}.to`) };
  const fromPort = optional(o, 'fromPort', str, where);
  const toPort = optional(o, 'toPort', str, where);
  if (fromPort !== undefined) e.fromPort = fromPort;
  if (toPort !== undefined) e.toPort = toPort;
  return e;
}
function node(v: unknown, where: string): GraphNode {
  const o = obj(v, where);
  return {
    id: str(o.id, `${where}.id`),
    op: str(o.op, `${where}.op`),
    attrs: attrs(o.attrs ?? {}, `${where}.attrs`),
    position: position(o.position, `${where}.position`),
  };
}

type EditValidators = { [K in GraphEdit['kind']]: (o: Obj) => Extract<GraphEdit, { kind: K }> };

const edits: EditValidators = {
  addNode: (o) => {
    const e: GraphEdit & { kind: 'addNode' } = {
      kind: 'addNode',
      op: str(o.op, 'edit.op'),
      position: position(o.position, 'edit.position'),
    };
    const a = optional(o, 'attrs', attrs, 'edit');
    const id = optional(o, 'id', str, 'edit');
    if (a !== undefined) e.attrs = a;
    if (id !== undefined) e.id = id;
    return e;
  },
  moveNodes: (o) => ({
    kind: 'moveNodes',
    moves: arr(o.moves, 'edit.moves').map((m, i) => {
      const mo = obj(m, `edit.moves[${i}]`);
      return {
        id: str(mo.id, `edit.moves[${i}].id`),
        position: position(mo.position, `edit.moves[${i}].position`),
      };
    }),
  }),
  connect: (o) => ({ kind: 'connect', edge: edge(o.edge, 'edit.edge') }),
  delete: (o) => ({
    kind: 'delete',
    nodes: arr(o.nodes, 'edit.nodes').map((n, i) => str(n, `edit.nodes[${i}]`)),
    edges: arr(o.edges, 'edit.edges').map((e, i) => edge(e, `edit.edges[${i}]`)),
  }),
  setAttr: (o) => ({
    kind: 'setAttr',
    node: str(o.node, 'edit.node'),
    attr: str(o.attr, 'edit.attr', 100),
    value: o.value === null ? null : attrValue(o.value, 'edit.value'),
  }),
  renameNode: (o) => ({
    kind: 'renameNode',
    node: str(o.node, 'edit.node'),
    newId: str(o.newId, 'edit.newId', 100),
  }),
  paste: (o) => ({
    kind: 'paste',
    nodes: arr(o.nodes, 'edit.nodes', 2000).map((n, i) => node(n, `edit.nodes[${i}]`)),
    edges: arr(o.edges, 'edit.edges').map((e, i) => edge(e, `edit.edges[${i}]`)),
    offset: position(o.offset, 'edit.offset'),
  }),
  setTraining: (o) => {
    // The training schema is the one statement of what a training section may hold; applyEdit checks
    // it again, but nothing that fails it should reach the document code at all.
    const problems = trainingProblems(o.training);
    if (problems.length) throw new Invalid(`edit.${problems[0]}`);
    return { kind: 'setTraining', training: JSON.parse(JSON.stringify(o.training)) as TrainingConfig };
  },
};

export function validateEdit(v: unknown): Validated<GraphEdit> {
  return attempt(() => {
    const o = obj(v, 'edit');
    const kind = o.kind;
    if (typeof kind !== 'string' || !Object.hasOwn(edits, kind))
      throw new Invalid(`edit.kind must be one of ${Object.keys(edits).join(', ')}`);
    return edits[kind as GraphEdit['kind']](o);
  });
}

type MessageValidators = { [K in WebviewToHost['type']]: (o: Obj) => Extract<WebviewToHost, { type: K }> };

const messages: MessageValidators = {
  ready: () => ({ type: 'ready' }),
  edit: (o) => {
    const edit = validateEdit(o.edit);
    if (!edit.ok) throw new Invalid(edit.error);
    return { type: 'edit', requestId: int(o.requestId, 'requestId'), edit: edit.value };
  },
  openAsText: () => ({ type: 'openAsText' }),
  revealLine: (o) => ({ type: 'revealLine', line: int(o.line, 'line') }),
  saveWeights: () => ({ type: 'saveWeights' }),
  loadWeights: () => ({ type: 'loadWeights' }),
  chooseDataset: () => ({ type: 'chooseDataset' }),
  export: (o) => {
    const format = o.format;
    if (typeof format !== 'string' || !(EXPORT_FORMAT_IDS as readonly string[]).includes(format))
      throw new Invalid(`format must be one of ${EXPORT_FORMAT_IDS.join(', ')}`);
    return { type: 'export', format: format as ExportFormatId };
  },
  ...RUN_REQUEST_VALIDATORS,
};

/** The message if it is a well-formed WebviewToHost, else what is wrong with it. */
export function validateWebviewMessage(v: unknown): Validated<WebviewToHost> {
  return attempt(() => {
    const o = obj(v, 'message');
    const type = o.type;
    if (typeof type !== 'string' || !Object.hasOwn(messages, type))
      throw new Invalid(`message.type must be one of ${Object.keys(messages).join(', ')}`);
    return messages[type as WebviewToHost['type']](o);
  });
}

function attempt<T>(f: () => T): Validated<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof Invalid || e instanceof RequestError) return { ok: false, error: e.message };
    throw e;
  }
}
