/**
 * The loss Hessian through its extreme eigenvalues: the values, how they were found and checked,
 * what they say (sharpness, flat or negative directions), and which parameters each extreme
 * eigenvector leans on — the bottom one names the parameters the data determine worst.
 */
import React from 'react';
import type { EigenDirection, HessianReport } from '../../engine/analysis/hessian.js';
import { hessianCrossCheck, hessianMethod, hessianRemarks } from './explain.js';
import { BarList, NodeName, Num, Section } from './parts.js';

/** How many parameter tensors to list by their share of an eigenvector. */
const SHARES = 6;

export function HessianSection(props: {
  hessian: HessianReport;
  onSelectNode?: (node: string) => void;
}): React.JSX.Element {
  const { hessian: h, onSelectNode } = props;
  return (
    <Section title="Loss Hessian" testId="analysis-hessian">
      <dl className="readouts">
        <dt>largest eigenvalue λ_max</dt>
        <dd>
          <Num value={h.top.value} testId="hessian-top" />
        </dd>
        <dt>smallest eigenvalue λ_min</dt>
        <dd>
          <Num value={h.bottom.value} testId="hessian-bottom" />
        </dd>
      </dl>
      <p className="muted" data-testid="hessian-method" data-method={h.dense ? 'lanczos+dense' : 'lanczos'}>
        {hessianMethod(h)}.
      </p>
      <p className="muted" data-testid="hessian-crosscheck">
        {hessianCrossCheck(h)}
      </p>
      <ul className="remarks" data-testid="hessian-remarks">
        {hessianRemarks(h).map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
      <Direction
        id="top"
        title="Top eigenvector (the sharpest direction): largest entries"
        d={h.top}
        onSelectNode={onSelectNode}
      />
      <Direction
        id="bottom"
        title="Bottom eigenvector (the worst-determined direction): largest entries"
        d={h.bottom}
        onSelectNode={onSelectNode}
      />
    </Section>
  );
}

function Direction(props: {
  id: 'top' | 'bottom';
  title: string;
  d: EigenDirection;
  onSelectNode?: (node: string) => void;
}): React.JSX.Element {
  const { id, title, d, onSelectNode } = props;
  const shares = d.byParam
    .slice()
    .sort((a, b) => b.share - a.share)
    .slice(0, SHARES);
  return (
    <div className="eigen-direction" data-testid={`hessian-${id}-direction`}>
      <h4>{title}</h4>
      <BarList
        testId={`hessian-${id}-components`}
        bars={d.largest.map((c) => ({
          key: `${c.node}.${c.param}.${c.index}`,
          value: c.value,
          label: (
            <>
              <NodeName node={c.node} onSelect={onSelectNode} />
              <span className="muted">
                .{c.param}[{c.at.join(', ')}]
              </span>
            </>
          ),
        }))}
      />
      <h4 className="sub">share of the direction by parameter tensor</h4>
      <BarList
        testId={`hessian-${id}-shares`}
        format={(v) => `${(100 * v).toFixed(1)}%`}
        bars={shares.map((s) => ({
          key: `${s.node}.${s.param}`,
          value: s.share,
          label: (
            <>
              <NodeName node={s.node} onSelect={onSelectNode} />
              <span className="muted">.{s.param}</span>
            </>
          ),
        }))}
      />
    </div>
  );
}
