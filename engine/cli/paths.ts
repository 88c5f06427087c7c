/** File-name conventions shared by the commands. */
import { fileProblem, userMessage } from '../errors/user-error.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { writeTextFile } from '../io/read-file.js';
import {
  decodeWeightsFile,
  encodeWeightsFile,
  WEIGHTS_FILE_SUFFIX,
  weightsFormatOf,
  WeightsError,
  type Weights,
  type WeightsFileFormat,
} from '../graph/weights.js';

/**
 * `<dir>/<name>.nngraph.json` → `<dir>/<name>.weights.json` (or `.weights.safetensors`): a weights
 * file lives beside its graph.
 */
export function weightsPathFor(graphPath: string, format: WeightsFileFormat = 'json'): string {
  const stem = graphPath.replace(/\.nngraph\.json$/i, '').replace(/\.json$/i, '');
  return `${stem}${WEIGHTS_FILE_SUFFIX[format]}`;
}

/**
 * The weights file beside a graph, if there is one: what `run` and `analyze` use when no
 * `--weights` is given. The one place that knows which names count: `<name>.weights.json` or
 * `<name>.weights.safetensors` (the newer of the two when both are there).
 */
export function weightsBeside(graphPath: string): string | undefined {
  const found = (['safetensors', 'json'] as const)
    .map((f) => weightsPathFor(graphPath, f))
    .filter((p) => existsSync(p));
  return found.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/**
 * Reads and validates a weights file, JSON or safetensors; throws WeightsError saying what is
 * wrong (not where: the caller prefixes the path).
 */
export function readWeightsFile(path: string): Weights {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    // In words (no ENOENT, no absolute path): the caller prefixes the path as the user gave it.
    const problem = fileProblem(e);
    throw new WeightsError(
      problem?.reason === 'does not exist'
        ? 'no such file'
        : problem
          ? `it ${problem.reason}. ${problem.advice}`
          : `cannot read it (${userMessage(e)})`,
    );
  }
  return decodeWeightsFile(bytes);
}

/** Writes a weights file in the format its name says (`.safetensors`, else JSON). */
export function writeWeightsFile(path: string, w: Weights): void {
  writeTextFile(path, encodeWeightsFile(w, weightsFormatOf(path)));
}

/** The weights-choosing flags of `run` and `analyze`. */
export const WEIGHTS_OPTIONS_USAGE = `  --weights <file>      the weights to use (.weights.json or .weights.safetensors); by default
                        <name>.weights.json or .safetensors beside the graph when there is one
  --init-weights        use the graph's initialisers (and training.seed) even when a weights
                        file is beside the graph`;

/**
 * Which weights file a command uses: `--weights` if given, else the one beside the graph (said on
 * stderr, with how to opt out), else none (the initialisers). `--init-weights` means none.
 */
export function chooseWeightsFile(
  graphPath: string,
  given: { weights?: string; initWeights: boolean },
  err: (s: string) => void,
): string | undefined {
  if (given.weights !== undefined) return given.weights;
  if (given.initWeights) return undefined;
  const beside = weightsBeside(graphPath);
  if (beside !== undefined)
    err(`using the weights in ${beside} (pass --init-weights for the graph's initial weights)\n`);
  return beside;
}
