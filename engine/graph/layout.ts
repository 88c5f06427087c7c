/**
 * The one layout of a graph, for every place that places nodes: the editor's Auto-layout and its
 * view-only layout of a document whose nodes have no positions (or all the same one), the ONNX
 * importer, and the examples (scripts/layout-examples.ts).
 *
 * Layered, left to right: each node one rank right of its furthest source, a data node with no
 * inputs one rank left of its first consumer (so a target lands beside its loss). An edge that
 * skips ranks gets a placeholder in every rank it crosses, so it keeps a lane of its own (a
 * residual connection runs beside the block it skips, not behind it); nodes are ordered within a
 * rank to cut crossings (barycentre sweeps) and pulled level with their neighbours.
 *
 * A long chain does not fit a side-by-side editor at a readable size, so the ranks are wrapped
 * into bands read top to bottom (ranks 0..k-1, then k..2k-1 under them, ...), with k chosen so the
 * whole graph shows largest in the frame it will be seen in (the canvas, in screen pixels).
 */
import type { GraphNode, NodeId } from './document.js';
import { getOp } from '../ops/registry.js';
import { readableNumber } from '../analysis/format.js';

export interface Size {
  width: number;
  height: number;
}
export interface Point {
  x: number;
  y: number;
}

/** Space between ranks (room for the shape label on each wire), lanes, and bands of wrapped ranks. */
export const LAYOUT_GAP = { rank: 56, lane: 20, band: 40 } as const;
/**
 * The canvas of the reference window (code-server at 1400×900, Explorer open: 662×458 px),
 * less the strip its zoom controls and overlay legend take and the opening view's margin.
 */
export const DEFAULT_FRAME: Size = { width: 620, height: 374 };
/** The editor's node width (webview/styles.css `.op-node` has the same). */
export const NODE_WIDTH = 170;
/** Height a wire skipping a rank reserves in it. */
const PLACEHOLDER_HEIGHT = 18;

export interface LayoutOptions {
  /** Each node's size on screen at zoom 1 (default: estimateNodeSize's guess, or NODE_WIDTH × 80). */
  size?: (id: NodeId) => Size;
  /** The view the graph will be seen in, in screen pixels (default DEFAULT_FRAME). */
  frame?: Size;
  /** Zoom the view will not exceed, so a small graph does not want wrapping. Default 1. */
  maxZoom?: number;
}

interface Vertex {
  id: NodeId | null; // null: a placeholder of a long edge
  rank: number;
  /** A placeholder's edge: the ranks of its two ends. */
  span?: [number, number];
  size: Size;
  preds: number[];
  succs: number[];
}

/** Top-left corners of the nodes. */
export function layoutGraph(
  nodes: readonly NodeId[],
  edges: readonly { from: NodeId; to: NodeId }[],
  opts: LayoutOptions = {},
): Map<NodeId, Point> {
  const out = new Map<NodeId, Point>();
  if (nodes.length === 0) return out;
  const size = opts.size ?? (() => ({ width: NODE_WIDTH, height: 80 }));
  const frame = opts.frame ?? DEFAULT_FRAME;
  const maxZoom = opts.maxZoom ?? 1;
  const ranks = rankNodes(nodes, edges);
  const vertices = buildVertices(nodes, edges, ranks, size);
  const layers = orderLayers(vertices);
  let best: { zoom: number; points: Point[] } | null = null;
  // From one band (no wrapping) down to one rank per band; a wrap must pay for itself.
  // Only the ranks-per-band that change the number of bands (about 2√ranks of them).
  const candidates = [...new Set(layers.map((_, b) => Math.ceil(layers.length / (b + 1))))];
  for (const perBand of candidates) {
    const placed = place(vertices, layers, perBand);
    const zoom = Math.min(maxZoom, frame.width / placed.width, frame.height / placed.height);
    if (!best || zoom > best.zoom * 1.03) best = { zoom, points: placed.points };
  }
  vertices.forEach((v, i) => {
    if (v.id !== null)
      out.set(v.id, { x: Math.round(best!.points[i]!.x), y: Math.round(best!.points[i]!.y) });
  });
  return out;
}

/** Longest-path ranks; data sources one rank left of their first consumer. Cycles are tolerated. */
function rankNodes(
  nodes: readonly NodeId[],
  edges: readonly { from: NodeId; to: NodeId }[],
): Map<NodeId, number> {
  const known = new Set(nodes);
  const sources = new Map<NodeId, NodeId[]>(nodes.map((n) => [n, []]));
  const consumers = new Map<NodeId, NodeId[]>(nodes.map((n) => [n, []]));
  for (const e of edges) {
    if (!known.has(e.from) || !known.has(e.to)) continue;
    sources.get(e.to)!.push(e.from);
    consumers.get(e.from)!.push(e.to);
  }
  const rank = new Map<NodeId, number>();
  const visiting = new Set<NodeId>();
  const depth = (start: NodeId): number => {
    // Iterative, so a 1,000-node chain does not overflow the stack.
    const stack: NodeId[] = [start];
    while (stack.length) {
      const n = stack[stack.length - 1]!;
      if (rank.has(n)) {
        stack.pop();
        continue;
      }
      visiting.add(n);
      const pending = sources.get(n)!.filter((s) => !rank.has(s) && !visiting.has(s));
      if (pending.length) {
        stack.push(...pending);
        continue;
      }
      // A source still being visited closes a cycle: the checker reports it; ignore that edge.
      rank.set(n, Math.max(-1, ...sources.get(n)!.map((s) => rank.get(s) ?? -1)) + 1);
      visiting.delete(n);
      stack.pop();
    }
    return rank.get(start)!;
  };
  nodes.forEach(depth);
  for (const n of nodes) {
    const outs = consumers.get(n)!;
    if (sources.get(n)!.length === 0 && outs.length > 0)
      rank.set(n, Math.max(0, Math.min(...outs.map((c) => rank.get(c)!)) - 1));
  }
  return rank;
}

function buildVertices(
  nodes: readonly NodeId[],
  edges: readonly { from: NodeId; to: NodeId }[],
  ranks: Map<NodeId, number>,
  size: (id: NodeId) => Size,
): Vertex[] {
  const vertices: Vertex[] = nodes.map((id) => ({
    id,
    rank: ranks.get(id)!,
    size: size(id),
    preds: [],
    succs: [],
  }));
  const index = new Map(nodes.map((id, i) => [id, i]));
  const seen = new Set<string>();
  for (const e of edges) {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a === undefined || b === undefined || seen.has(`${a}>${b}`)) continue;
    seen.add(`${a}>${b}`);
    const ra = vertices[a]!.rank;
    const rb = vertices[b]!.rank;
    if (rb <= ra) continue; // a cycle's back edge: no say in the layout
    let prev = a;
    for (let r = ra + 1; r < rb; r++) {
      const p = vertices.length;
      vertices.push({
        id: null,
        rank: r,
        span: [ra, rb],
        size: { width: 0, height: PLACEHOLDER_HEIGHT },
        preds: [prev],
        succs: [],
      });
      vertices[prev]!.succs.push(p);
      prev = p;
    }
    vertices[prev]!.succs.push(b);
    vertices[b]!.preds.push(prev);
  }
  return vertices;
}

/** Vertices per rank, ordered to cut crossings: depth-first first order, then barycentre sweeps. */
function orderLayers(vertices: Vertex[]): number[][] {
  const count = Math.max(...vertices.map((v) => v.rank)) + 1;
  const layers: number[][] = Array.from({ length: count }, () => []);
  // Depth-first from the sources in document order keeps a chain's nodes in one lane.
  const visited = new Set<number>();
  const visit = (start: number) => {
    const stack = [start];
    while (stack.length) {
      const v = stack.pop()!;
      if (visited.has(v)) continue;
      visited.add(v);
      layers[vertices[v]!.rank]!.push(v);
      stack.push(...[...vertices[v]!.succs].reverse());
    }
  };
  vertices.forEach((v, i) => v.preds.length === 0 && visit(i));
  vertices.forEach((_, i) => visit(i));
  const position = new Map<number, number>();
  const index = () => layers.forEach((l) => l.forEach((v, i) => position.set(v, i)));
  index();
  let best = layers.map((l) => [...l]);
  let bestCrossings = crossings(vertices, layers, position);
  const sweeps = vertices.length > 400 ? 2 : 8;
  for (let s = 0; s < sweeps && bestCrossings > 0; s++) {
    const down = s % 2 === 0;
    const order = down ? layers.keys() : [...layers.keys()].reverse().values();
    for (const r of order) {
      const layer = layers[r]!;
      const bary = new Map<number, number>();
      for (const v of layer) {
        const ns = down ? vertices[v]!.preds : vertices[v]!.succs;
        bary.set(v, ns.length ? ns.reduce((a, n) => a + position.get(n)!, 0) / ns.length : position.get(v)!);
      }
      layer.sort((a, b) => bary.get(a)! - bary.get(b)! || position.get(a)! - position.get(b)!);
      layer.forEach((v, i) => position.set(v, i));
    }
    const c = crossings(vertices, layers, position);
    if (c < bestCrossings) {
      bestCrossings = c;
      best = layers.map((l) => [...l]);
    }
  }
  return best;
}

function crossings(vertices: Vertex[], layers: number[][], position: Map<number, number>): number {
  let total = 0;
  for (const layer of layers) {
    const pairs: [number, number][] = [];
    for (const v of layer)
      for (const s of vertices[v]!.succs) pairs.push([position.get(v)!, position.get(s)!]);
    for (let i = 0; i < pairs.length; i++)
      for (let j = i + 1; j < pairs.length; j++) {
        const [a, b] = pairs[i]!;
        const [c, d] = pairs[j]!;
        if ((a - c) * (b - d) < 0) total++;
      }
  }
  return total;
}

/**
 * Coordinates with `perBand` ranks per band: columns as wide as their widest node, nodes of a
 * rank stacked in order and pulled level with their neighbours in the band, bands one under
 * another. A data node (a target) whose consumer opens a short last band moves into that band,
 * in front of it, rather than take a lane of its own at the end of the band before.
 */
function place(
  vertices: Vertex[],
  layers: number[][],
  perBand: number,
): { points: Point[]; width: number; height: number } {
  const bandOfRank = (rank: number) => Math.floor(rank / perBand);
  // A wire whose ends are in different bands runs through the gaps between bands and columns
  // (webview/edge-route.ts), not through its placeholders: they keep no lane.
  const kept = (v: number) => {
    const span = vertices[v]!.span;
    return !span || bandOfRank(span[0]) === bandOfRank(span[1]);
  };
  const bands: number[][][] = [];
  for (let start = 0; start < layers.length; start += perBand)
    bands.push(layers.slice(start, start + perBand).map((l) => l.filter(kept)));
  const bandOf = new Map<number, number>();
  bands.forEach((b, i) => b.flat().forEach((v) => bandOf.set(v, i)));
  const last = bands.length - 1;
  if (last > 0 && bands[last]!.length < perBand) {
    const opening = last * perBand;
    const moved = layers[opening - 1]!.filter((v) => {
      const x = vertices[v]!;
      return (
        x.id !== null &&
        x.preds.length === 0 &&
        x.succs.length > 0 &&
        x.succs.every((c) => vertices[c]!.rank === opening)
      );
    });
    if (moved.length) {
      const before = bands[last - 1]!;
      before[before.length - 1] = before[before.length - 1]!.filter((v) => !moved.includes(v));
      bands[last]!.unshift(moved);
      for (const v of moved) bandOf.set(v, last);
    }
  }
  const columns = Math.max(...bands.map((b) => b.length));
  const colWidth = new Array<number>(columns).fill(0);
  for (const b of bands)
    b.forEach((l, c) => {
      for (const v of l) colWidth[c] = Math.max(colWidth[c]!, vertices[v]!.size.width);
    });
  const colX: number[] = [];
  colWidth.reduce((x, w, c) => ((colX[c] = x), x + w + LAYOUT_GAP.rank), 0);
  const width = colX[columns - 1]! + colWidth[columns - 1]!;
  const points: Point[] = vertices.map(() => ({ x: 0, y: 0 }));
  const centre = (v: number) => points[v]!.y + vertices[v]!.size.height / 2;
  let top = 0;
  bands.forEach((band, b) => {
    const inBand = (v: number) => bandOf.get(v) === b;
    // Stack each rank, then pull nodes level with their neighbours: forward, backward, forward.
    const stack = (layer: number[], want: (v: number) => number | null) => {
      let y = -Infinity;
      for (const v of layer) {
        const w = want(v);
        const h = vertices[v]!.size.height;
        const desired = w === null ? (y === -Infinity ? 0 : y) : w - h / 2;
        points[v]!.y = y === -Infinity ? desired : Math.max(desired, y);
        y = points[v]!.y + h + LAYOUT_GAP.lane;
      }
    };
    const mean = (ns: number[]) => {
      const near = ns.filter(inBand);
      return near.length ? near.reduce((a, n) => a + centre(n), 0) / near.length : null;
    };
    band.forEach((l) => stack(l, () => null));
    for (const pass of [0, 1, 2]) {
      const order = pass === 1 ? [...band].reverse() : band;
      for (const l of order) stack(l, (v) => mean(pass === 1 ? vertices[v]!.succs : vertices[v]!.preds));
    }
    const vs = band.flat();
    if (!vs.length) return;
    const minY = Math.min(...vs.map((v) => points[v]!.y));
    const maxY = Math.max(...vs.map((v) => points[v]!.y + vertices[v]!.size.height));
    band.forEach((l, c) => {
      for (const v of l) {
        points[v]!.x = colX[c]! + (colWidth[c]! - vertices[v]!.size.width) / 2;
        points[v]!.y += top - minY;
      }
    });
    top += maxY - minY + LAYOUT_GAP.band;
  });
  return { points, width, height: top - LAYOUT_GAP.band };
}

/** "units 16 · he_uniform": the attributes a node shows under its name (the first three set). */
export function attrSummary(node: Pick<GraphNode, 'op' | 'attrs'>, attrKeys?: readonly string[]): string {
  const keys = attrKeys ?? Object.keys(getOp(node.op)?.attrs ?? node.attrs);
  return keys
    .filter((k) => node.attrs[k] !== undefined)
    .slice(0, 3)
    .map((k) => {
      const v = node.attrs[k]!;
      const text = Array.isArray(v)
        ? `[${v.map(readableNumber).join(', ')}]`
        : typeof v === 'number'
          ? readableNumber(v)
          : String(v);
      return typeof v === 'string' ? text : `${k} ${text}`;
    })
    .join(' · ');
}

/**
 * A node's size in the editor, guessed without a browser (the importer, the examples): the
 * editor's fixed width; a header line, the attribute summary's lines, a row per input port of a
 * node with several, and the shape line (webview/styles.css `.op-node`; the editor measures the real one).
 */
export function estimateNodeSize(node: Pick<GraphNode, 'op' | 'attrs'>): Size {
  const summary = attrSummary(node);
  const lines = summary ? Math.ceil(summary.length / 23) : 0;
  // One unnamed input port shares a row; several get a named row each.
  const ports = getOp(node.op)?.inputs.length ?? 1;
  return { width: NODE_WIDTH, height: 2 + 20 + lines * 15 + (ports > 1 ? ports * 18 : 0) + 18 };
}

/** Positions for nodes as the editor would show them: layoutGraph with estimated sizes. */
export function layoutDocument(
  nodes: readonly Pick<GraphNode, 'id' | 'op' | 'attrs'>[],
  edges: readonly { from: NodeId; to: NodeId }[],
  frame?: Size,
): Map<NodeId, Point> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return layoutGraph(
    nodes.map((n) => n.id),
    edges,
    { size: (id) => estimateNodeSize(byId.get(id)!), ...(frame ? { frame } : {}) },
  );
}

/** Nodes with no positions of their own: none given (they read as 0,0), or all the same one. */
export function isPiled(nodes: readonly Pick<GraphNode, 'position'>[]): boolean {
  if (nodes.length < 2) return false;
  const { x, y } = nodes[0]!.position;
  return nodes.every((n) => n.position.x === x && n.position.y === y);
}
