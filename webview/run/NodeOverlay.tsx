/**
 * What the run adds to the canvas, read straight from the run store by each node and edge (so a
 * stats update re-renders the nodes whose numbers changed, never the flow): the overlay colour and
 * magnitude, the step-through's current node, the gradient check's worst error per node, and the
 * edges coloured and thickened by the gradient (or activation) leaving their source.
 */
import React from 'react';
import { BaseEdge, getBezierPath, useStore, type EdgeProps, type ReactFlowState } from 'reactflow';
import { routeAround, type Rect } from '../edge-route.js';
import { spotsAlong, spotsOnBezier } from '../edge-labels.js';
import { useLabelPlace } from '../editor/use-edge-label.js';
import { useRun } from './use-run.js';
import type { RunState } from './run-store.js';
import { edgeWidth, formatMagnitude, overlayColor, overlayValue, OVERLAY_SCALES } from './overlay-scale.js';
import { gradCheckTitle, gradCheckVerdict, type GradCheckVerdict } from './gradcheck.js';
import { Picture } from './Picture.js';
import { signedPixels } from './image-pixels.js';
import { valueKey } from '../../engine/graph/check.js';
import type { WireData } from '../editor/graph-view.js';

/** The node's magnitude on the chosen metric; undefined when the overlay is off or has no stats yet. */
function selectValue(s: RunState, node: string): number | null | undefined {
  if (!s.options.overlay || !s.stats) return undefined;
  return overlayValue(s.stats.byNode.get(node), s.view.metric);
}

export interface NodeRunLook {
  /** Overlay colour and the number it stands for (null: the node has none on this metric). */
  overlay: { color: string | null; value: number | null; label: string } | undefined;
  /** 'forward' / 'backward' when the step-through stands on this node. */
  trace: 'forward' | 'backward' | null;
  gradcheck: { text: string; verdict: GradCheckVerdict; title: string } | null;
}

export function useNodeRunLook(node: string): NodeRunLook {
  const value = useRun((s) => selectValue(s, node));
  const metric = useRun((s) => s.view.metric);
  const trace = useRun((s) => (s.trace?.step?.node === node ? s.trace.step.phase : null));
  const check = useRun((s) => s.gradcheck?.byNode.get(node));
  const floor = useRun((s) => s.gradcheck?.floor ?? 0);
  return React.useMemo(
    () => ({
      overlay:
        value === undefined
          ? undefined
          : {
              color: value === null ? null : overlayColor(value, metric),
              value,
              label: OVERLAY_SCALES[metric].label,
            },
      trace,
      gradcheck: check
        ? {
            text: check.resolved ? formatMagnitude(check.worstRelError) : '',
            verdict: gradCheckVerdict(check),
            title: gradCheckTitle(check, floor),
          }
        : null,
    }),
    [value, metric, trace, check, floor],
  );
}

/** The magnitude chip in a node's header, in the overlay colour. */
export function OverlayChip(props: {
  overlay: NonNullable<NodeRunLook['overlay']>;
}): React.JSX.Element | null {
  const { value, color, label } = props.overlay;
  if (value === null) return null;
  return (
    <span
      className="overlay-chip"
      style={{ background: color ?? undefined }}
      data-testid="node-overlay-value"
      data-value={value}
      title={`${label} = ${value}`}
    >
      {formatMagnitude(value)}
    </span>
  );
}

const GRADCHECK_MARK: Record<GradCheckVerdict, string> = { ok: '✓', bad: '✗', unresolved: '–' };

export function GradCheckBadge(props: { check: NonNullable<NodeRunLook['gradcheck']> }): React.JSX.Element {
  return (
    <span
      className={`gradcheck-badge ${props.check.verdict}`}
      data-testid="node-gradcheck"
      title={props.check.title}
    >
      {GRADCHECK_MARK[props.check.verdict]} {props.check.text}
    </span>
  );
}

/**
 * A wire drawn in the colour of what leaves its source, thicker the larger it is: from a node with
 * several outputs, what leaves the wire's own port (its stats are under the value key node:port).
 */
export const OverlayEdge = React.memo(function OverlayEdge(props: EdgeProps<WireData>): React.JSX.Element {
  const key = valueKey(props.source, props.data?.edge.fromPort);
  const value = useRun((s) => {
    if (!s.options.overlay || !s.stats) return undefined;
    const stats = s.stats.byNode.get(key);
    // The parameter metric has nothing on a wire: show the gradient flowing along it.
    return overlayValue(stats, s.view.metric === 'activation' ? 'activation' : 'grad');
  });
  const metric = useRun((s) => (s.view.metric === 'activation' ? 'activation' : 'grad'));
  const style =
    value === undefined || value === null
      ? props.style
      : {
          ...props.style,
          stroke: overlayColor(value, metric),
          strokeWidth: edgeWidth(value, metric),
          strokeOpacity: 0.95,
        };
  const obstacles = useStore(
    React.useCallback(
      (s: ReactFlowState) => nodeRects(s, props.source, props.target),
      [props.source, props.target],
    ),
    sameRects,
  );
  const { sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition } = props;
  // The wire: React Flow's bezier, or a corridor around the nodes the bezier would cross.
  const wire = React.useMemo(() => {
    const s = { x: sourceX, y: sourceY };
    const t = { x: targetX, y: targetY };
    const route = routeAround(s, t, obstacles);
    if (route) return { path: route.path, spots: spotsAlong(...route.corridor) };
    const [path] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
    return { path, spots: spotsOnBezier(s, t) };
  }, [sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, obstacles]);
  const { label, labelStyle, labelShowBg, labelBgStyle, labelBgPadding, labelBgBorderRadius } = props;
  const place = useLabelPlace(props.id, label, wire.spots);
  return (
    <BaseEdge
      id={props.id}
      path={wire.path}
      labelX={place.x}
      labelY={place.y}
      label={label}
      labelStyle={labelStyle}
      labelShowBg={labelShowBg}
      labelBgStyle={labelBgStyle}
      labelBgPadding={labelBgPadding}
      labelBgBorderRadius={labelBgBorderRadius}
      style={style}
      markerEnd={props.markerEnd}
      markerStart={props.markerStart}
      interactionWidth={props.interactionWidth}
    />
  );
});

/** Every measured node's box but the wire's own two: what the wire must not run behind. */
function nodeRects(s: ReactFlowState, source: string, target: string): Rect[] {
  const out: Rect[] = [];
  for (const n of s.nodeInternals.values()) {
    if (n.id === source || n.id === target || !n.width || !n.height) continue;
    const p = n.positionAbsolute ?? n.position;
    out.push({ x: p.x, y: p.y, width: n.width, height: n.height });
  }
  return out;
}

function sameRects(a: Rect[], b: Rect[]): boolean {
  return (
    a.length === b.length &&
    a.every((r, i) => {
      const q = b[i]!;
      return r.x === q.x && r.y === q.y && r.width === q.width && r.height === q.height;
    })
  );
}

/**
 * TensorFlow Playground's node pictures: a hidden layer's first units over the input plane, live
 * while a 2-D classifier trains (the Prediction tab's "Hidden units"), on the layer's node.
 */
export function UnitHeatmapStrip({ node }: { node: string }): React.JSX.Element | null {
  const maps = useRun((s) =>
    s.prediction?.view.kind === 'boundary'
      ? s.prediction.view.units?.find((u) => u.node === node)
      : undefined,
  );
  if (!maps) return null;
  const cells = maps.side * maps.side;
  return (
    <div
      className="unit-heatmaps"
      data-testid="unit-heatmaps"
      data-units={maps.shown}
      title={`The first ${maps.shown} of ${maps.count} units over the input plane (orange positive, blue negative)`}
    >
      {Array.from({ length: maps.shown }, (_, u) => (
        <Picture
          key={u}
          rgba={signedPixels(maps.values, u * cells, cells)}
          width={maps.side}
          height={maps.side}
          scale={1}
        />
      ))}
    </div>
  );
}
