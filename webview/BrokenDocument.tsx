/** A file that can't be read as a graph: what is wrong, where, and the way to the text. */
import React from 'react';
import type { Diagnostic } from '../engine/graph/document.js';
import { useHost } from './host.js';
import { Button } from './ui/controls.js';
import { ProblemList } from './ProblemList.js';

export function BrokenDocument(props: { diagnostics: Diagnostic[] }): React.JSX.Element {
  const host = useHost();
  return (
    <div className="broken" data-testid="broken">
      <h2>This file can't be shown as a graph</h2>
      <p>Nothing was changed. Fix these problems in the text editor and the graph comes back:</p>
      <ProblemList diagnostics={props.diagnostics} />
      <Button onClick={() => host.post({ type: 'openAsText' })} testId="open-as-text">
        Open as text
      </Button>
    </div>
  );
}
