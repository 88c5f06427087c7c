/**
 * Where the wires' shape labels go. A label sits in the middle of its wire (React Flow's place for
 * it: the bezier's midpoint, or the middle of a routed wire's corridor) unless another label is
 * there already: wires that share a gap between two bands of a wrapped layout (a residual skip and
 * a block's own wire into the next band) run along the same corridor, and wires into two ports of
 * one node meet; then the label slides along its own wire, from the middle outwards, to the first
 * place that is free. Pure (no DOM, no React), so it is tested without a browser; the LabelBoard
 * gathers every edge's wish and hands each its place.
 */
import { bezierAt, type Point, type Rect } from './edge-route.js';

/** How far along a wire a label may go, best first: the middle, then outwards by turns. */
const FRACTIONS = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9];
/** Space kept between two labels. */
const GAP = 2;

/** Where a label may go on a straight run from `a` to `b` (a routed wire's corridor), best first. */
export function spotsAlong(a: Point, b: Point): Point[] {
  return FRACTIONS.map((f) => ({ x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f }));
}

/** Where a label may go on the bezier from `s` to `t`, best first (the first is React Flow's). */
export function spotsOnBezier(s: Point, t: Point): Point[] {
  return FRACTIONS.map((f) => bezierAt(s, t, f));
}

/** A label that wants a place: its wire's id, its size, and where on its wire it may go (best first). */
export interface LabelWish {
  id: string;
  width: number;
  height: number;
  spots: readonly Point[];
}

const overlaps = (a: Rect, b: Rect) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The box of a label of `w`'s size centred on `p`, grown by half the gap on every side. */
function boxAt(w: LabelWish, p: Point): Rect {
  return {
    x: p.x - (w.width + GAP) / 2,
    y: p.y - (w.height + GAP) / 2,
    width: w.width + GAP,
    height: w.height + GAP,
  };
}

/**
 * The centre of every label, in wire-id order: each takes its first spot that no label placed
 * before it covers. A label moved off its first spot also keeps off the first spots of the labels
 * still to come, so moving one never pushes another that had its middle to itself. Where every
 * spot is taken the label stays at its first.
 */
export function placeLabels(wishes: Iterable<LabelWish>): Map<string, Point> {
  const order = [...wishes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const firsts = new Map(order.map((w) => [w.id, boxAt(w, w.spots[0]!)]));
  const placed: Rect[] = [];
  const out = new Map<string, Point>();
  for (const w of order) {
    firsts.delete(w.id);
    const free = (p: Point, k: number) => {
      const box = boxAt(w, p);
      if (placed.some((r) => overlaps(r, box))) return false;
      if (k > 0) for (const r of firsts.values()) if (overlaps(r, box)) return false;
      return true;
    };
    const spot = w.spots.find(free) ?? w.spots[0]!;
    placed.push(boxAt(w, spot));
    out.set(w.id, spot);
  }
  return out;
}

const sameWish = (a: LabelWish, b: LabelWish) =>
  a.width === b.width &&
  a.height === b.height &&
  a.spots.length === b.spots.length &&
  a.spots.every((p, i) => p.x === b.spots[i]!.x && p.y === b.spots[i]!.y);

/**
 * Every label's wish on one canvas, and the places they get (worked out again only after a wish
 * changed). Edges say what they want as they render; the board tells the edges that listen once
 * the wishes of one render are all in (a microtask later, before the frame is painted).
 */
export class LabelBoard {
  private readonly wishes = new Map<string, LabelWish>();
  private places: Map<string, Point> | null = null;
  private readonly listeners = new Set<() => void>();
  private notifying = false;

  wish(w: LabelWish): void {
    const had = this.wishes.get(w.id);
    if (had && sameWish(had, w)) return;
    this.wishes.set(w.id, w);
    this.changed();
  }

  withdraw(id: string): void {
    if (this.wishes.delete(id)) this.changed();
  }

  /** The centre of wire `id`'s label; undefined until it has wished. */
  placeOf(id: string): Point | undefined {
    this.places ??= placeLabels(this.wishes.values());
    return this.places.get(id);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private changed(): void {
    this.places = null;
    if (this.notifying) return;
    this.notifying = true;
    queueMicrotask(() => {
      this.notifying = false;
      for (const l of [...this.listeners]) l();
    });
  }
}
