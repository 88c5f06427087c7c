/**
 * The webview's root: the handshake with the host, the document it sends, and what to show for
 * it (the graph editor, or the reasons a broken file can't be shown and a way to the text).
 */
import React from 'react';
import { ReactFlowProvider } from 'reactflow';
import { assertNever, type DocumentState, type HostToWebview } from '../extension/protocol.js';
import type { GraphEdit } from '../engine/graph/edits.js';
import { newRequestId, onHostMessage, postToHost } from './host.js';
import { GraphEditor } from './GraphEditor.js';
import { BrokenDocument } from './BrokenDocument.js';

export function App(): React.JSX.Element {
  const [state, setState] = React.useState<DocumentState | null>(null);
  const [notice, setNotice] = React.useState<string | null>(null);

  React.useEffect(() => {
    const off = onHostMessage((msg: HostToWebview) => {
      switch (msg.type) {
        case 'init':
        case 'docChanged':
          setState({ doc: msg.doc, diagnostics: msg.diagnostics, version: msg.version });
          return;
        case 'editRejected':
          setNotice(`Not changed: ${msg.reason}`);
          return;
        case 'runStatus':
        case 'runMetrics':
        case 'runStats':
        case 'runDataset':
        case 'runPrediction':
        case 'traceStep':
        case 'gradcheckResult':
        case 'analysisResult':
          return; // the run panel (issue #5) is not mounted yet
        case 'runRejected':
          setNotice(msg.reason);
          return;
        default:
          assertNever(msg);
      }
    });
    postToHost({ type: 'ready' });
    return off;
  }, []);

  React.useEffect(() => {
    if (!notice) return;
    const t = window.setTimeout(() => setNotice(null), 6000);
    return () => window.clearTimeout(t);
  }, [notice]);

  const onEdit = React.useCallback((edit: GraphEdit) => {
    postToHost({ type: 'edit', requestId: newRequestId(), edit });
  }, []);

  if (!state) return <div className="loading">Loading graph…</div>;
  return (
    <>
      {state.doc ? (
        <ReactFlowProvider>
          <GraphEditor doc={state.doc} diagnostics={state.diagnostics} onEdit={onEdit} onNotice={setNotice} />
        </ReactFlowProvider>
      ) : (
        <BrokenDocument diagnostics={state.diagnostics} />
      )}
      {notice ? (
        <div className="notice" role="status" data-testid="notice" onClick={() => setNotice(null)}>
          {notice}
        </div>
      ) : null}
    </>
  );
}
