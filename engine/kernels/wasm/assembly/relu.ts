/**
 * ReLU over float32 arrays with WebAssembly SIMD, four lanes at a time: in a small CNN's step the
 * activation's passes over the feature maps cost as much as the convolution. The same selects as
 * the TypeScript kernels: y = x > 0 ? x : 0 (NaN and -0 give 0), and ∂/∂x passes g where x > 0,
 * 0 elsewhere (as torch's threshold_backward).
 */

/** y = x > 0 ? x : 0 over n floats. */
export function reluForward(x: usize, y: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    const v = v128.load(x + at);
    v128.store(y + at, v128.bitselect(v, zero, f32x4.gt(v, zero)));
  }
  for (; i < n; i++) {
    const v = load<f32>(x + ((<usize>i) << 2));
    store<f32>(y + ((<usize>i) << 2), v > 0 ? v : 0);
  }
}

/** gx += x > 0 ? g : 0 over n floats. */
export function reluBackward(x: usize, g: usize, gx: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    const pass = v128.bitselect(v128.load(g + at), zero, f32x4.gt(v128.load(x + at), zero));
    v128.store(gx + at, f32x4.add(v128.load(gx + at), pass));
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    if (load<f32>(x + at) > 0) store<f32>(gx + at, load<f32>(gx + at) + load<f32>(g + at));
  }
}
