/** The selected node's id, op, shape, problems and attributes, each edited as one gesture. */
import React from 'react';
import type { AttrSpec, AttrValue } from '../../engine/ops/define.js';
import type { Diagnostic, GraphNode } from '../../engine/graph/document.js';
import { isValidNodeId, type GraphEdit } from '../../engine/graph/edits.js';
import type { SymbolicShape } from '../../engine/graph/check.js';
import { opInfo } from '../op-catalog.js';
import { formatShape } from './graph-view.js';
import { formatAttr, parseAttrInput } from './attr-input.js';
import { Select, TextInput, Toggle } from '../ui/controls.js';

export function Inspector(props: {
  node: GraphNode | undefined;
  selectionSize: number;
  shape: SymbolicShape | undefined;
  problems: Diagnostic[];
  onEdit: (edit: GraphEdit) => void;
}): React.JSX.Element {
  const { node } = props;
  if (!node) {
    return (
      <aside className="inspector" data-testid="inspector">
        <h2>Inspector</h2>
        <p className="hint">
          {props.selectionSize > 1
            ? `${props.selectionSize} items selected. Delete removes them; Ctrl+C copies them.`
            : 'Select a node to see and edit its settings.'}
        </p>
      </aside>
    );
  }
  const op = opInfo(node.op);
  return (
    <aside className="inspector" data-testid="inspector">
      <h2>
        {node.op} <span className="muted">node</span>
      </h2>
      {op ? <p className="doc">{op.doc}</p> : <p className="error">Unknown op '{node.op}'.</p>}
      <p>
        Output shape: <code data-testid="inspector-shape">{formatShape(props.shape)}</code>
      </p>
      <IdField key={`id:${node.id}`} node={node} onEdit={props.onEdit} />
      {op
        ? Object.entries(op.attrs).map(([name, spec]) => (
            <AttrField
              key={`${node.id}:${name}`}
              op={node.op}
              nodeId={node.id}
              name={name}
              spec={spec}
              value={node.attrs[name]}
              problem={props.problems.find((d) => d.attr === name && d.severity === 'error')?.message}
              onEdit={props.onEdit}
            />
          ))
        : null}
      {props.problems.length > 0 ? (
        <ul className="problems">
          {props.problems.map((d, i) => (
            <li key={i} className={d.severity}>
              {d.message}
            </li>
          ))}
        </ul>
      ) : null}
    </aside>
  );
}

function IdField(props: { node: GraphNode; onEdit: (edit: GraphEdit) => void }): React.JSX.Element {
  const [error, setError] = React.useState<string | undefined>();
  return (
    <TextInput
      label="id"
      value={props.node.id}
      error={error}
      testId="attr-id"
      onInput={(v) =>
        setError(isValidNodeId(v) ? undefined : 'Start with a letter; then letters, digits, _ . -')
      }
      onCommit={(v) => {
        if (v !== props.node.id && isValidNodeId(v))
          props.onEdit({ kind: 'renameNode', node: props.node.id, newId: v });
      }}
    />
  );
}

function AttrField(props: {
  op: string;
  nodeId: string;
  name: string;
  spec: AttrSpec;
  value: AttrValue | undefined;
  /** The checker's error for this attribute (e.g. groups that don't divide the channels). */
  problem?: string | undefined;
  onEdit: (edit: GraphEdit) => void;
}): React.JSX.Element {
  const { op, spec, name, nodeId, value } = props;
  const set = (v: AttrValue | null) => props.onEdit({ kind: 'setAttr', node: nodeId, attr: name, value: v });
  const [error, setError] = React.useState<string | undefined>();
  if (spec.type === 'enum') {
    return (
      <Select
        label={name}
        value={typeof value === 'string' ? value : (spec.default ?? '')}
        options={spec.values}
        onChange={set}
        testId={`attr-${name}`}
      />
    );
  }
  if (spec.type === 'boolean') {
    return (
      <Toggle
        label={name}
        checked={typeof value === 'boolean' ? value : (spec.default ?? false)}
        onChange={set}
        testId={`attr-${name}`}
      />
    );
  }
  const placeholder =
    spec.default !== undefined ? `default ${formatAttr(spec.default)}` : spec.optional ? 'not set' : '';
  return (
    <TextInput
      label={name}
      value={formatAttr(value)}
      placeholder={placeholder}
      error={error ?? props.problem}
      title={spec.doc}
      testId={`attr-${name}`}
      onInput={(text) => {
        const parsed = parseAttrInput(op, name, spec, text);
        setError(parsed.ok ? undefined : parsed.error);
      }}
      onCommit={(text) => {
        const parsed = parseAttrInput(op, name, spec, text);
        if (!parsed.ok) return setError(parsed.error);
        setError(undefined);
        if (formatAttr(parsed.value ?? undefined) !== formatAttr(value)) set(parsed.value);
      }}
    />
  );
}
