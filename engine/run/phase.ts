/**
 * The run's phase machine, as a pure function: what a request or a training outcome does to the
 * phase, whether a new run must be compiled from the document first, or why it is refused.
 * RunSession (run-session.ts) carries the answer out: it starts the run, announces the phase.
 */
import type { RunAction, RunPhase } from './protocol.js';

export type PhaseEvent =
  | RunAction
  /** Step-through starts: the run holds still on a batch (a new one when there is none to hold). */
  | 'trace'
  /** A gradient check: as step-through, but a diverged run is refused (its numbers are not finite). */
  | 'gradcheck'
  /** An analysis reads the weights as they are: a running run waits (no run: it reads the document). */
  | 'analyze'
  /** A weights file was loaded into a new run, paused before its first step. */
  | 'weightsLoaded'
  /** The trainer's outcomes. */
  | 'finished'
  | 'failed'
  /** What the run trains changed: a failure to compile the old document no longer holds. */
  | 'documentChanged';

export interface PhaseState {
  phase: RunPhase;
  /** Whether a run (compiled graph and trainer) exists: idle never has one, failed may. */
  hasRun: boolean;
}

export type PhaseOutcome =
  | { kind: 'unchanged' }
  | { kind: 'refused'; reason: string }
  /** `newRun`: compile a new run from the document first (the move fails with it if it can't). */
  | { kind: 'moved'; phase: RunPhase; newRun: boolean };

const UNCHANGED: PhaseOutcome = { kind: 'unchanged' };
const FINISHED = 'The run is finished: press Reset to train again.';
const DIVERGED = 'The run diverged: press Reset before checking gradients.';

const refused = (reason: string): PhaseOutcome => ({ kind: 'refused', reason });
const moved = (phase: RunPhase, newRun = false): PhaseOutcome => ({ kind: 'moved', phase, newRun });

export function nextPhase({ phase, hasRun }: PhaseState, event: PhaseEvent): PhaseOutcome {
  // Idle has no run to go on with; a failed one can't go on: both start anew from the document.
  const fresh = phase === 'idle' || phase === 'failed';
  switch (event) {
    case 'play':
      if (phase === 'running') return UNCHANGED;
      return phase === 'finished' ? refused(FINISHED) : moved('running', fresh);
    case 'step':
      return phase === 'finished' ? refused(FINISHED) : moved('paused', fresh);
    case 'pause':
    case 'analyze':
      return phase === 'running' ? moved('paused') : UNCHANGED;
    case 'reset':
      return moved('idle');
    case 'gradcheck':
    case 'trace':
      if (event === 'gradcheck' && phase === 'failed' && hasRun) return refused(DIVERGED);
      return phase === 'running' || fresh ? moved('paused', fresh) : UNCHANGED;
    case 'weightsLoaded':
      return moved('paused');
    case 'finished':
      return moved('finished');
    case 'failed':
      return moved('failed');
    case 'documentChanged':
      return phase === 'failed' && !hasRun ? moved('idle') : UNCHANGED;
  }
}
