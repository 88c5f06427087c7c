/**
 * One TensorFlow.js measurement in its own process: `node tfjs-child.cjs <workload> <cpu|wasm>
 * <wasm-dir>` prints one JSON line (a ChildResult). TensorFlow.js is used the way its users use
 * it: variables, a loss closure, and `tf.train.sgd(lr).minimize`. This file is bundled by esbuild
 * (bench/harness.ts) because tfjs-core's Node entry registers no gradients; it is the only place
 * that imports TensorFlow.js, and nothing in engine/, extension/ or webview/ imports it.
 */
import * as tf from '@tensorflow/tfjs-core';
// What the `@tensorflow/tfjs` union package does for its users: register every op's gradient.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { trainingWorkload, TrainingWorkload } from './workloads.js';
import { measure } from './measure.js';
import { ChildResult, printResult, timingBudget } from './child-protocol.js';

/**
 * tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so a conv2d cannot be trained there;
 * its conv3d has both gradient kernels, so on that backend the 2-D convolution is written as a
 * conv3d of depth 1 (the same arithmetic, still plain tfjs ops).
 */
function needsConv3d(): boolean {
  return tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) === undefined;
}

function buildStep(w: TrainingWorkload): { step: () => void; loss: () => number; detail: string } {
  const conv3d = needsConv3d();
  const [inC, inH, inW] = w.inputShape;
  const vars: tf.Variable[] = [];
  const layers = w.layers.map((l) => {
    if (l.kind === 'dense') {
      const W = tf.variable(tf.tensor2d(l.w, [l.in, l.out]));
      const b = tf.variable(tf.tensor1d(l.b));
      vars.push(W, b);
      return { l, W, b };
    }
    // [out, in, kh, kw] → tfjs's [kh, kw, in, out] (with a leading depth of 1 for conv3d).
    const k = tf.tidy(() =>
      tf.transpose(tf.tensor4d(l.w, [l.outChannels, l.inChannels, l.kernel, l.kernel]), [2, 3, 1, 0]),
    );
    const W = tf.variable(conv3d ? tf.expandDims(k, 0) : k);
    const b = tf.variable(tf.tensor1d(l.b));
    vars.push(W, b);
    return { l, W, b };
  });
  // Images go in as NHWC (what tfjs's conv2d wants); flattening NHWC orders features (h, w, c),
  // so the dense layer after a convolution gets its rows permuted from our (c, h, w) order.
  const x =
    w.inputShape.length === 3
      ? tf.transpose(tf.tensor4d(w.x, [w.batch, inC!, inH!, inW!]), [0, 2, 3, 1])
      : tf.tensor2d(w.x, [w.batch, inC!]);
  permuteDenseAfterConv(w, layers);
  const y =
    w.loss === 'mse'
      ? tf.tensor2d(w.y, [w.batch, w.outputs])
      : tf.cast(tf.oneHot(tf.tensor1d(w.y, 'int32'), w.outputs), 'float32');
  const optimizer = tf.train.sgd(w.lr);
  const lossOf = (): tf.Scalar => {
    let h: tf.Tensor = x;
    for (const { l, W, b } of layers) {
      if (l.kind === 'dense') {
        if (h.rank !== 2) h = tf.reshape(h, [w.batch, -1]);
        h = tf.add(tf.matMul(h as tf.Tensor2D, W as tf.Tensor2D), b);
      } else {
        if (conv3d) {
          const [n, hh, ww, c] = h.shape as number[];
          const o = tf.conv3d(
            tf.reshape(h, [n!, 1, hh!, ww!, c!]) as tf.Tensor5D,
            W as tf.Tensor5D,
            1,
            'valid',
          );
          const [on, , oh, ow, oc] = o.shape;
          h = tf.add(tf.reshape(o, [on, oh, ow, oc]), b);
        } else h = tf.add(tf.conv2d(h as tf.Tensor4D, W as tf.Tensor4D, 1, 'valid'), b);
      }
      if (l.activation === 'relu') h = tf.relu(h);
      else if (l.activation === 'tanh') h = tf.tanh(h);
      if (l.kind === 'conv') h = tf.maxPool(h as tf.Tensor4D, l.pool, l.pool, 'valid');
    }
    return w.loss === 'mse' ? tf.losses.meanSquaredError(y, h) : tf.losses.softmaxCrossEntropy(y, h);
  };
  return {
    step: () => {
      optimizer.minimize(lossOf, false, vars);
    },
    loss: () => tf.tidy(() => lossOf().dataSync()[0]!),
    detail:
      conv3d && w.layers.some((l) => l.kind === 'conv') ? ', conv2d as conv3d (no Conv2DBackpropFilter)' : '',
  };
}

function permuteDenseAfterConv(
  w: TrainingWorkload,
  layers: { l: TrainingWorkload['layers'][number]; W: tf.Variable }[],
): void {
  for (let i = 1; i < layers.length; i++) {
    const prev = layers[i - 1]!.l,
      cur = layers[i]!;
    if (prev.kind !== 'conv' || cur.l.kind !== 'dense') continue;
    const [, h, wd] = w.inputShape;
    const oh = Math.floor((h! - prev.kernel + 1) / prev.pool),
      ow = Math.floor((wd! - prev.kernel + 1) / prev.pool),
      c = prev.outChannels;
    const src = cur.l.w,
      out = cur.l.out;
    const perm = new Float32Array(src.length);
    for (let ch = 0; ch < c; ch++)
      for (let r = 0; r < oh; r++)
        for (let q = 0; q < ow; q++) {
          const from = (ch * oh + r) * ow + q,
            to = (r * ow + q) * c + ch;
          for (let o = 0; o < out; o++) perm[to * out + o] = src[from * out + o]!;
        }
    cur.W.assign(tf.tensor2d(perm, [cur.l.in, out]));
  }
}

async function main(): Promise<void> {
  const [name, backend, wasmDir] = process.argv.slice(2);
  if (backend === 'wasm') {
    setWasmPaths(wasmDir!.endsWith('/') ? wasmDir! : `${wasmDir}/`);
  }
  await tf.setBackend(backend!);
  await tf.ready();
  const w = trainingWorkload(name as TrainingWorkload['name']);
  const { step, loss, detail } = buildStep(w);
  const before = loss();
  const timing = measure(step, timingBudget());
  const result: ChildResult = {
    workload: w.name,
    impl: `tfjs-${backend}`,
    timing,
    lossBefore: before,
    lossAfter: loss(),
    detail: `tfjs ${tf.version_core} backend ${tf.getBackend()}${detail}`,
  };
  printResult(result);
}

void main();
