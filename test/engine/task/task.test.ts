/** engine/task: running a task, progress over a plan of parts, and abandoning a part with the whole. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abandon, runTask, TaskPlan, taskPercent, type Task } from '../../../engine/task/task.js';

/** Counts to `n` in steps of one, yielding after each; `log` records its end and cleanup. */
function* counter(n: number, log: string[] = []): Task<number> {
  try {
    for (let i = 1; i <= n; i++) yield { done: i, total: n, label: `${i}/${n}` };
    log.push('finished');
    return n;
  } finally {
    log.push('cleaned up');
  }
}

test('runTask runs a task to its end and returns its result', () => {
  const log: string[] = [];
  assert.equal(runTask(counter(5, log)), 5);
  assert.deepEqual(log, ['finished', 'cleaned up']);
});

test('a plan scales each part’s progress to its units and labels it with the part’s title', () => {
  const plan = new TaskPlan([
    { title: 'first', units: 10 },
    { title: 'second', units: 30 },
  ]);
  function* whole(): Task<number> {
    const a = yield* plan.part(0, counter(2));
    const b = yield* plan.part(1, counter(3));
    yield plan.at(1, 'closing');
    return a + b;
  }
  const seen: string[] = [];
  const w = whole();
  let r = w.next();
  for (; !r.done; r = w.next()) seen.push(`${r.value.done}/${r.value.total} ${r.value.label}`);
  assert.equal(r.value, 5);
  assert.deepEqual(seen, [
    '5/40 first: 1/2',
    '10/40 first: 2/2',
    '20/40 second: 1/3',
    '30/40 second: 2/3',
    '40/40 second: 3/3',
    '10/40 second: closing',
  ]);
});

test('abandoning the whole abandons the part it is in: the part’s finally blocks run', () => {
  const log: string[] = [];
  const plan = new TaskPlan([{ title: 'only', units: 1 }]);
  const w = plan.part(0, counter(10, log));
  w.next();
  w.next();
  abandon(w);
  assert.deepEqual(log, ['cleaned up']);
  assert.equal(w.next().done, true);
});

test('percentages are whole, rounded down, and 100 only when done', () => {
  assert.deepEqual(
    [
      { done: 0, total: 7 },
      { done: 1, total: 3 },
      { done: 999, total: 1000 },
      { done: 1000, total: 1000 },
      { done: 5, total: 0 },
    ].map(taskPercent),
    [0, 33, 99, 100, 100],
  );
});
