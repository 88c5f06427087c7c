/**
 * A test page that mounts the Analyses view alone, wired to the host the way the run panel wires
 * it: Analyze posts an `analyze` request, the matching `analysisResult` (or `runRejected`) ends it.
 * Bundled by test/webview/analysis.test.ts in place of the editor (harness `buildWebview(…, entry)`).
 */
import '../../webview/styles.css';
import React from 'react';
import { createRoot } from 'react-dom/client';
import type { AnalysisReport } from '../../engine/analysis/report.js';
import { newRequestId, onHostMessage, postToHost } from '../../webview/host.js';
import { AnalysisView } from '../../webview/analysis/AnalysisView.js';

function AnalysisPage(): React.JSX.Element {
  const [report, setReport] = React.useState<AnalysisReport | null>(null);
  const [pending, setPending] = React.useState<number | null>(null);
  const [selected, setSelected] = React.useState<string | null>(null);
  React.useEffect(
    () =>
      onHostMessage((msg) => {
        if (msg.type === 'analysisResult') {
          setReport(msg.report);
          setPending((p) => (p === msg.requestId ? null : p));
        } else if (msg.type === 'runRejected') setPending((p) => (p === msg.requestId ? null : p));
      }),
    [],
  );
  const analyze = React.useCallback(() => {
    const requestId = newRequestId();
    setPending(requestId);
    postToHost({ type: 'analyze', requestId });
  }, []);
  return (
    <>
      <div data-testid="page-selected" style={{ position: 'fixed', right: 4, bottom: 4 }}>
        {selected ?? ''}
      </div>
      <AnalysisView
        report={report}
        requesting={pending !== null}
        onAnalyze={analyze}
        onSelectNode={setSelected}
      />
    </>
  );
}

postToHost({ type: 'ready' });
createRoot(document.getElementById('root')!).render(<AnalysisPage />);
