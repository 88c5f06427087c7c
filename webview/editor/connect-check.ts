/**
 * Whether a wire the user is drawing can work, decided the same way the document will be judged:
 * apply the `connect` edit to a copy and run checkGraph. The connection is refused when it brings
 * an error that wasn't there before (a shape mismatch, a cycle, a wrong port), and the reason
 * shown is that error's own message.
 */
import type { Connection } from 'reactflow';
import type { GraphDoc, GraphEdge } from '../../engine/graph/document.js';
import { checkGraph } from '../../engine/graph/check.js';
import { applyEdit } from '../../engine/graph/edits.js';
import { nodeOutputs, nodePorts, opInfo } from '../op-catalog.js';

export type ConnectVerdict = { ok: true; doc: GraphDoc } | { ok: false; reason: string };

export function checkConnection(
  doc: GraphDoc,
  edge: GraphEdge,
  errorsBefore?: ReadonlySet<string>,
): ConnectVerdict {
  const applied = applyEdit(doc, { kind: 'connect', edge });
  if (!applied.ok) return { ok: false, reason: applied.error };
  const before = errorsBefore ?? errorMessages(doc);
  // Errors about the graph being unfinished (no loss yet, unfed ports elsewhere) don't block wiring.
  const blocking = checkGraph(applied.doc).diagnostics.filter(
    (d) => d.severity === 'error' && !before.has(d.message) && !UNFINISHED.has(d.code),
  );
  return blocking.length ? { ok: false, reason: blocking[0]!.message } : { ok: true, doc: applied.doc };
}

export function errorMessages(doc: GraphDoc): Set<string> {
  return new Set(
    checkGraph(doc)
      .diagnostics.filter((d) => d.severity === 'error')
      .map((d) => d.message),
  );
}

/**
 * The document's edge for a wire React Flow drew from a source handle to a target handle; null
 * when it does not end on a node. The ports are written only where they are needed: `toPort` for
 * ops with several inputs, `fromPort` for ops with several outputs.
 */
export function edgeOfConnection(doc: GraphDoc, c: Connection): GraphEdge | null {
  if (!c.source || !c.target) return null;
  const target = doc.nodes.find((n) => n.id === c.target);
  const op = target ? opInfo(target.op) : undefined;
  const edge: GraphEdge = { from: c.source, to: c.target };
  const source = doc.nodes.find((n) => n.id === c.source);
  if (c.sourceHandle && source && nodeOutputs(opInfo(source.op), source.attrs)?.includes(c.sourceHandle))
    edge.fromPort = c.sourceHandle;
  if (c.targetHandle && target && nodePorts(op, target.attrs).length > 1) edge.toPort = c.targetHandle;
  return edge;
}

/** Diagnostic codes that mean "not finished yet" rather than "this wire is wrong". */
const UNFINISHED = new Set(['port-unfed', 'no-loss', 'unreachable', 'no-input', 'several-losses']);
