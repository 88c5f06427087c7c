/**
 * The loss Hessian through its extreme eigenvalues: the values, how they were found and checked,
 * what they say (sharpness, flat or negative directions), and which parameters each extreme
 * eigenvector leans on — the bottom one names the parameters the data determine worst.
 */
import React from 'react';
import type { EigenDirection, HessianReport } from '../../engine/analysis/hessian.js';
import { formatNumber } from '../../engine/analysis/format.js';
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
      <Spectrum h={h} />
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

const STRIP = { width: 360, height: 46, pad: 14 };

/**
 * Every eigenvalue known (the dense spectrum when it was computed, else Lanczos' Ritz values) as
 * ticks on a symmetric log scale, so λ_max, the cluster near zero and any negative ones all show.
 */
function Spectrum(props: { h: HessianReport }): React.JSX.Element {
  const { h } = props;
  const dense = h.dense?.eigenvalues;
  const values = dense ?? h.ritzValues;
  const lo = Math.min(h.bottom.value, ...values),
    hi = Math.max(h.top.value, ...values);
  // Below τ the scale is linear: a millionth of the largest magnitude.
  const tau = Math.max(Math.abs(lo), Math.abs(hi), Number.MIN_VALUE) * 1e-6;
  const symlog = (v: number) => Math.sign(v) * Math.log10(1 + Math.abs(v) / tau);
  const a = Math.min(symlog(lo), 0),
    b = Math.max(symlog(hi), 0);
  const { width, height, pad } = STRIP;
  const x = (v: number) => pad + ((symlog(v) - a) / (b - a || 1)) * (width - 2 * pad);
  const axis = height / 2;
  return (
    <svg
      className="spectrum"
      data-testid="hessian-spectrum"
      data-source={dense ? 'dense' : 'ritz'}
      data-count={values.length}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${values.length} ${dense ? 'eigenvalues' : 'Ritz values'} on a symmetric log scale`}
    >
      <line className="spectrum-axis" x1={pad} x2={width - pad} y1={axis} y2={axis} />
      <line className="spectrum-zero" x1={x(0)} x2={x(0)} y1={axis - 10} y2={axis + 10} />
      {values.map((v, i) => (
        <line key={i} className="spectrum-tick" x1={x(v)} x2={x(v)} y1={axis - 6} y2={axis + 6}>
          <title>{formatNumber(v)}</title>
        </line>
      ))}
      <circle className="spectrum-extreme" cx={x(h.bottom.value)} cy={axis} r={3.5} />
      <circle className="spectrum-extreme" cx={x(h.top.value)} cy={axis} r={3.5} />
      <text className="axis-label" x={x(h.bottom.value)} y={height - 2} textAnchor="start">
        λ_min
      </text>
      <text className="axis-label" x={x(0)} y={10} textAnchor="middle">
        0
      </text>
      <text className="axis-label" x={x(h.top.value)} y={height - 2} textAnchor="end">
        λ_max
      </text>
    </svg>
  );
}
