/**
 * The exported PyTorch package against the engine, in float64, on examples run whole:
 *   npx tsx scripts/compare-pytorch.ts [examples/spiral.nngraph.json ...] [--epochs N]
 * Exports each graph to a temporary folder, runs `backprop-studio train`'s engine path and the
 * package's train.py on 1 and 2 processes (gloo, 127.0.0.1) with Debian's PyTorch, and prints the
 * losses side by side (every epoch up to 5, then every tenth) with the largest relative difference.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseGraph } from '../engine/graph/parse.js';
import { pytorchPackage } from '../engine/pytorch/export.js';
import { prepareTraining } from '../engine/train/session.js';
import { besideGraph } from '../engine/cli/graph-file.js';

const args = process.argv.slice(2);
const epochsAt = args.indexOf('--epochs');
const epochsArg = epochsAt >= 0 ? Number(args[epochsAt + 1]) : undefined;
const graphs = args.filter((a, i) => !a.startsWith('--') && i !== epochsAt + 1);
if (graphs.length === 0) graphs.push('examples/spiral.nngraph.json', 'examples/cnn-digits.nngraph.json');

for (const file of graphs) {
  const { doc } = parseGraph(readFileSync(file, 'utf8'));
  if (!doc) throw new Error(`${file}: not a graph`);
  const epochs = epochsArg ?? doc.training.epochs;
  const dir = mkdtempSync(join(tmpdir(), 'bps-compare-'));
  const files = pytorchPackage({
    doc,
    weights: null,
    readText: besideGraph(file),
    source: basename(file),
    saveWeights: 'trained.weights.json',
  });
  for (const f of files) writeFileSync(join(dir, f.name), f.contents);
  let t0 = performance.now();
  const session = prepareTraining(doc, { dtype: 'float64', epochs, readText: besideGraph(file) });
  const engine = session.trainer.run().history.map((m) => m.loss);
  const engineSeconds = (performance.now() - t0) / 1000;
  const python = (nproc: number) => {
    t0 = performance.now();
    const r = spawnSync(
      '/usr/bin/python3',
      [
        join(dir, 'train.py'),
        '--dtype',
        'float64',
        '--device',
        'cpu',
        '--json',
        '--epochs',
        String(epochs),
        '--nproc',
        String(nproc),
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`train.py --nproc ${nproc}: ${r.stderr}`);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>);
    return {
      losses: lines.filter((l) => l['epoch'] !== undefined).map((l) => l['loss']!),
      seconds: (performance.now() - t0) / 1000,
    };
  };
  const one = python(1);
  const two = python(2);
  const rel = (a: number[]) => Math.max(...a.map((v, i) => Math.abs(v - engine[i]!) / Math.abs(engine[i]!)));
  console.log(
    `\n${file}: ${epochs} epochs, float64 (engine ${engineSeconds.toFixed(1)} s; train.py wall time with startup: 1 process ${one.seconds.toFixed(1)} s, 2 processes ${two.seconds.toFixed(1)} s)`,
  );
  console.log('| epoch | engine | PyTorch, 1 process | PyTorch, 2 processes |');
  console.log('| ---: | ---: | ---: | ---: |');
  engine.forEach((v, i) => {
    const e = i + 1;
    if (e <= 5 || e % 10 === 0 || e === engine.length)
      console.log(
        `| ${e} | ${v.toPrecision(15)} | ${one.losses[i]!.toPrecision(15)} | ${two.losses[i]!.toPrecision(15)} |`,
      );
  });
  console.log(
    `largest relative difference from the engine: 1 process ${rel(one.losses).toExponential(2)}, 2 processes ${rel(two.losses).toExponential(2)} (epochs: ${engine.length}, ${one.losses.length}, ${two.losses.length})`,
  );
}
