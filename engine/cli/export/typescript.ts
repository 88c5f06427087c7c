/** The `ts` row of `export --to`: one self-contained TypeScript module (engine/codegen). */
import { basename, dirname, join } from 'node:path';
import type { ExportTarget } from '../commands/export.js';
import { exportTypeScript } from '../../codegen/export.js';
import { CodegenError } from '../../codegen/typescript.js';
import { GraphError } from '../../graph/compile.js';

export const typescriptTarget: ExportTarget = {
  name: 'ts',
  extension: '.ts',
  summary: 'one dependency-free TypeScript module: forward, loss, gradients, trainStep and the weights',
  flags: [
    {
      flag: '--weights-file',
      doc: 'put the weights in <output>.weights.json beside the module (for its loadWeights) instead of in it',
    },
  ],
  export({ doc, weightsFile, flags, graphPath, outPath }) {
    const name = basename(outPath).replace(/\.ts$/i, '');
    const separate = flags.includes('--weights-file') ? `${name}.weights.json` : undefined;
    const result = exportTypeScript(doc, weightsFile, {
      name,
      source: basename(graphPath),
      ...(separate ? { weightsFile: separate } : {}),
    });
    return [
      { path: outPath, contents: result.code },
      ...(result.weightsFile
        ? [
            {
              path: join(dirname(outPath), result.weightsFile.name),
              contents: `${JSON.stringify(result.weightsFile.json)}\n`,
            },
          ]
        : []),
    ];
  },
  inputErrors: [CodegenError, GraphError],
};
