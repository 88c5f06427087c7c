/**
 * Where the canvas looks when a graph opens and no viewport is remembered for it: the whole graph,
 * as large as fits (up to its natural size), inside the canvas less the strip at its bottom where
 * the zoom controls and the overlay legend sit. The layout (engine/graph/layout.ts) arranges
 * graphs so that this stays readable: a graph of up to SMALL_GRAPH nodes is not shown below
 * READABLE_ZOOM; one that still does not fit is shown from its top-left corner (where the data
 * comes in), the rest a pan, the minimap or "Fit view" away.
 *
 * The view is computed once, when the nodes have been measured (and laid out, for a document
 * whose nodes have no positions) AND the canvas has a size: a webview restored in a hidden tab
 * (after a reload, or on a theme switch) has a 0×0 canvas at first, and a fit computed then puts
 * every node off-screen.
 */
import React from 'react';
import { getRectOfNodes, useNodesInitialized, useReactFlow, type Rect, type Viewport } from 'reactflow';
import { WIRE_REACH } from '../edge-route.js';

/** Below this zoom the nodes' 11-12 px labels are too small to read. */
export const READABLE_ZOOM = 0.7;
/** Graphs up to this many nodes are held to READABLE_ZOOM; bigger ones may be shown smaller to be seen whole. */
export const SMALL_GRAPH = 20;
/**
 * The least zoom a graph of more than SMALL_GRAPH nodes is fitted whole at (its structure and op
 * names still read); one that needs less (a ResNet-18) opens at READABLE_ZOOM from its top-left.
 */
export const OVERVIEW_ZOOM = 0.5;
/** A small graph is not blown up past its natural size. */
export const MAX_OPENING_ZOOM = 1;
/** Screen pixels kept free around the graph. */
export const OPENING_PADDING = 20;
/** The strip at the canvas's bottom that the zoom controls and the overlay legend cover. */
export const OVERLAY_STRIP = 44;

/** The part of the canvas the graph is fitted into (the overlays' strip left out). */
export function graphArea(pane: { width: number; height: number }): { width: number; height: number } {
  return { width: pane.width, height: Math.max(1, pane.height - OVERLAY_STRIP) };
}

/** The nodes' bounding box with room for the wires routed around them (edge-route.ts). */
export function withWireRoom(nodes: Rect): Rect {
  return {
    x: nodes.x - WIRE_REACH.x,
    y: nodes.y - WIRE_REACH.y,
    width: nodes.width + 2 * WIRE_REACH.x,
    height: nodes.height + 2 * WIRE_REACH.y,
  };
}

export function openingViewport(
  bounds: Rect,
  pane: { width: number; height: number },
  nodeCount = 0,
): Viewport {
  const area = graphArea(pane);
  const room = { width: area.width - 2 * OPENING_PADDING, height: area.height - 2 * OPENING_PADDING };
  const fit = Math.min(room.width / Math.max(bounds.width, 1), room.height / Math.max(bounds.height, 1));
  const floor = nodeCount > SMALL_GRAPH && fit >= OVERVIEW_ZOOM ? OVERVIEW_ZOOM : READABLE_ZOOM;
  const zoom = Math.min(MAX_OPENING_ZOOM, Math.max(floor, fit));
  // Per axis: centred when the graph fits, else its start (left / top edge) at the padding.
  const place = (start: number, size: number, roomSize: number, areaSize: number) =>
    size * zoom <= roomSize ? (areaSize - size * zoom) / 2 - start * zoom : OPENING_PADDING - start * zoom;
  return {
    x: place(bounds.x, bounds.width, room.width, area.width),
    y: place(bounds.y, bounds.height, room.height, area.height),
    zoom,
  };
}

/** A viewport worth restoring: finite numbers and a positive zoom (webview state is untyped JSON). */
export function isUsableViewport(v: unknown): v is Viewport {
  if (typeof v !== 'object' || v === null) return false;
  const { x, y, zoom } = v as Record<string, unknown>;
  return [x, y, zoom].every((n) => typeof n === 'number' && Number.isFinite(n)) && (zoom as number) > 0;
}

/**
 * Sets the opening viewport once, unless one was remembered (then React Flow's defaultViewport
 * already shows it) or the graph opened empty (the user's first node stays where it was put).
 */
export function useOpeningViewport(
  pane: React.RefObject<HTMLElement>,
  remembered: boolean,
  openedEmpty: boolean,
  /** False while the nodes are still to be laid out (a document without positions). */
  placed: boolean,
  /** Called once the opening view is set. */
  onOpened?: () => void,
): void {
  const rf = useReactFlow();
  const measured = useNodesInitialized();
  const done = React.useRef(remembered || openedEmpty);
  React.useEffect(() => {
    const el = pane.current;
    if (done.current || !measured || !placed || !el) return;
    const apply = () => {
      const { width, height } = el.getBoundingClientRect();
      if (done.current || width === 0 || height === 0) return;
      done.current = true;
      const nodes = rf.getNodes();
      rf.setViewport(openingViewport(withWireRoom(getRectOfNodes(nodes)), { width, height }, nodes.length));
      onOpened?.();
    };
    apply();
    if (done.current) return;
    const watch = new ResizeObserver(apply);
    watch.observe(el);
    return () => watch.disconnect();
  }, [pane, measured, placed, rf, onOpened]);
}
