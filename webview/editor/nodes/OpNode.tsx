/**
 * How one graph node looks: op name, id, key attributes, a handle per input port, output shape;
 * and what the run says about it (overlay colour and magnitude, step-through position, gradient
 * check), which the node reads from the run store itself so a run update never rebuilds the flow.
 */
import React from 'react';
import { Handle, Position, type NodeProps } from 'reactflow';
import { formatShape, OUTPUT_HANDLE, type OpNodeData } from '../graph-view.js';
import { GradCheckBadge, OverlayChip, UnitHeatmapStrip, useNodeRunLook } from '../../run/NodeOverlay.js';

export const OpNode = React.memo(function OpNode({
  data,
  selected,
}: NodeProps<OpNodeData>): React.JSX.Element {
  const errors = data.problems.filter((d) => d.severity === 'error');
  const invalid = errors.length > 0 || !data.op;
  const run = useNodeRunLook(data.node.id);
  const overlaid = run.overlay?.color ? 'overlaid' : run.overlay ? 'overlay-none' : '';
  const className = [
    'op-node',
    `cat-${data.op?.category ?? 'unknown'}`,
    invalid ? 'invalid' : '',
    selected ? 'selected' : '',
    overlaid,
    run.trace ? `trace-${run.trace}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const style = run.overlay?.color ? ({ '--overlay': run.overlay.color } as React.CSSProperties) : undefined;
  return (
    <div
      className={className}
      style={style}
      data-node-id={data.node.id}
      data-trace={run.trace ?? undefined}
      title={data.problems.map((d) => d.message).join('\n') || data.op?.doc}
    >
      {run.trace ? (
        <span className="trace-marker" data-testid="node-trace-marker">
          {run.trace === 'forward' ? '▶ forward' : '◀ backward'}
        </span>
      ) : null}
      {run.gradcheck ? <GradCheckBadge check={run.gradcheck} /> : null}
      <div className="op-node-header">
        <span className="op-name">{data.node.op}</span>
        {run.overlay ? <OverlayChip overlay={run.overlay} /> : null}
        <span className="op-id">{data.node.id}</span>
      </div>
      {data.summary ? <div className="op-attrs">{data.summary}</div> : null}
      <UnitHeatmapStrip node={data.node.id} />
      <div className={data.ports.length === 1 ? 'op-ports single' : 'op-ports'}>
        {data.ports.map((port) => (
          <div key={port} className="op-port" data-port={port}>
            <Handle type="target" position={Position.Left} id={port} className="port-handle" />
            {data.ports.length > 1 ? <span className="port-name">{port}</span> : null}
          </div>
        ))}
      </div>
      <div className="op-shape" data-testid="node-shape">
        {formatShape(data.shape)}
        {invalid ? (
          <span className="op-error-badge" aria-label="has errors">
            {' '}
            ⚠ {errors.length || 1}
          </span>
        ) : null}
      </div>
      {data.outputs ? (
        <div className="op-out-ports">
          {data.outputs.map((port) => (
            <div key={port} className="op-port out" data-out-port={port}>
              <span className="port-name">{port}</span>
              <Handle type="source" position={Position.Right} id={port} className="port-handle out" />
            </div>
          ))}
        </div>
      ) : (
        <Handle type="source" position={Position.Right} id={OUTPUT_HANDLE} className="port-handle out" />
      )}
    </div>
  );
});
