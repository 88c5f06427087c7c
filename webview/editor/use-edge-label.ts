/**
 * A wire's label place on its canvas (webview/edge-labels.ts): the edge says where on its wire the
 * label may go, and gets the place that keeps it off the other wires' labels. One board per React
 * Flow canvas (keyed by its store's getState).
 */
import React from 'react';
import { useStoreApi } from 'reactflow';
import { LabelBoard } from '../edge-labels.js';
import type { Point } from '../edge-route.js';

const boards = new WeakMap<object, LabelBoard>();

/** React Flow's padding around a label's text (EdgeText's default labelBgPadding: [x, y]). */
const PAD = [2, 4] as const;
const SVG = 'http://www.w3.org/2000/svg';
const measured = new Map<string, { width: number; height: number }>();
let probe: SVGSVGElement | null = null;

/**
 * The size of a label's box as React Flow draws it: the text measured in the labels' own font (an
 * SVG text of their class), with the padding. A page that is hidden measures nothing: then the
 * size is a generous guess, not kept.
 */
function labelSize(text: string): { width: number; height: number } {
  const known = measured.get(text);
  if (known) return known;
  // The probe is in the page only while it measures (a stray label text would be found as one).
  if (!probe) {
    probe = document.createElementNS(SVG, 'svg');
    probe.setAttribute('aria-hidden', 'true');
    // CSSOM, not a style attribute: the webview's CSP refuses inline style attributes.
    Object.assign(probe.style, { position: 'absolute', left: '-10000px', top: '0', visibility: 'hidden' });
    const t = document.createElementNS(SVG, 'text');
    t.setAttribute('class', 'react-flow__edge-text');
    probe.appendChild(t);
  }
  const t = probe.firstChild as SVGTextElement;
  t.textContent = text;
  document.body.appendChild(probe);
  const box = t.getBBox();
  probe.remove();
  if (box.width === 0) return { width: text.length * 8 + 2 * PAD[0], height: 14 + 2 * PAD[1] };
  const size = { width: box.width + 2 * PAD[0], height: box.height + 2 * PAD[1] };
  measured.set(text, size);
  return size;
}

/** Where wire `id`'s label goes, given where on the wire it may (`spots`, best first). */
export function useLabelPlace(id: string, label: React.ReactNode, spots: readonly Point[]): Point {
  // useStoreApi() is a new wrapper in every component; its getState is the store's own.
  const canvas = useStoreApi().getState;
  let board = boards.get(canvas);
  if (!board) boards.set(canvas, (board = new LabelBoard()));
  const text = typeof label === 'string' ? label : '';
  React.useLayoutEffect(() => {
    if (!text) return board.withdraw(id);
    const { width, height } = labelSize(text);
    board.wish({ id, width, height, spots });
  }, [board, id, text, spots]);
  React.useLayoutEffect(() => () => board.withdraw(id), [board, id]);
  const subscribe = React.useCallback((onChange: () => void) => board.subscribe(onChange), [board]);
  const place = React.useSyncExternalStore(subscribe, () => {
    const p = board.placeOf(id);
    return p ? `${p.x} ${p.y}` : '';
  });
  if (!place) return spots[0]!;
  const [x, y] = place.split(' ').map(Number) as [number, number];
  return { x, y };
}
