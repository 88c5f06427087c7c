import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { graphJsonSchema } from '../../../engine/graph/graph-schema.js';
import { OPS } from '../../../engine/ops/registry.js';

test('schema/nngraph.schema.json is the one generated from the registry (run `npm run schema`)', () => {
  const committed: unknown = JSON.parse(
    readFileSync(join(__dirname, '../../../schema/nngraph.schema.json'), 'utf8'),
  );
  assert.deepEqual(
    committed,
    JSON.parse(JSON.stringify(graphJsonSchema())),
    'out of date: run `npm run schema`',
  );
});

test('the schema lists every op with its attributes', () => {
  const schema = graphJsonSchema() as { definitions: { node: { allOf: { if: unknown; then: unknown }[] } } };
  const branches = schema.definitions.node.allOf;
  assert.equal(branches.length, OPS.length);
  const input = JSON.stringify(branches.find((b) => JSON.stringify(b.if).includes('"input"')));
  assert.match(input, /"features"/);
  assert.match(input, /"shape"/);
});
