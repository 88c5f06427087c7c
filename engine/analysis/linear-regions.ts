/**
 * ReLU networks are piecewise linear: the lecture's "kinks double with each layer". For a network
 * with a 1-D input this finds the output's breakpoints on an interval EXACTLY (not by sampling);
 * for a 2-D input it labels a grid by activation pattern (sampled, for drawing).
 *
 * 1-D, exactly. A continuous piecewise-linear function of x is known from its values at its
 * knots. Keep one sorted set of knots for the whole network, starting with the interval's ends.
 * Visit the kinked nodes (relu, leaky_relu, abs, ...) in program order. When a node is visited,
 * every kinked node upstream of it already has its kinks among the knots, so the node's input is
 * linear between consecutive knots: running the Program forward on the knots as a batch gives
 * the input's exact values there, and each sign change of (input − kink) on a segment is a kink
 * at the linearly interpolated x, which becomes a knot. Affine nodes (linear, add, sub, neg,
 * mul by something that does not depend on x, reshapes, reductions) need nothing: they map
 * piecewise-linear functions to piecewise-linear functions with the same knots. A final forward
 * pass gives the prediction at every knot; neighbouring pieces with equal slopes (in every
 * output component) are merged, and the knots that remain inside the interval are the
 * breakpoints. The Program does all the arithmetic (one forward pass per kinked node), in
 * float64 when compiled so.
 */
import type { Program } from '../autodiff/program.js';
import { runTask, type Task } from '../task/task.js';
import type { Attrs } from '../ops/define.js';
import { isOpName, type OpName } from '../ops/registry.js';

/** What the analysis needs of a compiled graph (CompiledGraph has all of it). */
export interface ResizableProgram {
  readonly program: Program;
  /** The input slot ([batch, features]). */
  readonly input: number;
  /** The slot whose value is the network's output. */
  readonly prediction: number;
  /** The same parameters with buffers for another batch size. */
  withBatchSize(n: number): ResizableProgram;
}

/**
 * How an op maps piecewise-linear functions of x, one row per registry op (a new op must say):
 * - `kinks`: elementwise and piecewise linear, kinked where its input crosses these values;
 * - 'affine': affine in every input that depends on x (parameters are constants here);
 * - 'linear-in-one': affine while at most one operand depends on x;
 * - 'linear-in-first': affine while only the first operand (the numerator) depends on x;
 * - 'nonlinear': not piecewise linear, so the analysis stops there.
 */
type PiecewiseRule =
  { kinks: (attrs: Attrs) => number[] } | 'affine' | 'linear-in-one' | 'linear-in-first' | 'nonlinear';

const KINK_AT_ZERO: PiecewiseRule = { kinks: () => [0] };

const PIECEWISE: Readonly<Record<OpName, PiecewiseRule>> = {
  input: 'affine',
  target: 'nonlinear',
  add: 'affine',
  sub: 'affine',
  mul: 'linear-in-one',
  div: 'linear-in-first',
  // Piecewise linear, but kinked where a = b: not one input crossing fixed values.
  maximum: 'nonlinear',
  minimum: 'nonlinear',
  pow: 'nonlinear',
  matmul: 'linear-in-one',
  linear: 'affine',
  // Its input is a row number, not a point the plane of regions moves through.
  embedding: 'nonlinear',
  scaled_dot_product_attention: 'nonlinear',
  split: 'affine',
  constant: 'affine',
  relu: KINK_AT_ZERO,
  leaky_relu: KINK_AT_ZERO,
  elu: 'nonlinear',
  selu: 'nonlinear',
  gelu: 'nonlinear',
  gelu_tanh: 'nonlinear',
  silu: 'nonlinear',
  sigmoid: 'nonlinear',
  tanh: 'nonlinear',
  softplus: 'nonlinear',
  exp: 'nonlinear',
  log: 'nonlinear',
  sqrt: 'nonlinear',
  square: 'nonlinear',
  abs: KINK_AT_ZERO,
  // A step: constant pieces either side of 0.
  sign: KINK_AT_ZERO,
  hardshrink: { kinks: (a) => [-(a['lambd'] as number), a['lambd'] as number] },
  softshrink: { kinks: (a) => [-(a['lambd'] as number), a['lambd'] as number] },
  // relu6 and hardtanh are clip's presets; an absent bound is no kink.
  clip: { kinks: (a) => [a.min, a.max].filter((v): v is number => typeof v === 'number') },
  hardsigmoid: { kinks: () => [-3, 3] },
  // Quadratic between -3 and 3.
  hardswish: 'nonlinear',
  softsign: 'nonlinear',
  mish: 'nonlinear',
  prelu: KINK_AT_ZERO,
  neg: 'affine',
  sin: 'nonlinear',
  sum: 'affine',
  mean: 'affine',
  // Piecewise linear with kinks where two inputs cross (as max_pool2d).
  max: 'nonlinear',
  min: 'nonlinear',
  var: 'nonlinear',
  std: 'nonlinear',
  // Piecewise constant: nothing flows through it.
  argmax: 'nonlinear',
  softmax: 'nonlinear',
  log_softmax: 'nonlinear',
  transpose: 'affine',
  swapaxes: 'affine',
  squeeze: 'affine',
  unsqueeze: 'affine',
  slice: 'affine',
  expand: 'affine',
  tile: 'affine',
  reshape: 'affine',
  flatten: 'affine',
  concat: 'affine',
  stack: 'affine',
  mse_loss: 'nonlinear',
  huber_loss: 'nonlinear',
  cross_entropy: 'nonlinear',
  bce_with_logits: 'nonlinear',
  layer_norm: 'nonlinear',
  // Affine in evaluation only; the analysis does not assume which mode the graph runs in.
  batch_norm: 'nonlinear',
  group_norm: 'nonlinear',
  instance_norm: 'nonlinear',
  // In evaluation mode (the analysis runs the program without training) dropout is the identity.
  dropout: 'affine',
  conv2d: 'affine',
  conv3d: 'affine',
  // Piecewise linear, but its kinks are where two inputs cross, not where one crosses a constant.
  max_pool2d: 'nonlinear',
  avg_pool2d: 'affine',
  conv1d: 'affine',
  conv_transpose2d: 'affine',
  max_pool1d: 'nonlinear',
  avg_pool1d: 'affine',
  global_avg_pool: 'affine',
  global_max_pool: 'nonlinear',
  // Constant padding adds a constant; reflect and replicate copy elements: affine either way.
  pad: 'affine',
};

export interface PiecewiseStructure {
  /** Kinked nodes upstream of the prediction that depend on x, in program order. */
  kinked: { node: number; id: string; kinks: number[] }[];
  /** The most kinked nodes on one path from input to prediction ("number of ReLU layers"). */
  depth: number;
}

/** Whether the prediction is a piecewise-linear function of the input; if not, the first node that is not. */
export function piecewiseStructure(
  program: Program,
  input: number,
  prediction: number,
): { ok: true; structure: PiecewiseStructure } | { ok: false; reason: string } {
  const needed = new Set<number>([prediction]);
  for (let i = program.nodes.length - 1; i >= 0; i--) {
    const n = program.nodes[i]!;
    if (needed.has(n.output)) n.inputs.forEach((s) => needed.add(s));
  }
  const depends = new Set<number>([input]);
  const depth = new Map<number, number>([[input, 0]]);
  const kinked: PiecewiseStructure['kinked'] = [];
  for (let i = 0; i < program.nodes.length; i++) {
    const n = program.nodes[i]!;
    const from = n.inputs.filter((s) => depends.has(s));
    if (from.length === 0 || !needed.has(n.output)) continue;
    depends.add(n.output);
    const name = n.op.name;
    const d = Math.max(...from.map((s) => depth.get(s) ?? 0));
    const rule = isOpName(name) ? PIECEWISE[name] : 'nonlinear';
    if (typeof rule === 'object') {
      kinked.push({ node: i, id: n.id, kinks: rule.kinks(n.ctx.attrs as Attrs) });
      depth.set(n.output, d + 1);
      continue;
    }
    depth.set(n.output, d);
    if (rule === 'affine') continue;
    if (rule === 'linear-in-one' && from.length === 1) continue;
    if (rule === 'linear-in-first' && from.length === 1 && n.inputs[0] === from[0]) continue;
    return {
      ok: false,
      reason:
        rule === 'nonlinear'
          ? `node '${n.id}' (${name}) is not piecewise linear`
          : `node '${n.id}' (${name}) multiplies or divides by something that depends on the input: not piecewise linear`,
    };
  }
  if (!depends.has(prediction)) return { ok: false, reason: 'the output does not depend on the input' };
  return { ok: true, structure: { kinked, depth: depth.get(prediction) ?? 0 } };
}

export interface LinearRegions1d {
  interval: [number, number];
  /** Exact x positions where the output's slope changes, ascending. */
  breakpoints: number[];
  /** breakpoints + 1. */
  pieces: number;
  /** Kinked layers on the longest path (the sawtooth: pieces = 2^depth). */
  depth: number;
  /** The output at the interval's ends and every breakpoint: the exact polyline, for the fit plot. */
  polyline: { x: number[]; y: number[][] };
  /** Knots found before merging collinear neighbours (kinks of units that cancel downstream). */
  candidates: number;
  /** Forward passes run. */
  passes: number;
}

/** Relative slope difference below which neighbouring pieces count as one. */
const SLOPE_TOLERANCE = 1e-9;

export type LinearRegions1dResult = { ok: true; regions: LinearRegions1d } | { ok: false; reason: string };

export function linearRegions1d(net: ResizableProgram, interval: [number, number]): LinearRegions1dResult {
  return runTask(linearRegions1dSteps(net, interval));
}

/** linearRegions1d as a task: yields after each kinked node's pass ("kinks of a2, 2/4"). */
export function* linearRegions1dSteps(
  net: ResizableProgram,
  interval: [number, number],
): Task<LinearRegions1dResult> {
  const [lo, hi] = interval;
  if (!(hi > lo)) return { ok: false, reason: `the interval [${lo}, ${hi}] is empty` };
  const width = net.program.slots[net.input]!.shape.slice(1);
  if (width.reduce((a, b) => a * b, 1) !== 1)
    return { ok: false, reason: `the input has shape [N, ${width.join(', ')}], not one feature` };
  const pw = piecewiseStructure(net.program, net.input, net.prediction);
  if (!pw.ok) return pw;
  let knots = [lo, hi];
  let passes = 0;
  const run = (xs: number[]): Program => {
    const sized = net.withBatchSize(xs.length);
    const p = sized.program;
    p.setTraining(false);
    p.value(sized.input).data.set(xs);
    p.forward();
    passes++;
    return p;
  };
  const kinked = pw.structure.kinked;
  for (const [done, k] of kinked.entries()) {
    yield { done, total: kinked.length + 1, label: `kinks of ${k.id} (${done + 1}/${kinked.length})` };
    const p = run(knots);
    const node = p.nodes[k.node]!;
    const pre = p.value(node.inputs[0]!).data;
    const units = pre.length / knots.length;
    const found: number[] = [];
    for (let j = 0; j + 1 < knots.length; j++)
      for (let u = 0; u < units; u++)
        for (const c of k.kinks) {
          const a = pre[j * units + u]! - c,
            b = pre[(j + 1) * units + u]! - c;
          if ((a < 0 && b > 0) || (a > 0 && b < 0)) {
            const x0 = knots[j]!,
              x1 = knots[j + 1]!;
            found.push(x0 + ((x1 - x0) * a) / (a - b));
          }
        }
    knots = mergeKnots(knots, found, hi - lo);
  }
  yield { done: kinked.length, total: kinked.length + 1, label: `the output at ${knots.length} knots` };
  const p = run(knots);
  const out = p.value(net.prediction).data;
  const dims = out.length / knots.length;
  const candidates = knots.length - 2;
  const keep = [0];
  for (let j = 1; j + 1 < knots.length; j++) {
    const prev = keep[keep.length - 1]!;
    let bend = false;
    for (let d = 0; d < dims && !bend; d++) {
      const s0 = (out[j * dims + d]! - out[prev * dims + d]!) / (knots[j]! - knots[prev]!);
      const s1 = (out[(j + 1) * dims + d]! - out[j * dims + d]!) / (knots[j + 1]! - knots[j]!);
      bend = Math.abs(s1 - s0) > SLOPE_TOLERANCE * (1 + Math.abs(s0) + Math.abs(s1));
    }
    if (bend) keep.push(j);
  }
  keep.push(knots.length - 1);
  const breakpoints = keep.slice(1, -1).map((j) => knots[j]!);
  return {
    ok: true,
    regions: {
      interval: [lo, hi],
      breakpoints,
      pieces: breakpoints.length + 1,
      depth: pw.structure.depth,
      polyline: {
        x: keep.map((j) => knots[j]!),
        y: keep.map((j) => Array.from(out.subarray(j * dims, (j + 1) * dims))),
      },
      candidates,
      passes,
    },
  };
}

/** Sorted union, dropping points closer than a rounding-sized gap to a neighbour. */
function mergeKnots(knots: number[], extra: number[], span: number): number[] {
  const all = knots.concat(extra).sort((a, b) => a - b);
  const gap = 1e-12 * span;
  const out: number[] = [];
  for (const x of all) if (out.length === 0 || x - out[out.length - 1]! > gap) out.push(x);
  // Keep the interval's end exactly.
  out[out.length - 1] = knots[knots.length - 1]!;
  return out;
}

export interface RegionGrid2d {
  /** [xmin, xmax, ymin, ymax]. */
  bounds: [number, number, number, number];
  width: number;
  height: number;
  /** Region id per grid point, row-major from (xmin, ymin); ids number distinct activation patterns. */
  region: number[];
  /** Distinct activation patterns seen on the grid: a lower bound on the number of linear regions. */
  regions: number;
  depth: number;
  /** Always true: this is sampled on the grid, and regions smaller than a cell can be missed. */
  sampled: true;
}

/**
 * For a 2-D input: the activation pattern (which side of each kink every unit of every kinked
 * node is on) at each point of a width × height grid; points with the same pattern lie in the
 * same linear region. Sampled, for drawing.
 */
export type RegionGrid2dResult = { ok: true; grid: RegionGrid2d } | { ok: false; reason: string };

export function linearRegions2d(
  net: ResizableProgram,
  bounds: [number, number, number, number],
  width = 128,
  height = 128,
): RegionGrid2dResult {
  return runTask(linearRegions2dSteps(net, bounds, width, height));
}

/** Grid points per forward pass of linearRegions2d: a pass is then a small piece of work. */
const GRID_POINTS_PER_PASS = 1024;

/** linearRegions2d as a task: the grid a band of rows at a time, yielding before each band ("rows 17–32 of 96"). */
export function* linearRegions2dSteps(
  net: ResizableProgram,
  bounds: [number, number, number, number],
  width = 128,
  height = 128,
): Task<RegionGrid2dResult> {
  const features = net.program.slots[net.input]!.shape.slice(1);
  if (features.reduce((a, b) => a * b, 1) !== 2)
    return { ok: false, reason: `the input has shape [N, ${features.join(', ')}], not two features` };
  const pw = piecewiseStructure(net.program, net.input, net.prediction);
  if (!pw.ok) return pw;
  const [x0, x1, y0, y1] = bounds;
  const n = width * height;
  const band = Math.max(1, Math.min(height, Math.floor(GRID_POINTS_PER_PASS / width)));
  const sized = net.withBatchSize(width * band);
  const p = sized.program;
  p.setTraining(false);
  const xin = p.value(sized.input).data;
  // Two independent 32-bit hashes of each point's pattern: collisions are then vanishingly rare.
  const h1 = new Uint32Array(n).fill(2166136261),
    h2 = new Uint32Array(n).fill(5381);
  for (let r0 = 0; r0 < height; r0 += band) {
    const rows = Math.min(band, height - r0);
    yield { done: r0, total: height, label: `rows ${r0 + 1}–${r0 + rows} of ${height}` };
    // The last band may be short: its unused rows repeat the band's last point and are not read.
    for (let k = 0; k < width * band; k++) {
      const r = r0 + Math.min(Math.floor(k / width), rows - 1);
      const c = k % width;
      xin[2 * k] = x0 + ((x1 - x0) * (c + 0.5)) / width;
      xin[2 * k + 1] = y0 + ((y1 - y0) * (r + 0.5)) / height;
    }
    p.forward();
    const count = rows * width;
    const first = r0 * width;
    for (const k of pw.structure.kinked) {
      const pre = p.value(p.nodes[k.node]!.inputs[0]!).data;
      const units = pre.length / (width * band);
      for (let j = 0; j < count; j++) {
        const i = first + j;
        for (let u = 0; u < units; u++) {
          let side = 0;
          for (const c of k.kinks) if (pre[j * units + u]! > c) side++;
          h1[i] = Math.imul(h1[i]! ^ side, 16777619);
          h2[i] = (Math.imul(h2[i]!, 33) + side + 1) >>> 0;
        }
      }
    }
  }
  const ids = new Map<string, number>();
  const region = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const key = `${h1[i]}:${h2[i]}`;
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    region[i] = id;
  }
  return {
    ok: true,
    grid: { bounds, width, height, region, regions: ids.size, depth: pw.structure.depth, sampled: true },
  };
}
