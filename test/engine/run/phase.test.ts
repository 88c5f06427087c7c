/** The run's phase machine (engine/run/phase.ts), a pure function: every case that matters, by name. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextPhase, type PhaseEvent, type PhaseOutcome } from '../../../engine/run/phase.js';
import type { RunPhase } from '../../../engine/run/protocol.js';

const moved = (phase: RunPhase, newRun = false): PhaseOutcome => ({ kind: 'moved', phase, newRun });
const unchanged: PhaseOutcome = { kind: 'unchanged' };
const refused = (reason: string): PhaseOutcome => ({ kind: 'refused', reason });
const FINISHED = 'The run is finished: press Reset to train again.';

const cases: [RunPhase, boolean, PhaseEvent, PhaseOutcome][] = [
  ['idle', false, 'play', moved('running', true)],
  ['paused', true, 'play', moved('running')],
  ['running', true, 'play', unchanged],
  ['finished', true, 'play', refused(FINISHED)],
  ['failed', true, 'play', moved('running', true)],
  ['idle', false, 'step', moved('paused', true)],
  ['running', true, 'step', moved('paused')],
  ['finished', true, 'step', refused(FINISHED)],
  ['running', true, 'pause', moved('paused')],
  ['paused', true, 'pause', unchanged],
  ['finished', true, 'reset', moved('idle')],
  ['running', true, 'trace', moved('paused')],
  ['idle', false, 'trace', moved('paused', true)],
  ['finished', true, 'trace', unchanged],
  ['failed', true, 'trace', moved('paused', true)],
  ['failed', true, 'gradcheck', refused('The run diverged: press Reset before checking gradients.')],
  ['failed', false, 'gradcheck', moved('paused', true)],
  ['idle', false, 'gradcheck', moved('paused', true)],
  ['paused', true, 'gradcheck', unchanged],
  ['running', true, 'analyze', moved('paused')],
  ['idle', false, 'analyze', unchanged],
  ['running', true, 'weightsLoaded', moved('paused')],
  ['running', true, 'finished', moved('finished')],
  ['running', true, 'failed', moved('failed')],
  ['failed', false, 'documentChanged', moved('idle')],
  ['failed', true, 'documentChanged', unchanged],
  ['paused', true, 'documentChanged', unchanged],
];
for (const [phase, hasRun, event, expected] of cases) {
  test(`phase: ${event} when ${phase}${hasRun ? ' with a run' : ''}`, () => {
    assert.deepEqual(nextPhase({ phase, hasRun }, event), expected);
  });
}
