/**
 * The document a run session was last sent, and what it would train: the key that says whether
 * a change matters to a run (moving nodes doesn't), the dataset preview shown while idle, and the
 * run compiled ahead of Play (the prepare cache), so that Play starts at once.
 */
import type { DatasetConfig, GraphDoc } from '../graph/document.js';
import { sizeOf } from '../tensor/tensor.js';
import { compileGraph, GraphError } from '../graph/compile.js';
import { applyWeights, type Weights } from '../graph/weights.js';
import { prepareTraining, type TrainingSession } from '../train/session.js';
import { datasetSignature, loadDataset, type LoadOptions } from '../data/load.js';
import type { ReadBundled } from '../data/mnist.js';
import { sampleCount, splitOrder, type Dataset } from '../data/dataset.js';
import { UserError, userMessage } from '../errors/user-error.js';
import { createPredictor, datasetView, fedData, type Predictor } from './prediction.js';
import type { DatasetView } from './protocol.js';
import { createImageInspector, hasImages, type ImageInspector } from './image-views.js';

/** A document compiled and its data loaded, ready to train. */
export interface Prepared {
  key: string;
  session: TrainingSession;
  predictor: Predictor;
  /** The Images view of an image classifier (null for other networks). */
  inspector: ImageInspector | null;
}

/** Why a document can't be trained: the message names the node and says what to do. */
export interface Problem {
  message: string;
  node?: string;
}

export type Preparation = Prepared | { key: string; problem: Problem };

export type ReadText = (path: string, baseDir: string | null) => string;

export class RunDocument {
  doc: GraphDoc | null = null;
  /** trainingKey of `doc` ('' while it can't be read as a graph). */
  key = '';
  private baseDir: string | null = null;
  private received = false;
  /** The dataset configuration last sent as the (idle) dataset preview. */
  private previewKey: string | null = null;
  /** The newest document compiled while idle, for the next run. */
  private prepared: Prepared | null = null;

  constructor(
    private readonly readText?: ReadText,
    private readonly readBundled?: ReadBundled,
  ) {}

  /** Takes the document as it is now; `changed`: what a run trains changed (or it is the first). */
  set(doc: GraphDoc | null, baseDir: string | null): { first: boolean; changed: boolean } {
    const first = !this.received;
    const key = doc ? trainingKey(doc) : '';
    const changed = first || key !== this.key;
    this.received = true;
    this.doc = doc;
    this.baseDir = baseDir;
    this.key = key;
    return { first, changed };
  }

  /** How the document's dataset is read: a CSV relative to its folder, the shipped MNIST files. */
  dataAccess(): LoadOptions {
    const read = this.readText;
    const dir = this.baseDir;
    return { readText: read ? (path) => read(path, dir) : undefined, readBundled: this.readBundled };
  }

  /** The document compiled and its data loaded, ready to train (or why it can't be). */
  prepare(doc: GraphDoc, weights?: Weights): Preparation {
    const key = trainingKey(doc);
    let session: TrainingSession;
    try {
      session = prepareTraining(doc, { ...this.dataAccess(), weights });
    } catch (e) {
      return { key, problem: problemOf(e) };
    }
    let predictor: Predictor;
    try {
      predictor = createPredictor(session.compiled, session.dataset);
    } catch (e) {
      predictor = { predict: () => ({ kind: 'none', reason: userMessage(e) }) };
    }
    const inspector = hasImages(session.dataset, session.compiled)
      ? createImageInspector(session.compiled, session.train, session.validation)
      : null;
    return { key, session, predictor, inspector };
  }

  /** The run prepared for the document as it is now, if there is one (it stays prepared). */
  get current(): Prepared | null {
    return this.prepared?.key === this.key ? this.prepared : null;
  }

  /** The run prepared last, perhaps for an older document (a newer one is being prepared). */
  get latest(): Prepared | null {
    return this.prepared;
  }

  /** The run for `doc`: the one prepared ahead when it is current, else compiled now; forgotten here. */
  take(doc: GraphDoc): Preparation {
    const built = this.current ?? this.prepare(doc);
    this.prepared = null;
    return built;
  }

  /**
   * Compiles the document ahead of Play; the run prepared, or null when there is nothing new to
   * prepare (no document, already done) or it can't be trained (said when Play is pressed, not
   * while the graph is being edited).
   */
  prepareAhead(): Prepared | null {
    const doc = this.doc;
    if (!doc || this.current) return null;
    const built = this.prepare(doc);
    this.prepared = 'problem' in built ? null : built;
    return this.prepared;
  }

  /** Forgets the run prepared ahead (a run was installed some other way, or the session ends). */
  dropPrepared(): void {
    this.prepared = null;
  }

  /**
   * The dataset preview to send while no run holds the data: the document's dataset when its
   * configuration changed since the last preview (null: none can be shown), undefined when
   * nothing changed.
   */
  preview(): { dataset: DatasetView | null } | undefined {
    const config = this.doc?.training;
    const key = config ? JSON.stringify([config.dataset, config.validationSplit, config.seed]) : null;
    if (key === this.previewKey) return undefined;
    this.previewKey = key;
    let view: DatasetView | null = null;
    // Only data the view can draw (one or two features) is loaded for it: an image set (MNIST) is
    // left for the run to load, away from the moment the graph opens.
    if (config && previewable(config.dataset))
      try {
        const data = loadDataset(config.dataset, this.dataAccess());
        view = validationView(data, config.validationSplit ?? 0, config.seed ?? 0);
      } catch {
        // A dataset that can't be loaded is reported when the run starts; no preview meanwhile.
      }
    return { dataset: view };
  }

  /** Why `weights` can't be used with the document as it is now (null when they can). */
  misfit(weights: Weights): string | null {
    if (!this.doc) return 'the file can’t be read as a graph now: fix it first';
    try {
      applyWeights(compileGraph(this.doc, { batchSize: 1 }), weights);
      return null;
    } catch (e) {
      return problemOf(e).message;
    }
  }

  /** The next preview is sent whatever it shows (a run showed its own data meanwhile). */
  forgetPreview(): void {
    this.previewKey = null;
  }
}

function previewable(config: DatasetConfig): boolean {
  try {
    return sizeOf(datasetSignature(config).sample) <= 2;
  } catch {
    return false;
  }
}

/** The dataset as the views draw it, with the samples held out for validation marked. */
export function validationView(data: Dataset, validationSplit: number, seed: number): DatasetView | null {
  const { order, validation } = splitOrder(sampleCount(data), validationSplit, seed);
  return datasetView(fedData(data), order.subarray(0, validation));
}

/**
 * What a run trains on, as a string: the document without node positions, so moving nodes
 * doesn't make a run stale but any other change does.
 */
export function trainingKey(doc: GraphDoc): string {
  return JSON.stringify([doc.nodes.map((n) => [n.id, n.op, n.attrs]), doc.edges, doc.training]);
}

/** Why a document can't be trained, naming the node and what to do. */
export function problemOf(e: unknown): Problem {
  if (e instanceof GraphError) {
    const d = e.diagnostics.find((x) => x.severity === 'error') ?? e.diagnostics[0];
    if (d) {
      const more =
        e.diagnostics.length > 1
          ? ` (and ${e.diagnostics.length - 1} more problems: see the Problems panel)`
          : '';
      const where = d.node && !d.message.includes(`'${d.node}'`) ? `Node '${d.node}': ` : '';
      return d.node === undefined
        ? { message: `${d.message}${more}` }
        : { message: `${where}${d.message}${more}`, node: d.node };
    }
  }
  if (e instanceof UserError) return { message: e.message };
  return { message: `The graph can’t be trained: ${userMessage(e)}` };
}
