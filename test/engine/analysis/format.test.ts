/** How the analyses print numbers: measured times to three significant digits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMs } from '../../../engine/analysis/format.js';

const CASES: [number, string][] = [
  [0.711966, '0.712'],
  [0.024666, '0.0247'],
  [12.3456, '12.3'],
  [999.4, '999'],
  [1234.5, '1,235'],
  [0, '0'],
  [Number.NaN, 'NaN'],
];

for (const [ms, shown] of CASES)
  test(`formatMs(${ms}) = ${shown}`, () => {
    assert.equal(formatMs(ms), shown);
  });
