/**
 * GraphDoc → what React Flow draws: one node per graph node (op, id, key attributes, typed input
 * ports, inferred output shape, problems) and one edge per wire labelled with the shape it
 * carries. Pure, so the mapping is tested without a browser.
 */
import type { Edge, Node } from 'reactflow';
import type { Diagnostic, GraphDoc, GraphEdge, GraphNode, NodeId } from '../../engine/graph/document.js';
import { valueKey, type SymbolicShape } from '../../engine/graph/check.js';
import { nodeOutputs, nodePorts, opInfo, type OpInfo } from '../op-catalog.js';
import { attrSummary as summarizeAttrs } from '../../engine/graph/layout.js';

export const OP_NODE_TYPE = 'op';
/** Wires are drawn by the run overlay's edge (webview/run/NodeOverlay.tsx): plain until a run has stats. */
export const WIRE_EDGE_TYPE = 'wire';
export const OUTPUT_HANDLE = 'out';

export interface OpNodeData {
  node: GraphNode;
  /** undefined for an op the registry doesn't know (the node is drawn as invalid). */
  op: OpInfo | undefined;
  /** The input port names, one handle each (the op's, or the ports wired in the file). */
  ports: readonly string[];
  /** The output port names where the op has several (split), one handle each on the right. */
  outputs: readonly string[] | null;
  shape: SymbolicShape | undefined;
  /** A short summary of the attributes that matter most, e.g. "units 16 · he_uniform". */
  summary: string;
  problems: Diagnostic[];
}

export type OpFlowNode = Node<OpNodeData>;

/** What a drawn wire carries: the document's edge (its fromPort keys the overlay's value). */
export interface WireData {
  edge: GraphEdge;
}

export function formatShape(shape: SymbolicShape | undefined): string {
  if (!shape) return '?';
  return shape.length === 0 ? 'scalar' : shape.join('×');
}

/** The input port an edge feeds: its toPort, or the op's only input when left out. */
export function targetPort(edge: GraphEdge, op: OpInfo | undefined): string {
  return edge.toPort ?? op?.inputs[0] ?? 'in';
}

export function edgeId(edge: GraphEdge): string {
  return `${edge.from}${edge.fromPort !== undefined ? `:${edge.fromPort}` : ''}->${edge.to}:${edge.toPort ?? ''}`;
}

/** The node's attribute summary, in the order the op declares its attributes. */
export function attrSummary(node: GraphNode, op: OpInfo | undefined): string {
  return summarizeAttrs(node, Object.keys(op?.attrs ?? node.attrs));
}

export interface FlowGraph {
  nodes: OpFlowNode[];
  edges: Edge[];
}

export function toFlow(
  doc: GraphDoc,
  shapes: ReadonlyMap<NodeId, SymbolicShape>,
  diagnostics: readonly Diagnostic[],
  selected: ReadonlySet<string> = new Set(),
): FlowGraph {
  const problems = new Map<NodeId, Diagnostic[]>();
  for (const d of diagnostics) {
    if (d.node === undefined || d.edge !== undefined) continue;
    problems.set(d.node, [...(problems.get(d.node) ?? []), d]);
  }
  const badEdges = new Set(
    diagnostics.filter((d) => d.edge !== undefined && d.severity === 'error').map((d) => d.edge!),
  );
  const opOf = new Map(doc.nodes.map((n) => [n.id, opInfo(n.op)]));
  const wiredPorts = new Map<NodeId, string[]>();
  for (const e of doc.edges) {
    const port = targetPort(e, opOf.get(e.to));
    const list = wiredPorts.get(e.to) ?? [];
    if (!list.includes(port)) list.push(port);
    wiredPorts.set(e.to, list);
  }

  const nodes: OpFlowNode[] = doc.nodes.map((node) => {
    const op = opOf.get(node.id);
    const declared = nodePorts(op, node.attrs);
    const extra = (wiredPorts.get(node.id) ?? []).filter((p) => !declared.includes(p));
    return {
      id: node.id,
      type: OP_NODE_TYPE,
      position: node.position,
      selected: selected.has(node.id),
      data: {
        node,
        op,
        ports: [...declared, ...extra],
        outputs: nodeOutputs(op, node.attrs),
        shape: shapes.get(node.id),
        summary: attrSummary(node, op),
        problems: problems.get(node.id) ?? [],
      },
    };
  });

  const edges: Edge[] = doc.edges.map((e, i) => {
    const id = edgeId(e);
    return {
      id,
      type: WIRE_EDGE_TYPE,
      source: e.from,
      target: e.to,
      sourceHandle: e.fromPort ?? OUTPUT_HANDLE,
      targetHandle: targetPort(e, opOf.get(e.to)),
      label: formatShape(shapes.get(valueKey(e.from, e.fromPort))),
      selected: selected.has(id),
      className: badEdges.has(i) ? 'invalid' : undefined,
      data: { edge: e } satisfies WireData,
    };
  });
  return { nodes, edges };
}
