/**
 * A tensor at a glance: its shape, min / max / mean / norm, and its first rows as a table (trailing
 * dimensions flattened into columns), every cell on one line with the same number of significant
 * digits (a table wider than the panel scrolls sideways). The exact numbers are on data attributes
 * for tests.
 */
import React from 'react';
import type { TensorView } from '../../engine/autodiff/step-through.js';
import { formatMagnitude } from './overlay-scale.js';
import { Picture } from './Picture.js';
import { rangePixels, signedPixels } from './image-pixels.js';

const ROWS = 6;
const COLS = 8;

export function summarize(data: ArrayLike<number>): { min: number; max: number; mean: number; norm: number } {
  let min = Infinity,
    max = -Infinity,
    sum = 0,
    sq = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sq += v * v;
  }
  const n = data.length;
  return n ? { min, max, mean: sum / n, norm: Math.sqrt(sq) } : { min: 0, max: 0, mean: 0, norm: 0 };
}

/** Significant digits of every cell, so a column's numbers line up and compare at a glance. */
export const CELL_DIGITS = 4;

/** A cell's text: CELL_DIGITS significant digits, plain between 1e-3 and 1e4, else in e-notation. */
export function formatCell(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  const plain = a >= 1e-3 && a < 1e4 ? v.toPrecision(CELL_DIGITS) : '';
  // toPrecision itself turns to e-notation when rounding reaches 1e4 (9999.7 → 1.000e+4).
  return plain && !plain.includes('e') ? plain : v.toExponential(CELL_DIGITS - 1).replace('e+', 'e');
}

/** Channels of the batch's first image drawn at most (a tensor [N, C, H, W] shows as pictures too). */
const MAX_CHANNEL_PICTURES = 16;

/**
 * A tensor [N, C, H, W] is images: the first sample's channels drawn, over their own range, or
 * around zero for a gradient (`signed`: orange positive, blue negative).
 */
function TensorChannels(props: { tensor: TensorView; signed: boolean; testId: string }): React.JSX.Element {
  const [, c, h, w] = props.tensor.shape as [number, number, number, number];
  const channels = Math.min(c, MAX_CHANNEL_PICTURES);
  const scale = Math.max(1, Math.min(3, Math.floor(56 / Math.max(h, w))));
  const pixels = props.signed ? signedPixels : rangePixels;
  return (
    <div className="tensor-channels" data-testid={props.testId} data-channels={channels}>
      {Array.from({ length: channels }, (_, k) => (
        <Picture
          key={k}
          rgba={pixels(props.tensor.data, k * h * w, h * w)}
          width={w}
          height={h}
          scale={scale}
          title={`sample 0, channel ${k}`}
        />
      ))}
      {c > channels ? <span className="muted">… {c - channels} more channels</span> : null}
    </div>
  );
}

export const TensorTable = React.memo(function TensorTable(props: {
  tensor: TensorView;
  testId: string;
  /** A gradient: pictures of it are drawn around zero. */
  signed?: boolean;
}): React.JSX.Element {
  const { shape, data } = props.tensor;
  const s = React.useMemo(() => summarize(data), [data]);
  const rows = shape.length >= 2 ? shape[0]! : 1;
  const cols = rows ? data.length / rows : 0;
  const shown = Math.min(rows, ROWS);
  const shownCols = Math.min(cols, COLS);
  return (
    <div
      className="tensor-view"
      data-testid={props.testId}
      data-shape={shape.join('x')}
      data-norm={s.norm}
      data-min={s.min}
      data-max={s.max}
      data-first={JSON.stringify(Array.from(data.subarray(0, 8)))}
    >
      <div className="tensor-summary">
        <code>{shape.length ? shape.join('×') : 'scalar'}</code>
        <span>min {formatMagnitude(s.min)}</span>
        <span>max {formatMagnitude(s.max)}</span>
        <span>mean {formatMagnitude(s.mean)}</span>
        <span>‖·‖ {formatMagnitude(s.norm)}</span>
      </div>
      {shape.length === 4 && shape[2]! >= 4 && shape[3]! >= 4 ? (
        <TensorChannels
          tensor={props.tensor}
          signed={props.signed ?? false}
          testId={`${props.testId}-images`}
        />
      ) : null}
      <div className="tensor-scroll">
        <table className="tensor-grid">
          <tbody>
            {Array.from({ length: shown }, (_, r) => (
              <tr key={r}>
                {Array.from({ length: shownCols }, (_, c) => {
                  const v = data[r * cols + c]!;
                  return (
                    <td key={c} className={v < 0 ? 'neg' : v > 0 ? 'pos' : ''}>
                      {formatCell(v)}
                    </td>
                  );
                })}
                {cols > shownCols ? <td className="more">… {cols - shownCols} more</td> : null}
              </tr>
            ))}
            {rows > shown ? (
              <tr>
                <td className="more" colSpan={shownCols + 1}>
                  … {rows - shown} more rows
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </div>
  );
});
