/** File-name conventions shared by the commands. */
import { fileProblem, userMessage } from '../errors/user-error.js';
import { existsSync, readFileSync } from 'node:fs';
import { readWeights, WeightsError, type Weights } from '../graph/weights.js';

/** `<dir>/<name>.nngraph.json` → `<dir>/<name>.weights.json` (a weights file lives beside its graph). */
export function weightsPathFor(graphPath: string): string {
  const stem = graphPath.replace(/\.nngraph\.json$/i, '').replace(/\.json$/i, '');
  return `${stem}.weights.json`;
}

/**
 * The weights file beside a graph, if there is one: what `run` and `analyze` use when no
 * `--weights` is given. The one place that knows which names count (a new weights format adds its
 * name here and its reader to readWeightsFile).
 */
export function weightsBeside(graphPath: string): string | undefined {
  const candidate = weightsPathFor(graphPath);
  return existsSync(candidate) ? candidate : undefined;
}

/** Reads and validates a weights file; throws WeightsError saying what is wrong (not where: the caller prefixes the path). */
export function readWeightsFile(path: string): Weights {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
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
  return readWeights(text);
}

/** The weights-choosing flags of `run` and `analyze`. */
export const WEIGHTS_OPTIONS_USAGE = `  --weights <file>      the weights to use (a backprop-studio.weights file); by default
                        <name>.weights.json beside the graph when there is one
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
