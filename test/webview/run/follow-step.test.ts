/** When the canvas pans to the step-through's node: only when the node is not wholly in view. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRectInView } from '../../../webview/run/FollowStep.js';

const pane = { width: 800, height: 400 };
const node = { x: 100, y: 50, width: 160, height: 60 };

const cases: [string, { x: number; y: number; zoom: number }, boolean][] = [
  ['at the origin, zoom 1', { x: 0, y: 0, zoom: 1 }, true],
  ['panned so it sticks out on the left', { x: -150, y: 0, zoom: 1 }, false],
  ['panned so it sticks out at the bottom', { x: 0, y: 320, zoom: 1 }, false],
  ['just inside the right edge', { x: 540, y: 0, zoom: 1 }, true],
  ['one pixel past the right edge', { x: 541, y: 0, zoom: 1 }, false],
  ['zoomed in far enough to push it out', { x: 0, y: 0, zoom: 3.2 }, false],
  ['zoomed out', { x: 0, y: 0, zoom: 0.5 }, true],
];
for (const [name, viewport, expected] of cases)
  test(`isRectInView: ${name}`, () => assert.equal(isRectInView(node, viewport, pane), expected));
