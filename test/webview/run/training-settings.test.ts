import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGraph } from '../../../engine/graph/parse.js';
import {
  checked,
  fieldsOf,
  formatSetting,
  parseSetting,
  sectionOf,
  withSetting,
} from '../../../webview/run/training-settings.js';

const iris = parseGraph(
  readFileSync(join(__dirname, '..', '..', '..', 'examples', 'iris-two-inputs.nngraph.json'), 'utf8'),
).doc!;
const inputsField = fieldsOf('dataset', 'iris').find((f) => f.key === 'inputs')!;

test("a dataset's inputs (node id → features) show as text and read back to the same map", () => {
  const inputs = sectionOf(iris.training, 'dataset').inputs;
  const text = formatSetting(inputs);
  assert.equal(text, 'sepal: sepal_length, sepal_width; petal: petal_length, petal_width');
  assert.deepEqual(parseSetting(inputsField.schema, text), inputs);
  const c = checked(withSetting(iris.training, 'dataset', 'inputs', parseSetting(inputsField.schema, text)));
  assert.ok(c.ok, 'the text as shown is a valid setting');
});

test("an edited inputs map is read as typed; a part without 'name:' is refused naming the field", () => {
  assert.deepEqual(
    parseSetting(inputsField.schema, ' sepal : sepal_length ;petal: petal_width petal_length '),
    {
      sepal: ['sepal_length'],
      petal: ['petal_width', 'petal_length'],
    },
  );
  const c = checked(
    withSetting(
      iris.training,
      'dataset',
      'inputs',
      parseSetting(inputsField.schema, 'sepal_length, petal_width'),
    ),
  );
  assert.ok(!c.ok);
  assert.match(c.error, /training\.dataset\.inputs must be an object/);
  const empty = checked(
    withSetting(
      iris.training,
      'dataset',
      'inputs',
      parseSetting(inputsField.schema, 'sepal: ; petal: petal_width'),
    ),
  );
  assert.ok(!empty.ok);
  assert.equal(empty.error, 'training.dataset.inputs.sepal must be a list; got nothing.');
});
