/** `backprop-studio reference <file> [--dtype float32|float64]`: the engine against PyTorch's numbers. */
import { readTextFile } from '../../io/read-file.js';
import { userMessage } from '../../errors/user-error.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import type { DType } from '../../tensor/tensor.js';
import { runReference, TOLERANCE } from '../../reference/run.js';
import { CaseError } from '../../reference/case.js';

export const reference: Command = {
  name: 'reference',
  summary: 'check the engine against a PyTorch reference file',
  usage: `Usage: backprop-studio reference <file> [--dtype float32|float64]

Runs every case of a reference file (format: ../shared/reference/README.md) and prints each
failing case with its worst normwise relative error. Ends with "N passed, M failed"; exits 1 on
any failure. Tolerance: ${TOLERANCE.float64} in float64 (default), ${TOLERANCE.float32} in float32.
  --dtype float32|float64   the precision the engine computes in
  --verbose                 also print the worst error of every passing case`,
  async run(args) {
    let file: string | undefined;
    let dtype: DType = 'float64';
    let verbose = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '--dtype') {
        const v = args[++i];
        if (v !== 'float32' && v !== 'float64')
          throw new UsageError(`--dtype must be float32 or float64, got ${v}`);
        dtype = v;
      } else if (a === '--verbose') verbose = true;
      else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
      else if (file) throw new UsageError(`one file at a time (got ${file} and ${a})`);
      else file = a;
    }
    if (!file) throw new UsageError('which reference file?');
    let json: unknown;
    try {
      json = JSON.parse(readTextFile(file));
    } catch (e) {
      const why = e instanceof SyntaxError ? `${file} is not valid JSON (${e.message})` : userMessage(e);
      process.stderr.write(`backprop-studio reference: ${why}\n`);
      return 2;
    }
    let report;
    try {
      report = runReference(json, { dtype });
    } catch (e) {
      if (!(e instanceof CaseError)) throw e;
      process.stderr.write(`backprop-studio reference: ${file}: ${e.message}\n`);
      return 2;
    }
    const tol = TOLERANCE[dtype];
    for (const r of report.results) {
      if (r.passed && !verbose) continue;
      const err = Number.isFinite(r.worst) ? r.worst.toExponential(2) : String(r.worst);
      const mark = r.passed ? 'ok  ' : 'FAIL';
      process.stdout.write(
        `${mark} ${r.kind.padEnd(24)} ${r.name}: worst ${err} (${r.detail})${r.passed ? '' : `, tolerance ${tol}`}\n`,
      );
    }
    process.stdout.write(`${report.passed} passed, ${report.failed} failed\n`);
    return report.failed > 0 ? 1 : 0;
  },
};
