/**
 * A switch for one of the things the worker computes alongside training (RunOptions): the
 * overlay, the live prediction, the hidden units. Flipping it tells the worker at once.
 */
import React from 'react';
import { Toggle } from '../ui/controls.js';
import { useRun } from './use-run.js';
import { useRunRequests } from './requests.js';

/** The options that are switches. */
type SwitchOption = 'overlay' | 'prediction' | 'hiddenUnits' | 'images';

export function RunOptionToggle(props: {
  option: SwitchOption;
  label: string;
  title: string;
  testId: string;
}): React.JSX.Element {
  const requests = useRunRequests();
  const options = useRun((s) => s.options);
  return (
    <Toggle
      label={props.label}
      title={props.title}
      testId={props.testId}
      checked={options[props.option] ?? false}
      onChange={(on) => requests.options({ ...options, [props.option]: on })}
    />
  );
}
