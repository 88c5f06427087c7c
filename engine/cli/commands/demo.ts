/**
 * `backprop-studio demo` (`npm run demo`): the main job on the bundled spiral example, headless.
 * Trains examples/spiral.nngraph.json with its own settings, shows progress, prints the final
 * accuracy, and writes the decision boundary with the data points as a PNG.
 */
import { makeFolder, writeTextFile } from '../../io/read-file.js';
import { join, relative, resolve } from 'node:path';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { runTraining } from './train.js';
import { boundaryGrid, dataBounds, renderBoundary } from '../../plot/boundary.js';
import { encodePng } from '../../io/png.js';

const ROOT = resolve(__dirname, '../../..');
const EXAMPLE = join(ROOT, 'examples/spiral.nngraph.json');
const OUT = join(ROOT, 'out/demo');

export const demo: Command = {
  name: 'demo',
  summary: 'train the spiral example headless and draw its decision boundary',
  usage: `Usage: backprop-studio demo [--out <dir>]

Trains examples/spiral.nngraph.json (3 classes, 2 features) with its own training settings,
prints the progress and the final training accuracy, and writes the decision boundary with the
data points as a PNG (default directory: out/demo).`,
  async run(args) {
    let outDir = OUT;
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--out' && args[i + 1]) outDir = resolve(args[++i]!);
      else throw new UsageError(`unknown argument ${args[i]}`);
    }
    const t0 = performance.now();
    const file = relative(process.cwd(), EXAMPLE) || EXAMPLE;
    const o = runTraining({ file, json: false }, process.stdout, (s) => process.stderr.write(s));
    if (!o) return 1;
    if (o.result.divergence) {
      process.stderr.write(`${o.result.divergence.message}\n`);
      return 1;
    }
    const { session, final } = o;
    const acc = final.accuracy ?? NaN;
    process.stdout.write(
      `final training accuracy: ${(100 * acc).toFixed(1)}% (loss ${final.loss!.toExponential(2)}) after ` +
        `${o.result.history.length} epochs in ${o.seconds.toFixed(2)} s\n`,
    );
    const bounds = dataBounds(session.dataset.x);
    const grid = boundaryGrid((x) => session.trainer.predict(x), bounds, 200, 200);
    makeFolder(outDir);
    const png = join(outDir, 'spiral-decision-boundary.png');
    writeTextFile(png, encodePng(renderBoundary(grid, session.dataset, 600)));
    process.stdout.write(`decision boundary with the ${session.dataset.x.shape[0]} data points: ${png}\n`);
    process.stdout.write(`demo done in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
    return 0;
  },
};
