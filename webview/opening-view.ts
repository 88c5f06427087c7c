/**
 * Where the canvas looks when a graph opens and no viewport is remembered for it. Fitting every
 * node in view can shrink a long chain (the spiral example in a side-by-side window) to half size
 * or less, where labels and shapes can't be read. So the opening view fits the graph only down to
 * a readable zoom; a graph that is bigger than that is shown from its top-left corner (where the
 * data comes in, in a left-to-right graph) and the rest is a pan, the minimap or "Fit view" away.
 *
 * The view is computed once, when the nodes have been measured AND the canvas has a size: a
 * webview restored in a hidden tab (after a reload, or on a theme switch) has a 0×0 canvas at
 * first, and a fit computed then puts every node off-screen.
 */
import React from 'react';
import { getRectOfNodes, useNodesInitialized, useReactFlow, type Rect, type Viewport } from 'reactflow';

/** Below this zoom the nodes' 11-12 px labels are too small to read. */
export const READABLE_ZOOM = 0.8;
/** A small graph is not blown up past its natural size. */
export const MAX_OPENING_ZOOM = 1;
/** Screen pixels kept free around the graph. */
export const OPENING_PADDING = 32;

export function openingViewport(bounds: Rect, pane: { width: number; height: number }): Viewport {
  const room = { width: pane.width - 2 * OPENING_PADDING, height: pane.height - 2 * OPENING_PADDING };
  const fit = Math.min(room.width / Math.max(bounds.width, 1), room.height / Math.max(bounds.height, 1));
  const zoom = Math.min(MAX_OPENING_ZOOM, Math.max(READABLE_ZOOM, fit));
  // Per axis: centred when the graph fits, else its start (left / top edge) at the padding.
  const place = (start: number, size: number, roomSize: number, paneSize: number) =>
    size * zoom <= roomSize ? (paneSize - size * zoom) / 2 - start * zoom : OPENING_PADDING - start * zoom;
  return {
    x: place(bounds.x, bounds.width, room.width, pane.width),
    y: place(bounds.y, bounds.height, room.height, pane.height),
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
): void {
  const rf = useReactFlow();
  const measured = useNodesInitialized();
  const done = React.useRef(remembered || openedEmpty);
  React.useEffect(() => {
    const el = pane.current;
    if (done.current || !measured || !el) return;
    const apply = () => {
      const { width, height } = el.getBoundingClientRect();
      if (done.current || width === 0 || height === 0) return;
      done.current = true;
      rf.setViewport(openingViewport(getRectOfNodes(rf.getNodes()), { width, height }));
    };
    apply();
    if (done.current) return;
    const watch = new ResizeObserver(apply);
    watch.observe(el);
    return () => watch.disconnect();
  }, [pane, measured, rf]);
}
