/** Matrix products: matmul and the linear layer (PyTorch layout, weight [units, in]). */
import { defineOp } from './define.js';
import { ShapeError, batchStarts, broadcastShapes } from '../tensor/broadcast.js';
import { shapeToString, sizeOf, type Shape } from '../tensor/tensor.js';
import { INIT_KINDS, type InitKind } from './init-kinds.js';
import { mmNN, mmNT, mmTN } from './gemm.js';
import { gemmBatch, wasmFloat32 } from '../kernels/gemm.js';

type NoAttrs = Record<string, never>;

/**
 * How a torch.matmul call runs as a loop of 2-D products: a [..., m, k] · b [..., k, n] over the
 * broadcast batch axes (a 1-D a is a row [1, k], a 1-D b a column [k, 1], their axis dropped
 * from the result, as torch does). `aAt[i]`, `bAt[i]` are where batch i's matrices start.
 */
interface MatmulPlan {
  m: number;
  k: number;
  n: number;
  out: number[];
  aAt: Int32Array;
  bAt: Int32Array;
  /** Where batch i's product starts in the output (and its gradient): i·m·n. */
  outAt: Int32Array;
}

function matmulPlan(a: Shape, b: Shape): MatmulPlan {
  if (a.length === 0 || b.length === 0)
    throw new ShapeError(
      `matmul: a and b must have at least one axis, got a ${shapeToString(a)} and b ${shapeToString(b)}`,
    );
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const [m, k] = a2.slice(-2) as [number, number];
  const [kb, n] = b2.slice(-2) as [number, number];
  if (k !== kb)
    throw new ShapeError(
      `matmul: inner dimensions differ: a ${shapeToString(a)} and b ${shapeToString(b)} (${k} vs ${kb}: a's last axis must equal b's ${b.length === 1 ? 'only' : 'second-to-last'} axis)`,
    );
  const aBatch = a2.slice(0, -2),
    bBatch = b2.slice(0, -2);
  const batch = broadcastShapes(aBatch, bBatch, 'matmul (batch axes)');
  const count = sizeOf(batch);
  const out = [...batch, ...(a.length === 1 ? [] : [m]), ...(b.length === 1 ? [] : [n])];
  const outAt = Int32Array.from({ length: count }, (_, i) => i * m * n);
  return {
    m,
    k,
    n,
    out,
    aAt: batchStarts(aBatch, batch, m * k),
    bAt: batchStarts(bBatch, batch, k * n),
    outAt,
  };
}

export const matmul = defineOp<NoAttrs, MatmulPlan>({
  name: 'matmul',
  category: 'math',
  inputs: ['a', 'b'],
  attrs: {},
  shape: ([a, b]) => matmulPlan(a!, b!).out,
  flops: ([a, b]) => {
    const { m, k, n, aAt } = matmulPlan(a!, b!);
    return 2 * aAt.length * m * k * n;
  },
  plan: ([a, b]) => matmulPlan(a!, b!),
  // Inputs by index, not destructured: unoptimised code allocates an iterator for `[a, b]`.
  forward: ({ plan: { m, k, n, aAt, bAt } }, xs, out) => {
    gemmBatch('nn', m, n, k, aAt.length, xs[0]!.data, aAt, xs[1]!.data, bAt, out.data, null, false);
  },
  // A batch axis a or b was broadcast along gathers the gradient of every batch that used it.
  vjp: ({ plan: { m, k, n, aAt, bAt, outAt } }, xs, _out, g, gx) => {
    const ga = gx[0],
      gb = gx[1],
      count = aAt.length;
    if (ga) gemmBatch('nt', m, k, n, count, g.data, outAt, xs[1]!.data, bAt, ga.data, aAt, true); // ga += g·bᵀ
    if (gb) gemmBatch('tn', k, n, m, count, xs[0]!.data, aAt, g.data, outAt, gb.data, bAt, true); // gb += aᵀ·g
  },
  jvp: ({ plan: { m, k, n, aAt, bAt } }, [a, b], _out, [ta, tb], tout) => {
    tout.fill(0);
    if (ta) gemmBatch('nn', m, n, k, aAt.length, ta.data, aAt, b!.data, bAt, tout.data, null, true);
    if (tb) gemmBatch('nn', m, n, k, aAt.length, a!.data, aAt, tb.data, bAt, tout.data, null, true);
  },
  secondOrder: { kind: 'bilinear', pair: ['a', 'b'] },
  doc: 'matmul(a, b) = a·b as torch.matmul: a [..., m, k], b [..., k, n], batch axes broadcast (1-D: a vector); ∂/∂a: g·bᵀ, ∂/∂b: aᵀ·g, summed over broadcast batches',
});

type LinearAttrs = { units: number; bias: boolean; init: InitKind };

/** x [..., in] as rows × in. */
function linearDims(x: Shape): { rows: number; inF: number } {
  if (x.length < 1) throw new ShapeError(`linear: input x must have a feature axis, got ${shapeToString(x)}`);
  const inF = x[x.length - 1]!;
  return { rows: inF === 0 ? 0 : sizeOf(x) / inF, inF };
}

export const linear = defineOp<LinearAttrs, { rows: number; inF: number }>({
  name: 'linear',
  category: 'layers',
  inputs: ['x'],
  params: [
    { name: 'weight', role: 'weight', shape: ([x], a) => [a.units, x![x!.length - 1] ?? 0] },
    { name: 'bias', role: 'bias', shape: (_x, a) => [a.units], present: (a) => a.bias },
  ],
  attrs: {
    units: { type: 'integer', min: 1, doc: 'output features' },
    bias: { type: 'boolean', default: true, doc: 'add a learned bias' },
    init: { type: 'enum', values: INIT_KINDS, default: 'default', doc: 'how the weights start' },
  },
  deriveAttrs: ({ weight }) => (weight ? { units: weight[0]! } : {}),
  shape: ([x, w, b], a) => {
    linearDims(x!);
    const inF = x![x!.length - 1]!;
    if (w!.length !== 2 || w![0] !== a.units || w![1] !== inF)
      throw new ShapeError(
        `linear: weight must be [units, in] = [${a.units}, ${inF}] for x ${shapeToString(x!)}, got ${shapeToString(w!)}`,
      );
    if (b && (b.length !== 1 || b[0] !== a.units))
      throw new ShapeError(`linear: bias must be [${a.units}], got ${shapeToString(b)}`);
    return [...x!.slice(0, -1), a.units];
  },
  flops: ([x], a) => {
    const { rows, inF } = linearDims(x!);
    return rows * a.units * (2 * inF + (a.bias ? 1 : 0));
  },
  plan: ([x]) => linearDims(x!),
  forward: ({ attrs: { units }, plan: { rows, inF } }, xs, out) => {
    const x = xs[0],
      w = xs[1],
      b = xs[2];
    // Float32 runs product and bias in one WebAssembly trip (engine/kernels/wasm/instance.ts).
    const f32 = wasmFloat32(x!.data);
    if (f32) return f32.linearForward(x!.data, w!.data, b ? b.data : null, out.data, rows, inF, units);
    mmNT(out.data, x!.data, w!.data, rows, inF, units, false);
    if (b) addRows(out.data, b.data, rows, units);
  },
  vjp: ({ attrs: { units }, plan: { rows, inF } }, xs, _out, g, grads) => {
    const x = xs[0],
      w = xs[1],
      gx = grads[0],
      gw = grads[1],
      gb = grads[2];
    const gxd = gx ? gx.data : null,
      gwd = gw ? gw.data : null,
      gbd = gb ? gb.data : null;
    const f32 = wasmFloat32(x!.data);
    if (f32) return f32.linearBackward(x!.data, w!.data, g.data, gxd, gwd, gbd, rows, inF, units);
    if (gx) mmNN(gx.data, g.data, w!.data, rows, units, inF, true); // gx += g·W
    if (gw) mmTN(gw.data, g.data, x!.data, units, rows, inF, true); // gW += gᵀ·x
    if (gb)
      for (let r = 0; r < rows; r++) for (let o = 0; o < units; o++) gb.data[o]! += g.data[r * units + o]!;
  },
  jvp: ({ attrs: { units }, plan: { rows, inF } }, [x, w], _out, [tx, tw, tb], tout) => {
    tout.fill(0);
    if (tx) mmNT(tout.data, tx.data, w!.data, rows, inF, units, true);
    if (tw) mmNT(tout.data, x!.data, tw.data, rows, inF, units, true);
    if (tb) addRows(tout.data, tb.data, rows, units);
  },
  secondOrder: { kind: 'bilinear', pair: ['x', 'weight'] },
  doc: 'linear(x) = x·Wᵀ + b, W [units, in]; ∂/∂x: g·W, ∂/∂W: gᵀ·x, ∂/∂b: Σ_rows g',
});

function addRows(
  y: Float32Array | Float64Array,
  b: Float32Array | Float64Array,
  rows: number,
  n: number,
): void {
  for (let r = 0; r < rows; r++) for (let o = 0; o < n; o++) y[r * n + o]! += b[o]!;
}
