/**
 * Direct stride-1 convolutions with WebAssembly SIMD, for convolutions too thin for im2col
 * products (few input channels times taps): there, building, copying and transposing the im2col
 * matrix costs more than the multiply-adds. The caller (../conv-direct.ts) lays the input out in
 * this module's memory as zero-bordered planes, so the kernels need no bounds checks: a padded
 * plane has `ld` floats per row, enough for every tap of every output column rounded up to a
 * multiple of 4 (whole f32x4 vectors; the columns past the real output are scratch).
 *
 * Geometry (stride 1): input planes [n, c, hp, ld] already padded; weight [o, cg, kh, kw] where
 * cg = c / groups; output channel `oc` reads input channels of its group g = oc / (o / groups);
 * output [n, o, oh, owp] with owp a multiple of 4. Sums run in f32, as the gemm kernel's do.
 */

/** dst: `planes` zero-bordered planes of hp × ld floats, src plane (h × w) placed at (pt, pl). */
export function padPlanes(
  src: usize,
  planes: i32,
  h: i32,
  w: i32,
  dst: usize,
  pt: i32,
  pl: i32,
  hp: i32,
  ld: i32,
): void {
  memory.fill(dst, 0, (<usize>(planes * hp * ld)) << 2);
  for (let p = 0; p < planes; p++)
    for (let r = 0; r < h; r++)
      copyRow(
        src + ((<usize>((p * h + r) * w)) << 2),
        dst + ((<usize>((p * hp + pt + r) * ld + pl)) << 2),
        w,
      );
}

/**
 * Rows here are short (a few to a few dozen floats), where memory.copy's call costs more than
 * the copy: a loop, four floats at a time.
 */
function copyRow(src: usize, dst: usize, w: i32): void {
  let j = 0;
  for (; j + 4 <= w; j += 4) v128.store(dst + ((<usize>j) << 2), v128.load(src + ((<usize>j) << 2)));
  for (; j < w; j++) store<f32>(dst + ((<usize>j) << 2), load<f32>(src + ((<usize>j) << 2)));
}

/** dst rows of w floats (+)= the first w floats of each src row of ld floats. */
export function unpadRows(src: usize, rows: i32, ld: i32, w: i32, dst: usize, accumulate: bool): void {
  for (let r = 0; r < rows; r++) {
    const s = src + ((<usize>(r * ld)) << 2);
    const d = dst + ((<usize>(r * w)) << 2);
    if (!accumulate) copyRow(s, d, w);
    else
      for (let j = 0; j < w; j++) {
        const at = (<usize>j) << 2;
        store<f32>(d + at, load<f32>(d + at) + load<f32>(s + at));
      }
  }
}

/**
 * y[b, oc, i, j] = bias[oc] + Σ_{c', ki, kj} wt[oc, c', ki, kj] · x[b, g·cg + c', i + ki·dh, j + kj·dw]
 * for i < oh, j < owp; bias 0 means none. Two vectors of a row at a time where the row has them,
 * so each weight splat feeds two multiply-adds.
 */
export function convForward(
  x: usize,
  n: i32,
  c: i32,
  hp: i32,
  ld: i32,
  wt: usize,
  o: i32,
  groups: i32,
  kh: i32,
  kw: i32,
  dh: i32,
  dw: i32,
  bias: usize,
  y: usize,
  oh: i32,
  owp: i32,
): void {
  const cg = c / groups;
  const og = o / groups;
  const taps = kh * kw;
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < o; oc++) {
      const x0 = x + ((<usize>((b * c + (oc / og) * cg) * hp * ld)) << 2);
      const w0 = wt + ((<usize>(oc * cg * taps)) << 2);
      const b0 = bias ? f32x4.splat(load<f32>(bias + ((<usize>oc) << 2))) : f32x4.splat(0);
      const y0 = y + ((<usize>((b * o + oc) * oh * owp)) << 2);
      for (let i = 0; i < oh; i++) {
        const yr = y0 + ((<usize>(i * owp)) << 2);
        let j = 0;
        for (; j + 8 <= owp; j += 8) {
          let s0 = b0,
            s1 = b0;
          for (let cl = 0; cl < cg; cl++)
            for (let ki = 0; ki < kh; ki++) {
              const xr = x0 + ((<usize>((cl * hp + i + ki * dh) * ld + j)) << 2);
              const wr = w0 + ((<usize>((cl * kh + ki) * kw)) << 2);
              for (let kj = 0; kj < kw; kj++) {
                const wv = v128.load32_splat(wr + ((<usize>kj) << 2));
                const at = xr + ((<usize>(kj * dw)) << 2);
                s0 = f32x4.add(s0, f32x4.mul(wv, v128.load(at)));
                s1 = f32x4.add(s1, f32x4.mul(wv, v128.load(at, 16)));
              }
            }
          v128.store(yr + ((<usize>j) << 2), s0);
          v128.store(yr + ((<usize>j) << 2), s1, 16);
        }
        for (; j < owp; j += 4) {
          let s0 = b0;
          for (let cl = 0; cl < cg; cl++)
            for (let ki = 0; ki < kh; ki++) {
              const xr = x0 + ((<usize>((cl * hp + i + ki * dh) * ld + j)) << 2);
              const wr = w0 + ((<usize>((cl * kh + ki) * kw)) << 2);
              for (let kj = 0; kj < kw; kj++)
                s0 = f32x4.add(
                  s0,
                  f32x4.mul(
                    v128.load32_splat(wr + ((<usize>kj) << 2)),
                    v128.load(xr + ((<usize>(kj * dw)) << 2)),
                  ),
                );
            }
          v128.store(yr + ((<usize>j) << 2), s0);
        }
      }
    }
}

/**
 * The weight and bias gradients: gw[oc, c', ki, kj] = Σ_{b, i, j} g[b, oc, i, j] · x[b, g·cg + c',
 * i + ki·dh, j + kj·dw] and gb[oc] = Σ g[b, oc] (gb 0: none), added to what they hold. g has rows of
 * owp floats, zero past the real output, so the scratch columns add nothing.
 */
export function convWeightGrad(
  x: usize,
  n: i32,
  c: i32,
  hp: i32,
  ld: i32,
  g: usize,
  o: i32,
  groups: i32,
  kh: i32,
  kw: i32,
  dh: i32,
  dw: i32,
  oh: i32,
  owp: i32,
  gw: usize,
  gb: usize,
): void {
  const cg = c / groups;
  const og = o / groups;
  const plane = <usize>(oh * owp);
  for (let oc = 0; oc < o; oc++) {
    const xg = (oc / og) * cg;
    if (gb) {
      let s = f32x4.splat(0);
      for (let b = 0; b < n; b++) {
        const gp = g + ((<usize>(b * o + oc) * plane) << 2);
        for (let q: usize = 0; q < plane; q += 4) s = f32x4.add(s, v128.load(gp + (q << 2)));
      }
      const at = gb + ((<usize>oc) << 2);
      store<f32>(at, load<f32>(at) + horizontalSum(s));
    }
    for (let cl = 0; cl < cg; cl++)
      for (let ki = 0; ki < kh; ki++)
        for (let kj = 0; kj < kw; kj++) {
          let s = f32x4.splat(0);
          for (let b = 0; b < n; b++) {
            const gp = g + ((<usize>(b * o + oc) * plane) << 2);
            const xp = x + ((<usize>(((b * c + xg + cl) * hp + ki * dh) * ld + kj * dw)) << 2);
            for (let i = 0; i < oh; i++) {
              const gr = gp + ((<usize>(i * owp)) << 2);
              const xr = xp + ((<usize>(i * ld)) << 2);
              for (let j = 0; j < owp; j += 4) {
                const at = (<usize>j) << 2;
                s = f32x4.add(s, f32x4.mul(v128.load(gr + at), v128.load(xr + at)));
              }
            }
          }
          const at = gw + ((<usize>(((oc * cg + cl) * kh + ki) * kw + kj)) << 2);
          store<f32>(at, load<f32>(at) + horizontalSum(s));
        }
  }
}

/**
 * The weights of ∂/∂x as a stride-1 convolution of g: each group's weight transposed (input and
 * output channels swapped) and flipped, wf[ic, ocl, ki, kj] = wt[g·og + ocl, icl, kh-1-ki, kw-1-kj]
 * for ic = g·cg + icl.
 */
export function flipWeights(wt: usize, wf: usize, c: i32, groups: i32, og: i32, taps: i32): void {
  const cg = c / groups;
  for (let ic = 0; ic < c; ic++) {
    const grp = ic / cg,
      icl = ic - grp * cg;
    for (let ocl = 0; ocl < og; ocl++) {
      const src = wt + ((<usize>(((grp * og + ocl) * cg + icl) * taps + taps - 1)) << 2);
      const dst = wf + ((<usize>((ic * og + ocl) * taps)) << 2);
      for (let t = 0; t < taps; t++) store<f32>(dst + ((<usize>t) << 2), load<f32>(src - ((<usize>t) << 2)));
    }
  }
}

function horizontalSum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}
