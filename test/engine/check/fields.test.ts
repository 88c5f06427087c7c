/** The field-checking core (engine/check/fields.ts) that every message check is written with. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as f from '../../../engine/check/fields.js';
import type { TaggedCheckers } from '../../../engine/check/fields.js';

const { FieldError } = f;

const rejects: [string, () => unknown, string][] = [
  ['an array for an object', () => f.object([], 'msg'), 'msg must be an object'],
  ['null for an object', () => f.object(null, 'msg'), 'msg must be an object'],
  [
    'an empty name',
    () => f.name('', 'edit.op'),
    'edit.op must be a non-empty string of at most 200 characters',
  ],
  ['a name too long', () => f.name('abc', 'id', 2), 'id must be a non-empty string of at most 2 characters'],
  ['a number for a string', () => f.string(3, 'source'), 'source must be a string'],
  ['NaN', () => f.finite(NaN, 'x'), 'x must be a finite number'],
  ['Infinity', () => f.finite(Infinity, 'x'), 'x must be a finite number'],
  ['1.5 for an integer', () => f.integer(1.5, 'line'), 'line must be an integer'],
  ['2^53 for an integer', () => f.integer(2 ** 53, 'requestId'), 'requestId must be an integer'],
  ['1 for a boolean', () => f.boolean(1, 'options.overlay'), 'options.overlay must be true or false'],
  [
    'a word not listed',
    () => f.oneOf('fly', ['play', 'pause'], 'action'),
    'action must be one of play, pause',
  ],
  ['a bad item, by its place', () => f.list([1, 'x'], 'v', f.finite), 'v[1] must be a finite number'],
  ['a list too long', () => f.list([1, 2, 3], 'v', f.finite, 2), 'v must be a list of at most 2 items'],
  ['a bad optional field', () => f.optional({ id: '' }, 'id', f.name, 'edit'), 'edit.id must be a non-empty'],
];
for (const [what, check, message] of rejects) {
  test(`fields: ${what} is refused, naming the field`, () => {
    assert.throws(check, (e: unknown) => e instanceof FieldError && e.message.startsWith(message));
  });
}

test('fields: what passes comes back as it was, typed', () => {
  assert.deepEqual(f.list([1, 2.5], 'v', f.finite), [1, 2.5]);
  assert.equal(f.optional({}, 'id', f.name, 'edit'), undefined);
  assert.equal(f.oneOf('pause', ['play', 'pause'], 'action'), 'pause');
  assert.equal(f.string('', 'source'), '');
});

type Shape = { kind: 'dot'; at: number } | { kind: 'none' };
const SHAPES: TaggedCheckers<Shape, 'kind'> = {
  dot: (o) => ({ kind: 'dot', at: f.finite(o.at, 'shape.at') }),
  none: () => ({ kind: 'none' }),
};

test('checkTagged: a row per tag rebuilds the member from checked fields; an unknown tag is named', () => {
  assert.deepEqual(f.checkTagged(SHAPES, 'kind', { kind: 'dot', at: 2, extra: 1 }, 'shape'), {
    kind: 'dot',
    at: 2,
  });
  assert.deepEqual(
    f.attempt(() => f.checkTagged(SHAPES, 'kind', { kind: 'cube' }, 'shape')),
    {
      ok: false,
      error: 'shape.kind must be one of dot, none',
    },
  );
  assert.deepEqual(
    f.attempt(() => f.checkTagged(SHAPES, 'kind', { kind: 'dot', at: '2' }, 'shape')),
    {
      ok: false,
      error: 'shape.at must be a finite number',
    },
  );
  // A bug is not a malformed message: attempt lets it through.
  assert.throws(
    () =>
      f.attempt(() =>
        f.checkTagged(
          {
            ...SHAPES,
            none: () => {
              throw new TypeError('bug');
            },
          },
          'kind',
          { kind: 'none' },
          'shape',
        ),
      ),
    TypeError,
  );
});
