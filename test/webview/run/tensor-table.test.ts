/** The step-through's tensor cells: a fixed number of significant digits, short enough for one line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CELL_DIGITS, formatCell } from '../../../webview/run/TensorTable.js';

const cases: [number, string][] = [
  [0, '0'],
  [0.5, '0.5000'],
  [-1.25, '-1.250'],
  [3.14159265, '3.142'],
  [0.00123456, '0.001235'],
  [1234.567, '1235'],
  [9999.7, '1.000e4'],
  [12345.678, '1.235e4'],
  [-0.000987654, '-9.877e-4'],
  [1.5e-12, '1.500e-12'],
  [Number.NaN, 'NaN'],
  [Number.NEGATIVE_INFINITY, '-Infinity'],
];
for (const [v, expected] of cases)
  test(`formatCell(${v}) = ${expected}`, () => assert.equal(formatCell(v), expected));

test(`every finite non-zero cell has ${CELL_DIGITS} significant digits and at most 10 characters`, () => {
  for (let e = -15; e <= 15; e++)
    for (const m of [1, -1.23456, 9.99999, 5.5]) {
      const text = formatCell(m * 10 ** e);
      const digits = text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '');
      assert.equal(digits.length, CELL_DIGITS, `${m}e${e} → ${text}`);
      assert.ok(text.length <= 10, `${m}e${e} → ${text}`);
    }
});
