/** The step-through's controls: which can act in each state, and the keys that stand for them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  STEP_KEYS,
  stepControls,
  stepKeyCommand,
  withStepKey,
  type StepControls,
  type StepKeyCommand,
} from '../../../webview/run/step-controls.js';
import type { RunStatus } from '../../../engine/run/protocol.js';
import type { TraceState } from '../../../webview/run/run-store.js';

const key = (
  k: string,
  mods: Partial<Record<'shiftKey' | 'ctrlKey' | 'altKey' | 'metaKey', boolean>> = {},
) => ({
  key: k,
  shiftKey: false,
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  ...mods,
});

const keyCases: [string, ReturnType<typeof key>, StepKeyCommand | null][] = [
  ['F10 steps', key('F10'), 'step'],
  ['Shift+F10 steps back', key('F10', { shiftKey: true }), 'back'],
  ['F8 continues to the end', key('F8'), 'continue'],
  ['Ctrl+F10 is not ours', key('F10', { ctrlKey: true }), null],
  ['Alt+F8 is not ours', key('F8', { altKey: true }), null],
  ['Shift+F8 is not ours', key('F8', { shiftKey: true }), null],
  ['F5 is VS Code’s (start debugging)', key('F5'), null],
  ['F11 is VS Code’s (full screen)', key('F11'), null],
];
for (const [name, e, expected] of keyCases)
  test(`stepKeyCommand: ${name}`, () => assert.equal(stepKeyCommand(e), expected));

test('every command has one key, and its title shows it', () => {
  const commands: StepKeyCommand[] = ['step', 'back', 'continue'];
  for (const c of commands) {
    const keys = STEP_KEYS.filter((k) => k.command === c);
    assert.equal(keys.length, 1, c);
    assert.equal(withStepKey('One step', c), `One step (${keys[0]!.label})`);
  }
});

const st = (phase: RunStatus['phase'], tracing: boolean) => ({ phase, tracing });
const at = (position: number, length: number): TraceState => ({ position, length, step: null });
const none: StepControls = { start: false, step: false, back: false, finish: false, active: false };

const controlCases: [string, ReturnType<typeof st> | null, TraceState | null, StepControls][] = [
  ['before any run: start only', null, null, { ...none, start: true }],
  ['a failed run cannot start', st('failed', false), null, none],
  ['a running run can start (the worker pauses it)', st('running', false), null, { ...none, start: true }],
  [
    'just started, length not known yet',
    st('paused', true),
    null,
    { ...none, step: true, finish: true, active: true },
  ],
  ['at position 0', st('paused', true), at(0, 13), { ...none, step: true, finish: true, active: true }],
  [
    'in the middle',
    st('paused', true),
    at(5, 13),
    { start: false, step: true, back: true, finish: true, active: true },
  ],
  ['at the end', st('paused', true), at(13, 13), { ...none, back: true, active: true }],
];
for (const [name, status, trace, expected] of controlCases)
  test(`stepControls: ${name}`, () => assert.deepEqual(stepControls(status, trace), expected));
