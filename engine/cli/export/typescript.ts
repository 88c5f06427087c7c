/** The `ts` row of `export --to`: one self-contained TypeScript module (engine/codegen). */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ExportFailure, graphBaseName, type ExportTarget } from './target.js';
import { exportTypeScript } from '../../codegen/export.js';
import { CodegenError } from '../../codegen/typescript.js';

export const typescriptTarget: ExportTarget = {
  name: 'ts',
  extension: '.ts',
  summary:
    'one dependency-free TypeScript module: forward, loss, gradients (reverse mode), trainStep, the weights',
  flags: [
    {
      flag: '--weights-file',
      doc: 'write the weights to <out>.weights.json beside the module (passed to its loadWeights) instead of embedding them',
    },
  ],
  run({ doc, weights, graphPath, outPath, flags }) {
    const weightsFile = flags.includes('--weights-file')
      ? `${basename(outPath).replace(/\.ts$/, '')}.weights.json`
      : undefined;
    let result;
    try {
      result = exportTypeScript(doc, weights, {
        name: graphBaseName(outPath),
        source: basename(graphPath),
        ...(weightsFile ? { weightsFile } : {}),
      });
    } catch (e) {
      if (e instanceof CodegenError) throw new ExportFailure(e.message);
      throw e;
    }
    writeFileSync(outPath, result.code);
    if (result.weightsFile) {
      const path = join(dirname(outPath), result.weightsFile.name);
      writeFileSync(path, `${JSON.stringify(result.weightsFile.json)}\n`);
      return `wrote ${outPath} (${Buffer.byteLength(result.code)} bytes) and ${path}`;
    }
    return `wrote ${outPath} (${Buffer.byteLength(result.code)} bytes)`;
  },
};
