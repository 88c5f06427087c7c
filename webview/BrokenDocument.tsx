/** A file that can't be read as a graph: what is wrong, where, and the way to the text. */
import React from 'react';
import type { Diagnostic } from '../engine/graph/document.js';
import { postToHost } from './host.js';
import { Button } from './ui/controls.js';

export function BrokenDocument(props: { diagnostics: Diagnostic[] }): React.JSX.Element {
  return (
    <div className="broken" data-testid="broken">
      <h2>This file can't be shown as a graph</h2>
      <p>Nothing was changed. Fix these problems in the text editor and the graph comes back:</p>
      <ul className="problems">
        {props.diagnostics.map((d, i) => (
          <li key={i} className={d.severity}>
            {d.line !== undefined ? (
              <a href="#" onClick={() => postToHost({ type: 'revealLine', line: d.line! })}>
                line {d.line}
                {d.column !== undefined ? `:${d.column}` : ''}
              </a>
            ) : null}{' '}
            {d.message}
          </li>
        ))}
      </ul>
      <Button onClick={() => postToHost({ type: 'openAsText' })} testId="open-as-text">
        Open as text
      </Button>
    </div>
  );
}
