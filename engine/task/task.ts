/**
 * Long computations (the gradient check, the analyses) written once, as generators that yield
 * their progress between small pieces of work. Whoever runs one decides when to pause: the CLI
 * and the tests run it to the end at once (`runTask`), the engine worker runs it in time slices
 * so that messages get through between them (engine/run/tasks.ts), and anyone may abandon
 * it midway with `abandon(task)`, which runs its `finally` blocks (restoring what it changed).
 */

/** How far a task is: `done` of `total` units of work, and what it is doing in words. */
export interface TaskProgress {
  done: number;
  total: number;
  label: string;
}

/** Progress as a whole percentage (0–100, rounded down: 100 only when done), for people. */
export function taskPercent(p: { done: number; total: number }): number {
  return Math.max(0, Math.min(100, Math.floor((100 * p.done) / Math.max(1, p.total))));
}

/** A computation that yields its progress between pieces of work and returns its result. */
export type Task<R> = Generator<TaskProgress, R, void>;

/** Runs a task to its end and returns its result. */
export function runTask<R>(task: Task<R>): R {
  for (;;) {
    const r = task.next();
    if (r.done) return r.value;
  }
}

/**
 * A task run as one part of a bigger one: its progress mapped by `map` (to the whole's units and
 * label). Abandoning the whole abandons the part too (its `finally` blocks run).
 */
export function* subtask<R>(part: Task<R>, map: (p: TaskProgress) => TaskProgress): Task<R> {
  try {
    for (;;) {
      const r = part.next();
      if (r.done) return r.value;
      yield map(r.value);
    }
  } finally {
    abandon(part);
  }
}

/**
 * Stops a task where it stands, running its `finally` blocks (a no-op when it has finished or
 * thrown). The value return() asks for is never seen by anyone, hence the cast.
 */
export function abandon<R>(task: Task<R>): void {
  task.return(undefined as R);
}

/**
 * Parts of one task, each weighted by the units of work it is expected to take, so that progress
 * is counted over the whole: `plan.part(i, task)` scales the i-th part's own done/total to its
 * units (a part may end up doing less than planned, e.g. an iteration that converges early) and
 * labels it `${title}: ${part's label}`.
 */
export class TaskPlan {
  private readonly offsets: number[] = [];
  readonly total: number;

  constructor(private readonly parts: readonly { title: string; units: number }[]) {
    let sum = 0;
    for (const p of parts) {
      this.offsets.push(sum);
      sum += p.units;
    }
    this.total = Math.max(1, sum);
  }

  part<R>(index: number, task: Task<R>): Task<R> {
    const { title, units } = this.parts[index]!;
    const offset = this.offsets[index]!;
    return subtask(task, (p) => ({
      done: offset + (p.total > 0 ? Math.floor((units * Math.min(p.done, p.total)) / p.total) : 0),
      total: this.total,
      label: p.label ? `${title}: ${p.label}` : title,
    }));
  }

  /** The progress at the start of part `index` (for parts that are one indivisible piece). */
  at(index: number, label?: string): TaskProgress {
    const { title } = this.parts[index]!;
    return { done: this.offsets[index]!, total: this.total, label: label ? `${title}: ${label}` : title };
  }
}
