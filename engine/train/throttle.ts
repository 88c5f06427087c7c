/**
 * Rate-limits a stream of updates (training statistics to the webview): at most `perSecond`
 * deliveries a second, and the LAST value pushed is always delivered (late rather than never), so
 * the screen ends on the true final state. Intermediate values in a burst are dropped, not queued.
 *
 * Time comes from a Clock so that tests drive it; engine/ is pure ES2022, so the real clock looks
 * the host's timers up on globalThis (Node worker threads and browsers both have them).
 */

export interface Clock {
  /** Milliseconds, monotonic enough for spacing deliveries. */
  now(): number;
  /** Runs `fn` after `ms` milliseconds; returns a function that cancels it. */
  schedule(fn: () => void, ms: number): () => void;
}

interface TimerHost {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  schedule: (fn, ms) => {
    const host = globalThis as unknown as TimerHost;
    const handle = host.setTimeout(fn, ms);
    return () => host.clearTimeout(handle);
  },
};

export interface Throttle<T> {
  /** Offers a value: delivered now if the rate allows, else kept (replacing any older one) for later. */
  push(value: T): void;
  /** Delivers the kept value now, if any (e.g. when a run ends). */
  flush(): void;
  /** Drops the kept value and any scheduled delivery (e.g. when the editor closes). */
  cancel(): void;
  /** Whether a value is waiting to be delivered. */
  readonly pending: boolean;
}

export interface ThrottleOptions {
  /**
   * For deliveries that cost time themselves (computing a picture of the model): after one that
   * took d ms, wait at least d / costShare ms, so delivering takes at most this share of the time.
   */
  costShare?: number;
}

export function throttle<T>(
  deliver: (value: T) => void,
  perSecond: number,
  clock: Clock = realClock,
  opts: ThrottleOptions = {},
): Throttle<T> {
  if (!(Number.isFinite(perSecond) && perSecond > 0))
    throw new RangeError(`throttle: updates per second must be a positive number, got ${perSecond}`);
  const share = opts.costShare;
  if (share !== undefined && !(share > 0 && share <= 1))
    throw new RangeError(`throttle: costShare must be in (0, 1], got ${share}`);
  const interval = 1000 / perSecond;
  /** When the next delivery may happen. */
  let next = -Infinity;
  let kept: { value: T } | null = null;
  let cancelTimer: (() => void) | null = null;

  const send = (): void => {
    cancelTimer?.();
    cancelTimer = null;
    if (!kept) return;
    const { value } = kept;
    kept = null;
    const started = clock.now();
    deliver(value);
    const took = share === undefined ? 0 : clock.now() - started;
    next = started + Math.max(interval, share === undefined ? 0 : took / share);
  };

  return {
    push(value: T): void {
      kept = { value };
      const wait = next - clock.now();
      if (wait <= 0) send();
      else cancelTimer ??= clock.schedule(send, wait);
    },
    flush: send,
    cancel(): void {
      cancelTimer?.();
      cancelTimer = null;
      kept = null;
    },
    get pending(): boolean {
      return kept !== null;
    },
  };
}
