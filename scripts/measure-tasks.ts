/**
 * The gradient check and the analyses in the real engine worker thread (driven through
 * RunController, as the editor drives it) on bigger examples: how long each takes, how many
 * progress events arrive, and how long a Cancel takes to be answered when sent midway.
 *
 *   npx tsx scripts/measure-tasks.ts [example ...]     (default: cnn-digits circles-deep)
 *
 * Times are wall-clock on this machine, under whatever else it is doing; the cancel latency is
 * bounded by one time slice (~40 ms) plus the longest indivisible step of the task.
 */
import { RunController } from '../extension/run/run-controller.js';
import { spawnEngineWorker } from '../extension/run/worker-thread.js';
import type { RunEvent, TaskKind } from '../engine/run/protocol.js';
import { exampleDoc } from '../test/engine/run/harness.js';
import { buildWorker } from '../test/extension/worker/worker-bundle.js';

const examples = process.argv.length > 2 ? process.argv.slice(2) : ['cnn-digits', 'circles-deep'];
const RESULT = { gradcheck: 'gradcheckResult', analyze: 'analysisResult' } as const;

class Session {
  readonly posted: { at: number; e: RunEvent }[] = [];
  private waiters: (() => void)[] = [];
  readonly controller: RunController;

  constructor(script: string) {
    this.controller = new RunController({
      spawn: () => spawnEngineWorker(script),
      post: (e) => {
        this.posted.push({ at: performance.now(), e });
        for (const w of this.waiters) w();
      },
    });
  }

  /** The first event from index `from` on that passes `match`, with when it arrived. */
  next(from: number, match: (e: RunEvent) => boolean): Promise<{ at: number; e: RunEvent }> {
    return new Promise((resolve) => {
      const check = () => {
        const hit = this.posted.slice(from).find((p) => match(p.e));
        if (!hit) return;
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(hit);
      };
      this.waiters.push(check);
      check();
    });
  }
}

let id = 0;

async function whole(s: Session, kind: TaskKind): Promise<string> {
  const requestId = ++id;
  const from = s.posted.length;
  const t0 = performance.now();
  s.controller.request({ type: kind, requestId });
  const done = await s.next(from, (e) => e.type === RESULT[kind] || e.type === 'runRejected');
  if (done.e.type === 'runRejected') return `${kind}: rejected (${done.e.reason})`;
  const progress = s.posted.slice(from).filter((p) => p.e.type === 'taskProgress');
  // The first progress comes after the setup (compiling a float64 copy, the first pass); then the
  // gaps between events say how steadily the worker reports (throttled to ~20 a second).
  const first = progress.length ? (progress[0]!.at - t0).toFixed(0) : '–';
  const gaps = progress.slice(1).map((p, i) => p.at - progress[i]!.at);
  return `${kind}: ${(done.at - t0).toFixed(0)} ms in all, ${progress.length} progress events (first after ${first} ms, then at most ${Math.max(0, ...gaps).toFixed(0)} ms apart)`;
}

async function cancelled(s: Session, kind: TaskKind): Promise<string> {
  const requestId = ++id;
  const from = s.posted.length;
  s.controller.request({ type: kind, requestId });
  // Midway: at the first progress event past a third of the work.
  const mid = await s.next(
    from,
    (e) => e.type === 'taskProgress' && e.requestId === requestId && e.done >= e.total / 3,
  );
  const t0 = performance.now();
  s.controller.request({ type: 'cancelTask', requestId });
  const answer = await s.next(from, (e) => e.type === 'taskCancelled' || e.type === RESULT[kind]);
  const p = mid.e.type === 'taskProgress' ? mid.e : null;
  return `${kind}: Cancel at ${p?.done}/${p?.total} (${p?.label}) answered '${answer.e.type === 'taskCancelled' ? answer.e.reason : answer.e.type}' after ${(answer.at - t0).toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const script = await buildWorker();
  for (const name of examples) {
    const s = new Session(script);
    try {
      s.controller.setDocument(exampleDoc(name), 1, null);
      // The thread is up and has compiled the document ahead of Play (its first status says so).
      await s.next(0, (e) => e.type === 'runStatus' && e.status.batchesPerEpoch > 0);
      console.log(`${name}`);
      for (const kind of ['gradcheck', 'analyze'] as const) {
        console.log(`  ${await whole(s, kind)}`);
        console.log(`  ${await cancelled(s, kind)}`);
      }
    } finally {
      s.controller.dispose();
    }
  }
}

void main();
