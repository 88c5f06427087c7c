/**
 * The only module that touches @vscode/webview-ui-toolkit. The toolkit is deprecated upstream, so
 * the rest of the webview uses these few components of our own; swapping the toolkit for plain
 * elements (or another kit) changes this file alone.
 */
import React from 'react';
import {
  VSCodeButton,
  VSCodeDropdown,
  VSCodeOption,
  VSCodeTextField,
} from '@vscode/webview-ui-toolkit/react';

/** The value of the web component that raised an event. */
function valueOf(e: unknown): string {
  const target = (e as { target?: { value?: unknown } }).target;
  return typeof target?.value === 'string' ? target.value : '';
}

export function Button(props: {
  children: React.ReactNode;
  onClick: () => void;
  secondary?: boolean;
  title?: string;
  testId?: string;
  disabled?: boolean;
}): React.JSX.Element {
  return (
    <VSCodeButton
      appearance={props.secondary ? 'secondary' : 'primary'}
      title={props.title}
      data-testid={props.testId}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      {props.children}
    </VSCodeButton>
  );
}

/**
 * A text field that reports on every keystroke (`onInput`) and commits on Enter or when it loses
 * focus (`onCommit`); `error` is shown under it and marks it invalid.
 */
export function TextInput(props: {
  label: string;
  value: string;
  placeholder?: string;
  error?: string | undefined;
  onInput?: (value: string) => void;
  onCommit?: (value: string) => void;
  autoFocus?: boolean;
  testId?: string;
  title?: string;
}): React.JSX.Element {
  const ref = React.useRef<HTMLElement & { value: string }>(null);
  // Enter and the change event that follows it are one commit.
  const committed = React.useRef(props.value);
  // The web component owns its value while the user types (a `value` prop would reset it on every
  // render); push ours in only when it changes.
  React.useEffect(() => {
    committed.current = props.value;
    if (ref.current && ref.current.value !== props.value) ref.current.value = props.value;
  }, [props.value]);
  const commit = (value: string) => {
    if (value === committed.current) return;
    committed.current = value;
    props.onCommit?.(value);
  };
  React.useEffect(() => {
    if (props.autoFocus) ref.current?.focus();
  }, [props.autoFocus]);
  return (
    <div className={`control${props.error ? ' invalid' : ''}`} title={props.title}>
      <VSCodeTextField
        ref={ref as never}
        placeholder={props.placeholder}
        data-testid={props.testId}
        aria-invalid={props.error ? 'true' : 'false'}
        onInput={(e: unknown) => props.onInput?.(valueOf(e))}
        onChange={(e: unknown) => commit(valueOf(e))}
        onKeyDown={(e: React.KeyboardEvent) => {
          if (e.key === 'Enter') commit(valueOf(e));
        }}
      >
        {props.label}
      </VSCodeTextField>
      {props.error ? <div className="control-error">{props.error}</div> : null}
    </div>
  );
}

export function Select(props: {
  label: string;
  value: string;
  options: readonly string[];
  onChange: (value: string) => void;
  testId?: string;
}): React.JSX.Element {
  const id = React.useId();
  return (
    <div className="control">
      <label htmlFor={id}>{props.label}</label>
      <VSCodeDropdown
        id={id}
        value={props.value}
        data-testid={props.testId}
        onChange={(e: unknown) => {
          const v = valueOf(e);
          if (v && v !== props.value) props.onChange(v);
        }}
      >
        {props.options.map((o) => (
          <VSCodeOption key={o} value={o} selected={o === props.value}>
            {o}
          </VSCodeOption>
        ))}
      </VSCodeDropdown>
    </div>
  );
}

/**
 * A plain <select>, for places where the toolkit's dropdown would be clipped (its list is part of
 * the page, so a scrolling container cuts it off; the browser draws a native list above everything).
 */
export function NativeSelect(props: {
  label: string;
  value: string;
  options: readonly string[];
  onChange: (value: string) => void;
  testId?: string;
  title?: string;
}): React.JSX.Element {
  const id = React.useId();
  return (
    <div className="control" title={props.title}>
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        className="native-select"
        value={props.value}
        data-testid={props.testId}
        onChange={(e) => {
          if (e.target.value !== props.value) props.onChange(e.target.value);
        }}
      >
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * An on/off switch: a native checkbox (role switch) drawn with the theme's --vscode-* colours, so it
 * reads like the rest of the workbench, takes Space and Tab like any checkbox and shows the focus
 * ring. The toolkit's checkbox is a web component whose state fights React's controlled value;
 * this is the one boolean control of the webview.
 */
export function Toggle(props: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  testId?: string;
  title?: string;
  disabled?: boolean;
}): React.JSX.Element {
  return (
    <label className={`toggle${props.disabled ? ' disabled' : ''}`} title={props.title}>
      <input
        type="checkbox"
        role="switch"
        className="toggle-input"
        checked={props.checked}
        disabled={props.disabled}
        data-testid={props.testId}
        onChange={(e) => {
          if (e.target.checked !== props.checked) props.onChange(e.target.checked);
        }}
      />
      <span className="toggle-label">{props.label}</span>
    </label>
  );
}
