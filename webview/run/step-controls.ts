/**
 * The step-through's controls: which of them can act now (stepControls, shared by the buttons and
 * the keys) and their keyboard shortcuts, debugger style. Every key pressed in a webview also goes
 * to VS Code's own keybindings (the webview forwards each keydown to the workbench), so the keys
 * are ones VS Code binds to nothing outside a debug session of its own: F10 and Shift+F10 (VS Code:
 * step over while a debugger is stopped; the editor's context menu in a text editor) and F8 (next
 * problem, in a text editor only), which is also Chrome DevTools' resume. F5 (start debugging, or
 * open the Run view) and F11 (full screen) would fight VS Code and are not used.
 */
import type { RunStatus } from '../../engine/run/protocol.js';
import type { TraceState } from './run-store.js';

export type StepKeyCommand =
  /** Stand on the next step (starts a step-through when none is active). */
  | 'step'
  | 'back'
  /** Run the remaining steps to the end of the backward pass. */
  | 'continue';

export interface StepKey {
  command: StepKeyCommand;
  key: string;
  shift: boolean;
  /** As shown in a button's title. */
  label: string;
}

export const STEP_KEYS: readonly StepKey[] = [
  { command: 'step', key: 'F10', shift: false, label: 'F10' },
  { command: 'back', key: 'F10', shift: true, label: 'Shift+F10' },
  { command: 'continue', key: 'F8', shift: false, label: 'F8' },
];

type KeyState = Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'altKey' | 'metaKey'>;

/** The command a key press stands for, or null (any Ctrl, Alt or Cmd makes it something else). */
export function stepKeyCommand(e: KeyState): StepKeyCommand | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  return STEP_KEYS.find((k) => k.key === e.key && k.shift === e.shiftKey)?.command ?? null;
}

/** A button title with its shortcut: "One step back (Shift+F10)". */
export function withStepKey(title: string, command: StepKeyCommand): string {
  const key = STEP_KEYS.find((k) => k.command === command);
  return key ? `${title} (${key.label})` : title;
}

/** Which step-through controls can act now: the buttons' enabled state and the keys' guard. */
export interface StepControls {
  start: boolean;
  step: boolean;
  back: boolean;
  finish: boolean;
  /** Restart, End, Run to: anything that needs a step-through in progress. */
  active: boolean;
}

/** `status`: the run's (null before the first); only its phase and whether it is stepping through count. */
export function stepControls(
  status: Pick<RunStatus, 'phase' | 'tracing'> | null,
  trace: TraceState | null,
): StepControls {
  const tracing = status?.tracing ?? false;
  const position = trace?.position ?? 0;
  const length = trace?.length ?? 0;
  // Before the first answer the length is unknown (0): stepping is allowed and the worker decides.
  const more = length === 0 || position < length;
  return {
    start: !tracing && status?.phase !== 'failed',
    step: tracing && more,
    back: tracing && position > 0,
    finish: tracing && more,
    active: tracing,
  };
}
