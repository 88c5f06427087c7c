/** Diagnostics as a list, each with its line in the file (a link that shows it in the text editor). */
import React from 'react';
import type { Diagnostic } from '../engine/graph/document.js';
import { useHost } from './host.js';

export function ProblemList(props: { diagnostics: readonly Diagnostic[] }): React.JSX.Element {
  const host = useHost();
  return (
    <ul className="problems">
      {props.diagnostics.map((d, i) => (
        <li key={i} className={d.severity}>
          {d.line !== undefined ? (
            <a
              href="#"
              onClick={(e) => {
                e.preventDefault();
                host.post({ type: 'revealLine', line: d.line! });
              }}
            >
              line {d.line}
              {d.column !== undefined ? `:${d.column}` : ''}
            </a>
          ) : null}{' '}
          {d.node !== undefined ? <code>{d.node}</code> : null} {d.message}
        </li>
      ))}
    </ul>
  );
}
