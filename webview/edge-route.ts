/**
 * Wires that would run behind nodes go around them. A wire is React Flow's bezier from the
 * source's right handle to the target's left one; when that curve passes through another node (a
 * residual connection skipping the block beside it), or runs backwards (from the end of one band
 * of a wrapped layout to the start of the next), it is drawn instead as a rounded orthogonal path:
 * out of the source, along the nearest free horizontal corridor, into the target. Pure, so it is tested
 * without a browser.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface Point {
  x: number;
  y: number;
}

/** How far a wire keeps from the nodes it passes, and leaves/enters its handles straight. */
const CLEARANCE = 10;
const STUB = 12;
const CORNER = 8;
/** How much further out a wire that travels far turns (so two wires turning at one column stay apart). */
const MAX_EXTRA_STUB = 32;
/**
 * How far past its nodes a routed wire can reach: sideways, the longest stub out of a handle; up
 * or down, a corridor just clear of a node. The opening view keeps this room around the nodes, so
 * no wire starts out cut off at the canvas's edge.
 */
export const WIRE_REACH = { x: STUB + MAX_EXTRA_STUB, y: CLEARANCE } as const;

/**
 * The point at parameter `u` (0 at `s`, 1 at `t`) of the bezier React Flow draws from a
 * right-hand source handle to a left-hand target handle.
 */
export function bezierAt(s: Point, t: Point, u: number): Point {
  const offset = (d: number) => (d >= 0 ? 0.5 * d : 0.25 * 25 * Math.sqrt(-d));
  const c1 = { x: s.x + offset(t.x - s.x), y: s.y };
  const c2 = { x: t.x - offset(t.x - s.x), y: t.y };
  const a = (1 - u) ** 3;
  const b = 3 * (1 - u) ** 2 * u;
  const c = 3 * (1 - u) * u ** 2;
  const d = u ** 3;
  return { x: a * s.x + b * c1.x + c * c2.x + d * t.x, y: a * s.y + b * c1.y + c * c2.y + d * t.y };
}

/** That bezier sampled, without its two ends. */
export function bezierPoints(s: Point, t: Point, samples = 32): Point[] {
  return Array.from({ length: samples - 1 }, (_, i) => bezierAt(s, t, (i + 1) / samples));
}

const contains = (r: Rect, p: Point) => p.x > r.x && p.x < r.x + r.width && p.y > r.y && p.y < r.y + r.height;

/**
 * The path for a wire from `s` to `t` that avoids `obstacles` (every node but the wire's own two),
 * with its corridor (the horizontal run its label goes on); null when the plain bezier already
 * clears them.
 */
export function routeAround(
  s: Point,
  t: Point,
  obstacles: readonly Rect[],
): { path: string; corridor: readonly [Point, Point]; points: Point[] } | null {
  // A wire running backwards (into the next band of a wrapped layout) would loop out past its
  // source as a bezier; it always takes the corridor.
  const backwards = t.x < s.x + 2 * STUB;
  if (!backwards && !bezierPoints(s, t).some((p) => obstacles.some((r) => contains(r, p)))) return null;
  const blockingBetween = (lo: number, hi: number) =>
    obstacles
      .filter((r) => r.x < hi && r.x + r.width > lo)
      .map((r) => [r.y - CLEARANCE, r.y + r.height + CLEARANCE] as const);
  // Where two wires turn at the same handle column (a skip and the block's own output, both into
  // the next band), the one that travels further turns further out, so they stay apart.
  const stub = (dy: number) => STUB + Math.min(MAX_EXTRA_STUB, Math.abs(dy) / 6);
  const ideal = (s.y + t.y) / 2;
  const blocking = blockingBetween(Math.min(s.x, t.x) - STUB, Math.max(s.x, t.x) + STUB);
  const free = (y: number) => blocking.every(([a, b]) => y <= a || y >= b);
  const candidates = [ideal, ...blocking.flat()].filter(free);
  const y = candidates.reduce((best, c) => (Math.abs(c - ideal) < Math.abs(best - ideal) ? c : best));
  const x1 = s.x + stub(y - s.y);
  const x2 = t.x - stub(t.y - y);
  const points = [s, { x: x1, y: s.y }, { x: x1, y }, { x: x2, y }, { x: x2, y: t.y }, t];
  return { path: roundedPath(points), corridor: [points[2]!, points[3]!], points };
}

/** An SVG path through the points, each corner rounded. */
export function roundedPath(points: readonly Point[]): string {
  const pts = points.filter((p, i) => i === 0 || p.x !== points[i - 1]!.x || p.y !== points[i - 1]!.y);
  let d = `M ${pts[0]!.x} ${pts[0]!.y}`;
  for (let i = 1; i < pts.length - 1; i++) {
    const [a, b, c] = [pts[i - 1]!, pts[i]!, pts[i + 1]!];
    const r = Math.min(CORNER, dist(a, b) / 2, dist(b, c) / 2);
    const p = toward(b, a, r);
    const q = toward(b, c, r);
    d += ` L ${p.x} ${p.y} Q ${b.x} ${b.y} ${q.x} ${q.y}`;
  }
  const last = pts[pts.length - 1]!;
  return `${d} L ${last.x} ${last.y}`;
}

const dist = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);
function toward(from: Point, to: Point, r: number): Point {
  const d = dist(from, to) || 1;
  return { x: from.x + ((to.x - from.x) * r) / d, y: from.y + ((to.y - from.y) * r) / d };
}
