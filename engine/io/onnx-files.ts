/**
 * ONNX models on disk: the .onnx file and the external data files beside it that it names
 * (`model.onnx.data`). The engine itself reads no files; the CLI and the tests come through here.
 */
import { dirname, join } from 'node:path';
import { importOnnx, type ImportResult } from '../onnx/import.js';
import type { ExternalDataReader } from '../onnx/tensor-data.js';
import { readBinaryFile } from './read-file.js';
import { fileProblem } from '../errors/user-error.js';

/** Reads external data files from the model's folder, each once; undefined for a missing file. */
export function externalDataBeside(modelPath: string): ExternalDataReader {
  const cache = new Map<string, Uint8Array | undefined>();
  return (location) => {
    if (!cache.has(location)) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = readBinaryFile(join(dirname(modelPath), location), location);
      } catch (e) {
        // Missing: the importer names it; any other failure is already in words (a UserError).
        if (fileProblem(e)?.reason !== 'does not exist') throw e;
      }
      cache.set(location, bytes);
    }
    return cache.get(location);
  };
}

/** Imports the model at `path`, with its external data (throws OnnxImportError as importOnnx). */
export function importOnnxFile(path: string): ImportResult {
  return importOnnx(readBinaryFile(path), { externalData: externalDataBeside(path) });
}
