/**
 * The training loop on a compiled graph: shuffled mini-batches, epochs, an optimiser and a
 * schedule, metrics, validation, early stopping, cancellation, and events for the CLI and the
 * editor. One seeded generator orders the batches, so two runs with one seed give bit-identical
 * losses.
 *
 * The last partial batch of an epoch is trained (lastBatch 'partial', the default, like PyTorch's
 * DataLoader without drop_last) through a second program from withBatchSize that shares the
 * parameters; 'drop' leaves it out. Epoch loss and accuracy are the running averages over the
 * epoch's batches (as Keras and most PyTorch loops report them); validation metrics come from a
 * full pass in evaluation mode after each epoch; `evaluate` gives clean numbers on any dataset.
 *
 * A training step allocates nothing: batches are copied into the program's buffers by index,
 * the optimiser's state was allocated up front, and statistics are computed only on request.
 */
import type { OptimizerConfig, ScheduleConfig } from '../graph/document.js';
import { Tensor, sameShape, sizeOf, type Data } from '../tensor/tensor.js';
import { Rng } from '../tensor/random.js';
import { createOptimizer, Optimizer } from '../optim/optimizers.js';
import { clipGradNorm } from '../optim/clip.js';
import { createSchedule, Schedule, scheduleUnit } from '../optim/schedules.js';
import { Dataset, oneHot, permutation, sampleCount } from '../data/dataset.js';
import { inputFeeds, type Trainable } from './trainable.js';
import { nodeStats, NodeStats } from './stats.js';

export interface StepEvent {
  /** Optimisation steps taken so far, counting this one (1-based). */
  step: number;
  /** 1-based epoch. */
  epoch: number;
  /** Loss of this batch before the update. */
  loss: number;
  lr: number;
}

export interface EpochMetrics {
  epoch: number;
  loss: number;
  /** Classification only. */
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  /** Learning rate used in the epoch's last step. */
  lr: number;
  steps: number;
}

export interface StatsEvent {
  step: number;
  epoch: number;
  nodes: NodeStats[];
}

/** Where a NaN or Inf first appeared. */
export interface Divergence {
  step: number;
  epoch: number;
  node: string;
  pass: 'forward' | 'backward';
  value: 'NaN' | 'Infinity';
  message: string;
}

export type TrainStatus = 'completed' | 'early_stopped' | 'cancelled' | 'diverged';

export interface TrainResult {
  status: TrainStatus;
  history: EpochMetrics[];
  steps: number;
  divergence?: Divergence;
}

/** What one trainStep() did. */
export type StepOutcome =
  | {
      kind: 'trained';
      step: StepEvent;
      /** The metrics of the epoch this step completed (null mid-epoch). */
      epoch: EpochMetrics | null;
      /** Set when the run ended with this step: every epoch done, or early stopping. */
      finished: 'completed' | 'early_stopped' | null;
    }
  /** A NaN or Inf (this step, or an earlier one: a diverged run stays diverged); nothing was updated. */
  | { kind: 'diverged'; divergence: Divergence }
  /** Nothing was trained: the run had already ended. */
  | { kind: 'finished'; status: 'completed' | 'early_stopped' };

/** The running sums of the epoch in progress. */
interface EpochProgress {
  /** Batches of the epoch trained so far. */
  batch: number;
  lossSum: number;
  correct: number;
  seen: number;
}

export interface TrainerOptions {
  optimizer: OptimizerConfig;
  schedule?: ScheduleConfig;
  epochs: number;
  /** Orders the batches (the program's own seed drives initialisation and dropout). */
  seed: number;
  clipGradNorm?: number;
  /** Stop after this many epochs without improvement of the validation loss (else the training loss). */
  earlyStopping?: { patience: number; minDelta?: number };
  lastBatch?: 'partial' | 'drop';
  /** Checked between steps; set `aborted` (e.g. from an event handler or an AbortController) to stop. */
  signal?: { readonly aborted: boolean };
  /** Emit per-node statistics every this many steps (0 or absent: never). */
  statsEvery?: number;
  histogramBins?: number;
  onStep?: (e: StepEvent) => void;
  onEpoch?: (m: EpochMetrics) => void;
  onStats?: (e: StatsEvent) => void;
}

export interface Evaluation {
  loss: number;
  accuracy?: number;
}

export class TrainingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingError';
  }
}

/** A graph at one batch size, with where its batch comes from and how its targets are laid out. */
interface Runner {
  g: Trainable;
  size: number;
  /** Gradient buffers of this program's parameters, aligned with the main program's. */
  grads: Tensor[];
}

export class Trainer {
  readonly optimizer: Optimizer;
  private readonly schedule: Schedule;
  private readonly unit: 'epoch' | 'step';
  private readonly rng: Rng;
  private readonly inspectRng: Rng;
  private readonly main: Runner;
  private readonly partial: Runner | null;
  private readonly order: Int32Array;
  private readonly trainY: Tensor;
  private readonly valY: Tensor | null;
  private readonly runners = new Map<number, Runner>();
  private readonly classification: boolean;
  /**
   * Class labels per sample when the dataset gives one per position (a sequence's), else 0:
   * accuracy then counts positions, each sample's share being the fraction it gets right.
   */
  private readonly positions: number;
  private steps = 0;
  private epoch = 0;
  private current: EpochProgress | null = null;
  private outcome:
    { status: 'completed' | 'early_stopped' } | { status: 'diverged'; divergence: Divergence } | null = null;
  private readonly epochs: EpochMetrics[] = [];
  private best = Infinity;
  private sinceBest = 0;
  /** The runner of the last step (the partial batch's after an epoch's last step). */
  private last: Runner;

  constructor(
    private readonly graph: Trainable,
    private readonly data: { train: Dataset; validation?: Dataset | null },
    private readonly opts: TrainerOptions,
  ) {
    const n = sampleCount(data.train);
    if (n === 0) throw new TrainingError('the training set is empty');
    try {
      inputFeeds(graph, data.train);
    } catch (e) {
      throw new TrainingError((e as Error).message);
    }
    this.classification = data.train.task === 'classification';
    this.positions = this.classification && data.train.y.rank > 1 ? sizeOf(data.train.y.shape.slice(1)) : 0;
    this.trainY = this.targetsFor(data.train);
    this.valY = data.validation ? this.targetsFor(data.validation) : null;
    if (n < graph.batchSize && opts.lastBatch === 'drop')
      throw new TrainingError(
        `batch size ${graph.batchSize} is larger than the ${n} training samples and lastBatch is 'drop': no batch is left`,
      );
    this.main = this.runner(graph.batchSize);
    this.last = this.main;
    const rest = n % graph.batchSize;
    this.partial =
      rest && (opts.lastBatch ?? 'partial') === 'partial' ? this.runner(Math.min(rest, n)) : null;
    const paramsMain = graph.params.map((p) => ({
      param: graph.program.value(p.slot),
      grad: this.main.grads[graph.params.indexOf(p)]!,
    }));
    this.optimizer = createOptimizer(opts.optimizer, paramsMain);
    this.unit = scheduleUnit(opts.schedule);
    this.schedule = createSchedule(opts.schedule, opts.optimizer.lr, opts.epochs * this.batchesPerEpoch);
    this.rng = new Rng(opts.seed);
    // Another stream from the same seed: inspection batches are reproducible and leave training's alone.
    this.inspectRng = new Rng(opts.seed ^ 0x5eed);
    this.order = new Int32Array(n);
  }

  get batchesPerEpoch(): number {
    const n = sampleCount(this.data.train);
    return Math.floor(n / this.graph.batchSize) + (this.partial ? 1 : 0);
  }

  /** Trains until the epochs are done, early stopping, cancellation or divergence. */
  run(): TrainResult {
    const from = this.epochs.length;
    for (;;) {
      const r = this.runEpoch();
      if ('status' in r) return { ...r, history: this.epochs.slice(from), steps: this.steps };
    }
  }

  /**
   * Trains up to the end of the current epoch (every batch once, then validation). Returns its
   * metrics, or why it stopped: cancelled, diverged, or the run is over (`completed` /
   * `early_stopped`, returned by the call after the epoch that ended it).
   */
  runEpoch(): EpochMetrics | { status: TrainStatus; divergence?: Divergence } {
    for (;;) {
      if (this.opts.signal?.aborted) return { status: 'cancelled' };
      const o = this.trainStep();
      if (o.kind === 'diverged') return { status: 'diverged', divergence: o.divergence };
      if (o.kind === 'finished') return { status: o.status };
      if (o.epoch) return o.epoch;
    }
  }

  /**
   * One optimisation step on the next mini-batch, starting an epoch first (its shuffle, an
   * epoch-unit schedule) and closing it after its last batch (metrics, validation, early
   * stopping). run() and runEpoch() are loops over this, so a run driven step by step (the
   * editor's worker) trains exactly as a headless one.
   */
  trainStep(): StepOutcome {
    const e = this.outcome ? null : this.beginEpoch();
    if (!e) return this.ended();
    const r = this.feedBatch(e);
    const p = r.g.program;
    p.setTraining(true);
    p.forward();
    const loss = p.value(r.g.loss).data[0]!;
    this.steps++;
    this.last = r;
    if (!Number.isFinite(loss)) return this.diverge(r, 'forward');
    p.backward(r.g.loss);
    if (r !== this.main) this.copyGrads(r);
    if (!this.gradsFinite()) return this.diverge(r, 'backward');
    if (this.classification)
      e.correct += this.correct(r.g, this.trainY, this.order, e.batch * this.graph.batchSize, r.size);
    e.lossSum += loss * r.size;
    e.seen += r.size;
    e.batch++;
    if (this.opts.clipGradNorm !== undefined) clipGradNorm(this.main.grads, this.opts.clipGradNorm);
    if (this.unit === 'step') this.optimizer.lr = this.schedule(this.steps - 1);
    const step: StepEvent = { step: this.steps, epoch: this.epoch, loss, lr: this.optimizer.lr };
    this.opts.onStep?.(step);
    const every = this.opts.statsEvery;
    if (every && this.steps % every === 0)
      this.opts.onStats?.({
        step: this.steps,
        epoch: this.epoch,
        nodes: nodeStats(r.g, this.opts.histogramBins),
      });
    this.optimizer.step();
    if (e.batch < this.batchesPerEpoch) return { kind: 'trained', step, epoch: null, finished: null };
    const metrics = this.endEpoch(e);
    const finished = this.outcome?.status === 'diverged' ? null : (this.outcome?.status ?? null);
    return { kind: 'trained', step, epoch: metrics, finished };
  }

  /**
   * Feeds the batch the next trainStep would train on into its program and returns that graph
   * (null when the run is over), for stepping through backprop on it. Starts the epoch if none is
   * in progress; training afterwards trains this same batch, exactly as it would have.
   */
  loadNextBatch(): Trainable | null {
    if (this.outcome) return null;
    const e = this.beginEpoch();
    return e ? this.feedBatch(e).g : null;
  }

  /**
   * Feeds a fresh mini-batch (a new shuffle of the training set, from an RNG of its own so the
   * run's batch order is untouched) into the full-size program and returns it: for inspecting the
   * weights once the run is over (step-through, gradient check), when no next batch is left.
   * Each call draws another batch.
   */
  loadFreshBatch(): Trainable {
    const n = sampleCount(this.data.train);
    const order = permutation(n, this.inspectRng, new Int32Array(n));
    const r = n >= this.graph.batchSize ? this.main : this.partial!;
    this.feed(r, this.data.train, this.trainY, order, 0);
    return r.g;
  }

  /** The epoch in progress, started if none is (null when all epochs are done). */
  private beginEpoch(): EpochProgress | null {
    if (this.current) return this.current;
    if (this.epoch >= this.opts.epochs) {
      this.outcome = { status: 'completed' };
      return null;
    }
    this.epoch++;
    if (this.unit === 'epoch') this.optimizer.lr = this.schedule(this.epoch - 1);
    permutation(sampleCount(this.data.train), this.rng, this.order);
    this.current = { batch: 0, lossSum: 0, correct: 0, seen: 0 };
    return this.current;
  }

  /** Copies batch `e.batch` of the epoch's order into its runner. */
  private feedBatch(e: EpochProgress): Runner {
    const full = Math.floor(sampleCount(this.data.train) / this.graph.batchSize);
    const r = e.batch < full ? this.main : this.partial!;
    this.feed(r, this.data.train, this.trainY, this.order, e.batch * this.graph.batchSize);
    return r;
  }

  /** The epoch's metrics (with validation), and whether the run ends here. */
  private endEpoch(e: EpochProgress): EpochMetrics {
    this.current = null;
    const m: EpochMetrics = {
      epoch: this.epoch,
      loss: e.lossSum / e.seen,
      lr: this.optimizer.lr,
      steps: this.steps,
    };
    if (this.classification) m.accuracy = e.correct / e.seen;
    if (this.data.validation) {
      const v = this.evaluate(this.data.validation, this.valY!);
      m.valLoss = v.loss;
      if (v.accuracy !== undefined) m.valAccuracy = v.accuracy;
    }
    this.epochs.push(m);
    this.opts.onEpoch?.(m);
    const stopping = this.opts.earlyStopping;
    if (stopping) {
      const watched = m.valLoss ?? m.loss;
      if (watched < this.best - (stopping.minDelta ?? 0)) {
        this.best = watched;
        this.sinceBest = 0;
      } else if (++this.sinceBest >= stopping.patience) this.outcome = { status: 'early_stopped' };
    }
    if (!this.outcome && this.epoch >= this.opts.epochs) this.outcome = { status: 'completed' };
    return m;
  }

  private diverge(r: Runner, pass: 'forward' | 'backward'): StepOutcome {
    this.outcome = { status: 'diverged', divergence: this.diagnose(r, pass) };
    return this.ended();
  }

  /** What trainStep says once the run is over. */
  private ended(): StepOutcome {
    const o = this.outcome!;
    return o.status === 'diverged'
      ? { kind: 'diverged', divergence: o.divergence }
      : { kind: 'finished', status: o.status };
  }

  /** Loss (and accuracy) of the current parameters on a dataset, in evaluation mode. */
  evaluate(ds: Dataset, targets?: Tensor): Evaluation {
    const y = targets ?? this.targetsFor(ds);
    const n = sampleCount(ds);
    const size = Math.min(n, Math.max(this.graph.batchSize, 256));
    const identity = new Int32Array(n).map((_, i) => i);
    let lossSum = 0,
      correct = 0;
    for (let start = 0; start < n; start += size) {
      const r = this.runner(Math.min(size, n - start));
      this.feed(r, ds, y, identity, start);
      r.g.program.setTraining(false);
      r.g.program.forward();
      r.g.program.setTraining(true);
      lossSum += r.g.program.value(r.g.loss).data[0]! * r.size;
      if (this.classification) correct += this.correct(r.g, y, identity, start, r.size);
    }
    return this.classification ? { loss: lossSum / n, accuracy: correct / n } : { loss: lossSum / n };
  }

  /** The predictions of the current parameters for features x [M, ...sample] (evaluation mode). */
  predict(x: Tensor): Tensor {
    const m = x.shape[0]!;
    const r = this.runner(Math.min(m, Math.max(this.graph.batchSize, 256)));
    const pred = r.g.program.value(r.g.prediction);
    const width = pred.size / r.size;
    const out = Tensor.zeros([m, ...pred.shape.slice(1)], 'float64');
    const row = sizeOf(x.shape.slice(1));
    for (let start = 0; start < m; start += r.size) {
      const k = Math.min(r.size, m - start);
      const run = k === r.size ? r : this.runner(k);
      const inp = run.g.program.value(run.g.input).data;
      for (let i = 0; i < k * row; i++) inp[i] = x.data[start * row + i]!;
      run.g.program.setTraining(false);
      run.g.program.forward();
      run.g.program.setTraining(true);
      const p = run.g.program.value(run.g.prediction).data;
      for (let i = 0; i < k * width; i++) out.data[start * width + i] = p[i]!;
    }
    return out;
  }

  /** Per-node statistics after the last step (what the overlay shows). */
  stats(): NodeStats[] {
    return nodeStats(this.last.g, this.opts.histogramBins);
  }

  get stepCount(): number {
    return this.steps;
  }

  /** Epochs begun (1-based while one is in progress; 0 before the first step). */
  get epochCount(): number {
    return this.epoch;
  }

  /** Metrics of every epoch completed so far. */
  get history(): readonly EpochMetrics[] {
    return this.epochs;
  }

  /** How the run ended, or null while it can train on. */
  get status(): Exclude<TrainStatus, 'cancelled'> | null {
    return this.outcome?.status ?? null;
  }

  /** The targets as the target slot wants them: class indices, one-hot rows, or values. */
  private targetsFor(ds: Dataset): Tensor {
    const t = this.graph.target;
    if (t === null) return ds.y;
    const want = this.graph.program.slots[t]!.shape.slice(1);
    if (ds.task === 'classification') {
      if (want.length === 0) return ds.y;
      if (ds.y.rank > 1) {
        if (sameShape(want, ds.y.shape.slice(1))) return ds.y;
        throw new TrainingError(
          `the target takes [${want.join(', ')}] per sample but the dataset has class labels [${ds.y.shape.slice(1).join(', ')}] per sample: set the target's shape to [${ds.y.shape.slice(1).join(', ')}]`,
        );
      }
      if (want.length === 1 && want[0] === ds.classes) return oneHot(ds.y, ds.classes);
      throw new TrainingError(
        `the target takes [${want.join(', ')}] per sample but the dataset has ${ds.classes} classes: ` +
          `use class indices (target classes: ${ds.classes}) or one-hot rows of ${ds.classes}`,
      );
    }
    const have = ds.y.shape.slice(1);
    if (sizeOf(want) !== sizeOf(have))
      throw new TrainingError(
        `the target takes [${want.join(', ')}] per sample but the dataset's targets are [${have.join(', ')}]`,
      );
    return ds.y;
  }

  private runner(size: number): Runner {
    let r = this.runners.get(size);
    if (!r) {
      const g = size === this.graph.batchSize ? this.graph : this.graph.withBatchSize(size);
      const grads = this.graph.params.map((p, i) => {
        const q = g.params[i];
        const grad = q && q.node === p.node && q.name === p.name ? g.program.grad(q.slot) : null;
        if (!grad)
          throw new TrainingError(`parameter ${p.node}.${p.name} has no gradient at batch size ${size}`);
        return grad;
      });
      r = { g, size, grads };
      this.runners.set(size, r);
    }
    return r;
  }

  /** Copies rows order[start..start+size) of the dataset into the runner's input and target. */
  private feed(r: Runner, ds: Dataset, y: Tensor, order: Int32Array, start: number): void {
    const p = r.g.program;
    for (const { slot, x } of inputFeeds(r.g, ds)) copyRows(x.data, p.value(slot).data, order, start, r.size);
    if (r.g.target !== null) copyRows(y.data, p.value(r.g.target).data, order, start, r.size);
  }

  private copyGrads(r: Runner): void {
    for (let i = 0; i < r.grads.length; i++) this.main.grads[i]!.data.set(r.grads[i]!.data);
  }

  private gradsFinite(): boolean {
    let s = 0;
    for (const g of this.main.grads) {
      const d = g.data;
      for (let k = 0; k < d.length; k++) s += d[k]! * 0;
    }
    return s === 0;
  }

  private correct(g: Trainable, y: Tensor, order: Int32Array, start: number, size: number): number {
    const pred = g.program.value(g.prediction).data;
    if (this.positions > 0) return this.correctPositions(pred, y, order, start, size);
    const k = pred.length / size;
    let c = 0;
    for (let i = 0; i < size; i++) {
      const label = this.classLabel(y, order[start + i]!);
      let guess: number;
      if (k === 1)
        guess = pred[i]! > 0 ? 1 : 0; // one logit (binary cross-entropy with logits)
      else {
        guess = 0;
        for (let j = 1; j < k; j++) if (pred[i * k + j]! > pred[i * k + guess]!) guess = j;
      }
      if (guess === label) c++;
    }
    return c;
  }

  /** Logits [size, classes, positions] (torch's class axis 1) against labels [., positions]. */
  private correctPositions(pred: Data, y: Tensor, order: Int32Array, start: number, size: number): number {
    const p = this.positions;
    const classes = pred.length / (size * p);
    let c = 0;
    for (let i = 0; i < size; i++) {
      const row = order[start + i]!;
      let right = 0;
      for (let t = 0; t < p; t++) {
        let guess = 0;
        for (let j = 1; j < classes; j++)
          if (pred[(i * classes + j) * p + t]! > pred[(i * classes + guess) * p + t]!) guess = j;
        if (guess === y.data[row * p + t]) right++;
      }
      c += right / p;
    }
    return c;
  }

  private classLabel(y: Tensor, row: number): number {
    const k = y.size / y.shape[0]!;
    if (k === 1) return y.data[row]!;
    let best = 0;
    for (let j = 1; j < k; j++) if (y.data[row * k + j]! > y.data[row * k + best]!) best = j;
    return best;
  }

  /** Names the first node whose value (forward) or arriving gradient (backward) is not finite. */
  private diagnose(r: Runner, pass: 'forward' | 'backward'): Divergence {
    const p = r.g.program;
    const order = pass === 'forward' ? r.g.order : [...r.g.order].reverse();
    let node = '(unknown)';
    let bad = NaN;
    const firstBad = (t: Tensor | null): number | null => {
      if (!t) return null;
      for (let k = 0; k < t.data.length; k++) if (!Number.isFinite(t.data[k]!)) return t.data[k]!;
      return null;
    };
    search: for (const id of order) {
      const slot = r.g.nodeSlot.get(id);
      if (slot === undefined) continue;
      const v = firstBad(pass === 'forward' ? p.value(slot) : p.grad(slot));
      if (v !== null) {
        node = id;
        bad = v;
        break;
      }
      if (pass === 'backward')
        for (const q of r.g.params) {
          const w = q.node === id ? firstBad(p.grad(q.slot)) : null;
          if (w !== null) {
            node = `${id}.${q.name}`;
            bad = w;
            break search;
          }
        }
    }
    const value = Number.isNaN(bad) ? 'NaN' : 'Infinity';
    const what = pass === 'forward' ? `the output of node '${node}'` : `the gradient at '${node}'`;
    return {
      step: this.steps,
      epoch: this.epoch,
      node,
      pass,
      value,
      message:
        `training stopped at step ${this.steps} (epoch ${this.epoch}): ${what} became ${value} ` +
        `(${pass} pass). Lower the learning rate, clip gradients, or check the inputs of '${node.split('.')[0]}'.`,
    };
  }
}

function copyRows(
  src: ArrayLike<number>,
  dst: Float32Array | Float64Array,
  order: Int32Array,
  start: number,
  size: number,
) {
  const n = order.length;
  const row = src.length / n;
  for (let i = 0; i < size; i++) {
    const from = order[start + i]! * row;
    const to = i * row;
    for (let k = 0; k < row; k++) dst[to + k] = src[from + k]!;
  }
}
