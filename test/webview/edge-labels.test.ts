/** Where wire labels go (webview/edge-labels.ts), without a browser. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LabelBoard,
  placeLabels,
  spotsAlong,
  spotsOnBezier,
  type LabelWish,
} from '../../webview/edge-labels.js';
import { bezierAt } from '../../webview/edge-route.js';

const size = { width: 60, height: 20 };
/** A wire along the corridor y from x 700 to x 100 (a band's end to the next band's start). */
const corridor = (id: string, y: number): LabelWish => ({
  id,
  ...size,
  spots: spotsAlong({ x: 700, y }, { x: 100, y }),
});
const overlap = (a: { x: number; y: number }, b: { x: number; y: number }) =>
  Math.abs(a.x - b.x) < size.width && Math.abs(a.y - b.y) < size.height;

test('a label on its own sits in the middle of its wire: the corridor’s, or the bezier’s (React Flow’s place)', () => {
  const s = { x: 0, y: 0 };
  const t = { x: 200, y: 80 };
  const placed = placeLabels([corridor('a', 200), { id: 'b', ...size, spots: spotsOnBezier(s, t) }]);
  assert.deepEqual(placed.get('a'), { x: 400, y: 200 });
  assert.deepEqual(placed.get('b'), bezierAt(s, t, 0.5));
  assert.deepEqual(bezierAt(s, t, 0.5), { x: 100, y: 40 }, 'the curve is symmetric about its middle');
});

test('two wires sharing a corridor 6 px apart: one label keeps the middle, the other slides along its own wire', () => {
  const placed = placeLabels([corridor('skip', 206), corridor('block', 200)]);
  const [block, skip] = [placed.get('block')!, placed.get('skip')!];
  assert.deepEqual(block, { x: 400, y: 200 }, 'the first in wire order keeps the middle');
  assert.equal(skip.y, 206, 'the other stays on its own wire');
  assert.ok(!overlap(block, skip), `${JSON.stringify(block)} and ${JSON.stringify(skip)} apart`);
});

test('a label that slides keeps off the middles of the labels still to come', () => {
  // 'a' and 'b' share the middle; the spot 'b' would slide to first (0.4 of the way) is 'c's middle.
  const c: LabelWish = { id: 'c', ...size, spots: [{ x: 460, y: 200 }] };
  const placed = placeLabels([corridor('a', 200), corridor('b', 200), c]);
  assert.deepEqual(placed.get('c'), { x: 460, y: 200 }, 'c keeps its only place');
  const all = [...placed.values()];
  for (let i = 0; i < all.length; i++)
    for (let j = i + 1; j < all.length; j++) assert.ok(!overlap(all[i]!, all[j]!), JSON.stringify(all));
});

test('where every spot is taken a label stays in its middle (it is still drawn)', () => {
  const one = (id: string): LabelWish => ({ id, ...size, spots: [{ x: 0, y: 0 }] });
  assert.deepEqual(
    [...placeLabels([one('a'), one('b')]).values()],
    [
      { x: 0, y: 0 },
      { x: 0, y: 0 },
    ],
  );
});

test('the board tells its listeners once a render’s wishes are in, and places withdrawn wires no more', async () => {
  const board = new LabelBoard();
  let told = 0;
  board.subscribe(() => told++);
  board.wish(corridor('block', 200));
  board.wish(corridor('skip', 206));
  assert.equal(told, 0, 'not while the wishes come in');
  await Promise.resolve();
  assert.equal(told, 1, 'once after them');
  assert.notDeepEqual(board.placeOf('skip'), board.placeOf('block'));
  board.wish(corridor('skip', 206));
  await Promise.resolve();
  assert.equal(told, 1, 'the same wish again changes nothing');
  board.withdraw('block');
  await Promise.resolve();
  assert.equal(told, 2);
  assert.equal(board.placeOf('block'), undefined);
  assert.deepEqual(board.placeOf('skip'), { x: 400, y: 206 }, 'alone, back in its middle');
});
