/**
 * The webview's small store and the editor's state in it: a patch that changes nothing is not a
 * change; the view (selection, viewport) is saved by one subscriber, merged into the state VS Code
 * keeps, and read back by the next page; a document from the host is not view state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore } from '../../../webview/store.js';
import { createHostChannel, type PersistedState } from '../../../webview/host.js';
import { createEditorStore, saveViewState, showDocument } from '../../../webview/editor/editor-store.js';
import type { GraphDoc } from '../../../engine/graph/document.js';

test('setState merges a patch and tells the listeners once, with the state before; an equal patch tells no one', () => {
  const store = createStore({ a: 1, b: [1] as readonly number[] });
  const heard: [number, number][] = [];
  const stop = store.subscribe((s, prev) => heard.push([s.a, prev.a]));
  store.setState({ a: 2 });
  store.setState((s) => ({ a: s.a + 1 }));
  const b = store.getState().b;
  store.setState({ a: 3, b });
  assert.deepEqual(heard, [
    [2, 1],
    [3, 2],
  ]);
  assert.equal(store.getState().b, b, 'the untouched part is the same object');
  stop();
  store.setState({ a: 4 });
  assert.equal(heard.length, 2, 'an unsubscribed listener hears nothing');
});

/** VS Code's webview API as the harness stubs it: messages recorded, state kept as JSON. */
function stubApi(initial?: PersistedState) {
  let kept: unknown = initial === undefined ? undefined : JSON.parse(JSON.stringify(initial));
  const posted: unknown[] = [];
  return {
    posted,
    kept: () => kept as PersistedState,
    api: {
      postMessage: (m: unknown) => posted.push(m),
      getState: () => kept,
      // As VS Code's: the state given is returned.
      setState: (s: unknown) => {
        kept = JSON.parse(JSON.stringify(s));
        return s;
      },
    },
  };
}

const doc: GraphDoc = {
  format: 'backprop-studio.graph',
  version: 1,
  nodes: [{ id: 'x', op: 'input', attrs: { features: 2 }, position: { x: 0, y: 0 } }],
  edges: [],
  training: {
    dataset: { kind: 'spiral' },
    optimizer: { kind: 'adam', lr: 0.01 },
    batchSize: 32,
    epochs: 1,
  },
};

test('the selection and viewport are saved by one subscriber, beside the rest of the kept state', () => {
  const stub = stubApi({ runDock: { height: 200, tab: 'train', collapsed: false } });
  const host = createHostChannel(stub.api);
  const store = createEditorStore(host.loadState());
  const stop = saveViewState(store, host);
  showDocument(store, { doc, diagnostics: [], shapes: [['x', ['N', 2]]], version: 1 });
  assert.deepEqual(
    stub.kept(),
    { runDock: { height: 200, tab: 'train', collapsed: false } },
    'a document is not view state',
  );
  assert.deepEqual(store.getState().shapes.get('x'), ['N', 2]);
  store.setState({ selection: ['x'] });
  store.setState({ viewport: { x: 10, y: -5, zoom: 0.8 } });
  assert.deepEqual(stub.kept(), {
    runDock: { height: 200, tab: 'train', collapsed: false },
    selection: ['x'],
    viewport: { x: 10, y: -5, zoom: 0.8 },
  });
  stop();

  // The next page (a reload) starts from what was kept.
  const again = createEditorStore(createHostChannel(stub.api).loadState());
  assert.deepEqual(again.getState().selection, ['x']);
  assert.deepEqual(again.getState().viewport, { x: 10, y: -5, zoom: 0.8 });
  assert.equal(again.getState().loaded, false, 'nothing is shown before the host says init');
});

test('a kept viewport that is not one (webview state is untyped JSON) is not restored', () => {
  const stub = stubApi({ viewport: { x: 0, y: 0, zoom: 0 }, selection: 'x' as unknown as string[] });
  const store = createEditorStore(createHostChannel(stub.api).loadState());
  assert.equal(store.getState().viewport, undefined);
  assert.deepEqual(store.getState().selection, []);
});

test('the host channel posts through the API it was given and numbers requests from 1', () => {
  const stub = stubApi();
  const host = createHostChannel(stub.api);
  assert.deepEqual(host.loadState(), {}, 'nothing kept yet');
  host.post({ type: 'ready' });
  assert.deepEqual(stub.posted, [{ type: 'ready' }]);
  assert.deepEqual([host.newRequestId(), host.newRequestId()], [1, 2]);
});
