/**
 * Lays out example graphs with the editor's layout (engine/graph/layout.ts, estimated node sizes,
 * the reference canvas) and rewrites their positions, nothing else:
 *   npx tsx scripts/layout-examples.ts [examples/name.nngraph.json ...]   (default: every example)
 * test/e2e/first-open.test.ts checks the result in VS Code: every node in view, none overlapping.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGraph } from '../engine/graph/parse.js';
import { serializeGraph } from '../engine/graph/serialize.js';
import { layoutDocument } from '../engine/graph/layout.js';

const dir = join(__dirname, '..', 'examples');
const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync(dir)
      .filter((f) => f.endsWith('.nngraph.json'))
      .map((f) => join(dir, f));
for (const file of files) {
  const { doc, diagnostics } = parseGraph(readFileSync(file, 'utf8'));
  if (!doc) throw new Error(`${file}: ${diagnostics.map((d) => d.message).join('; ')}`);
  const positions = layoutDocument(doc.nodes, doc.edges);
  for (const n of doc.nodes) n.position = positions.get(n.id)!;
  writeFileSync(file, serializeGraph(doc));
  console.log(`laid out ${file} (${doc.nodes.length} nodes)`);
}
