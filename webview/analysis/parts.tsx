/**
 * The small building blocks of the Analyses view: a titled section, a numeric readout that keeps
 * its exact value in `data-value` (what the tests compare with the report), a node name that
 * selects the node on the canvas when the host view offers it, and a signed bar list.
 */
import React from 'react';
import { formatNumber } from '../../engine/analysis/format.js';

export function Section(props: {
  title: string;
  testId: string;
  children: React.ReactNode;
  wide?: boolean;
}): React.JSX.Element {
  return (
    <section className={`analysis-section${props.wide ? ' wide' : ''}`} data-testid={props.testId}>
      <h3>{props.title}</h3>
      {props.children}
    </section>
  );
}

/** A number as people read it; the exact value in data-value. */
export function Num(props: {
  value: number;
  testId?: string;
  format?: (v: number) => string;
  unit?: string;
}): React.JSX.Element {
  return (
    <span className="num" data-testid={props.testId} data-value={String(props.value)}>
      {(props.format ?? formatNumber)(props.value)}
      {props.unit ? ` ${props.unit}` : ''}
    </span>
  );
}

/** A node id: a link that selects it in the graph when the view was given a way to. */
export function NodeName(props: { node: string; onSelect?: (node: string) => void }): React.JSX.Element {
  const { node, onSelect } = props;
  if (!onSelect) return <span className="node-name">{node}</span>;
  return (
    <button
      type="button"
      className="node-name link"
      data-testid="analysis-node-link"
      data-node={node}
      title={`Select ${node} in the graph`}
      onClick={() => onSelect(node)}
    >
      {node}
    </button>
  );
}

export interface Bar {
  key: string;
  label: React.ReactNode;
  value: number;
}

/** Horizontal bars scaled to the largest |value|; negative values drawn in the other colour. */
export function BarList(props: {
  bars: readonly Bar[];
  testId: string;
  format?: (v: number) => string;
}): React.JSX.Element {
  const max = Math.max(...props.bars.map((b) => Math.abs(b.value)), Number.MIN_VALUE);
  return (
    <ol className="bar-list" data-testid={props.testId}>
      {props.bars.map((b) => (
        <li key={b.key} data-testid={`${props.testId}-row`}>
          <span className="bar-label">{b.label}</span>
          <span className="bar-track">
            <span
              className={`bar${b.value < 0 ? ' negative' : ''}`}
              style={{ width: `${(100 * Math.abs(b.value)) / max}%` }}
            />
          </span>
          <Num value={b.value} format={props.format} />
        </li>
      ))}
    </ol>
  );
}
