/**
 * The gradient check and the analyses run one at a time, only while the run is not training,
 * and whatever else the user does first cancels the one in progress: this table says which
 * messages do, and the words its taskCancelled answer gives as the reason.
 */
import type { ToWorker } from './protocol.js';

type Policy = { [K in ToWorker['type']]: ((m: Extract<ToWorker, { type: K }>) => string) | null };

/**
 * null: the message doesn't cancel by itself. A new document cancels only when what the run
 * trains changed (moving nodes doesn't), and cancelTask only the task it names: the session
 * decides those two; dispose abandons the task without a word.
 */
const CANCELLED_BY: Policy = {
  run: (m) => `by ${m.action[0]!.toUpperCase()}${m.action.slice(1)}`,
  trace: () => 'by the step-through',
  traceTo: () => 'by the step-through',
  gradcheck: () => 'by a new gradient check',
  analyze: () => 'by a new analysis',
  loadWeights: () => 'by loading weights',
  document: null,
  cancelTask: null,
  runOptions: null,
  snapshotWeights: null,
  dispose: null,
};

/** Why `msg` cancels the task in progress ('by Reset'), or null when it doesn't. */
export function cancelledBy(msg: ToWorker): string | null {
  const why = CANCELLED_BY[msg.type] as ((m: ToWorker) => string) | null;
  return why ? why(msg) : null;
}

/** The reason a new document gives when it cancels a task. */
export const CANCELLED_BY_EDIT = 'because the graph changed';
