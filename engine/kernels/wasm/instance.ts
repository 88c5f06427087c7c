/**
 * Instantiates the embedded WebAssembly matrix-product module and wraps it so callers pass
 * ordinary Float32Arrays: operands are copied into the module's memory (a memcpy, small next to
 * the product) and the result copied back. Memory grows to the largest product seen and is then
 * reused, so a steady-state training step allocates nothing here.
 *
 * The engine has no DOM or Node types, so the few WebAssembly API members used are declared here
 * and the global is looked up at run time; without WebAssembly SIMD this returns null and the
 * TypeScript kernels run instead.
 */
import { GEMM_WASM_BASE64 } from './gemm-module.js';
import { decodeBase64 } from './base64.js';
import type { GemmLayout } from '../gemm-ts.js';

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface GemmExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  scratchBytes(m: number, n: number, k: number): number;
  sgemm(
    m: number,
    n: number,
    k: number,
    a: number,
    transA: number,
    b: number,
    transB: number,
    c: number,
    accumulate: number,
    scratch: number,
  ): void;
}
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

const PAGE = 65536;

export class WasmGemm {
  private f32: Float32Array;
  /** Views of result regions by float offset and length, so copying out allocates nothing. */
  private views = new Map<number, Map<number, Float32Array>>();

  private constructor(private readonly x: GemmExports) {
    this.f32 = new Float32Array(x.memory.buffer);
  }

  /** The module, or null where WebAssembly (with SIMD) is unavailable. */
  static load(): WasmGemm | null {
    const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (!api) return null;
    try {
      const module = new api.Module(decodeBase64(GEMM_WASM_BASE64));
      const abort = () => {
        throw new Error('gemm wasm: abort');
      };
      const instance = new api.Instance(module, { env: { abort } });
      return new WasmGemm(instance.exports as GemmExports);
    } catch {
      // Compiling fails where SIMD is not supported: the caller falls back to TypeScript.
      return null;
    }
  }

  /** C (m×n) = or += op(A)·op(B) in float32; see gemm-ts.ts for the layouts. Offsets in elements. */
  gemm(
    layout: GemmLayout,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    aOff: number,
    b: Float32Array,
    bOff: number,
    c: Float32Array,
    cOff: number,
    accumulate: boolean,
  ): void {
    const x = this.x;
    // Float offsets into memory, each region 16-byte aligned.
    const base = x.heapBase() >> 2;
    const pa = base;
    const pb = pa + align4(m * k);
    const pc = pb + align4(k * n);
    const ps = pc + align4(m * n);
    const end = ps * 4 + x.scratchBytes(m, n, k);
    if (end > x.memory.buffer.byteLength) {
      x.memory.grow(Math.ceil((end - x.memory.buffer.byteLength) / PAGE));
    }
    if (this.f32.buffer !== x.memory.buffer) {
      // Growing detaches the old buffer and every view of it.
      this.f32 = new Float32Array(x.memory.buffer);
      this.views.clear();
    }
    const mem = this.f32;
    copyIn(mem, pa, a, aOff, m * k);
    copyIn(mem, pb, b, bOff, k * n);
    if (accumulate) copyIn(mem, pc, c, cOff, m * n);
    x.sgemm(
      m,
      n,
      k,
      pa * 4,
      layout === 'tn' ? 1 : 0,
      pb * 4,
      layout === 'nt' ? 1 : 0,
      pc * 4,
      accumulate ? 1 : 0,
      ps * 4,
    );
    const len = m * n;
    if (cOff === 0 && c.length === len) c.set(this.view(pc, len));
    else for (let i = 0; i < len; i++) c[cOff + i] = mem[pc + i]!;
  }

  private view(at: number, len: number): Float32Array {
    let byLen = this.views.get(at);
    if (!byLen) this.views.set(at, (byLen = new Map()));
    let v = byLen.get(len);
    if (!v) byLen.set(len, (v = this.f32.subarray(at, at + len)));
    return v;
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** Whole-array copies are one memcpy; others loop rather than allocate a subarray view per call. */
function copyIn(mem: Float32Array, at: number, src: Float32Array, off: number, len: number): void {
  if (off === 0 && src.length === len) mem.set(src, at);
  else for (let i = 0; i < len; i++) mem[at + i] = src[off + i]!;
}
