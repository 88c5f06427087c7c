/**
 * The messages of a training run, shared by the three places a run passes through:
 * the webview (asks: RunRequest; draws: RunEvent), the extension host (validates requests, forwards
 * them to the engine worker with the document, forwards events back, shows progress in the status
 * bar), and the engine worker (engine/run/: executes requests, emits events).
 *
 * Type-only: extension/protocol.ts folds RunRequest into WebviewToHost and RunEvent into
 * HostToWebview, so a new message here is a compile error in every switch until it is handled.
 * Large numeric payloads are typed arrays (structured clone copies them cheaply between threads
 * and into the webview); everything else is plain JSON.
 */
import type { GraphDoc } from '../graph/document.js';
import type { EpochMetrics } from '../train/trainer.js';
import type { TensorStats } from '../train/stats.js';
import type { Step, StepTarget } from '../autodiff/step-through.js';
import type { AnalysisReport } from '../analysis/report.js';
import type { Weights } from '../graph/weights.js';

/** What a run is doing. */
export type RunPhase =
  /** No run: the next play/step starts one from the document (fresh weights). */
  | 'idle'
  | 'running'
  | 'paused'
  /** All epochs done (or early stopped); reset to train again. */
  | 'finished'
  /** Stopped by NaN/Inf, a document that can't be trained, or a crash: `error` says where and what to do. */
  | 'failed';

/**
 * The long requests, run in time slices as tasks (engine/task): one at a time, with progress
 * events, and cancelled by `cancelTask`, by any run or step-through action, by loading weights, by
 * a change to what the run trains, or by a new task (each cancellation is answered with
 * taskCancelled).
 */
export type TaskKind = 'gradcheck' | 'analyze';

/** What a run is asked to do (whoever asks: the editor's controls, a test). */
export type RunAction = 'play' | 'pause' | 'step' | 'reset';

/** Step-through controls (the debugger for one mini-batch). */
export type TraceAction =
  /** Take the run's next mini-batch and stand before the first forward step (pauses a running run). */
  | 'start'
  | 'step'
  | 'back'
  /** Run the remaining steps: the batch's backward pass complete, standing on its last step. */
  | 'finish'
  | 'restart'
  /** Leave step-through: the stepped batch is not trained on; training can continue. */
  | 'end';

// ---------------------------------------------------------------------------------------------
// webview → host → worker

export type RunRequest =
  | { type: 'run'; action: RunAction }
  | { type: 'trace'; requestId: number; action: TraceAction }
  | { type: 'traceTo'; requestId: number; target: StepTarget }
  /** Autodiff against central finite differences on the current batch (float64 copy of the graph). */
  | { type: 'gradcheck'; requestId: number }
  /** The lecture's analyses (engine/analysis) at the run's current weights (#8). */
  | { type: 'analyze'; requestId: number }
  /** Stop the gradient check or analysis asked for by `requestId` (ignored if it has already answered). */
  | { type: 'cancelTask'; requestId: number }
  /** What the worker should compute alongside training (costs time only when asked for). */
  | { type: 'runOptions'; options: RunOptions };

export interface RunOptions {
  /** Per-node statistics for the gradient overlay (throttled to `updatesPerSecond`). */
  overlay: boolean;
  /** The prediction view (decision boundary / fitted curve), throttled like the overlay. */
  prediction: boolean;
  /** 1-D regression: also each hidden unit's curve; 2-D classification: each unit's heatmap. */
  hiddenUnits: boolean;
  /** Image classifiers: the Images view (samples, confusion matrix, ...), throttled like the prediction. */
  images?: boolean;
  /** The sample of the Images view's source to look inside (saliency, feature maps); null: none. */
  pickedSample?: number | null;
}

export const DEFAULT_RUN_OPTIONS: RunOptions = {
  overlay: true,
  prediction: true,
  hiddenUnits: false,
  images: true,
  pickedSample: null,
};

// ---------------------------------------------------------------------------------------------
// worker → host → webview

export interface RunStatus {
  phase: RunPhase;
  /** Optimisation steps taken in this run. */
  step: number;
  /** Epochs begun (1-based while running; 0 before the first step). */
  epoch: number;
  epochs: number;
  batchesPerEpoch: number;
  /** Loss of the last batch trained (null before the first step). */
  loss: number | null;
  lr: number | null;
  /** Why the run failed, naming the node (divergence) or the document problem, and what to do. */
  error?: { message: string; node?: string };
  /** The document changed after this run started: the run continues on the graph it compiled. */
  stale: boolean;
  /** True while a step-through session holds the run's batch. */
  tracing: boolean;
  /** The weights file this run started from (absent: the document's initialisers). */
  weightsFrom?: string;
}

/** One point per step of the batch loss (the fine curve), kept in typed arrays. */
export interface LossTrace {
  /** Step numbers (1-based) of the entries. */
  steps: Int32Array;
  loss: Float32Array;
}

export interface OverlayNodeStats {
  /** The node's id; for one output of a node with several (split), its value key `node:port`. */
  node: string;
  /** The node's output after the last forward pass. */
  activation: TensorStats;
  /** The gradient arriving at the node's output, ∂L/∂output (null where no gradient flows). */
  grad: TensorStats | null;
  /** 2-norm of ∂L/∂θ over all the node's parameters (null for nodes without parameters). */
  paramGradNorm: number | null;
  /** Each parameter's gradient 2-norm, by parameter name. */
  paramGradNorms: Record<string, number>;
}

/** The points the network is fitted to (sent once per run: they don't change). */
export interface DatasetView {
  task: 'classification' | 'regression';
  /** Input features per sample (the views need 1 or 2). */
  features: number;
  classes: number;
  /** [n × features] row-major. */
  x: Float32Array;
  /** Class index (classification) or target value (regression, first output), per sample. */
  y: Float32Array;
  /** Which samples are held out for validation (1) or trained on (0). */
  validation: Uint8Array;
}

/** What the network computes over its input space, drawn over the data. */
export type PredictionView =
  | {
      kind: 'boundary';
      /** The grid covers [x0, x1] × [y0, y1] with nx × ny cells (row-major, y0's row first). */
      bounds: [number, number, number, number];
      nx: number;
      ny: number;
      classes: number;
      /** Winning class per cell. */
      label: Uint8Array;
      /** Probability of the winning class per cell (softmax / sigmoid of the logits). */
      confidence: Float32Array;
      /**
       * When RunOptions.hiddenUnits: each hidden layer's first `shown` of `count` units over the
       * same box, on a coarser side × side grid (row-major, y0's row first): [shown × side × side].
       */
      units?: UnitHeatmaps[];
    }
  | {
      kind: 'curve';
      /** Sample points across the data's range (plus a margin). */
      x: Float32Array;
      /** The network's output at x (first output). */
      y: Float32Array;
      /** Each hidden unit's value at x, when RunOptions.hiddenUnits (node → [units × x.length]). */
      units?: { node: string; count: number; values: Float32Array }[];
      /** Exact breakpoints of a piecewise-linear network (engine/analysis linearRegions1d), if it is one. */
      breakpoints?: Float32Array;
    }
  | { kind: 'none'; reason: string };

/** A hidden layer's units over the input plane (TensorFlow Playground's node pictures). */
export interface UnitHeatmaps {
  node: string;
  /** Units in the layer, and how many are drawn (the first ones). */
  count: number;
  shown: number;
  side: number;
  values: Float32Array;
}

/** One node's output for the picked sample, as images: [channels × height × width] row-major. */
export interface ChannelImages {
  node: string;
  channels: number;
  height: number;
  width: number;
  values: Float32Array;
}

/** A convolution's learned filters: [outChannels × inChannels × height × width] row-major. */
export interface FilterImages {
  node: string;
  outChannels: number;
  inChannels: number;
  height: number;
  width: number;
  values: Float32Array;
}

/** The sample picked in the Images view, looked inside. */
export interface PickedSample {
  /** Its index in the view's source. */
  row: number;
  label: number;
  predicted: number;
  probabilities: Float32Array;
  /** The image as drawn: [C × H × W] bytes over its own range. */
  pixels: Uint8Array;
  /** ∂loss/∂input for it with its true label: [C × H × W]. */
  saliency: Float32Array;
  /** Every node whose output is an image, its channels for this sample. */
  maps: ChannelImages[];
}

/** An image classifier on held-out images (engine/run/image-views.ts). */
export interface ImagesView {
  /** The validation split, or the training data when there is none. */
  source: 'validation' | 'training';
  classes: number;
  classNames: string[];
  /** One image's shape [C, H, W]. */
  shape: [number, number, number];
  /** Samples evaluated (the first ones of the source), and how many were right. */
  evaluated: number;
  correct: number;
  /** [classes × classes]: row = true class, column = predicted class. */
  confusion: Int32Array;
  /** Accuracy per true class (NaN: no sample of it). */
  perClass: Float32Array;
  /** Samples to show, misclassified first: their rows in the source, labels, and pixels [n × C×H×W]. */
  grid: { rows: Int32Array; label: Uint8Array; predicted: Uint8Array; pixels: Uint8Array };
  picked: PickedSample | null;
  filters: FilterImages[];
}

export interface GradCheckNode {
  node: string;
  /**
   * Worst relative error over the node's output gradient and its parameters' gradients, among
   * those finite differences can resolve (0 when none can: see `resolved`).
   */
  worstRelError: number;
  /** Where on the node (the parameter name or 'output'). */
  where: string;
  /**
   * False when every gradient of the node is below what differences resolve (the event's `floor`:
   * a network that fits its batch almost perfectly). Such a node has no error to show, not a zero one.
   */
  resolved: boolean;
  /** Elements compared, and elements left out because a ReLU-like kink lies within the step. */
  checked: number;
  kinks: number;
}

export type RunEvent =
  /** Sent on every phase change and with progress (throttled ~20/s while running, always on a change). */
  | { type: 'runStatus'; status: RunStatus }
  /**
   * Curves. `history` holds epochs from index `from` on (the webview appends; from = 0 replaces);
   * `trace` the batch losses since the last message (steps ascending; empty after a reset).
   */
  | { type: 'runMetrics'; from: number; history: EpochMetrics[]; trace: LossTrace }
  /** The gradient overlay: statistics of every node after step `step`. */
  | { type: 'runStats'; step: number; nodes: OverlayNodeStats[] }
  | { type: 'runDataset'; dataset: DatasetView | null }
  | { type: 'runPrediction'; step: number; view: PredictionView }
  /** The Images view of an image classifier (RunOptions.images), throttled like the prediction. */
  | { type: 'runImages'; step: number; view: ImagesView }
  /** Where the step-through is: `position` of `length` steps done; `step` the current one (null at 0). */
  | { type: 'traceStep'; requestId: number; position: number; length: number; step: Step | null }
  /** `worst` is the resolved node with the largest error (null when no gradient is above `floor`). */
  | {
      type: 'gradcheckResult';
      requestId: number;
      nodes: GradCheckNode[];
      worst: GradCheckNode | null;
      floor: number;
    }
  /** report.weights says which weights: { kind: 'trained', step, epoch } after training, else 'initial'. */
  | { type: 'analysisResult'; requestId: number; report: AnalysisReport }
  /**
   * How far the gradient check or analysis asked for by `requestId` is: `done` of `total` units
   * (elements differenced; passes over the batch), `label` what it is doing ("Hessian: Lanczos
   * 12/40"). Throttled like the others.
   */
  | { type: 'taskProgress'; requestId: number; kind: TaskKind; done: number; total: number; label: string }
  /** The task asked for by `requestId` stopped before answering; `reason` says so and why, for people. */
  | { type: 'taskCancelled'; requestId: number; kind: TaskKind; reason: string }
  /** A request that could not be served (e.g. trace while idle with a broken graph): say why. */
  | { type: 'runRejected'; requestId: number | null; reason: string };

// ---------------------------------------------------------------------------------------------
// host → worker only

export type ToWorker =
  | RunRequest
  /**
   * The document as it is now (sent on open and after every change). A run keeps the graph it
   * compiled until reset (status.stale says it is behind); idle runs start from the newest one.
   * `doc` is null while the text can't be read as a graph (a play then says to fix it first);
   * `baseDir` is the document's folder, for CSV datasets named relative to it (null if not on disk).
   */
  | { type: 'document'; doc: GraphDoc | null; version: number; baseDir: string | null }
  /**
   * Start a new run, paused before its first step, from these weights (read from the file `source`
   * by the host); answered with weightsLoaded (host-only).
   */
  | { type: 'loadWeights'; requestId: number; weights: Weights; source: string }
  /** The run's weights as they are now, for "Save weights" and the exports (host-only). */
  | { type: 'snapshotWeights'; requestId: number }
  /** Stop everything and let the thread exit. */
  | { type: 'dispose' };

/** A run's parameters and running statistics after `step` optimisation steps. */
export interface TrainedWeights {
  weights: Weights;
  step: number;
  epoch: number;
  /**
   * Null when the weights fit the graph as it is now; else why not (the document changed after the
   * run compiled it: a layer resized, a node removed...), naming the node.
   */
  misfit: string | null;
}

export type FromWorker =
  | RunEvent
  /** The answer to snapshotWeights: null when there is no run or it has taken no step yet (host-only). */
  | { type: 'weightsSnapshot'; requestId: number; trained: TrainedWeights | null }
  /** The answer to loadWeights: `error` says why the weights were not loaded (host-only). */
  | { type: 'weightsLoaded'; requestId: number; error: string | null };

/** The worker's answers meant for the host alone (never passed on to the webview). */
export type HostAnswer = Extract<FromWorker, { type: 'weightsSnapshot' | 'weightsLoaded' }>;
