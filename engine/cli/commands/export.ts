/**
 * `backprop-studio export <graph> --to <target> [-o file] [--weights <weights.json>]`: one row per
 * target in TARGETS; each target's module (engine/cli/export/) writes its files.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseGraph } from '../../graph/parse.js';
import { GraphError } from '../../graph/compile.js';
import { readWeights, WeightsError, type Weights } from '../../graph/weights.js';
import { ExportFailure, graphBaseName, type ExportTarget } from '../export/target.js';
import { typescriptTarget } from '../export/typescript.js';

export const TARGETS: readonly ExportTarget[] = [typescriptTarget];

export const exportCommand: Command = {
  name: 'export',
  summary: 'export a graph (and its weights) as TypeScript or another format',
  usage: `Usage: backprop-studio export <graph.nngraph.json> --to <${TARGETS.map((t) => t.name).join('|')}> [-o file] [--weights <weights.json>]

Targets:
${TARGETS.map((t) => `  ${t.name.padEnd(6)} ${t.summary}`).join('\n')}

  -o, --out <file>        where to write (default: beside the graph, named after it)
  --weights <file>        trained weights to export (default: the graph's seeded initial weights)
${TARGETS.flatMap((t) => t.flags.map((f) => `  ${f.flag.padEnd(22)}  (${t.name}) ${f.doc}`)).join('\n')}`,
  async run(args) {
    let graphPath: string | undefined;
    let to: string | undefined;
    let out: string | undefined;
    let weightsPath: string | undefined;
    const flags: string[] = [];
    const targetFlags = new Set(TARGETS.flatMap((t) => t.flags.map((f) => f.flag.split(' ')[0]!)));
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const value = (): string => {
        const v = args[++i];
        if (v === undefined || v.startsWith('-')) throw new UsageError(`${a} needs a value`);
        return v;
      };
      if (a === '--to') to = value();
      else if (a === '-o' || a === '--out') out = value();
      else if (a === '--weights') weightsPath = value();
      else if (targetFlags.has(a)) flags.push(a);
      else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
      else if (graphPath) throw new UsageError(`one graph at a time (got ${graphPath} and ${a})`);
      else graphPath = a;
    }
    if (!graphPath) throw new UsageError('which graph? (a .nngraph.json file)');
    if (!to) throw new UsageError(`--to is required: one of ${TARGETS.map((t) => t.name).join(', ')}`);
    const target = TARGETS.find((t) => t.name === to);
    if (!target)
      throw new UsageError(`unknown target '${to}'; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
    const unknownFlag = flags.find((f) => !target.flags.some((t) => t.flag.split(' ')[0] === f));
    if (unknownFlag) throw new UsageError(`${unknownFlag} is not an option of --to ${target.name}`);

    const fail = (message: string): number => {
      process.stderr.write(`backprop-studio export: ${message}\n`);
      return 1;
    };
    let text: string;
    try {
      text = readFileSync(graphPath, 'utf8');
    } catch (e) {
      return fail(`cannot read ${graphPath}: ${(e as Error).message}`);
    }
    const { doc, diagnostics } = parseGraph(text);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (!doc || errors.length) {
      const where = (d: (typeof errors)[number]): string =>
        `${graphPath}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ''}` : ''}${d.node ? ` (node '${d.node}')` : ''}`;
      return fail(errors.map((d) => `${where(d)}: ${d.message}`).join('\n') || `${graphPath}: not a graph`);
    }
    let weights: Weights | null = null;
    if (weightsPath) {
      try {
        weights = readWeights(readFileSync(weightsPath, 'utf8'));
      } catch (e) {
        if (e instanceof WeightsError || (e as NodeJS.ErrnoException).code)
          return fail(`${weightsPath}: ${(e as Error).message}`);
        throw e;
      }
    }
    const outPath = out ?? join(dirname(graphPath), `${graphBaseName(graphPath)}${target.extension}`);
    try {
      const written = target.run({ doc, weights, graphPath, outPath, flags });
      process.stdout.write(`${written}\n`);
      return 0;
    } catch (e) {
      if (e instanceof GraphError)
        return fail(
          e.diagnostics
            .map((d) => `${graphPath}${d.node ? ` (node '${d.node}')` : ''}: ${d.message}`)
            .join('\n'),
        );
      if (e instanceof WeightsError) return fail(`${weightsPath}: ${e.message}`);
      if (e instanceof ExportFailure) return fail(`${graphPath}: ${e.message}`);
      throw e;
    }
  },
};
