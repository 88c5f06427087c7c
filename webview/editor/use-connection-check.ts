/**
 * Drawing a wire: each port the wire passes over is judged at once (React Flow asks
 * isValidConnection synchronously, many times a second), a refused port says why while the wire
 * is over it and again when the wire is dropped there, and an accepted wire is one `connect` edit.
 *
 * This is the one place the webview runs checkGraph itself. The host checks every document it
 * sends (its diagnostics and shapes are what the canvas shows), but it can only judge a document
 * that exists: whether a wire not yet drawn would bring a new error needs the check run on the
 * document with that wire added, now, without a round trip per port hovered over.
 */
import React from 'react';
import type { Connection } from 'reactflow';
import type { GraphDoc } from '../../engine/graph/document.js';
import type { GraphEdit } from '../../engine/graph/edits.js';
import { checkConnection, edgeOfConnection, errorMessages, type ConnectVerdict } from './connect-check.js';

const OFF_PORT = 'Drop the wire on an input port.';

export interface ConnectionCheck {
  /** Why the port under the wire being drawn refuses it (null when it doesn't, or no wire is drawn). */
  hint: string | null;
  isValidConnection: (c: Connection) => boolean;
  onConnect: (c: Connection) => void;
  onConnectEnd: (e: MouseEvent | TouchEvent) => void;
}

export function useConnectionCheck(
  doc: GraphDoc,
  commit: (edit: GraphEdit) => void,
  onNotice: (text: string) => void,
): ConnectionCheck {
  /** Verdicts for this document by edge, and its own errors (computed at the first wire drawn on it). */
  const judged = React.useRef<{ doc: GraphDoc; errors?: Set<string>; verdicts: Map<string, ConnectVerdict> }>(
    {
      doc,
      verdicts: new Map(),
    },
  );
  const verdict = React.useCallback(
    (c: Connection): ConnectVerdict => {
      const edge = edgeOfConnection(doc, c);
      if (!edge) return { ok: false, reason: OFF_PORT };
      if (judged.current.doc !== doc) judged.current = { doc, verdicts: new Map() };
      const cache = judged.current;
      const key = JSON.stringify(edge);
      let v = cache.verdicts.get(key);
      if (!v)
        cache.verdicts.set(key, (v = checkConnection(doc, edge, (cache.errors ??= errorMessages(doc)))));
      return v;
    },
    [doc],
  );

  const [hint, setHint] = React.useState<string | null>(null);
  /** The last refused target handle and why, to explain a drop there (React Flow drops it silently). */
  const refused = React.useRef<{ node: string; handle: string; reason: string } | null>(null);
  const isValidConnection = React.useCallback(
    (c: Connection) => {
      const v = verdict(c);
      setHint(v.ok ? null : v.reason);
      refused.current =
        v.ok || !c.target ? null : { node: c.target, handle: c.targetHandle ?? '', reason: v.reason };
      return v.ok;
    },
    [verdict],
  );
  const onConnectEnd = React.useCallback(
    (e: MouseEvent | TouchEvent) => {
      setHint(null);
      const r = refused.current;
      refused.current = null;
      const point = 'changedTouches' in e ? e.changedTouches[0] : e;
      if (!r || !point) return;
      const handle = document.elementFromPoint(point.clientX, point.clientY)?.closest('.react-flow__handle');
      if (
        handle?.getAttribute('data-nodeid') === r.node &&
        (handle.getAttribute('data-handleid') ?? '') === r.handle
      )
        onNotice(`Not connected: ${r.reason}`);
    },
    [onNotice],
  );
  const onConnect = React.useCallback(
    (c: Connection) => {
      const v = verdict(c);
      const edge = edgeOfConnection(doc, c);
      if (!v.ok || !edge) return onNotice(v.ok ? OFF_PORT : `Not connected: ${v.reason}`);
      commit({ kind: 'connect', edge });
    },
    [doc, verdict, commit, onNotice],
  );
  return { hint, isValidConnection, onConnect, onConnectEnd };
}
