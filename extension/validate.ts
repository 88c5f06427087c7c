/**
 * Runtime checks for every message the webview posts. The webview is untrusted (it renders
 * document content and could be confused or compromised), so the host accepts nothing that isn't
 * exactly a WebviewToHost: right tags, right field types, finite numbers, no extra surprises
 * reaching the document. One checker per message type (and per edit kind), in tables written with
 * the field checks of engine/check/fields.ts like the run's own (engine/run/run-messages.ts, whose
 * rows this table takes in), so a new message can't be forgotten: a missing row is a compile error.
 */
import type { AttrValue, Attrs } from '../engine/ops/define.js';
import type { GraphEdge, GraphNode, TrainingConfig } from '../engine/graph/document.js';
import { trainingProblems, type GraphEdit, type Position } from '../engine/graph/edits.js';
import {
  attempt,
  checkTagged,
  FieldError,
  finite,
  integer,
  list,
  name,
  object,
  oneOf,
  optional,
  type Checked,
  type TaggedCheckers,
} from '../engine/check/fields.js';
import { RUN_REQUEST_CHECKS } from '../engine/run/run-messages.js';
import { EXPORT_FORMAT_IDS, type WebviewToHost } from './protocol.js';

function position(v: unknown, where: string): Position {
  const o = object(v, where);
  return { x: finite(o.x, `${where}.x`), y: finite(o.y, `${where}.y`) };
}
function attrValue(v: unknown, where: string): AttrValue {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return finite(v, where);
  if (typeof v === 'string') {
    if (v.length > 1000) throw new FieldError(where, 'is too long');
    return v;
  }
  return list(v, where, finite, 64);
}
function attrs(v: unknown, where: string): Attrs {
  const out: Attrs = {};
  for (const [k, x] of Object.entries(object(v, where)))
    out[name(k, `${where} key`, 100)] = attrValue(x, `${where}.${k}`);
  return out;
}
function edge(v: unknown, where: string): GraphEdge {
  const o = object(v, where);
  const e: GraphEdge = { from: name(o.from, `${where}.from`), to: name(o.to, `${where}.to`) };
  const fromPort = optional(o, 'fromPort', name, where);
  const toPort = optional(o, 'toPort', name, where);
  if (fromPort !== undefined) e.fromPort = fromPort;
  if (toPort !== undefined) e.toPort = toPort;
  return e;
}
function node(v: unknown, where: string): GraphNode {
  const o = object(v, where);
  return {
    id: name(o.id, `${where}.id`),
    op: name(o.op, `${where}.op`),
    attrs: attrs(o.attrs ?? {}, `${where}.attrs`),
    position: position(o.position, `${where}.position`),
  };
}

const EDIT_CHECKS: TaggedCheckers<GraphEdit, 'kind'> = {
  addNode: (o) => {
    const e: GraphEdit & { kind: 'addNode' } = {
      kind: 'addNode',
      op: name(o.op, 'edit.op'),
      position: position(o.position, 'edit.position'),
    };
    const a = optional(o, 'attrs', attrs, 'edit');
    const id = optional(o, 'id', name, 'edit');
    if (a !== undefined) e.attrs = a;
    if (id !== undefined) e.id = id;
    return e;
  },
  moveNodes: (o) => ({
    kind: 'moveNodes',
    moves: list(o.moves, 'edit.moves', (m, where) => {
      const mo = object(m, where);
      return { id: name(mo.id, `${where}.id`), position: position(mo.position, `${where}.position`) };
    }),
  }),
  connect: (o) => ({ kind: 'connect', edge: edge(o.edge, 'edit.edge') }),
  delete: (o) => ({
    kind: 'delete',
    nodes: list(o.nodes, 'edit.nodes', (n, where) => name(n, where)),
    edges: list(o.edges, 'edit.edges', edge),
  }),
  setAttr: (o) => ({
    kind: 'setAttr',
    node: name(o.node, 'edit.node'),
    attr: name(o.attr, 'edit.attr', 100),
    value: o.value === null ? null : attrValue(o.value, 'edit.value'),
  }),
  renameNode: (o) => ({
    kind: 'renameNode',
    node: name(o.node, 'edit.node'),
    newId: name(o.newId, 'edit.newId', 100),
  }),
  paste: (o) => ({
    kind: 'paste',
    nodes: list(o.nodes, 'edit.nodes', node, 2000),
    edges: list(o.edges, 'edit.edges', edge),
    offset: position(o.offset, 'edit.offset'),
  }),
  setTraining: (o) => {
    // The training schema is the one statement of what a training section may hold; applyEdit checks
    // it again, but nothing that fails it should reach the document code at all.
    const [problem] = trainingProblems(o.training);
    if (problem !== undefined) {
      // The schema's problems start with the field's path ("training.optimizer.lr must be ...").
      const at = problem.indexOf(' ');
      throw new FieldError(`edit.${problem.slice(0, at)}`, problem.slice(at + 1));
    }
    return { kind: 'setTraining', training: JSON.parse(JSON.stringify(o.training)) as TrainingConfig };
  },
};

const MESSAGE_CHECKS: TaggedCheckers<WebviewToHost, 'type'> = {
  ready: () => ({ type: 'ready' }),
  edit: (o) => ({
    type: 'edit',
    requestId: integer(o.requestId, 'requestId'),
    edit: checkTagged(EDIT_CHECKS, 'kind', o.edit, 'edit'),
  }),
  openAsText: () => ({ type: 'openAsText' }),
  revealLine: (o) => ({ type: 'revealLine', line: integer(o.line, 'line') }),
  saveWeights: () => ({ type: 'saveWeights' }),
  loadWeights: () => ({ type: 'loadWeights' }),
  chooseDataset: () => ({ type: 'chooseDataset' }),
  export: (o) => ({ type: 'export', format: oneOf(o.format, EXPORT_FORMAT_IDS, 'format') }),
  ...RUN_REQUEST_CHECKS,
};

/** The message if it is a well-formed WebviewToHost, else what is wrong with it. */
export function validateWebviewMessage(v: unknown): Checked<WebviewToHost> {
  return attempt(() => checkTagged(MESSAGE_CHECKS, 'type', v, 'message'));
}
