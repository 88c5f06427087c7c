/**
 * Elementwise unary ops with float32 WebAssembly SIMD kernels, by op name: the activations whose
 * passes over large feature maps cost as much as a small CNN's convolutions. Each computes the
 * same selects as the op's scalar row (engine/ops/elementwise.ts), which runs everywhere else
 * (float64, other ops, no WebAssembly). Kept here, by name, so that the op rows (which the
 * webview bundles for their metadata) carry no kernel code.
 */
import type { Data } from '../tensor/tensor.js';
import { wasmFloat32 } from './gemm.js';
import type { WasmGemm } from './wasm/instance.js';

interface Float32Unary {
  forward(k: WasmGemm, x: Float32Array, y: Float32Array): void;
  /** gx += f'(x)·g */
  vjp(k: WasmGemm, x: Float32Array, g: Float32Array, gx: Float32Array): void;
}

const FLOAT32_UNARY: Readonly<Record<string, Float32Unary>> = {
  relu: { forward: (k, x, y) => k.relu(x, y), vjp: (k, x, g, gx) => k.reluVjp(x, g, gx) },
};

/** y = op(x) when op has a float32 kernel and the data is float32; false: the caller's loop runs. */
export function float32UnaryForward(op: string, x: Data, y: Data): boolean {
  const kernels = FLOAT32_UNARY[op];
  const k = kernels ? wasmFloat32(x) : null;
  // A program has one dtype: float32 x means float32 y.
  if (k) kernels!.forward(k, x as Float32Array, y as Float32Array);
  return k !== null;
}

/** gx += op'(x)·g, under the same conditions as float32UnaryForward. */
export function float32UnaryVjp(op: string, x: Data, g: Data, gx: Data): boolean {
  const kernels = FLOAT32_UNARY[op];
  const k = kernels ? wasmFloat32(x) : null;
  if (k) kernels!.vjp(k, x as Float32Array, g as Float32Array, gx as Float32Array);
  return k !== null;
}
