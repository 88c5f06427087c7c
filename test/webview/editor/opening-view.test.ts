/** The opening viewport: fit down to a readable zoom, else start where the data comes in. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  graphArea,
  isUsableViewport,
  MAX_OPENING_ZOOM,
  OPENING_PADDING,
  openingViewport,
  OVERLAY_STRIP,
  OVERVIEW_ZOOM,
  READABLE_ZOOM,
  SMALL_GRAPH,
} from '../../../webview/editor/opening-view.js';

const pane = { width: 650, height: 720 };
const area = graphArea(pane);

test('a graph that fits at a readable zoom is fitted and centred', () => {
  const bounds = { x: 100, y: 50, width: 700, height: 200 };
  const v = openingViewport(bounds, pane);
  const fit = (pane.width - 2 * OPENING_PADDING) / bounds.width;
  assert.ok(fit > READABLE_ZOOM, 'the case is one that fits');
  assert.equal(v.zoom, fit);
  // The graph's centre lands on the centre of the pane above the overlays' strip.
  assert.equal(area.height, pane.height - OVERLAY_STRIP);
  assert.ok(Math.abs(v.x + (bounds.x + bounds.width / 2) * v.zoom - pane.width / 2) < 1e-9);
  assert.ok(Math.abs(v.y + (bounds.y + bounds.height / 2) * v.zoom - area.height / 2) < 1e-9);
});

test('a small graph is not blown up past its natural size', () => {
  const v = openingViewport({ x: 0, y: 0, width: 200, height: 100 }, pane);
  assert.equal(v.zoom, MAX_OPENING_ZOOM);
});

test('a long chain opens at the readable zoom with its left end in view, centred vertically', () => {
  // The spiral example: eight nodes in a 1220 px row.
  const bounds = { x: 0, y: 0, width: 1220, height: 240 };
  const v = openingViewport(bounds, pane);
  assert.equal(v.zoom, READABLE_ZOOM);
  assert.equal(v.x, OPENING_PADDING, 'the input (left end) is at the padding');
  assert.ok(Math.abs(v.y + (bounds.height / 2) * v.zoom - area.height / 2) < 1e-9);
});

test('a big graph (more than SMALL_GRAPH nodes) is fitted whole down to the overview zoom', () => {
  const bounds = { x: 0, y: 0, width: 1100, height: 700 };
  const small = openingViewport(bounds, pane, SMALL_GRAPH);
  const big = openingViewport(bounds, pane, SMALL_GRAPH + 10);
  assert.equal(small.zoom, READABLE_ZOOM);
  const fit = (pane.width - 2 * OPENING_PADDING) / bounds.width;
  assert.ok(fit > OVERVIEW_ZOOM && fit < READABLE_ZOOM);
  assert.equal(big.zoom, fit, 'seen whole');
});

test('a graph too big both ways starts at its top-left corner', () => {
  const v = openingViewport({ x: -40, y: -60, width: 5000, height: 3000 }, pane);
  assert.equal(v.zoom, READABLE_ZOOM);
  assert.equal(v.x, OPENING_PADDING + 40 * READABLE_ZOOM);
  assert.equal(v.y, OPENING_PADDING + 60 * READABLE_ZOOM);
});

test('only a finite viewport with a positive zoom is restored', () => {
  const table: [unknown, boolean][] = [
    [{ x: 1, y: 2, zoom: 0.5 }, true],
    [{ x: 1, y: 2, zoom: 0 }, false],
    [{ x: Number.NaN, y: 2, zoom: 1 }, false],
    [{ x: 1, y: null, zoom: 1 }, false],
    [{ x: 1, y: 2 }, false],
    [undefined, false],
    ['{"x":1}', false],
  ];
  for (const [v, usable] of table) assert.equal(isUsableViewport(v), usable, JSON.stringify(v));
});

test('a graph too big to see whole even at the overview zoom opens readable from its top-left', () => {
  const v = openingViewport({ x: 0, y: 0, width: 4000, height: 2000 }, pane, 70);
  assert.equal(v.zoom, READABLE_ZOOM);
  assert.equal(v.x, OPENING_PADDING);
});
