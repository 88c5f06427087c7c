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
import { imageShapes, trainingWorkload, TrainingWorkload } from './workloads.js';
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

/** A convolution's kernel as a variable: [out, in, kh, kw] → tfjs's [kh, kw, in, out] (conv3d: depth 1 in front). */
function kernelVariable(w: Float32Array, outC: number, inC: number, k: number, conv3d: boolean): tf.Variable {
  const kernel = tf.tidy(() => tf.transpose(tf.tensor4d(w, [outC, inC, k, k]), [2, 3, 1, 0]));
  return tf.variable(conv3d ? tf.expandDims(kernel, 0) : kernel);
}

/** A stride-1 convolution of NHWC images, 'valid' or 'same' (the only paddings the workloads use). */
function convolve(h: tf.Tensor, W: tf.Variable, b: tf.Variable, same: boolean, conv3d: boolean): tf.Tensor {
  const pad = same ? 'same' : 'valid';
  if (!conv3d) return tf.add(tf.conv2d(h as tf.Tensor4D, W as tf.Tensor4D, 1, pad), b);
  const [n, hh, ww, c] = h.shape as number[];
  const o = tf.conv3d(tf.reshape(h, [n!, 1, hh!, ww!, c!]) as tf.Tensor5D, W as tf.Tensor5D, 1, pad);
  const [on, , oh, ow, oc] = o.shape;
  return tf.add(tf.reshape(o, [on, oh, ow, oc]), b);
}

function activate(h: tf.Tensor, activation: 'relu' | 'tanh' | undefined): tf.Tensor {
  return activation === 'relu' ? tf.relu(h) : activation === 'tanh' ? tf.tanh(h) : h;
}

function buildStep(w: TrainingWorkload): { step: () => void; loss: () => number; detail: string } {
  const conv3d = needsConv3d();
  const [inC, inH, inW] = w.inputShape;
  const vars: tf.Variable[] = [];
  const shapes = imageShapes(w.inputShape, w.layers);
  const layers = w.layers.map((l, i) => {
    const bias = (values: Float32Array) => {
      const v = tf.variable(tf.tensor1d(values));
      vars.push(v);
      return v;
    };
    if (l.kind === 'attention') {
      const dense = (d: typeof l.q) => {
        const W = tf.variable(tf.tensor2d(d.w, [d.in, d.out]));
        vars.push(W);
        return { W, b: bias(d.b) };
      };
      return {
        kind: 'attention' as const,
        l,
        q: dense(l.q),
        k: dense(l.k),
        v: dense(l.v),
        out: dense(l.out),
      };
    }
    if (l.kind === 'dense') {
      // Flattening NHWC orders features (h, w, c): a dense layer after an image gets its rows
      // permuted from our (c, h, w) order.
      const previous = i > 0 ? w.layers[i - 1]! : undefined;
      const rows =
        previous && previous.kind !== 'dense' && previous.kind !== 'attention'
          ? nhwcRows(l.w, l.out, shapes[i - 1]!)
          : l.w;
      const W = tf.variable(tf.tensor2d(rows, [l.in, l.out]));
      vars.push(W);
      return { kind: 'dense' as const, l, W, b: bias(l.b) };
    }
    if (l.kind === 'conv') {
      const W = kernelVariable(l.w, l.outChannels, l.inChannels, l.kernel, conv3d);
      vars.push(W);
      return { kind: 'conv' as const, l, W, b: bias(l.b) };
    }
    const W1 = kernelVariable(l.w1, l.channels, l.channels, l.kernel, conv3d);
    const W2 = kernelVariable(l.w2, l.channels, l.channels, l.kernel, conv3d);
    vars.push(W1, W2);
    return { kind: 'residual' as const, l, W1, b1: bias(l.b1), W2, b2: bias(l.b2) };
  });
  // Images go in as NHWC (what tfjs's conv2d wants).
  const x =
    w.inputShape.length === 3
      ? tf.transpose(tf.tensor4d(w.x, [w.batch, inC!, inH!, inW!]), [0, 2, 3, 1])
      : tf.tensor(w.x, [w.batch, ...w.inputShape]);
  const y =
    w.loss === 'mse'
      ? tf.tensor2d(w.y, [w.batch, w.outputs])
      : tf.cast(tf.oneHot(tf.tensor1d(w.y, 'int32'), w.outputs), 'float32');
  const optimizer = tf.train.sgd(w.lr);
  const lossOf = (): tf.Scalar => {
    let h: tf.Tensor = x;
    for (const layer of layers) {
      if (layer.kind === 'dense') {
        if (h.rank !== 2) h = tf.reshape(h, [w.batch, -1]);
        h = activate(
          tf.add(tf.matMul(h as tf.Tensor2D, layer.W as tf.Tensor2D), layer.b),
          layer.l.activation,
        );
        continue;
      }
      if (layer.kind === 'attention') {
        const { tokens, dim, heads } = layer.l;
        const flat = tf.reshape(h, [w.batch * tokens, dim]) as tf.Tensor2D;
        const project = (p: { W: tf.Variable; b: tf.Variable }, v: tf.Tensor2D) =>
          tf.add(tf.matMul(v, p.W as tf.Tensor2D), p.b);
        const split = (p: { W: tf.Variable; b: tf.Variable }) =>
          tf.transpose(tf.reshape(project(p, flat), [w.batch, tokens, heads, dim / heads]), [0, 2, 1, 3]);
        const [q, k, v] = [split(layer.q), split(layer.k), split(layer.v)];
        const p = tf.softmax(tf.matMul(q, k, false, true));
        const o = tf.reshape(tf.transpose(tf.matMul(p, v), [0, 2, 1, 3]), [
          w.batch * tokens,
          dim,
        ]) as tf.Tensor2D;
        h = tf.add(h, tf.reshape(project(layer.out, o), [w.batch, tokens, dim]));
        continue;
      }
      if (layer.kind === 'conv')
        h = activate(convolve(h, layer.W, layer.b, layer.l.padding > 0, conv3d), layer.l.activation);
      else {
        const inner = tf.relu(convolve(h, layer.W1, layer.b1, true, conv3d));
        h = tf.relu(tf.add(h, convolve(inner, layer.W2, layer.b2, true, conv3d)));
      }
      if (layer.l.pool > 1) h = tf.maxPool(h as tf.Tensor4D, layer.l.pool, layer.l.pool, 'valid');
    }
    return w.loss === 'mse' ? tf.losses.meanSquaredError(y, h) : tf.losses.softmaxCrossEntropy(y, h);
  };
  return {
    step: () => {
      optimizer.minimize(lossOf, false, vars);
    },
    loss: () => tf.tidy(() => lossOf().dataSync()[0]!),
    detail:
      conv3d && w.layers.some((l) => l.kind === 'conv' || l.kind === 'residual')
        ? ', conv2d as conv3d (no Conv2DBackpropFilter)'
        : '',
  };
}

/** Dense weights [in, out] with rows in (c, h, w) order, reordered to NHWC's (h, w, c). */
function nhwcRows(src: Float32Array, out: number, [c, oh, ow]: number[]): Float32Array {
  const perm = new Float32Array(src.length);
  for (let ch = 0; ch < c!; ch++)
    for (let r = 0; r < oh!; r++)
      for (let q = 0; q < ow!; q++) {
        const from = (ch * oh! + r) * ow! + q,
          to = (r * ow! + q) * c! + ch;
        for (let o = 0; o < out; o++) perm[to * out + o] = src[from * out + o]!;
      }
  return perm;
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
