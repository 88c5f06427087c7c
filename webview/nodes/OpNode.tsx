/** How one graph node looks: op name, id, key attributes, a handle per input port, output shape. */
import React from 'react';
import { Handle, Position, type NodeProps } from 'reactflow';
import { formatShape, OUTPUT_HANDLE, type OpNodeData } from '../graph-view.js';

export const OpNode = React.memo(function OpNode({
  data,
  selected,
}: NodeProps<OpNodeData>): React.JSX.Element {
  const errors = data.problems.filter((d) => d.severity === 'error');
  const invalid = errors.length > 0 || !data.op;
  const className = [
    'op-node',
    `cat-${data.op?.category ?? 'unknown'}`,
    invalid ? 'invalid' : '',
    selected ? 'selected' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div
      className={className}
      data-node-id={data.node.id}
      title={data.problems.map((d) => d.message).join('\n') || data.op?.doc}
    >
      <div className="op-node-header">
        <span className="op-name">{data.node.op}</span>
        <span className="op-id">{data.node.id}</span>
      </div>
      {data.summary ? <div className="op-attrs">{data.summary}</div> : null}
      <div className="op-ports">
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
      <Handle type="source" position={Position.Right} id={OUTPUT_HANDLE} className="port-handle out" />
    </div>
  );
});
