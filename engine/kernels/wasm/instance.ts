/**
 * Instantiates the embedded WebAssembly kernels module (matrix products, direct stride-1
 * convolutions, ReLU, tanh, softmax) and wraps it so callers pass ordinary Float32Arrays: operands are copied into the
 * module's memory (a memcpy, small next to the product) and the result copied back. Memory grows to the largest product seen and is then
 * reused, so a steady-state training step allocates nothing here.
 *
 * The engine has no DOM or Node types, so the few WebAssembly API members used are declared here
 * and the global is looked up at run time; without WebAssembly SIMD this returns null and the
 * TypeScript kernels run instead.
 */
import { GEMM_WASM_BASE64 } from './gemm-module.js';
import { decodeBase64 } from './base64.js';
import type { GemmLayout } from '../gemm-ts.js';
import type { ConvGeometry } from '../im2col.js';

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
  addBias(c: number, bias: number, rows: number, n: number): void;
  sumRows(g: number, rows: number, n: number, gb: number): void;
  gather(x: number, from: number, y: number, n: number): void;
  scatterAdd(g: number, from: number, gx: number, n: number): void;
  addArrays(a: number, b: number, y: number, n: number): void;
  padPlanes(
    src: number,
    planes: number,
    h: number,
    w: number,
    dst: number,
    pt: number,
    pl: number,
    hp: number,
    ld: number,
  ): void;
  unpadRows(src: number, rows: number, ld: number, w: number, dst: number, accumulate: number): void;
  convForward(
    x: number,
    n: number,
    c: number,
    hp: number,
    ld: number,
    wt: number,
    o: number,
    groups: number,
    kh: number,
    kw: number,
    dh: number,
    dw: number,
    bias: number,
    y: number,
    oh: number,
    owp: number,
  ): void;
  reluForward(x: number, y: number, n: number): void;
  reluBackward(x: number, g: number, gx: number, n: number): void;
  tanhForward(x: number, y: number, n: number): void;
  tanhBackward(y: number, g: number, gx: number, n: number): void;
  softmaxForward(x: number, y: number, rows: number, n: number): void;
  softmaxBackward(y: number, g: number, gx: number, rows: number, n: number): void;
  flipWeights(wt: number, wf: number, c: number, groups: number, og: number, taps: number): void;
  convWeightGrad(
    x: number,
    n: number,
    c: number,
    hp: number,
    ld: number,
    g: number,
    o: number,
    groups: number,
    kh: number,
    kw: number,
    dh: number,
    dw: number,
    oh: number,
    owp: number,
    gw: number,
    gb: number,
  ): void;
}
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

const PAGE = 65536;

export class WasmGemm {
  private f32: Float32Array;
  /** The same memory as i32, for gather tables. */
  private i32: Int32Array;
  /** Views of result regions by float offset and length, so copying out allocates nothing. */
  private views = new Map<number, Map<number, Float32Array>>();

  private constructor(private readonly x: GemmExports) {
    this.f32 = new Float32Array(x.memory.buffer);
    this.i32 = new Int32Array(x.memory.buffer);
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
    const pa = x.heapBase() >> 2;
    const pb = after(pa, m * k);
    const pc = after(pb, k * n);
    const ps = after(pc, m * n);
    const mem = this.reserve(ps * 4 + x.scratchBytes(m, n, k));
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
    c.set(this.view(pc, m * n), cOff);
  }

  /**
   * A dense layer in one trip: y [rows, units] = x [rows, inF] · wᵀ (w [units, inF]) + bias. Small
   * layers cost their copies and calls more than their products, so they share one of each.
   */
  linearForward(
    x: Float32Array,
    w: Float32Array,
    bias: Float32Array | null,
    y: Float32Array,
    rows: number,
    inF: number,
    units: number,
  ): void {
    const e = this.x;
    const px = e.heapBase() >> 2;
    const pw = after(px, x.length);
    const pbias = after(pw, w.length);
    const py = after(pbias, units);
    const ps = after(py, y.length);
    const mem = this.reserve(ps * 4 + e.scratchBytes(rows, units, inF));
    mem.set(x, px);
    mem.set(w, pw);
    e.sgemm(rows, units, inF, px * 4, 0, pw * 4, 1, py * 4, 0, ps * 4);
    if (bias) {
      mem.set(bias, pbias);
      e.addBias(py * 4, pbias * 4, rows, units);
    }
    y.set(this.view(py, y.length));
  }

  /**
   * linearForward's gradients for an output gradient g [rows, units], each added to its buffer
   * (null: not wanted): gx += g·w, gw += gᵀ·x, gb += Σ_rows g.
   */
  linearBackward(
    x: Float32Array,
    w: Float32Array,
    g: Float32Array,
    gx: Float32Array | null,
    gw: Float32Array | null,
    gb: Float32Array | null,
    rows: number,
    inF: number,
    units: number,
  ): void {
    const e = this.x;
    const pg = e.heapBase() >> 2;
    const px = after(pg, g.length);
    const pw = after(px, x.length);
    const pgx = after(pw, w.length);
    const pgw = after(pgx, x.length);
    const pgb = after(pgw, w.length);
    const ps = after(pgb, units);
    const mem = this.reserve(
      ps * 4 + Math.max(e.scratchBytes(rows, inF, units), e.scratchBytes(units, inF, rows)),
    );
    mem.set(g, pg);
    if (gx) {
      mem.set(w, pw);
      mem.set(gx, pgx);
      e.sgemm(rows, inF, units, pg * 4, 0, pw * 4, 0, pgx * 4, 1, ps * 4);
      gx.set(this.view(pgx, gx.length));
    }
    if (gw) {
      mem.set(x, px);
      mem.set(gw, pgw);
      e.sgemm(units, inF, rows, pg * 4, 1, px * 4, 0, pgw * 4, 1, ps * 4);
      gw.set(this.view(pgw, gw.length));
    }
    if (gb) {
      mem.set(gb, pgb);
      e.sumRows(pg * 4, rows, units, pgb * 4);
      gb.set(this.view(pgb, gb.length));
    }
  }

  /**
   * `count` products in one trip into WebAssembly memory: C_i (m×n) = or += op(A_i)·op(B_i), the
   * i-th operands starting at elements aAt[i] of a and bAt[i] of b, the result at cAt[i] of c
   * (i·m·n when cAt is null). a, b and c are copied in whole and c copied back whole, so slices
   * may repeat: with `accumulate`, each product adds to what the earlier ones left (a broadcast
   * operand's gradient). Per-head attention products are far below the size where one copy per
   * product pays, but 128 of them share one.
   */
  gemmBatch(
    layout: GemmLayout,
    m: number,
    n: number,
    k: number,
    count: number,
    a: Float32Array,
    aAt: Int32Array,
    b: Float32Array,
    bAt: Int32Array,
    c: Float32Array,
    cAt: Int32Array | null,
    accumulate: boolean,
  ): void {
    const x = this.x;
    const pa = x.heapBase() >> 2;
    const pb = after(pa, a.length);
    const pc = after(pb, b.length);
    const ps = after(pc, c.length);
    const mem = this.reserve(ps * 4 + x.scratchBytes(m, n, k));
    mem.set(a, pa);
    mem.set(b, pb);
    if (accumulate) mem.set(c, pc);
    const transA = layout === 'tn' ? 1 : 0,
      transB = layout === 'nt' ? 1 : 0,
      acc = accumulate ? 1 : 0,
      size = m * n;
    for (let i = 0; i < count; i++) {
      const at = cAt === null ? i * size : cAt[i]!;
      x.sgemm(m, n, k, (pa + aAt[i]!) * 4, transA, (pb + bAt[i]!) * 4, transB, (pc + at) * 4, acc, ps * 4);
    }
    c.set(this.view(pc, c.length));
  }

  /**
   * Direct stride-1 convolution, float32 (assembly/conv.ts): y = conv(x, wt) + bias, every size
   * from `d` (groups included), o output channels.
   */
  convForward(
    d: ConvGeometry,
    o: number,
    x: Float32Array,
    wt: Float32Array,
    bias: Float32Array | null,
    y: Float32Array,
  ): void {
    const { n, c, h, w, kh, kw, dh, dw, pt, pl, oh, ow, groups } = d;
    const owp = align4(ow);
    const ld = owp + (kw - 1) * dw;
    const hp = oh + (kh - 1) * dh;
    const px = this.x.heapBase() >> 2;
    const pxp = after(px, x.length);
    const pw = after(pxp, n * c * hp * ld);
    const pbias = after(pw, wt.length);
    const pyp = after(pbias, o);
    const py = after(pyp, n * o * oh * owp);
    const mem = this.reserve(after(py, y.length) * 4);
    mem.set(x, px);
    mem.set(wt, pw);
    if (bias) mem.set(bias, pbias);
    const e = this.x;
    e.padPlanes(px * 4, n * c, h, w, pxp * 4, pt, pl, hp, ld);
    e.convForward(
      pxp * 4,
      n,
      c,
      hp,
      ld,
      pw * 4,
      o,
      groups,
      kh,
      kw,
      dh,
      dw,
      bias ? pbias * 4 : 0,
      pyp * 4,
      oh,
      owp,
    );
    e.unpadRows(pyp * 4, n * o * oh, owp, ow, py * 4, 0);
    y.set(this.view(py, y.length));
  }

  /**
   * The gradients of convForward for an output gradient g: gx, gw and gb += theirs (each may be
   * null). ∂/∂x is itself a stride-1 convolution: of g, padded by the kernel's reach minus the
   * forward padding, with each group's weight transposed and flipped.
   */
  convBackward(
    d: ConvGeometry,
    o: number,
    x: Float32Array,
    wt: Float32Array,
    g: Float32Array,
    gx: Float32Array | null,
    gw: Float32Array | null,
    gb: Float32Array | null,
  ): void {
    const { n, c, h, w, kh, kw, dh, dw, pt, pl, oh, ow, groups } = d;
    const owp = align4(ow);
    const ld = owp + (kw - 1) * dw;
    const hp = oh + (kh - 1) * dh;
    const wp = align4(w);
    const ldx = wp + (kw - 1) * dw;
    const hpx = h + (kh - 1) * dh;
    // g; g padded for the weight gradient; x; x padded; gw; gb; g padded for ∂/∂x; the weights;
    // flipped weights; ∂/∂x with padded rows; gx. Every float moves by memcpy or in WebAssembly:
    // a JavaScript loop over floats allocates a heap number per value until it is optimised.
    const pg = this.x.heapBase() >> 2;
    const pgp = after(pg, g.length);
    const px = after(pgp, n * o * oh * owp);
    const pxp = after(px, x.length);
    const pgw = after(pxp, n * c * hp * ld);
    const pgb = after(pgw, wt.length);
    const pgq = after(pgb, o);
    const pw = after(pgq, n * o * hpx * ldx);
    const pwf = after(pw, wt.length);
    const pgxp = after(pwf, wt.length);
    const pgx = after(pgxp, n * c * h * wp);
    const mem = this.reserve(after(pgx, x.length) * 4);
    const e = this.x;
    mem.set(g, pg);
    if (gw || gb) {
      mem.set(x, px);
      // The kernel adds to gw and gb: start from what they hold (a scratch gw when only gb is wanted).
      if (gw) mem.set(gw, pgw);
      if (gb) mem.set(gb, pgb);
      e.padPlanes(px * 4, n * c, h, w, pxp * 4, pt, pl, hp, ld);
      e.padPlanes(pg * 4, n * o, oh, ow, pgp * 4, 0, 0, oh, owp);
      e.convWeightGrad(
        pxp * 4,
        n,
        c,
        hp,
        ld,
        pgp * 4,
        o,
        groups,
        kh,
        kw,
        dh,
        dw,
        oh,
        owp,
        pgw * 4,
        gb ? pgb * 4 : 0,
      );
      if (gw) gw.set(this.view(pgw, gw.length));
      if (gb) gb.set(this.view(pgb, gb.length));
    }
    if (gx) {
      mem.set(wt, pw);
      e.flipWeights(pw * 4, pwf * 4, c, groups, o / groups, kh * kw);
      e.padPlanes(pg * 4, n * o, oh, ow, pgq * 4, (kh - 1) * dh - pt, (kw - 1) * dw - pl, hpx, ldx);
      e.convForward(pgq * 4, n, o, hpx, ldx, pwf * 4, c, groups, kh, kw, dh, dw, 0, pgxp * 4, h, wp);
      mem.set(gx, pgx);
      e.unpadRows(pgxp * 4, n * c * h, wp, w, pgx * 4, 1);
      gx.set(this.view(pgx, gx.length));
    }
  }

  /** y = relu(x) in float32 (assembly/relu.ts). */
  relu(x: Float32Array, y: Float32Array): void {
    const px = this.x.heapBase() >> 2;
    const py = after(px, x.length);
    const mem = this.reserve(after(py, y.length) * 4);
    mem.set(x, px);
    this.x.reluForward(px * 4, py * 4, y.length);
    y.set(this.view(py, y.length));
  }

  /** gx += relu'(x)·g in float32: g where x > 0. */
  reluVjp(x: Float32Array, g: Float32Array, gx: Float32Array): void {
    this.vjpOf(x, g, gx, this.x.reluBackward);
  }

  /** gx += f'·g by an elementwise backward kernel of (x or y, g, gx, n). */
  private vjpOf(
    v: Float32Array,
    g: Float32Array,
    gx: Float32Array,
    kernel: (v: number, g: number, gx: number, n: number) => void,
  ): void {
    const pv = this.x.heapBase() >> 2;
    const pg = after(pv, v.length);
    const pgx = after(pg, g.length);
    const mem = this.reserve(after(pgx, gx.length) * 4);
    mem.set(v, pv);
    mem.set(g, pg);
    mem.set(gx, pgx);
    kernel(pv * 4, pg * 4, pgx * 4, gx.length);
    gx.set(this.view(pgx, gx.length));
  }

  /** y = tanh(x) in float32 (assembly/tanh.ts). */
  tanh(x: Float32Array, y: Float32Array): void {
    const px = this.x.heapBase() >> 2;
    const py = after(px, x.length);
    const mem = this.reserve(after(py, y.length) * 4);
    mem.set(x, px);
    this.x.tanhForward(px * 4, py * 4, y.length);
    y.set(this.view(py, y.length));
  }

  /** gx += (1 - y²)·g in float32, y = tanh(x). */
  tanhVjp(y: Float32Array, g: Float32Array, gx: Float32Array): void {
    this.vjpOf(y, g, gx, this.x.tanhBackward);
  }

  /** y = softmax(x) along rows of n floats (assembly/softmax.ts). */
  softmax(x: Float32Array, y: Float32Array, n: number): void {
    const px = this.x.heapBase() >> 2;
    const py = after(px, x.length);
    const mem = this.reserve(after(py, y.length) * 4);
    mem.set(x, px);
    this.x.softmaxForward(px * 4, py * 4, y.length / n, n);
    y.set(this.view(py, y.length));
  }

  /** gx += y ⊙ (g - <g, y>) along rows of n floats, y = softmax(x). */
  softmaxVjp(y: Float32Array, g: Float32Array, gx: Float32Array, n: number): void {
    const py = this.x.heapBase() >> 2;
    const pg = after(py, y.length);
    const pgx = after(pg, g.length);
    const mem = this.reserve(after(pgx, gx.length) * 4);
    mem.set(y, py);
    mem.set(g, pg);
    mem.set(gx, pgx);
    this.x.softmaxBackward(py * 4, pg * 4, pgx * 4, gx.length / n, n);
    gx.set(this.view(pgx, gx.length));
  }

  /** y[k] = x[from[k]] (assembly/move.ts): a gather op's forward pass. */
  gather(x: Float32Array, from: Int32Array, y: Float32Array): void {
    const px = this.x.heapBase() >> 2;
    const pf = after(px, x.length);
    const py = after(pf, from.length);
    const mem = this.reserve(after(py, y.length) * 4);
    mem.set(x, px);
    this.i32.set(from, pf);
    this.x.gather(px * 4, pf * 4, py * 4, y.length);
    y.set(this.view(py, y.length));
  }

  /** gx[from[k]] += g[k]: a gather op's gradient. */
  scatterAdd(g: Float32Array, from: Int32Array, gx: Float32Array): void {
    const pg = this.x.heapBase() >> 2;
    const pf = after(pg, g.length);
    const pgx = after(pf, from.length);
    const mem = this.reserve(after(pgx, gx.length) * 4);
    mem.set(g, pg);
    this.i32.set(from, pf);
    mem.set(gx, pgx);
    this.x.scatterAdd(pg * 4, pf * 4, pgx * 4, g.length);
    gx.set(this.view(pgx, gx.length));
  }

  /** y = a + b, elementwise over arrays of one length (y may be a, for a += b). */
  add(a: Float32Array, b: Float32Array, y: Float32Array): void {
    const pa = this.x.heapBase() >> 2;
    const pb = after(pa, a.length);
    const mem = this.reserve(after(pb, b.length) * 4);
    mem.set(a, pa);
    mem.set(b, pb);
    this.x.addArrays(pa * 4, pb * 4, pa * 4, y.length);
    y.set(this.view(pa, y.length));
  }

  /** Memory of at least `bytes` bytes, and the (current) float view of it. */
  private reserve(bytes: number): Float32Array {
    const memory = this.x.memory;
    if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    if (this.f32.buffer !== memory.buffer) {
      // Growing detaches the old buffer and every view of it.
      this.f32 = new Float32Array(memory.buffer);
      this.i32 = new Int32Array(memory.buffer);
      this.views.clear();
    }
    return this.f32;
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

/** The float offset after a region of `size` floats at `at`, kept 16-byte aligned. */
function after(at: number, size: number): number {
  return at + align4(size);
}

/** Whole-array copies are one memcpy; others loop rather than allocate a subarray view per call. */
function copyIn(mem: Float32Array, at: number, src: Float32Array, off: number, len: number): void {
  if (off === 0 && src.length === len) mem.set(src, at);
  else for (let i = 0; i < len; i++) mem[at + i] = src[off + i]!;
}
