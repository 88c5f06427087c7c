/** `backprop-studio check <graph...> [--json]`: every problem in graph documents, one per line. */
import { Command, UsageError } from '../command.js';
import { besideGraph } from '../graph-file.js';
import { readTextFile } from '../../io/read-file.js';
import { userMessage } from '../../errors/user-error.js';
import { checkGraphText } from '../../graph/check.js';
import type { Diagnostic } from '../../graph/document.js';

const usage = `Usage: backprop-studio check <graph.nngraph.json>... [--json]

Checks graph documents: JSON syntax, format, ops and attributes, wiring, cycles, shapes, the loss,
and the dataset. Prints each problem as
  file:line: severity [code] node 'id': message
Exits 1 if any document has an error, 0 otherwise (warnings alone pass).

Options:
  --json   print { "file", "diagnostics": [...] } per document, as one JSON list`;

/** One line a person (or an editor's problem matcher) can read. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const where =
    d.line !== undefined ? `${file}:${d.line}${d.column !== undefined ? `:${d.column}` : ''}` : file;
  const subject =
    d.node !== undefined
      ? `node '${d.node}'${d.port ? ` port '${d.port}'` : d.attr ? ` attr '${d.attr}'` : ''}: `
      : d.edge !== undefined
        ? `edge ${d.edge + 1}: `
        : d.setting !== undefined
          ? `setting ${d.setting}: `
          : '';
  return `${where}: ${d.severity} [${d.code}] ${subject}${d.message}`;
}

function diagnose(file: string): Diagnostic[] {
  let text: string;
  try {
    text = readTextFile(file);
  } catch (e) {
    return [{ severity: 'error', code: 'unreadable', message: userMessage(e) }];
  }
  try {
    return checkGraphText(text, { readDataFile: besideGraph(file) }).diagnostics;
  } catch (e) {
    // A bug in the checker, not in the document: say so without a stack trace.
    return [
      {
        severity: 'error',
        code: 'internal',
        message: `The checker failed (${userMessage(e)}); please report this with the file.`,
      },
    ];
  }
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'check graph documents and print their problems',
  usage,
  async run(args) {
    const json = args.includes('--json');
    const unknown = args.find((a) => a.startsWith('-') && a !== '--json');
    if (unknown) throw new UsageError(`unknown option '${unknown}'`);
    const files = args.filter((a) => !a.startsWith('-'));
    if (files.length === 0) throw new UsageError('which graph? give the path of a .nngraph.json file');
    const results = files.map((file) => ({ file, diagnostics: diagnose(file) }));
    if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else
      for (const { file, diagnostics } of results) {
        for (const d of diagnostics) process.stdout.write(`${formatDiagnostic(file, d)}\n`);
        const errors = diagnostics.filter((d) => d.severity === 'error').length;
        const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
        if (errors + warnings === 0) process.stdout.write(`${file}: ok\n`);
      }
    return results.some((r) => r.diagnostics.some((d) => d.severity === 'error')) ? 1 : 0;
  },
};
