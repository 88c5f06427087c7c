/**
 * Float32 WebAssembly SIMD kernels for ops whose scalar loops cost as much as a small network's
 * products: the elementwise activations relu and tanh, by op name, softmax along the last axis,
 * the gathers (transpose, swapaxes, slice, expand, tile) and their gradients, a + b and
 * gx += g. Each computes what the op's own kernel (engine/ops/) computes, to float32 rounding
 * (gathers exactly), and that kernel runs everywhere else (float64, other ops, no WebAssembly).
 * Besides speed: a JavaScript loop over floats allocates a heap number per value until the JIT
 * optimises it, which in a network of a few large steps a second takes minutes. Kept here, so
 * that the op rows (which the webview bundles for their metadata) carry no kernel code.
 */
import type { Data } from '../tensor/tensor.js';
import { wasmFloat32, type Float32Kernels } from './gemm.js';

interface Float32Unary {
  forward(k: Float32Kernels, x: Data, y: Data): void;
  /** gx += f'(x)·g, given x and y = f(x). */
  vjp(k: Float32Kernels, x: Data, y: Data, g: Data, gx: Data): void;
}

const FLOAT32_UNARY: Readonly<Record<string, Float32Unary>> = {
  relu: { forward: (k, x, y) => k.relu(x, y), vjp: (k, x, _y, g, gx) => k.reluVjp(x, g, gx) },
  tanh: { forward: (k, x, y) => k.tanh(x, y), vjp: (k, _x, y, g, gx) => k.tanhVjp(y, g, gx) },
};

/** y = op(x) when op has a float32 kernel and the data is float32; false: the caller's loop runs. */
export function float32UnaryForward(op: string, x: Data, y: Data): boolean {
  const kernels = FLOAT32_UNARY[op];
  const k = kernels ? wasmFloat32(x) : null;
  if (k) kernels!.forward(k, x, y);
  return k !== null;
}

/** gx += op'(x)·g (y = op(x)), under the same conditions as float32UnaryForward. */
export function float32UnaryVjp(op: string, x: Data, y: Data, g: Data, gx: Data): boolean {
  const kernels = FLOAT32_UNARY[op];
  const k = kernels ? wasmFloat32(x) : null;
  if (k) kernels!.vjp(k, x, y, g, gx);
  return k !== null;
}

/** y = softmax(x) along rows of n (the last axis) in float32; false: the caller's loop runs. */
export function float32SoftmaxForward(x: Data, y: Data, n: number): boolean {
  const k = wasmFloat32(x);
  if (k) k.softmax(x, y, n);
  return k !== null;
}

/** gx += y ⊙ (g - <g, y>) along rows of n, under the same conditions as float32SoftmaxForward. */
export function float32SoftmaxVjp(y: Data, g: Data, gx: Data, n: number): boolean {
  const k = wasmFloat32(y);
  if (k) k.softmaxVjp(y, g, gx, n);
  return k !== null;
}

/** y[k] = x[from[k]] in float32; false: the caller's loop runs. */
export function float32Gather(x: Data, from: Int32Array, y: Data): boolean {
  const k = wasmFloat32(x);
  if (k) k.gather(x, from, y);
  return k !== null;
}

/** gx[from[k]] += g[k] in float32, under the same conditions. */
export function float32ScatterAdd(g: Data, from: Int32Array, gx: Data): boolean {
  const k = wasmFloat32(g);
  if (k) k.scatterAdd(g, from, gx);
  return k !== null;
}

/** y = a + b over arrays of one length in float32, under the same conditions (y may be a). */
export function float32Add(a: Data, b: Data, y: Data): boolean {
  const k = wasmFloat32(a);
  if (k) k.add(a, b, y);
  return k !== null;
}
