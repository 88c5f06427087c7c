/**
 * The run store in React: App provides one store; components read a slice with `useRun(selector)`
 * and re-render only when that slice changes (by identity). A selector must return something
 * stable between changes: a primitive, or an object the store already holds.
 */
import React from 'react';
import { createRunStore, type RunState, type RunStore } from './run-store.js';

export const RunStoreContext = React.createContext<RunStore>(createRunStore());

export function useRunStore(): RunStore {
  return React.useContext(RunStoreContext);
}

export function useRun<T>(selector: (s: RunState) => T): T {
  const store = useRunStore();
  return React.useSyncExternalStore(store.subscribe, () => selector(store.getState()));
}
