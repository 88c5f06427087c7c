/** Matrix products: matmul and the linear layer (PyTorch layout, weight [units, in]). */
import { defineOp } from './define.js';
import { ShapeError } from '../tensor/broadcast.js';
import { shapeToString, sizeOf, type Shape } from '../tensor/tensor.js';
import { INIT_KINDS, type InitKind } from './init-kinds.js';
import { mmNN, mmNT, mmTN } from './gemm.js';

type NoAttrs = Record<string, never>;

function matmulShape(a: Shape, b: Shape): [number, number, number] {
  if (a.length !== 2 || b.length !== 2)
    throw new ShapeError(`matmul: a and b must be 2-D, got a ${shapeToString(a)} and b ${shapeToString(b)}`);
  if (a[1] !== b[0])
    throw new ShapeError(
      `matmul: inner dimensions differ: a ${shapeToString(a)} and b ${shapeToString(b)} (${a[1]} vs ${b[0]})`,
    );
  return [a[0]!, a[1]!, b[1]!];
}

export const matmul = defineOp<NoAttrs>({
  name: 'matmul',
  category: 'math',
  inputs: ['a', 'b'],
  attrs: {},
  shape: ([a, b]) => {
    const [m, , n] = matmulShape(a!, b!);
    return [m, n];
  },
  flops: ([a, b]) => {
    const [m, k, n] = matmulShape(a!, b!);
    return 2 * m * k * n;
  },
  forward: (_ctx, [a, b], out) => {
    const [m, k] = a!.shape as [number, number];
    mmNN(out.data, a!.data, b!.data, m, k, b!.shape[1]!, false);
  },
  vjp: (_ctx, [a, b], _out, g, [ga, gb]) => {
    const [m, k] = a!.shape as [number, number];
    const n = b!.shape[1]!;
    if (ga) mmNT(ga.data, g.data, b!.data, m, n, k, true); // ga += g·bᵀ
    if (gb) mmTN(gb.data, a!.data, g.data, k, m, n, true); // gb += aᵀ·g
  },
  jvp: (_ctx, [a, b], _out, [ta, tb], tout) => {
    const [m, k] = a!.shape as [number, number];
    const n = b!.shape[1]!;
    tout.fill(0);
    if (ta) mmNN(tout.data, ta.data, b!.data, m, k, n, true);
    if (tb) mmNN(tout.data, a!.data, tb.data, m, k, n, true);
  },
  secondOrder: { kind: 'bilinear', pair: ['a', 'b'] },
  doc: 'matmul(a, b) = a·b for a [m, k], b [k, n]; ∂/∂a: g·bᵀ, ∂/∂b: aᵀ·g',
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
  forward: ({ attrs: { units }, plan: { rows, inF } }, [x, w, b], out) => {
    mmNT(out.data, x!.data, w!.data, rows, inF, units, false);
    if (b) addRows(out.data, b.data, rows, units);
  },
  vjp: ({ attrs: { units }, plan: { rows, inF } }, [x, w], _out, g, [gx, gw, gb]) => {
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
