/**
 * The canvas's keys, while focus is not in a text field: Delete / Backspace delete the selection,
 * A opens quick add, Shift+L lays the graph out. (The clipboard is use-clipboard.ts; the run
 * panel's step keys are webview/run/.)
 */
import React from 'react';
import { isEditableTarget } from '../keyboard.js';

export interface EditorKeyActions {
  deleteSelection: () => void;
  openQuickAdd: () => void;
  layOut: () => void;
}

export function useEditorKeys({ deleteSelection, openQuickAdd, layOut }: EditorKeyActions): void {
  React.useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isEditableTarget(e.target) || e.altKey) return;
      const mod = e.ctrlKey || e.metaKey;
      if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) deleteSelection();
      else if (!mod && (e.key === 'a' || e.key === 'A')) openQuickAdd();
      // With Shift held the key is 'L' (it was 'l' here once, and Shift+L did nothing).
      else if (!mod && e.shiftKey && (e.key === 'L' || e.key === 'l')) layOut();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [deleteSelection, openQuickAdd, layOut]);
}
