import { test } from 'node:test';
import assert from 'node:assert/strict';
import { throttle, type Clock } from '../../../engine/train/throttle.js';

/** A clock the test moves by hand; timers run when their time is reached. */
class FakeClock implements Clock {
  time = 0;
  private timers: { at: number; fn: () => void; live: boolean }[] = [];
  now(): number {
    return this.time;
  }
  schedule(fn: () => void, ms: number): () => void {
    const timer = { at: this.time + ms, fn, live: true };
    this.timers.push(timer);
    return () => void (timer.live = false);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      this.time = due.at;
      due.fn();
    }
    this.timers = this.timers.filter((t) => t.live);
    this.time = end;
  }
  get scheduled(): number {
    return this.timers.filter((t) => t.live).length;
  }
}

function recorder(clock: FakeClock): { got: { at: number; value: number }[]; deliver: (v: number) => void } {
  const got: { at: number; value: number }[] = [];
  return { got, deliver: (value) => got.push({ at: clock.now(), value }) };
}

const RATES = [
  { perSecond: 20, pushEveryMs: 1, durationMs: 1000 },
  { perSecond: 20, pushEveryMs: 7, durationMs: 2000 },
  { perSecond: 5, pushEveryMs: 3, durationMs: 1500 },
  { perSecond: 60, pushEveryMs: 1, durationMs: 500 },
];

for (const { perSecond, pushEveryMs, durationMs } of RATES) {
  test(`${perSecond}/s with a push every ${pushEveryMs} ms: spaced deliveries, the last value delivered`, () => {
    const clock = new FakeClock();
    const { got, deliver } = recorder(clock);
    const t = throttle(deliver, perSecond, clock);
    let last = 0;
    for (let at = 0; at < durationMs; at += pushEveryMs) {
      clock.advance(at - clock.now());
      t.push(++last);
    }
    clock.advance(1000);
    const interval = 1000 / perSecond;
    assert.ok(got.length <= Math.ceil(durationMs / interval) + 1, `${got.length} deliveries`);
    assert.ok(got.length >= Math.floor(durationMs / interval), `${got.length} deliveries (too few)`);
    for (let i = 1; i < got.length; i++)
      assert.ok(got[i]!.at - got[i - 1]!.at >= interval - 1e-9, `gap ${got[i]!.at - got[i - 1]!.at} ms`);
    assert.equal(got.at(-1)!.value, last, 'the last value pushed is delivered');
    assert.deepEqual(
      got.map((d) => d.value),
      [...got.map((d) => d.value)].sort((a, b) => a - b),
      'in order',
    );
    assert.equal(t.pending, false);
    assert.equal(clock.scheduled, 0);
  });
}

test('a lone value is delivered at once; a second one waits for the interval', () => {
  const clock = new FakeClock();
  const { got, deliver } = recorder(clock);
  const t = throttle(deliver, 10, clock);
  t.push(1);
  assert.deepEqual(got, [{ at: 0, value: 1 }]);
  clock.advance(30);
  t.push(2);
  assert.equal(got.length, 1);
  assert.ok(t.pending);
  clock.advance(69);
  assert.equal(got.length, 1);
  clock.advance(1);
  assert.deepEqual(got[1], { at: 100, value: 2 });
});

test('flush delivers the kept value now; cancel drops it', () => {
  const clock = new FakeClock();
  const { got, deliver } = recorder(clock);
  const t = throttle(deliver, 20, clock);
  t.push(1);
  t.push(2);
  t.flush();
  assert.deepEqual(
    got.map((d) => d.value),
    [1, 2],
  );
  assert.equal(clock.scheduled, 0, 'flush cancels the timer');
  t.flush();
  assert.equal(got.length, 2, 'nothing kept, nothing sent');
  clock.advance(10);
  t.push(3);
  t.cancel();
  clock.advance(1000);
  assert.equal(got.length, 2);
  assert.equal(t.pending, false);
});

test('costShare: after a delivery that took d ms the next waits d / share, so delivering takes at most that share', () => {
  const clock = new FakeClock();
  const got: number[] = [];
  // Each delivery takes 10 ms of the clock; at most 10 % of the time: one every 100 ms, not every 50.
  const t = throttle(
    (_value: number) => {
      got.push(clock.now());
      clock.time += 10;
    },
    20,
    clock,
    { costShare: 0.1 },
  );
  for (let at = 0; at < 1000; at += 5) {
    clock.advance(Math.max(0, at - clock.now()));
    t.push(at);
  }
  clock.advance(200);
  for (let i = 1; i < got.length; i++)
    assert.ok(got[i]! - got[i - 1]! >= 100, `gap ${got[i]! - got[i - 1]!} ms`);
  assert.ok(got.length >= 9 && got.length <= 11, `${got.length} deliveries in a second`);
  assert.throws(() => throttle(() => {}, 20, clock, { costShare: 0 }), RangeError);
  assert.throws(() => throttle(() => {}, 20, clock, { costShare: 1.5 }), RangeError);
});

for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
  test(`throttle refuses ${bad} updates per second`, () => {
    assert.throws(() => throttle(() => {}, bad, new FakeClock()), RangeError);
  });
}

test('the real clock delivers the last value after the interval', async () => {
  const got: number[] = [];
  // 20 a second: the five pushes (microseconds) fall well inside one 50 ms interval even on a busy machine.
  const t = throttle((v: number) => got.push(v), 20);
  for (let i = 1; i <= 5; i++) t.push(i);
  assert.deepEqual(got, [1]);
  const deadline = Date.now() + 5_000;
  while (got.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(got, [1, 5]);
});
