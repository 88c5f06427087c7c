/** Keyboard shortcuts of the webview: which key events are the page's to act on. */

/** Inputs that take typed text; a checkbox, radio, range or button only takes Space / arrows. */
const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'range', 'button', 'submit', 'reset', 'color']);

/**
 * Whether a key event's target is a place where the user types (a text field, a dropdown, an
 * editable element): there keys are text, not shortcuts. The toolkit's fields are web components,
 * so their events arrive retargeted to the host element (VSCODE-TEXT-FIELD).
 */
export function isEditableTarget(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el || !el.tagName) return false;
  if (el.tagName === 'INPUT') return !NON_TEXT_INPUTS.has((el as HTMLInputElement).type);
  return /^(TEXTAREA|SELECT|VSCODE-TEXT-FIELD|VSCODE-DROPDOWN)$/.test(el.tagName) || el.isContentEditable;
}
