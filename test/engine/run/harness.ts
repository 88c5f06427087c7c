/** Drives a RunSession by hand: a clock that moves as it is read, and a queue of deferred slices. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunSession } from '../../../engine/run/run-session.js';
import type { Clock } from '../../../engine/train/throttle.js';
import type { FromWorker, RunEvent, RunStatus, ToWorker } from '../../../engine/run/protocol.js';
import type { GraphDoc } from '../../../engine/graph/document.js';
import { parseGraph } from '../../../engine/graph/parse.js';
import type { ReadBundled } from '../../../engine/data/mnist.js';
import type { ReadText } from '../../../engine/run/run-document.js';

/**
 * Every read of the time moves it on by `msPerRead` (so a time slice ends after a known number
 * of steps); timers run when the harness says so.
 */
export class ReadTickingClock implements Clock {
  time = 0;
  private timers: { at: number; fn: () => void; live: boolean }[] = [];
  constructor(private readonly msPerRead: number) {}
  now(): number {
    this.time += this.msPerRead;
    return this.time;
  }
  schedule(fn: () => void, ms: number): () => void {
    const timer = { at: this.time + ms, fn, live: true };
    this.timers.push(timer);
    return () => void (timer.live = false);
  }
  /** Runs the timers that are due. */
  fireDue(): void {
    for (const t of this.timers.filter((x) => x.live && x.at <= this.time)) {
      t.live = false;
      t.fn();
    }
    this.timers = this.timers.filter((t) => t.live);
  }
}

export function exampleDoc(name: string): GraphDoc {
  const text = readFileSync(join(__dirname, `../../../examples/${name}.nngraph.json`), 'utf8');
  const { doc, diagnostics } = parseGraph(text);
  assert.ok(doc, diagnostics.map((d) => d.message).join('; '));
  return doc;
}

/**
 * Iris through a split: a first layer's 8 units cut in two, each half through its own layer,
 * joined again (after a layer, so that gradients flow back through the split).
 */
export function splitIrisDoc(): GraphDoc {
  const at = (x: number, y: number) => ({ x, y });
  const text = JSON.stringify({
    format: 'backprop-studio.graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'input', attrs: { features: 4 }, position: at(0, 0) },
      { id: 'h', op: 'linear', attrs: { units: 8 }, position: at(200, 0) },
      { id: 'halves', op: 'split', attrs: { axis: 1, parts: 2 }, position: at(400, 0) },
      { id: 'a', op: 'linear', attrs: { units: 6 }, position: at(600, -90) },
      { id: 'a_act', op: 'tanh', attrs: {}, position: at(800, -90) },
      { id: 'b', op: 'linear', attrs: { units: 6 }, position: at(600, 90) },
      { id: 'b_act', op: 'tanh', attrs: {}, position: at(800, 90) },
      { id: 'both', op: 'concat', attrs: {}, position: at(1000, 0) },
      { id: 'logits', op: 'linear', attrs: { units: 3 }, position: at(1200, 0) },
      { id: 'species', op: 'target', attrs: { classes: 3 }, position: at(1200, 180) },
      { id: 'loss', op: 'cross_entropy', attrs: {}, position: at(1400, 0) },
    ],
    edges: [
      { from: 'x', to: 'h' },
      { from: 'h', to: 'halves' },
      { from: 'halves', fromPort: 'out0', to: 'a' },
      { from: 'a', to: 'a_act' },
      { from: 'halves', fromPort: 'out1', to: 'b' },
      { from: 'b', to: 'b_act' },
      { from: 'a_act', to: 'both', toPort: 'a' },
      { from: 'b_act', to: 'both', toPort: 'b' },
      { from: 'both', to: 'logits' },
      { from: 'logits', to: 'loss', toPort: 'logits' },
      { from: 'species', to: 'loss', toPort: 'target' },
    ],
    training: {
      dataset: { kind: 'iris' },
      optimizer: { kind: 'adam', lr: 0.01 },
      batchSize: 16,
      epochs: 3,
      seed: 1,
    },
  });
  const { doc, diagnostics } = parseGraph(text);
  assert.ok(doc, diagnostics.map((d) => d.message).join('; '));
  return doc;
}

export class SessionHarness {
  readonly clock: ReadTickingClock;
  readonly events: FromWorker[] = [];
  /** The events the host passes on to the webview (everything but host-only answers). */
  get runEvents(): RunEvent[] {
    return this.events.filter(
      (e): e is RunEvent => e.type !== 'weightsSnapshot' && e.type !== 'weightsLoaded',
    );
  }
  readonly session: RunSession;
  private readonly queue: (() => void)[] = [];
  private version = 0;

  constructor(
    opts: { msPerRead?: number; sliceMs?: number; readBundled?: ReadBundled; readText?: ReadText } = {},
  ) {
    this.clock = new ReadTickingClock(opts.msPerRead ?? 2);
    this.session = new RunSession({
      emit: (e) => this.events.push(e),
      defer: (fn) => this.queue.push(fn),
      clock: this.clock,
      sliceMs: opts.sliceMs ?? 20,
      readBundled: opts.readBundled,
      readText: opts.readText,
    });
  }

  send(msg: ToWorker | Record<string, unknown>): void {
    this.session.receive(msg);
  }

  document(doc: GraphDoc | null): void {
    this.send({ type: 'document', doc, version: ++this.version, baseDir: null });
  }

  /** Runs up to `n` deferred tasks (time slices), firing due timers after each. */
  runTasks(n: number): number {
    let ran = 0;
    while (ran < n && this.queue.length) {
      this.queue.shift()!();
      this.clock.fireDue();
      ran++;
    }
    return ran;
  }

  /** Runs deferred tasks until `done()` holds (checked before each); false if they ran out first. */
  runUntil(done: () => boolean, max = 100_000): boolean {
    for (let i = 0; i < max; i++) {
      if (done()) return true;
      if (this.runTasks(1) === 0) return false;
    }
    return done();
  }

  get pendingTasks(): number {
    return this.queue.length;
  }

  of<T extends FromWorker['type']>(type: T): Extract<FromWorker, { type: T }>[] {
    return this.events.filter((e): e is Extract<FromWorker, { type: T }> => e.type === type);
  }

  get status(): RunStatus {
    const s = this.of('runStatus');
    assert.ok(s.length > 0, 'no runStatus yet');
    return s[s.length - 1]!.status;
  }

  /** Every batch loss reported so far, in step order. */
  get losses(): { step: number; loss: number }[] {
    return this.of('runMetrics').flatMap((m) =>
      Array.from(m.trace.steps, (step, i) => ({ step, loss: m.trace.loss[i]! })),
    );
  }

  clear(): void {
    this.events.length = 0;
  }
}
