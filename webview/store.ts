/**
 * A small store, the core of zustand without the dependency: state read with `getState`, changed
 * with `setState` (a patch merged in; listeners hear only of a real change) and watched with
 * `subscribe`. `useStore` reads a slice in React through useSyncExternalStore, re-rendering only
 * when that slice changes (by identity): a selector must return a primitive or an object the store holds.
 */
import React from 'react';

export interface Store<T extends object> {
  getState(): T;
  setState(patch: Partial<T> | ((state: T) => Partial<T>)): void;
  /** Calls `listener` after every change, with the new state and the one before; returns the way to stop. */
  subscribe(listener: (state: T, previous: T) => void): () => void;
}

export function createStore<T extends object>(initial: T): Store<T> {
  let state = initial;
  const listeners = new Set<(state: T, previous: T) => void>();
  return {
    getState: () => state,
    setState(patch) {
      const changes = typeof patch === 'function' ? patch(state) : patch;
      const keys = Object.keys(changes) as (keyof T)[];
      if (keys.every((k) => Object.is(changes[k], state[k]))) return;
      const previous = state;
      state = { ...state, ...changes };
      for (const listener of listeners) listener(state, previous);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

export function useStore<T extends object, U>(store: Store<T>, selector: (state: T) => U): U {
  return React.useSyncExternalStore(store.subscribe, () => selector(store.getState()));
}
