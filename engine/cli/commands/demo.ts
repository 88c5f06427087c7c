/**
 * `backprop-studio demo` (npm run demo): until training lands, one forward and backward pass of a
 * small MLP on the spiral data, the gradient of every parameter, and the gradient check.
 */
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { buildMlp } from '../../nn/mlp.js';
import { fans, initialize } from '../../nn/init.js';
import { classificationDataset } from '../../data/synthetic.js';
import { gradCheck } from '../../autodiff/gradcheck.js';
import { Rng } from '../../tensor/random.js';

const LAYERS = [2, 16, 16, 3];
const ACTIVATION = 'tanh';
/** A correct gradient agrees with central differences to ~1e-9 here. */
const GRADCHECK_TOLERANCE = 1e-6;

export const demo: Command = {
  name: 'demo',
  summary: 'forward, backward and a gradient check of a small MLP on spiral data',
  usage: `Usage: backprop-studio demo [--seed N]

Builds an MLP ${LAYERS.join('-')} (${ACTIVATION}) with cross-entropy, runs one forward and backward pass
over a batch of spiral data in float64, prints the loss and each parameter's gradient norm, and checks
every gradient against central differences. Exits 1 if any disagrees by more than ${GRADCHECK_TOLERANCE.toExponential(0)}.`,
  async run(args) {
    let seed = 1;
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--seed' && /^\d+$/.test(args[i + 1] ?? '')) seed = Number(args[++i]);
      else throw new UsageError(`unexpected argument ${args[i]}`);
    }
    const data = classificationDataset('spiral', { classes: 3, samples: 90, noise: 0.1, seed });
    const mlp = buildMlp({
      layers: LAYERS,
      activation: ACTIVATION,
      loss: 'cross_entropy',
      batch: data.x.shape[0]!,
      dtype: 'float64',
    });
    const { program } = mlp;
    const rng = new Rng(seed);
    for (let i = 1; i < LAYERS.length; i++) {
      const w = program.value(mlp.params.get(`W${i}`)!);
      const ctx = { fans: fans(w.shape), activation: i < LAYERS.length - 1 ? ACTIVATION : undefined };
      initialize(w, 'default', 'weight', ctx, rng);
      initialize(program.value(mlp.params.get(`b${i}`)!), 'default', 'bias', ctx, rng);
    }
    program.value(mlp.input).data.set(data.x.data);
    program.value(mlp.target).data.set(data.y.data);

    const out: string[] = [];
    out.push(`An MLP ${LAYERS.join('-')} (${ACTIVATION}, cross-entropy) on ${data.name}, float64`);
    program.forward();
    const loss = program.value(mlp.loss).data[0]!;
    out.push(`forward:  loss ${loss.toFixed(6)} (chance level ln 3 = ${Math.log(3).toFixed(6)})`);
    program.backward(mlp.loss);
    out.push('backward: gradient norm of each parameter');
    for (const [name, slot] of mlp.params) {
      const g = program.grad(slot)!;
      let sq = 0;
      for (const v of g.data) sq += v * v;
      const norm = Math.sqrt(sq);
      out.push(`  ${name.padEnd(4)} [${g.shape.join(', ')}]`.padEnd(16) + norm.toExponential(4));
    }
    out.push('gradient check: reverse mode against central differences (ε = 1e-6)');
    const checks = gradCheck(program, mlp.loss);
    const names = new Map([...mlp.params].map(([name, slot]) => [slot, name]));
    for (const c of checks)
      out.push(
        `  ${(names.get(c.slot) ?? c.name).padEnd(14)}worst relative error ${c.error.toExponential(2)}`,
      );
    const worst = Math.max(...checks.map((c) => c.error));
    const ok = worst <= GRADCHECK_TOLERANCE;
    out.push(
      `worst relative error ${worst.toExponential(2)} over ${checks.length} tensors: ` +
        (ok
          ? `the gradients are right (tolerance ${GRADCHECK_TOLERANCE.toExponential(0)})`
          : `WRONG (tolerance ${GRADCHECK_TOLERANCE.toExponential(0)})`),
    );
    process.stdout.write(out.join('\n') + '\n');
    return ok ? 0 : 1;
  },
};
