/**
 * Work done in time slices: a slice runs pieces of the work for ~sliceMs, then yields through the
 * injected `defer` (setImmediate in the worker) so that the messages waiting (pause, reset,
 * cancel, dispose) get through between slices. Training and the tasks (gradient check, analyses)
 * both run this way, through the one loop below.
 */
import type { Clock } from '../train/throttle.js';

export interface SliceHost {
  clock: Clock;
  /** Length of a slice in ms. */
  sliceMs: number;
  /** Runs `fn` soon, after the messages that are waiting. */
  defer(fn: () => void): void;
  /** True once nothing may run any more (the session was disposed). */
  stopped(): boolean;
}

export interface SlicedWork {
  /** Whether there is work to do now (checked as a slice begins). */
  ready(): boolean;
  /** Does one piece; false when the work stopped (finished, paused, answered...). */
  step(): boolean;
  /** A slice used its time with work left: offer updates before the next one is queued. */
  yielded(): void;
  /** A piece threw: the work is over. */
  failed(e: unknown): void;
}

/** `fn` run soon through `host.defer`, queued at most once at a time, never once stopped. */
export function deferOnce(host: Pick<SliceHost, 'defer' | 'stopped'>, fn: () => void): () => void {
  let queued = false;
  return () => {
    if (queued || host.stopped()) return;
    queued = true;
    host.defer(() => {
      queued = false;
      fn();
    });
  };
}

/** The function that (re)starts `work`: slice after slice until it stops or is not ready. */
export function timeSliced(host: SliceHost, work: SlicedWork): () => void {
  const schedule = deferOnce(host, () => {
    if (host.stopped() || !work.ready()) return;
    try {
      const end = host.clock.now() + host.sliceMs;
      do if (!work.step()) return;
      while (host.clock.now() < end);
    } catch (e) {
      return work.failed(e);
    }
    work.yielded();
    schedule();
  });
  return schedule;
}
