/**
 * The gradient check and the analyses as a run session runs them: one task at a time, in time
 * slices (time-slices.ts) with throttled progress, answered by the event its steps return; a
 * task that throws is answered with runRejected, one that is cancelled with taskCancelled saying
 * why. What cancels a task is the session's policy (run-session.ts); this only carries it out.
 */
import { abandon, type Task, type TaskProgress } from '../task/task.js';
import { userMessage } from '../errors/user-error.js';
import { timeSliced, type SliceHost } from './time-slices.js';
import type { RunPublisher } from './publisher.js';
import type { FromWorker, RunEvent, TaskKind } from './protocol.js';

/** What each task is called in the messages that say it stopped. */
const TASK_TITLE: Readonly<Record<TaskKind, string>> = { gradcheck: 'Gradient check', analyze: 'Analysis' };

/** The gradient check or analysis in progress: its steps return the event that answers it. */
export interface RunningTask {
  requestId: number;
  kind: TaskKind;
  steps: Task<RunEvent>;
  progress: TaskProgress | null;
}

export class TaskRunner {
  private task: RunningTask | null = null;
  private readonly schedule: () => void;

  /** `progress`: the throttled progress events (publisher.ts), which read the task back from here. */
  constructor(
    host: SliceHost,
    private readonly emit: (event: FromWorker) => void,
    private readonly progress: Pick<RunPublisher, 'offerTaskProgress' | 'cancelTaskProgress'>,
  ) {
    this.schedule = timeSliced(host, {
      ready: () => this.task !== null,
      step: () => {
        const task = this.task!;
        const r = task.steps.next();
        if (!r.done) {
          task.progress = r.value;
          return true;
        }
        this.end();
        this.emit(r.value);
        return false;
      },
      yielded: () => this.progress.offerTaskProgress(),
      failed: (e) => {
        const task = this.end();
        if (!task) return;
        const reason = `${TASK_TITLE[task.kind]} stopped: ${userMessage(e)}`;
        this.emit({ type: 'runRejected', requestId: task.requestId, reason });
      },
    });
  }

  get current(): RunningTask | null {
    return this.task;
  }

  start(requestId: number, kind: TaskKind, steps: Task<RunEvent>): void {
    this.task = { requestId, kind, steps, progress: null };
    this.schedule();
  }

  /** Stops the task in progress, if any, and answers it with why ('by Reset'; nothing: asked to). */
  cancel(why?: string): void {
    const task = this.end();
    if (!task) return;
    abandon(task.steps);
    const { requestId, kind } = task;
    const reason = `${TASK_TITLE[kind]} cancelled${why ? ` ${why}` : ''}.`;
    this.emit({ type: 'taskCancelled', requestId, kind, reason });
  }

  /** Stops the task in progress without a word (the session ends). */
  abandon(): void {
    const task = this.end();
    if (task) abandon(task.steps);
  }

  /** Forgets the task in progress (its steps are not run again); returns it. */
  private end(): RunningTask | null {
    const task = this.task;
    this.task = null;
    this.progress.cancelTaskProgress();
    return task;
  }
}
