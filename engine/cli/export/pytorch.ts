/** The `pytorch` row of `export --to`: a Python package (model, data, training) in a folder. */
import { basename, join, relative } from 'node:path';
import type { ExportTarget } from '../commands/export.js';
import { pytorchPackage, PyTorchExportError } from '../../pytorch/export.js';
import { GraphError } from '../../graph/compile.js';
import { CsvError } from '../../data/csv.js';
import { dataFor } from '../graph-file.js';
import { weightsPathFor } from '../paths.js';

export const pytorchTarget: ExportTarget = {
  name: 'pytorch',
  extension: '-pytorch',
  summary: 'a PyTorch package (folder): model.py, data.py, train.py (data-parallel), README',
  export({ doc, graphPath, weightsFile, outPath }) {
    const source = basename(graphPath);
    const beside = weightsPathFor(graphPath);
    const files = pytorchPackage({
      doc,
      weights: weightsFile,
      ...dataFor(graphPath),
      source,
      saveWeights: relative(outPath, beside),
      weightsFrom: 'the weights given with --weights',
    });
    return files.map((f) => ({ path: join(outPath, f.name), contents: f.contents }));
  },
  inputErrors: [PyTorchExportError, GraphError, CsvError],
};
