/**
 * `backprop-studio train <graph> [--epochs N] [--seed S] [--dtype T] [--json] [--save-weights <file>]`:
 * trains a graph document headless with its own training settings.
 */
import { userMessage } from '../../errors/user-error.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { dataFor, readGraphFile } from '../graph-file.js';
import { formatDiagnostic } from './check.js';
import { GraphError } from '../../graph/graph-error.js';
import { weightsOf, WeightsError, type Weights } from '../../graph/weights.js';
import { readWeightsFile, writeWeightsFile } from '../paths.js';
import { prepareTraining, type TrainingSession } from '../../train/session.js';
import { TrainingError, type EpochMetrics, type TrainResult } from '../../train/trainer.js';
import { CsvError } from '../../data/csv.js';
import { ProgressLine } from '../progress.js';
import type { DType } from '../../tensor/tensor.js';

export interface TrainArgs {
  file: string;
  epochs?: number;
  seed?: number;
  /** The engine's number type (default float32). */
  dtype?: DType;
  json: boolean;
  /** Start from these weights (a backprop-studio.weights file) instead of the initialisers. */
  weights?: string;
  saveWeights?: string;
}

export function parseTrainArgs(args: string[]): TrainArgs {
  const out: TrainArgs = { file: '', json: false };
  const integer = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min)
      throw new UsageError(`${flag} needs a whole number >= ${min}, got ${v ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--epochs') out.epochs = integer(a, args[++i], 1);
    else if (a === '--seed') out.seed = integer(a, args[++i], 0);
    else if (a === '--json') out.json = true;
    else if (a === '--dtype') {
      const v = args[++i];
      if (v !== 'float32' && v !== 'float64')
        throw new UsageError(`--dtype needs float32 or float64, got ${v ?? 'nothing'}`);
      out.dtype = v;
    } else if (a === '--save-weights' || a === '--weights') {
      const f = args[++i];
      if (!f || f.startsWith('-')) throw new UsageError(`${a} needs a file name`);
      if (a === '--weights') out.weights = f;
      else out.saveWeights = f;
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (out.file) throw new UsageError(`one graph at a time (got ${out.file} and ${a})`);
    else out.file = a;
  }
  if (!out.file) throw new UsageError('which graph? e.g. backprop-studio train examples/spiral.nngraph.json');
  return out;
}

/** The metrics of an epoch as the JSON lines print them (snake_case, only what applies). */
export function epochJson(
  m: Pick<EpochMetrics, 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy'>,
): Record<string, number> {
  const o: Record<string, number> = { loss: m.loss };
  if (m.accuracy !== undefined) o.accuracy = m.accuracy;
  if (m.valLoss !== undefined) o.val_loss = m.valLoss;
  if (m.valAccuracy !== undefined) o.val_accuracy = m.valAccuracy;
  return o;
}

/** Builds a session, printing why not (to stderr) when the document or its data are unusable. */
export function openSession(
  file: string,
  weightsFile: string | undefined,
  opts: Parameters<typeof prepareTraining>[1],
  err: (s: string) => void,
): TrainingSession | null {
  const doc = readGraphFile(file, err);
  if (!doc) return null;
  let weights: Weights | undefined;
  if (weightsFile) {
    try {
      weights = readWeightsFile(weightsFile);
    } catch (e) {
      err(`${e instanceof WeightsError ? `${weightsFile}: ${e.message}` : userMessage(e)}\n`);
      return null;
    }
  }
  try {
    return prepareTraining(doc, { ...opts, weights, ...dataFor(file) });
  } catch (e) {
    if (e instanceof GraphError) for (const d of e.diagnostics) err(`${formatDiagnostic(file, d)}\n`);
    else if (e instanceof CsvError) err(`${e.message}\n`);
    else if (e instanceof Error && !(e instanceof TypeError || e instanceof ReferenceError))
      err(`${file}: ${userMessage(e)}\n`);
    else throw e;
    return null;
  }
}

export interface TrainOutcome {
  session: TrainingSession;
  result: TrainResult;
  /** Clean metrics of the final weights on the training (and validation) data, evaluation mode. */
  final: Record<string, number>;
  seconds: number;
}

/** Trains with a progress display (or JSON lines); returns the outcome or null if it could not start. */
export function runTraining(
  a: Omit<TrainArgs, 'saveWeights'>,
  out: { write(s: string): void; isTTY?: boolean },
  err: (s: string) => void,
): TrainOutcome | null {
  const progress = new ProgressLine(out);
  let session: TrainingSession | null = null;
  let every = 1;
  session = openSession(
    a.file,
    a.weights,
    {
      epochs: a.epochs,
      seed: a.seed,
      dtype: a.dtype,
      events: {
        onStep: (e) => {
          if (!a.json && out.isTTY && e.step % 10 === 0)
            progress.update(session!.epochs, e.epoch - 1, `loss ${lossText(e.loss)}`);
        },
        onEpoch: (m) => {
          if (a.json) out.write(`${JSON.stringify({ epoch: m.epoch, ...epochJson(m) })}\n`);
          else if (out.isTTY) progress.update(session!.epochs, m.epoch, describe(m));
          else if (m.epoch % every === 0 || m.epoch === session!.epochs)
            out.write(`epoch ${m.epoch}/${session!.epochs}  ${describe(m)}\n`);
        },
      },
    },
    err,
  );
  if (!session) return null;
  every = Math.max(1, Math.round(session.epochs / 20));
  if (!a.json)
    out.write(
      `training ${a.file}: ${session.dataset.name}; ${session.epochs} epochs, seed ${session.seed}\n`,
    );
  for (const note of session.dataset.notes ?? []) if (!a.json) out.write(`  note: ${note}\n`);
  const t0 = performance.now();
  let result: TrainResult;
  try {
    result = session.trainer.run();
  } catch (e) {
    // A kernel refusing the data (e.g. a class index out of range) is a message, not a stack trace.
    if (!(e instanceof RangeError || e instanceof TrainingError)) throw e;
    progress.done();
    err(`${a.file}: training stopped: ${e.message}\n`);
    return null;
  }
  const seconds = (performance.now() - t0) / 1000;
  progress.done();
  const fin = session.trainer.evaluate(session.train);
  const final = epochJson({
    loss: fin.loss,
    accuracy: fin.accuracy,
    ...(session.validation ? valOf(session) : {}),
  });
  return { session, result, final, seconds };
}

function valOf(s: TrainingSession): { valLoss: number; valAccuracy?: number } {
  const v = s.trainer.evaluate(s.validation!);
  return { valLoss: v.loss, valAccuracy: v.accuracy };
}

/** A loss to read at a glance: 4 decimals, or 3 significant digits once it is that small. */
function lossText(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toFixed(4);
}

function describe(m: Pick<EpochMetrics, 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy'>): string {
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  return [
    `loss ${lossText(m.loss)}`,
    m.accuracy !== undefined && `accuracy ${pct(m.accuracy)}`,
    m.valLoss !== undefined && `val_loss ${lossText(m.valLoss)}`,
    m.valAccuracy !== undefined && `val_accuracy ${pct(m.valAccuracy)}`,
  ]
    .filter(Boolean)
    .join('  ');
}

export const train: Command = {
  name: 'train',
  summary: 'train a graph headless with its training settings',
  usage: `Usage: backprop-studio train <graph> [--epochs N] [--seed S] [--dtype float32|float64] [--json]
                             [--weights <file>] [--save-weights <file>]

Trains the graph on the dataset its "training" section names, with its optimiser, schedule and
batch size. Prints a progress bar on a terminal (plain lines otherwise).
  --epochs N             train for N epochs instead of training.epochs
  --seed S               the seed for initial weights, dropout, validation split and batch order
  --dtype T              float32 (default) or float64, the number type of the weights and activations
  --json                 one JSON object per line per epoch (epoch, loss, accuracy, val_loss,
                         val_accuracy), then one with "final": true and the final metrics
  --weights <file>       start from these weights (.json or .safetensors) instead of the initialisers
  --save-weights <file>  write the trained weights: safetensors if the name ends in .safetensors,
                         else backprop-studio.weights JSON`,
  async run(args) {
    const a = parseTrainArgs(args);
    const err = (s: string) => process.stderr.write(s);
    const o = runTraining(a, process.stdout, err);
    if (!o) return 1;
    const { result, final, seconds } = o;
    const stop = result.divergence?.message;
    if (a.json)
      process.stdout.write(
        `${JSON.stringify({ final: true, status: result.status, epochs: result.history.length, steps: result.steps, ...final, seconds: Number(seconds.toFixed(3)), ...(stop ? { error: stop } : {}) })}\n`,
      );
    else {
      if (result.status === 'early_stopped')
        process.stdout.write(`stopped early after ${result.history.length} epochs (no improvement)\n`);
      process.stdout.write(
        `final: ${describe({ loss: final.loss!, accuracy: final.accuracy, valLoss: final.val_loss, valAccuracy: final.val_accuracy })}  (${seconds.toFixed(2)} s)\n`,
      );
    }
    if (stop) err(`${a.file}: ${stop}\n`);
    if (a.saveWeights && !stop) {
      writeWeightsFile(a.saveWeights, weightsOf(o.session.compiled));
      if (!a.json) process.stdout.write(`weights written to ${a.saveWeights}\n`);
    }
    return stop ? 1 : 0;
  },
};
