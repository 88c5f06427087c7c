// Writes schema/nngraph.schema.json from the op registry (`npm run schema`); a test fails when
// the committed file is out of date.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { graphJsonSchema } from '../engine/graph/graph-schema.js';

const root = join(__dirname, '..');
const path = join(root, 'schema', 'nngraph.schema.json');
async function main(): Promise<void> {
  const config = await prettier.resolveConfig(path);
  writeFileSync(
    path,
    await prettier.format(JSON.stringify(graphJsonSchema()), { ...config, parser: 'json' }),
  );
  console.log(`wrote ${path}`);
}

void main();
