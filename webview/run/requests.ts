/**
 * The run requests the panel sends, each posted to the host and (for the ones answered by a
 * requestId) recorded in the store as pending, so buttons can show that an answer is on its way.
 */
import React from 'react';
import type { RunAction, RunOptions, TaskKind, TraceAction } from '../../engine/run/protocol.js';
import type { StepTarget } from '../../engine/autodiff/step-through.js';
import { useHost, type HostChannel } from '../host.js';
import type { RunStore } from './run-store.js';
import { useRunStore } from './use-run.js';

export interface RunRequests {
  run(action: RunAction): void;
  trace(action: TraceAction): void;
  traceTo(target: StepTarget): void;
  gradcheck(): void;
  analyze(): void;
  /** Stops the pending gradient check or analysis (it answers taskCancelled). */
  cancelTask(kind: TaskKind): void;
  options(options: RunOptions): void;
}

export function runRequests(store: RunStore, host: HostChannel): RunRequests {
  const pending = (kind: 'trace' | 'gradcheck' | 'analyze') => {
    const requestId = host.newRequestId();
    store.dispatch({ type: 'requested', kind, requestId });
    return requestId;
  };
  return {
    run: (action) => host.post({ type: 'run', action }),
    trace: (action) => host.post({ type: 'trace', requestId: pending('trace'), action }),
    traceTo: (target) => host.post({ type: 'traceTo', requestId: pending('trace'), target }),
    gradcheck: () => host.post({ type: 'gradcheck', requestId: pending('gradcheck') }),
    analyze: () => host.post({ type: 'analyze', requestId: pending('analyze') }),
    cancelTask(kind) {
      const requestId = store.getState().pending[kind];
      if (requestId !== null) host.post({ type: 'cancelTask', requestId });
    },
    options(options) {
      store.dispatch({ type: 'setOptions', options });
      host.post({ type: 'runOptions', options });
    },
  };
}

/** The requests, bound to the store of the surrounding RunStoreContext and App's host channel. */
export function useRunRequests(): RunRequests {
  const store = useRunStore();
  const host = useHost();
  return React.useMemo(() => runRequests(store, host), [store, host]);
}
