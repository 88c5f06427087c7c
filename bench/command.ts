/**
 * `backprop-studio bench`: the benchmark harness as a CLI command. It lives here, beside the
 * harness it runs (esbuild, child processes, TensorFlow.js), and not in engine/cli/: the engine
 * never imports bench/. The CLI's entry (bin/backprop-studio.js) hands it to the engine's main.
 */
import type { Command } from '../engine/cli/command.js';
import { UsageError } from '../engine/cli/command.js';
import { reportJson, reportTable, runBench } from './harness.js';
import { WORKLOAD_NAMES, WorkloadName } from './workloads.js';

export const bench: Command = {
  name: 'bench',
  summary: 'time training steps of our engine against TensorFlow.js (cpu, wasm) and NumPy on OpenBLAS',
  usage: `Usage: backprop-studio bench [--json] [--workload NAME]...

Trains the same networks on the same data with this engine, with TensorFlow.js and (the physical
anchor) with NumPy on single-thread OpenBLAS (/usr/bin/python3, Debian's python3-numpy and
libopenblas0-serial), each workload and implementation in its own process, and prints ms per
training step (median of timed runs after warm-up), GFLOP/s, the ratios tfjs time / ours and
ours / NumPy's, and our bytes allocated per step.

Options:
  --json            one line of JSON instead of the table
  --rounds N        fresh processes per implementation and workload, median reported (default 3)
  --workload NAME   only this workload (repeatable): ${WORKLOAD_NAMES.join(', ')}`,
  async run(args) {
    let json = false;
    let rounds = 3;
    const workloads: WorkloadName[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '--json') json = true;
      else if (a === '--rounds') {
        rounds = Number(args[++i]);
        if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError('--rounds needs an integer >= 1');
      } else if (a === '--workload') {
        const name = args[++i];
        if (!name || !(WORKLOAD_NAMES as readonly string[]).includes(name))
          throw new UsageError(
            `--workload needs one of ${WORKLOAD_NAMES.join(', ')}; got ${name ?? 'nothing'}`,
          );
        workloads.push(name as WorkloadName);
      } else throw new UsageError(`unknown option '${a}'`);
    }
    const report = runBench({
      workloads: workloads.length ? workloads : undefined,
      rounds,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`${json ? reportJson(report) : reportTable(report)}\n`);
    return 0;
  },
};
