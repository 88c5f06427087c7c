/**
 * Float32 kernels that move or add whole arrays, for the ops whose JavaScript loops a training
 * step runs over every element: gathers (transpose, swapaxes, slice, expand, tile: output k is
 * input from[k]) and their scatter-add gradients, a + b, and gx += g (a reshape's gradient, a
 * sum's). Gathers move the float's bits as an i32, so every value (NaN payloads too) arrives
 * unchanged.
 */

/** y[k] = x[from[k]] for k < n (from: i32 element indices). */
export function gather(x: usize, from: usize, y: usize, n: i32): void {
  for (let k = 0; k < n; k++) {
    const at = (<usize>k) << 2;
    store<i32>(y + at, load<i32>(x + ((<usize>load<i32>(from + at)) << 2)));
  }
}

/** gx[from[k]] += g[k] for k < n: the gather's gradient (an index read twice gathers both). */
export function scatterAdd(g: usize, from: usize, gx: usize, n: i32): void {
  for (let k = 0; k < n; k++) {
    const at = (<usize>k) << 2;
    const to = gx + ((<usize>load<i32>(from + at)) << 2);
    store<f32>(to, load<f32>(to) + load<f32>(g + at));
  }
}

/** y = a + b over n floats. */
export function addArrays(a: usize, b: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    v128.store(y + at, f32x4.add(v128.load(a + at), v128.load(b + at)));
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    store<f32>(y + at, load<f32>(a + at) + load<f32>(b + at));
  }
}
