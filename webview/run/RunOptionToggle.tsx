/**
 * A switch for one of the things the worker computes alongside training (RunOptions): the
 * overlay, the live prediction, the hidden units. Flipping it tells the worker at once.
 */
import React from 'react';
import type { RunOptions } from '../../engine/run/protocol.js';
import { Toggle } from '../ui/controls.js';
import { useRun } from './use-run.js';
import { useRunRequests } from './requests.js';

export function RunOptionToggle(props: {
  option: keyof RunOptions;
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
      checked={options[props.option]}
      onChange={(on) => requests.options({ ...options, [props.option]: on })}
    />
  );
}
