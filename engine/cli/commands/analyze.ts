/**
 * `backprop-studio analyze <graph> [--weights <file> | --init-weights] [--json]`: the deep-architectures lecture's
 * analyses on the user's own graph (engine/analysis/): forward vs reverse mode, the loss
 * Hessian's extreme eigenvalues, linear regions, and the Kronecker view of a linear layer.
 */
import { dataFor } from '../graph-file.js';
import { readTextFile } from '../../io/read-file.js';
import { userMessage } from '../../errors/user-error.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseGraph } from '../../graph/parse.js';
import { compileGraph, GraphError } from '../../graph/compile.js';
import { WeightsError, type Weights } from '../../graph/weights.js';
import { chooseWeightsFile, readWeightsFile, WEIGHTS_OPTIONS_USAGE } from '../paths.js';
import type { Diagnostic } from '../../graph/document.js';
import { summarize, type AnalysisReport } from '../../analysis/report.js';
import { analyzeGraphSteps } from '../../analysis/graph.js';
import { ProgressLine } from '../progress.js';
import { formatBytes, formatNumber } from '../../analysis/format.js';

const USAGE = `Usage: backprop-studio analyze <graph.nngraph.json> [--weights <file> | --init-weights] [--json] [options]

The lecture's analyses on a graph, at its weights: <name>.weights.json (or .safetensors) beside
the graph when there is one (said on stderr), else the initial weights:
  forward vs reverse mode  cost of the Jacobian ∂prediction/∂parameters and of the loss gradient
                           (flops from the ops' cost model, peak bytes, measured time), and for an
                           MLP the formulas d0 Σ d_l d_{l-1} and d_L Σ d_l d_{l+1}
  Hessian                  largest/smallest eigenvalue of the loss Hessian (Lanczos on HVPs; the
                           dense Hessian too for small models) and the parameters they involve
  linear regions           1-D input: exact breakpoints of a piecewise-linear network on an
                           interval; 2-D input: activation-pattern regions on a grid (sampled)
  Kronecker view           the smallest linear layer's ∂f/∂vec(W) = φᵀ ⊗ I beside G φᵀ
The loss is evaluated on a batch from the graph's dataset (the training batch size, first rows
of a seeded shuffle); if the dataset cannot be loaded, on standard-normal inputs (said so).
${WEIGHTS_OPTIONS_USAGE}
  --json                one line of JSON (params, forward_mode_flops, reverse_mode_flops,
                        forward_mode_bytes, reverse_mode_bytes, hessian_top, hessian_bottom,
                        and depth, linear_pieces for 1-D piecewise-linear networks, ...)
  --full                with --json: the whole report (every analysis's data) under "report"
  --interval <a,b>      1-D input: the interval for the breakpoints (default: the data's range)
  --batch <n>           examples in the loss batch (default: training.batchSize)
  --steps <k>           Lanczos steps (default 40)
  --no-measure          skip running forward and reverse mode (model numbers only)`;

interface Args {
  graph: string;
  weights?: string;
  initWeights: boolean;
  json: boolean;
  full: boolean;
  interval?: [number, number];
  batch?: number;
  steps?: number;
  measure: boolean;
}

function parseArgs(args: string[]): Args {
  const out: Partial<Args> & { json: boolean; full: boolean; measure: boolean; initWeights: boolean } = {
    json: false,
    initWeights: false,
    full: false,
    measure: true,
  };
  const value = (i: number, flag: string) => {
    const v = args[i];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const positive = (v: string, flag: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got ${v}`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') out.json = true;
    else if (a === '--full') out.full = true;
    else if (a === '--no-measure') out.measure = false;
    else if (a === '--weights') out.weights = value(++i, a);
    else if (a === '--init-weights') out.initWeights = true;
    else if (a === '--batch') out.batch = positive(value(++i, a), a);
    else if (a === '--steps') out.steps = positive(value(++i, a), a);
    else if (a === '--interval') {
      const v = value(++i, a);
      const parts = v.split(',').map(Number);
      if (parts.length !== 2 || !parts.every(Number.isFinite) || !(parts[1]! > parts[0]!))
        throw new UsageError(`--interval must be two increasing numbers like -2,2; got ${v}`);
      out.interval = [parts[0]!, parts[1]!];
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (out.graph) throw new UsageError(`one graph at a time (got ${out.graph} and ${a})`);
    else out.graph = a;
  }
  if (!out.graph)
    throw new UsageError('which graph? e.g. backprop-studio analyze examples/sawtooth.nngraph.json');
  if (out.weights !== undefined && out.initWeights)
    throw new UsageError('--weights and --init-weights contradict each other; give one');
  return out as Args;
}

function printDiagnostics(file: string, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    if (d.severity !== 'error') continue;
    const where = d.line
      ? `${file}:${d.line}:${d.column ?? 1}`
      : d.node
        ? `${file} (node '${d.node}')`
        : file;
    process.stderr.write(`${where}: ${d.message}\n`);
  }
}

export const analyze: Command = {
  name: 'analyze',
  summary: 'forward vs reverse mode, Hessian eigenvalues, linear regions of a graph',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv);
    const file = args.graph;
    let text: string;
    try {
      text = readTextFile(file);
    } catch (e) {
      process.stderr.write(`backprop-studio analyze: ${userMessage(e)}\n`);
      return 2;
    }
    const parsed = parseGraph(text);
    if (!parsed.doc || parsed.diagnostics.some((d) => d.severity === 'error')) {
      printDiagnostics(file, parsed.diagnostics);
      return 1;
    }
    const doc = parsed.doc;
    const weightsFile = chooseWeightsFile(file, args, (s) => process.stderr.write(s));
    let weights: Weights | undefined;
    if (weightsFile) {
      try {
        weights = readWeightsFile(weightsFile);
      } catch (e) {
        if (!(e instanceof WeightsError)) throw e;
        process.stderr.write(`backprop-studio analyze: ${weightsFile}: ${e.message}\n`);
        return 1;
      }
    }
    const batch = args.batch ?? doc.training.batchSize;
    let compiled;
    try {
      compiled = compileGraph(doc, { batchSize: batch, dtype: 'float64', weights });
    } catch (e) {
      if (!(e instanceof GraphError)) throw e;
      printDiagnostics(weightsFile && /weight/i.test(e.message) ? weightsFile : file, e.diagnostics);
      return 1;
    }
    let report: AnalysisReport;
    // On a terminal, how far the analyses are (stderr: stdout stays the report alone).
    const progress = new ProgressLine(process.stderr);
    try {
      const steps = analyzeGraphSteps(compiled, {
        batch,
        ...dataFor(file),
        interval: args.interval,
        weights: weightsFile ? { kind: 'file', file: weightsFile } : { kind: 'initial' },
        hessian: { steps: args.steps },
        modes: { measure: args.measure, clock: () => performance.now(), maxDirections: 500 },
      });
      for (let r = steps.next(); ; r = steps.next()) {
        if (r.done) {
          report = r.value;
          break;
        }
        progress.update(r.value.total, r.value.done, r.value.label);
      }
      progress.done();
    } catch (e) {
      progress.done();
      process.stderr.write(`backprop-studio analyze: ${file}: ${(e as Error).message}\n`);
      return 1;
    }
    if (args.json) {
      const line = args.full ? { ...summarize(report), report } : summarize(report);
      process.stdout.write(`${JSON.stringify(line, jsonTyped)}\n`);
    } else process.stdout.write(describe(file, report));
    return 0;
  },
};

/** Typed arrays as plain arrays in JSON. */
function jsonTyped(_key: string, v: unknown): unknown {
  return ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v;
}

function describe(file: string, r: AnalysisReport): string {
  const at = r.weights?.file ? `the weights in ${r.weights.file}` : 'the initial weights';
  const lines: string[] = [`${file}: ${r.params} parameters at ${at}; loss on ${r.batch.source}`, ''];
  lines.push('Forward vs reverse mode (flops from the ops cost model; bytes = modelled peak memory)');
  for (const c of [r.modes.jacobian, r.modes.gradient]) {
    lines.push(`  ${c.quantity} (${c.rows} × ${c.cols})`);
    for (const [mode, m] of [
      ['forward', c.forward],
      ['reverse', c.reverse],
    ] as const) {
      const meas = c.measured?.[mode];
      const t = meas
        ? `, measured ${formatNumber(meas.msAll)} ms${meas.directions < m.directions ? ` (extrapolated from ${meas.directions})` : ''}`
        : '';
      lines.push(
        `    ${mode.padEnd(8)} ${String(m.directions).padStart(7)} ${mode === 'forward' ? 'JVPs' : 'VJPs'}  ${formatNumber(m.flops)} flops  ${formatBytes(m.bytes)}${t}`,
      );
    }
    if (c.measured) lines.push(`    the two Jacobians agree to ${formatNumber(c.measured.maxDifference)}`);
  }
  if (r.modes.mlp) {
    const { formula, model } = r.modes.mlp;
    lines.push(`  MLP widths d = [${formula.widths.join(', ')}], ∂f/∂x of one example, multiply-adds:`);
    const ms = (m?: { msAll: number }) => (m ? `, measured ${formatNumber(m.msAll)} ms` : '');
    lines.push(
      `    forward  ${formula.forwardFormula}   (model: ${formatNumber(model.forward.flops)} flops${ms(model.measured?.forward)})`,
      `    reverse  ${formula.reverseFormula}   (model: ${formatNumber(model.reverse.flops)} flops${ms(model.measured?.reverse)})`,
    );
  } else if (r.modes.mlpNote) lines.push(`  no MLP formulas: ${r.modes.mlpNote}`);
  const h = r.hessian;
  lines.push(
    '',
    `Loss Hessian (${h.dense ? 'dense and ' : ''}Lanczos, ${h.lanczosSteps} steps, ${h.hvps} HVPs)`,
  );
  for (const [name, d] of [
    ['largest ', h.top],
    ['smallest', h.bottom],
  ] as const) {
    lines.push(`  ${name} eigenvalue ${formatNumber(d.value)} (residual ${formatNumber(d.residual)})`);
    const parts = d.largest.map((c) => `${c.node}.${c.param}[${c.at.join(',')}] ${formatNumber(c.value)}`);
    lines.push(`    eigenvector's largest entries: ${parts.join(', ')}`);
  }
  if (h.dense?.eigenvalues)
    lines.push(
      `  dense check: Lanczos errors ${formatNumber(h.dense.topError!)} (top), ${formatNumber(h.dense.bottomError!)} (bottom)`,
    );
  lines.push('', 'Linear regions');
  if (r.regions.oneD) {
    const o = r.regions.oneD;
    lines.push(
      `  exact on [${o.interval.join(', ')}]: ${o.pieces} linear pieces, depth ${o.depth} (kinked layers)`,
      `  breakpoints: ${o.breakpoints.length ? o.breakpoints.map(formatNumber).join(', ') : 'none'}`,
    );
  } else if (r.regions.twoD) {
    const g = r.regions.twoD;
    lines.push(
      `  sampled on a ${g.width}×${g.height} grid over [${g.bounds.join(', ')}]: ${g.regions} activation patterns, depth ${g.depth}`,
    );
  } else lines.push(`  ${r.regions.note}`);
  if (r.kronecker) {
    const k = r.kronecker;
    lines.push(
      '',
      `Kronecker view of '${k.node}' (${k.examples} examples): ∂f/∂vec(W) = φᵀ ⊗ I is ${k.jacobian.length}×${k.jacobian[0]?.length ?? 0}; ` +
        `Jᵀvec(G) and G φᵀ agree to ${formatNumber(k.maxDifference)} (${k.flops.viaJacobian} vs ${k.flops.vjp} multiplications)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
