/**
 * The webview's root: the handshake with the host, the stores the host's messages go into (the
 * editor's document and view, the run), and what to show for the document (the graph editor, or
 * the reasons a broken file can't be shown and a way to the text).
 */
import React from 'react';
import { ReactFlowProvider } from 'reactflow';
import { assertNever, type HostToWebview } from '../extension/protocol.js';
import type { GraphEdit } from '../engine/graph/edits.js';
import { HostContext, type HostChannel } from './host.js';
import { GraphEditor } from './editor/GraphEditor.js';
import { createEditorStore, EditorStoreContext, saveViewState, showDocument } from './editor/editor-store.js';
import { BrokenDocument } from './BrokenDocument.js';
import { useStore } from './store.js';
import { createRunStore, INITIAL_RUN_STATE, restoreRunView } from './run/run-store.js';
import { RunStoreContext } from './run/use-run.js';

export function App(props: { host: HostChannel }): React.JSX.Element {
  const { host } = props;
  // One editor store and one run store for the life of the webview: the selection, the viewport and
  // the run outlive documents that fail to parse. Both start from the webview state of an earlier
  // page (a reload, or a tab shown again).
  const [editor] = React.useState(() => createEditorStore(host.loadState()));
  React.useEffect(() => saveViewState(editor, host), [editor, host]);
  // Run events arrive up to ~60 a second; listeners hear of them once per animation frame, so the
  // page (which shares its thread with the VS Code workbench in a browser) never falls behind.
  const [runStore] = React.useState(() =>
    createRunStore({ ...INITIAL_RUN_STATE, ...restoreRunView(host.loadState().runView) }, (deliver) =>
      window.requestAnimationFrame(deliver),
    ),
  );
  React.useEffect(() => {
    let saved = runStore.getState();
    return runStore.subscribe(() => {
      const { view, options } = runStore.getState();
      if (view === saved.view && options === saved.options) return;
      saved = runStore.getState();
      host.saveState({ runView: { view, options } });
    });
  }, [runStore, host]);
  const [notice, setNotice] = React.useState<string | null>(null);

  React.useEffect(() => {
    const off = host.onMessage((msg: HostToWebview) => {
      switch (msg.type) {
        case 'init':
          // Tell the worker what this panel shows (a reloaded webview may differ from its defaults).
          host.post({ type: 'runOptions', options: runStore.getState().options });
          showDocument(editor, msg);
          return;
        case 'docChanged':
          showDocument(editor, msg);
          return;
        case 'editRejected':
          setNotice(`Not changed: ${msg.reason}`);
          return;
        case 'runStatus':
        case 'runMetrics':
        case 'runStats':
        case 'runDataset':
        case 'runPrediction':
        case 'runImages':
        case 'traceStep':
        case 'gradcheckResult':
        case 'analysisResult':
        case 'taskProgress':
        case 'taskCancelled':
        case 'runRejected':
          // A refusal is shown by the run panel (run-store.ts keeps it until it is dismissed).
          runStore.dispatch(msg);
          return;
        default:
          assertNever(msg);
      }
    });
    host.post({ type: 'ready' });
    return off;
  }, [editor, runStore, host]);

  React.useEffect(() => {
    if (!notice) return;
    const t = window.setTimeout(() => setNotice(null), 6000);
    return () => window.clearTimeout(t);
  }, [notice]);

  const onEdit = React.useCallback(
    (edit: GraphEdit) => host.post({ type: 'edit', requestId: host.newRequestId(), edit }),
    [host],
  );

  const loaded = useStore(editor, (s) => s.loaded);
  const doc = useStore(editor, (s) => s.doc);
  const diagnostics = useStore(editor, (s) => s.diagnostics);
  if (!loaded) return <div className="loading">Loading graph…</div>;
  return (
    <HostContext.Provider value={host}>
      <EditorStoreContext.Provider value={editor}>
        <RunStoreContext.Provider value={runStore}>
          {doc ? (
            <ReactFlowProvider>
              <GraphEditor doc={doc} onEdit={onEdit} onNotice={setNotice} />
            </ReactFlowProvider>
          ) : (
            <BrokenDocument diagnostics={diagnostics} />
          )}
          {notice ? (
            <div className="notice" role="status" data-testid="notice" onClick={() => setNotice(null)}>
              {notice}
            </div>
          ) : null}
        </RunStoreContext.Provider>
      </EditorStoreContext.Provider>
    </HostContext.Provider>
  );
}
