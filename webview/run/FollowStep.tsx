/**
 * The canvas follows the step-through like a debugger follows the current line: when the node of
 * a new step is off-screen the view pans (animated, zoom unchanged) to centre it; a node already
 * in view leaves the view alone, so the user's framing survives a walk through the graph. A
 * component that draws nothing, so a step re-renders it alone, not the canvas around it.
 */
import React from 'react';
import { useReactFlow, type Rect, type Viewport } from 'reactflow';
import { useRun } from './use-run.js';

/** Whether `rect` (flow coordinates) lies wholly inside a pane of `pane` size seen through `viewport`. */
export function isRectInView(
  rect: Rect,
  viewport: Viewport,
  pane: { width: number; height: number },
): boolean {
  const left = rect.x * viewport.zoom + viewport.x;
  const top = rect.y * viewport.zoom + viewport.y;
  return (
    left >= 0 &&
    top >= 0 &&
    left + rect.width * viewport.zoom <= pane.width &&
    top + rect.height * viewport.zoom <= pane.height
  );
}

/** How long the pan to the stepped node takes (ms). */
const FOLLOW_DURATION = 250;

/** Pans the canvas in `pane` to each new step-through step's node that is not wholly in view. */
export function FollowStep(props: { pane: React.RefObject<HTMLElement> }): null {
  const { pane } = props;
  const rf = useReactFlow();
  const step = useRun((s) => s.trace?.step ?? null);
  React.useEffect(() => {
    const el = pane.current;
    const node = step ? rf.getNode(step.node) : undefined;
    if (!el || !node?.width || !node.height) return;
    const at = node.positionAbsolute ?? node.position;
    const rect = { x: at.x, y: at.y, width: node.width, height: node.height };
    const viewport = rf.getViewport();
    if (isRectInView(rect, viewport, { width: el.clientWidth, height: el.clientHeight })) return;
    rf.setCenter(rect.x + rect.width / 2, rect.y + rect.height / 2, {
      zoom: viewport.zoom,
      duration: FOLLOW_DURATION,
    });
  }, [pane, step, rf]);
  return null;
}
