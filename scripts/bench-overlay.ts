// Training speed in the editor against headless `train` (`npm run bench:overlay [example ...]`,
// default spiral): steps per second of the engine worker's RunSession loop on
// examples/<example>.nngraph.json with every view on (the overlay, the prediction with the hidden
// units, and for an image classifier such as mnist-lenet the Images view with a picked sample; the
// real clock, real throttling at 20 updates a second, every event passed through structuredClone
// as postMessage does), and of Trainer.run on the same graph and seed. Issue #5 asks for a ratio of at least 0.80. A measurement to report, not a test: the
// machine's load moves both numbers, so the runs alternate, the best of each is compared, and
// steps per CPU second (this process's user + system time) are given beside the wall-clock rate.
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGraph } from '../engine/graph/parse.js';
import { prepareTraining } from '../engine/train/session.js';
import { RunSession } from '../engine/run/run-session.js';
import { realClock } from '../engine/train/throttle.js';
import type { GraphDoc } from '../engine/graph/document.js';
import type { FromWorker } from '../engine/run/protocol.js';
import { readBundledFile } from '../engine/io/bundled-data.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
/** The example's own epochs unless EPOCHS says otherwise (longer runs show the steady state). */
const EPOCHS = process.env.EPOCHS ? Number(process.env.EPOCHS) : undefined;
/** Epochs where the example's own would take minutes a round. */
const SHORT: Record<string, number> = { 'mnist-lenet': 1, 'mnist-mlp': 2 };

function example(name: string): GraphDoc {
  const text = readFileSync(join(__dirname, '..', 'examples', `${name}.nngraph.json`), 'utf8');
  const { doc, diagnostics } = parseGraph(text);
  if (!doc) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return doc;
}

interface Measured {
  steps: number;
  /** Wall time. */
  seconds: number;
  /** CPU time of this process (user + system): what the run itself cost, whatever else the machine runs. */
  cpuSeconds: number;
  events?: Record<string, number>;
  bytes?: number;
}

/** Trainer.run alone (compiling and loading the data are not timed, in either case). */
function headless(doc: GraphDoc): Measured {
  const { trainer } = prepareTraining(doc, { readBundled: readBundledFile });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = trainer.run();
  return { steps: r.steps, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSince(c0) };
}

/** Bytes a structured clone carries, roughly: the typed arrays' bytes plus the JSON of the rest. */
function payloadBytes(e: FromWorker): number {
  let typed = 0;
  const json = JSON.stringify(e, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v)) {
      typed += v.byteLength;
      return null;
    }
    return v;
  });
  return typed + json.length;
}

function inEditor(doc: GraphDoc): Promise<Measured> {
  return new Promise((resolve) => {
    const events: Record<string, number> = {};
    let bytes = 0;
    let t0 = 0;
    let c0 = process.cpuUsage();
    const session: RunSession = new RunSession({
      clock: realClock,
      defer: (fn) => void setImmediate(fn),
      readBundled: readBundledFile,
      emit: (e) => {
        structuredClone(e);
        events[e.type] = (events[e.type] ?? 0) + 1;
        bytes += payloadBytes(e);
        if (e.type === 'runStatus' && (e.status.phase === 'finished' || e.status.phase === 'failed')) {
          const seconds = (performance.now() - t0) / 1000;
          const cpuSeconds = cpuSince(c0);
          session.dispose();
          resolve({ steps: e.status.step, seconds, cpuSeconds, events, bytes });
        }
      },
    });
    session.receive({
      type: 'runOptions',
      options: { overlay: true, prediction: true, hiddenUnits: true, images: true, pickedSample: 0 },
    });
    session.receive({ type: 'document', doc, version: 1, baseDir: null });
    // Let the idle session compile the document (as it does while the user looks at the graph).
    setTimeout(() => {
      t0 = performance.now();
      c0 = process.cpuUsage();
      session.receive({ type: 'run', action: 'play' });
    }, 50);
  });
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

const rate = (m: Measured) => m.steps / m.seconds;
const cpuRate = (m: Measured) => m.steps / m.cpuSeconds;

async function bench(name: string): Promise<void> {
  const base = example(name);
  const epochs = EPOCHS ?? SHORT[name];
  const doc = epochs ? { ...base, training: { ...base.training, epochs } } : base;
  headless({ ...doc, training: { ...doc.training, epochs: Math.min(10, doc.training.epochs) } }); // warm up the JIT
  const a: Measured[] = [];
  const b: Measured[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    a.push(headless(doc));
    b.push(await inEditor(doc));
    console.log(
      `round ${i + 1}: headless ${rate(a[i]!).toFixed(0)} steps/s (${cpuRate(a[i]!).toFixed(0)} per CPU s), ` +
        `editor loop ${rate(b[i]!).toFixed(0)} steps/s (${cpuRate(b[i]!).toFixed(0)} per CPU s)`,
    );
  }
  const best = (ms: Measured[], r: (m: Measured) => number) => Math.max(...ms.map(r));
  const e = b.reduce((x, y) => (cpuRate(y) > cpuRate(x) ? y : x));
  console.log(
    `${name}: ${e.steps} steps of batch ${doc.training.batchSize} (${doc.training.epochs} epochs), best of ${ROUNDS}`,
  );
  console.log(
    `headless Trainer.run:             ${best(a, rate).toFixed(0)} steps/s wall, ${best(a, cpuRate).toFixed(0)} steps per CPU second`,
  );
  console.log(
    `RunSession, every view on:        ${best(b, rate).toFixed(0)} steps/s wall, ${best(b, cpuRate).toFixed(0)} steps per CPU second`,
  );
  console.log(`  events ${JSON.stringify(e.events)}, ${(e.bytes! / 1024).toFixed(0)} KiB cloned`);
  console.log(
    `ratio ${(best(b, cpuRate) / best(a, cpuRate)).toFixed(2)} by CPU time, ${(best(b, rate) / best(a, rate)).toFixed(2)} by wall time (goal ≥ 0.80)`,
  );
}

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  for (const name of names.length ? names : ['spiral']) await bench(name);
}

void main();
