/**
 * Forward against reverse mode: for the Jacobian of the prediction and for the loss gradient,
 * the directions each mode needs, its flops and peak memory from the ops' cost model, and the
 * time of actually running it; then, for an MLP, the lecture's formulas with the numbers filled in.
 */
import React from 'react';
import type { ModeComparison, ModesReport, MlpModes } from '../../engine/analysis/modes.js';
import { formatBytes, formatCount, formatMs, formatNumber } from '../../engine/analysis/format.js';
import { modeVerdict, mlpVerdict, type Mode } from './explain.js';
import { Num, Section } from './parts.js';

const MODES: readonly Mode[] = ['forward', 'reverse'];

export function ModesSection(props: { modes: ModesReport }): React.JSX.Element {
  const { modes } = props;
  return (
    <Section title="Forward vs reverse mode" testId="analysis-modes" wide>
      <Comparison id="gradient" label="Loss gradient ∂L/∂θ" c={modes.gradient} />
      <Comparison id="jacobian" label="Jacobian ∂prediction/∂θ" c={modes.jacobian} />
      {modes.mlp ? (
        <MlpFormulas mlp={modes.mlp} />
      ) : modes.mlpNote ? (
        <p className="muted" data-testid="modes-mlp-note">
          No MLP formulas: {modes.mlpNote}.
        </p>
      ) : null}
    </Section>
  );
}

function Comparison(props: { id: string; label: string; c: ModeComparison }): React.JSX.Element {
  const { id, label, c } = props;
  const verdict = modeVerdict(c);
  const maxFlops = Math.max(c.forward.flops, c.reverse.flops);
  const t = (what: string, mode?: Mode) => `modes-${id}${mode ? `-${mode}` : ''}-${what}`;
  return (
    <div className="mode-comparison" data-testid={`modes-${id}`}>
      <h4>
        {label}{' '}
        <span className="muted">
          ({formatCount(c.rows)} × {formatCount(c.cols)}: output components × parameters)
        </span>
      </h4>
      <table className="mode-table">
        <thead>
          <tr>
            <th>mode</th>
            <th>directions</th>
            <th>flops (cost model)</th>
            <th>peak memory</th>
            <th>measured</th>
          </tr>
        </thead>
        <tbody>
          {MODES.map((mode) => {
            const m = c[mode];
            const meas = c.measured?.[mode];
            return (
              <tr key={mode} className={verdict.winner === mode ? 'winner' : ''} data-testid={t('row', mode)}>
                <th scope="row">{mode}</th>
                <td>
                  <Num value={m.directions} format={formatCount} testId={t('directions', mode)} />{' '}
                  {mode === 'forward' ? 'JVPs' : 'VJPs'}
                </td>
                <td className="flops-cell">
                  <span className="flops-bar" style={{ width: `${(100 * m.flops) / maxFlops}%` }} />
                  <Num value={m.flops} format={formatCount} testId={t('flops', mode)} />
                </td>
                <td>
                  <Num value={m.bytes} format={formatBytes} testId={t('bytes', mode)} />
                </td>
                <td>
                  {meas ? (
                    <>
                      <Num value={meas.msAll} format={formatMs} testId={t('ms', mode)} unit="ms" />
                      {meas.directions < m.directions ? (
                        <span className="muted" data-testid={t('extrapolated', mode)}>
                          {' '}
                          (from {formatCount(meas.directions)})
                        </span>
                      ) : null}
                    </>
                  ) : (
                    <span className="muted">not run</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="verdict" data-testid={t('verdict')} data-winner={verdict.winner ?? 'tie'}>
        {verdict.sentence}
      </p>
      {c.measured ? (
        <p className="muted" data-testid={t('agree')}>
          Both modes’ Jacobians agree to <Num value={c.measured.maxDifference} />.
        </p>
      ) : null}
    </div>
  );
}

function MlpFormulas(props: { mlp: MlpModes }): React.JSX.Element {
  const { formula, model } = props.mlp;
  const rows: [Mode, string, number][] = [
    ['forward', formula.forwardFormula, formula.forwardMultiplyAdds],
    ['reverse', formula.reverseFormula, formula.reverseMultiplyAdds],
  ];
  return (
    <div className="mode-comparison" data-testid="modes-mlp">
      <h4>
        The lecture’s MLP formulas{' '}
        <span className="muted">
          (∂f/∂x of one example, multiply-adds; widths d = [
          <span data-testid="modes-mlp-widths">{formula.widths.join(', ')}</span>])
        </span>
      </h4>
      <table className="mode-table">
        <thead>
          <tr>
            <th>mode</th>
            <th>formula</th>
            <th>cost model</th>
            <th>measured</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([mode, text, value]) => {
            const meas = model.measured?.[mode];
            return (
              <tr key={mode}>
                <th scope="row">{mode}</th>
                <td>
                  <code data-testid={`modes-mlp-${mode}-formula`} data-value={String(value)}>
                    {text}
                  </code>
                </td>
                <td>
                  <Num value={model[mode].flops} format={formatCount} testId={`modes-mlp-${mode}-flops`} />{' '}
                  flops
                </td>
                <td>
                  {meas ? (
                    <Num value={meas.msAll} format={formatMs} unit="ms" testId={`modes-mlp-${mode}-ms`} />
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="verdict" data-testid="modes-mlp-verdict">
        {mlpVerdict(formula.widths)} The model’s flops count 2 per multiply-add plus biases and activations
        {model.measured ? <>; both Jacobians agree to {formatNumber(model.measured.maxDifference)}</> : null}.
      </p>
    </div>
  );
}
