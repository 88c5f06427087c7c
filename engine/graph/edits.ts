/**
 * The editor's gestures as pure functions on a GraphDoc: `applyEdit(doc, edit)` returns a new
 * document (the input is never mutated) or says why the edit can't be made. The extension host
 * applies each edit to the document it parsed from the text and writes the result back as ONE
 * WorkspaceEdit, so VS Code's undo/redo, dirty marker and save see one step per gesture; the
 * webview applies the same function to preview a connection before it asks for it.
 *
 * Edits name nodes by id, never by index, so an edit made against a slightly older document (the
 * user typed in a text editor meanwhile) still means the same thing or fails with a reason.
 */
import type { AttrValue, Attrs } from '../ops/define.js';
import type { GraphDoc, GraphEdge, GraphNode, NodeId, TrainingConfig } from './document.js';
import { validateSchema } from './json-schema.js';
import { trainingSchema } from './training-schema.js';

export interface Position {
  x: number;
  y: number;
}

export type GraphEdit =
  /** Add one node; `id` is chosen (op name + a number) when left out. */
  | { kind: 'addNode'; op: string; position: Position; attrs?: Attrs; id?: NodeId }
  /** Move nodes (drag end of one or several, or an auto-layout). */
  | { kind: 'moveNodes'; moves: { id: NodeId; position: Position }[] }
  /** Wire `from` into `to`'s port; an edge already feeding that port is replaced. */
  | { kind: 'connect'; edge: GraphEdge }
  /** Delete nodes (with every edge touching them) and edges. */
  | { kind: 'delete'; nodes: NodeId[]; edges: GraphEdge[] }
  /** Set one attribute; `null` removes it so the op's default applies. */
  | { kind: 'setAttr'; node: NodeId; attr: string; value: AttrValue | null }
  | { kind: 'renameNode'; node: NodeId; newId: NodeId }
  /** Insert copies of nodes and the edges among them, with fresh ids, shifted by `offset`. */
  | { kind: 'paste'; nodes: GraphNode[]; edges: GraphEdge[]; offset: Position }
  /** Replace the `training` section (the run panel's settings: one edit per changed setting). */
  | { kind: 'setTraining'; training: TrainingConfig };

export type EditResult = { ok: true; doc: GraphDoc; added: NodeId[] } | { ok: false; error: string };

const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function isValidNodeId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** The first of `base`, `base2`, `base3`, … that no node in `taken` uses. */
export function freshId(base: string, taken: ReadonlySet<NodeId>): NodeId {
  const stem = base.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?![A-Za-z_])/, 'n') || 'node';
  if (!taken.has(stem)) return stem;
  for (let i = 2; ; i++) if (!taken.has(`${stem}${i}`)) return `${stem}${i}`;
}

/** Two edges are the same wire when they join the same ends and ports. */
export function sameEdge(a: GraphEdge, b: GraphEdge): boolean {
  return (
    a.from === b.from && a.to === b.to && (a.fromPort ?? '') === (b.fromPort ?? '') && a.toPort === b.toPort
  );
}

/**
 * What is wrong with a `training` section, one sentence per problem naming the field
 * (e.g. "training.optimizer.lr must be greater than 0; got -1."); empty when it is valid.
 */
export function trainingProblems(training: unknown): string[] {
  return validateSchema(trainingSchema, training, '/training', 'training').map((p) => p.message);
}

const ok = (doc: GraphDoc, added: NodeId[] = []): EditResult => ({ ok: true, doc, added });
const fail = (error: string): EditResult => ({ ok: false, error });

export function applyEdit(doc: GraphDoc, edit: GraphEdit): EditResult {
  const ids = new Set(doc.nodes.map((n) => n.id));
  const missing = (id: NodeId) => fail(`There is no node '${id}' (it may have been deleted meanwhile).`);
  switch (edit.kind) {
    case 'addNode': {
      if (edit.id !== undefined && ids.has(edit.id))
        return fail(`A node with the id '${edit.id}' exists already.`);
      if (edit.id !== undefined && !isValidNodeId(edit.id))
        return fail(`'${edit.id}' is not a valid node id.`);
      const id = edit.id ?? freshId(edit.op, ids);
      const node: GraphNode = { id, op: edit.op, attrs: { ...edit.attrs }, position: { ...edit.position } };
      return ok({ ...doc, nodes: [...doc.nodes, node] }, [id]);
    }
    case 'moveNodes': {
      const to = new Map(edit.moves.map((m) => [m.id, m.position]));
      for (const id of to.keys()) if (!ids.has(id)) return missing(id);
      const nodes = doc.nodes.map((n) => {
        const p = to.get(n.id);
        return p ? { ...n, position: { x: Math.round(p.x), y: Math.round(p.y) } } : n;
      });
      return ok({ ...doc, nodes });
    }
    case 'connect': {
      const e = edit.edge;
      if (!ids.has(e.from)) return missing(e.from);
      if (!ids.has(e.to)) return missing(e.to);
      if (e.from === e.to) return fail('A node cannot feed itself.');
      if (reaches(doc.edges, e.to, e.from))
        return fail(`Connecting '${e.from}' to '${e.to}' would make a cycle.`);
      const feedsSamePort = (x: GraphEdge) => x.to === e.to && (x.toPort ?? '') === (e.toPort ?? '');
      const edge: GraphEdge = { from: e.from, to: e.to };
      if (e.fromPort !== undefined) edge.fromPort = e.fromPort;
      if (e.toPort !== undefined) edge.toPort = e.toPort;
      return ok({ ...doc, edges: [...doc.edges.filter((x) => !feedsSamePort(x)), edge] });
    }
    case 'delete': {
      for (const id of edit.nodes) if (!ids.has(id)) return missing(id);
      const gone = new Set(edit.nodes);
      const nodes = doc.nodes.filter((n) => !gone.has(n.id));
      const edges = doc.edges.filter(
        (e) => !gone.has(e.from) && !gone.has(e.to) && !edit.edges.some((d) => sameEdge(d, e)),
      );
      return ok({ ...doc, nodes, edges });
    }
    case 'setAttr': {
      if (!ids.has(edit.node)) return missing(edit.node);
      const nodes = doc.nodes.map((n) => {
        if (n.id !== edit.node) return n;
        const attrs: Attrs = { ...n.attrs };
        if (edit.value === null) delete attrs[edit.attr];
        else attrs[edit.attr] = Array.isArray(edit.value) ? [...edit.value] : edit.value;
        return { ...n, attrs };
      });
      return ok({ ...doc, nodes });
    }
    case 'renameNode': {
      if (!ids.has(edit.node)) return missing(edit.node);
      if (edit.newId === edit.node) return ok(doc);
      if (!isValidNodeId(edit.newId))
        return fail(
          `'${edit.newId}' is not a valid id: use letters, digits, '_', '.', '-', starting with a letter.`,
        );
      if (ids.has(edit.newId)) return fail(`A node with the id '${edit.newId}' exists already.`);
      const rename = (id: NodeId) => (id === edit.node ? edit.newId : id);
      return ok({
        ...doc,
        nodes: doc.nodes.map((n) => (n.id === edit.node ? { ...n, id: edit.newId } : n)),
        edges: doc.edges.map((e) => ({ ...e, from: rename(e.from), to: rename(e.to) })),
      });
    }
    case 'paste': {
      const taken = new Set(ids);
      const renamed = new Map<NodeId, NodeId>();
      const nodes = edit.nodes.map((n) => {
        const id = freshId(n.id, taken);
        taken.add(id);
        renamed.set(n.id, id);
        const position = {
          x: Math.round(n.position.x + edit.offset.x),
          y: Math.round(n.position.y + edit.offset.y),
        };
        return { id, op: n.op, attrs: { ...n.attrs }, position };
      });
      const edges = edit.edges.flatMap((e) => {
        const from = renamed.get(e.from);
        const to = renamed.get(e.to);
        return from && to ? [{ ...e, from, to }] : [];
      });
      return ok({ ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] }, [
        ...renamed.values(),
      ]);
    }
    case 'setTraining': {
      const problems = trainingProblems(edit.training);
      if (problems.length) return fail(`Training settings not changed: ${problems.join(' ')}`);
      // A copy, so the document shares nothing with the message it came from.
      return ok({ ...doc, training: JSON.parse(JSON.stringify(edit.training)) as TrainingConfig });
    }
  }
}

/** Whether `target` can be reached from `start` following edges forwards. */
function reaches(edges: readonly GraphEdge[], start: NodeId, target: NodeId): boolean {
  const seen = new Set<NodeId>([start]);
  const stack = [start];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === target) return true;
    for (const e of edges)
      if (e.from === id && !seen.has(e.to)) {
        seen.add(e.to);
        stack.push(e.to);
      }
  }
  return false;
}
