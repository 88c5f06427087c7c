/**
 * The matrix-calculus view of one linear layer: the explicit Jacobian ∂vec(F)/∂vec(W) = Φᵀ ⊗ I
 * (mostly zeros) beside the small product G Φᵀ that reverse mode computes instead, and the check
 * that Jᵀ vec(G) and G Φᵀ agree.
 */
import React from 'react';
import type { AnalysisReport } from '../../engine/analysis/report.js';
import { formatCount, formatNumber } from '../../engine/analysis/format.js';
import { Num, Section } from './parts.js';

/** Above this many columns the cells are too small to print their values in. */
const NUMBERS_UP_TO = 10;

/** Agreement within this (relative to the entries' size) is rounding. */
const AGREE = 1e-9;

export function KroneckerSection(props: { kronecker: AnalysisReport['kronecker'] }): React.JSX.Element {
  const k = props.kronecker;
  if (!k)
    return (
      <Section title="Matrix calculus: the Kronecker view" testId="analysis-kronecker">
        <p className="muted" data-testid="kron-note">
          Shown for a linear layer with at most 64 weights; this graph has none that small.
        </p>
      </Section>
    );
  const out = k.g.length,
    inputs = k.phi.length;
  const vjpScale = maxAbs(k.vjp);
  const agree = k.maxDifference <= AGREE * vjpScale;
  return (
    <Section title="Matrix calculus: the Kronecker view" testId="analysis-kronecker" wide>
      <p className="muted">
        Layer <code data-testid="kron-node">{k.node}</code> (F = W Φ, W is {out}×{inputs}) on the batch’s
        first {k.examples} examples; vec stacks columns.
      </p>
      <div className="matrix-row">
        <HeatMatrix testId="kron-phi" title="Φ (inputs, one example per column)" m={k.phi} />
        <HeatMatrix testId="kron-g" title="G = ∂L/∂F" m={k.g} />
        <HeatMatrix
          testId="kron-jacobian"
          title={`∂vec(F)/∂vec(W) = Φᵀ ⊗ I (${k.jacobian.length}×${k.jacobian[0]?.length ?? 0})`}
          m={k.jacobian}
        />
      </div>
      <div className="matrix-row">
        <HeatMatrix
          testId="kron-via-jacobian"
          title="Jᵀ vec(G), reshaped"
          m={k.viaJacobian}
          scale={vjpScale}
        />
        <span className="matrix-equals">{agree ? '=' : '≠'}</span>
        <HeatMatrix testId="kron-vjp" title="G Φᵀ (what the engine computes)" m={k.vjp} scale={vjpScale} />
      </div>
      {k.g.every((row) => row.every((v) => v === 0)) ? (
        <p className="muted" data-testid="kron-zero">
          G = 0 on these examples: no loss gradient reaches this layer (an exact fit, or inactive ReLUs
          downstream), so both sides are zero.
        </p>
      ) : null}
      <p className={`verdict${agree ? '' : ' error'}`} data-testid="kron-check" data-agree={String(agree)}>
        {agree ? '✓' : '✗'} The two agree to <Num value={k.maxDifference} testId="kron-difference" />: the
        explicit product takes{' '}
        <Num value={k.flops.viaJacobian} format={formatCount} testId="kron-flops-jacobian" /> multiplications,
        G Φᵀ <Num value={k.flops.vjp} format={formatCount} testId="kron-flops-vjp" />; reverse mode never
        builds the Kronecker matrix.
      </p>
    </Section>
  );
}

function maxAbs(m: readonly (readonly number[])[]): number {
  return Math.max(...m.flat().map(Math.abs), Number.MIN_VALUE);
}

/** A small matrix as coloured cells: red positive, blue negative, strength by |value| / scale. */
function HeatMatrix(props: {
  testId: string;
  title: string;
  m: readonly (readonly number[])[];
  scale?: number;
}): React.JSX.Element {
  const { m, testId } = props;
  const rows = m.length,
    cols = m[0]?.length ?? 0;
  const scale = props.scale ?? maxAbs(m);
  const numbers = cols <= NUMBERS_UP_TO;
  return (
    <figure className="heat-matrix" data-testid={testId} data-rows={rows} data-cols={cols}>
      <figcaption>{props.title}</figcaption>
      <div
        className={`cells${numbers ? '' : ' dense'}`}
        style={{ gridTemplateColumns: `repeat(${cols}, ${numbers ? '3.6em' : '9px'})` }}
      >
        {m.flatMap((row, i) =>
          row.map((v, j) => {
            const share = Math.round((100 * Math.abs(v)) / scale);
            return (
              <span
                key={`${i},${j}`}
                className={`cell${v < 0 ? ' negative' : v > 0 ? ' positive' : ' zero'}`}
                style={{ '--share': `${share}%` } as React.CSSProperties}
                title={`[${i}, ${j}] = ${formatNumber(v)}`}
                data-value={String(v)}
              >
                {numbers ? (v === 0 ? '0' : formatNumber(+v.toPrecision(3))) : null}
              </span>
            );
          }),
        )}
      </div>
    </figure>
  );
}
