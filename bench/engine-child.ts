/**
 * One measurement of our engine in its own process (fresh JIT, see the performance notes):
 * `node --import tsx bench/engine-child.ts <workload>` prints one JSON line (a ChildResult).
 *
 * The network is built with ProgramBuilder from registry ops, exactly as the graph compiler
 * builds it, and trained with forward(), backward() and the engine's SGD optimiser (engine/optim) over
 * Program's parameter and gradient buffers. The op names and attributes used are in OP_TABLE; a missing op makes the
 * result "unavailable" with the reason, rather than failing the whole benchmark.
 */
import { ProgramBuilder, Program } from '../engine/autodiff/program.js';
import { getOp } from '../engine/ops/registry.js';
import { Tensor } from '../engine/tensor/tensor.js';
import { createOptimizer, ParamGrad } from '../engine/optim/optimizers.js';
import { compileGraph } from '../engine/graph/compile.js';
import { graph1000, trainingWorkload, type DenseLayer, TrainingWorkload, WorkloadName } from './workloads.js';
import { measure } from './measure.js';
import { ChildResult, printResult, timingBudget } from './child-protocol.js';

/** The registry ops each layer kind becomes, with the attributes they are given. */
const OP_TABLE = {
  linear: 'linear',
  conv: 'conv2d',
  pool: 'max_pool2d',
  flatten: 'flatten',
  tanh: 'tanh',
  relu: 'relu',
  add: 'add',
  mse: 'mse_loss',
  cross_entropy: 'cross_entropy',
  reshape: 'reshape',
  swapaxes: 'swapaxes',
  matmul: 'matmul',
  softmax: 'softmax',
} as const;

class Unavailable extends Error {}

function requireOps(w: TrainingWorkload): void {
  const needed = new Set<string>([OP_TABLE.linear, OP_TABLE[w.loss]]);
  for (const l of w.layers) {
    if (l.kind === 'attention') {
      [OP_TABLE.reshape, OP_TABLE.swapaxes, OP_TABLE.matmul, OP_TABLE.softmax, OP_TABLE.add].forEach((o) =>
        needed.add(o),
      );
      continue;
    }
    if (l.kind !== 'residual' && l.activation) needed.add(OP_TABLE[l.activation]);
    if (l.kind !== 'dense') [OP_TABLE.conv, OP_TABLE.pool, OP_TABLE.flatten].forEach((o) => needed.add(o));
    if (l.kind === 'residual') [OP_TABLE.relu, OP_TABLE.add].forEach((o) => needed.add(o));
  }
  const missing = [...needed].filter((o) => !getOp(o));
  if (missing.length) throw new Unavailable(`engine has no op ${missing.join(', ')} yet`);
}

/** Our linear weight is [units, in] (PyTorch's layout): the transpose of the workload's [in, out]. */
function setDense(p: Tensor, values: Float32Array, inF: number, outF: number): void {
  if (p.shape[0] !== outF || p.shape[1] !== inF)
    throw new Error(`linear weight has shape [${p.shape.join(', ')}], expected [${outF}, ${inF}]`);
  for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) p.data[o * inF + i] = values[i * outF + o]!;
}

interface Built {
  program: Program;
  loss: number;
}

function build(w: TrainingWorkload): Built {
  requireOps(w);
  const b = new ProgramBuilder('float32', 1);
  const x = b.input('x', [w.batch, ...w.inputShape], { value: Tensor.from([w.batch, ...w.inputShape], w.x) });
  const yShape = w.loss === 'mse' ? [w.batch, w.outputs] : [w.batch];
  const y = b.input('y', yShape, { value: Tensor.from(yShape, w.y) });
  let h = x;
  const inits: (() => void)[] = [];
  let program: Program | null = null;
  const convNode = (
    id: string,
    from: number,
    outChannels: number,
    kernel: number,
    padding: number,
    weight: Float32Array,
    bias: Float32Array,
  ): number => {
    inits.push(() => {
      program!.value(program!.slot(`${id}.weight`)).data.set(weight);
      program!.value(program!.slot(`${id}.bias`)).data.set(bias);
    });
    return b.node(id, OP_TABLE.conv, [from], { outChannels, kernel, padding });
  };
  const denseNode = (id: string, from: number, l: DenseLayer): number => {
    inits.push(() => {
      setDense(program!.value(program!.slot(`${id}.weight`)), l.w, l.in, l.out);
      program!.value(program!.slot(`${id}.bias`)).data.set(l.b);
    });
    return b.node(id, OP_TABLE.linear, [from], { units: l.out });
  };
  w.layers.forEach((l, i) => {
    const id = `layer${i}`;
    if (l.kind === 'dense') {
      if (b.shapeOf(h).length > 2) h = b.node(`${id}_flatten`, OP_TABLE.flatten, [h]);
      h = denseNode(id, h, l);
    } else if (l.kind === 'attention') {
      // [B, T, D] → per head [B, H, T, D/H]: softmax(Q·Kᵀ)·V, heads merged back, projected, residual.
      const dh = l.dim / l.heads;
      const heads = (name: 'q' | 'k' | 'v') =>
        b.node(
          `${id}_${name}_heads`,
          OP_TABLE.swapaxes,
          [
            b.node(`${id}_${name}_split`, OP_TABLE.reshape, [denseNode(`${id}_${name}`, h, l[name])], {
              shape: [-1, l.tokens, l.heads, dh],
            }),
          ],
          { axis0: 1, axis1: 2 },
        );
      const [q, k, v] = [heads('q'), heads('k'), heads('v')];
      const kt = b.node(`${id}_kt`, OP_TABLE.swapaxes, [k], { axis0: -2, axis1: -1 });
      const p = b.node(`${id}_p`, OP_TABLE.softmax, [b.node(`${id}_scores`, OP_TABLE.matmul, [q, kt])], {
        axis: -1,
      });
      const o = b.node(`${id}_o`, OP_TABLE.matmul, [p, v]);
      const merged = b.node(
        `${id}_merge`,
        OP_TABLE.reshape,
        [b.node(`${id}_o_tokens`, OP_TABLE.swapaxes, [o], { axis0: 1, axis1: 2 })],
        { shape: [-1, l.tokens, l.dim] },
      );
      h = b.node(`${id}_residual`, OP_TABLE.add, [h, denseNode(`${id}_out`, merged, l.out)]);
    } else if (l.kind === 'conv') h = convNode(id, h, l.outChannels, l.kernel, l.padding, l.w, l.b);
    else {
      const inner = b.node(`${id}_relu1`, OP_TABLE.relu, [
        convNode(`${id}_conv1`, h, l.channels, l.kernel, (l.kernel - 1) / 2, l.w1, l.b1),
      ]);
      const branch = convNode(`${id}_conv2`, inner, l.channels, l.kernel, (l.kernel - 1) / 2, l.w2, l.b2);
      h = b.node(`${id}_relu2`, OP_TABLE.relu, [b.node(`${id}_add`, OP_TABLE.add, [h, branch])]);
    }
    if (l.kind === 'attention') return;
    if (l.kind !== 'residual' && l.activation)
      h = b.node(`${id}_${l.activation}`, OP_TABLE[l.activation], [h]);
    if (l.kind !== 'dense' && l.pool > 1) h = b.node(`${id}_pool`, OP_TABLE.pool, [h], { kernel: l.pool });
  });
  const loss = b.node('loss', OP_TABLE[w.loss], [h, y]);
  program = b.build();
  for (const init of inits) init();
  return { program, loss };
}

/**
 * compile-1000: what opening a big graph and pressing Play costs: compileGraph (analysis, shapes,
 * buffers, initial weights) plus the first training step. Timed like the rest (after warm-up).
 */
function compileAndStep(): ChildResult {
  const doc = graph1000();
  let lossValue = 0;
  const step = () => {
    const compiled = compileGraph(doc, { batchSize: doc.training.batchSize });
    const { program, loss } = compiled;
    const x = program.value(compiled.input).data;
    for (let i = 0; i < x.length; i++) x[i] = i / x.length;
    program.forward();
    program.backward(loss);
    createOptimizer(doc.training.optimizer, paramGrads(program)).step();
    lossValue = program.value(loss).data[0]!;
  };
  const timing = measure(step, timingBudget());
  return {
    workload: 'compile-1000',
    impl: 'engine',
    timing,
    lossAfter: lossValue,
    detail: `${doc.nodes.length} nodes`,
  };
}

function paramGrads(program: Program): ParamGrad[] {
  return program.params().map((s) => ({ param: program.value(s), grad: program.grad(s)! }));
}

function run(name: WorkloadName): ChildResult {
  if (name === 'compile-1000') return compileAndStep();
  const w = trainingWorkload(name);
  let built: Built;
  try {
    built = build(w);
  } catch (e) {
    if (e instanceof Unavailable)
      return { workload: name, impl: 'engine', timing: null, unavailable: e.message };
    throw e;
  }
  const { program, loss } = built;
  const optimizer = createOptimizer({ kind: 'sgd', lr: w.lr }, paramGrads(program));
  const lossValue = program.value(loss).data;
  const step = () => {
    program.forward();
    program.backward(loss);
    optimizer.step();
  };
  program.forward();
  const before = lossValue[0]!;
  const timing = measure(step, timingBudget());
  program.forward();
  return {
    workload: name,
    impl: 'engine',
    timing,
    lossBefore: before,
    lossAfter: lossValue[0]!,
    detail: 'float32',
  };
}

printResult(run(process.argv[2] as WorkloadName));
