import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';

test('npm run demo trains the spiral example, prints its accuracy and writes the decision boundary PNG', () => {
  const out = mkdtempSync(join(tmpdir(), 'bps-demo-'));
  const r = spawnSync(process.execPath, ['bin/backprop-studio.js', 'demo', '--out', out], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const acc = /final training accuracy: ([\d.]+)%/.exec(r.stdout);
  assert.ok(acc, r.stdout);
  assert.ok(Number(acc[1]) >= 95, `accuracy ${acc[1]}%`);
  const png = join(out, 'spiral-decision-boundary.png');
  assert.ok(r.stdout.includes(png), 'says where the picture went');
  const bytes = readFileSync(png);
  assert.equal(bytes.toString('ascii', 12, 16), 'IHDR');
  const [w, h] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
  const pixels = inflateSync(bytes.subarray(41, 41 + bytes.readUInt32BE(33)));
  assert.equal(pixels.length, h * (1 + 4 * w));
  // All three class colours' regions appear: the boundary is not one flat colour.
  const hues = new Set<string>();
  for (let y = 0; y < h; y += 37)
    for (let x = 0; x < w; x += 37) {
      const o = y * (1 + 4 * w) + 1 + 4 * x;
      hues.add([pixels[o]!, pixels[o + 1]!, pixels[o + 2]!].map((v) => v >> 5).join());
    }
  assert.ok(hues.size >= 3, `${hues.size} distinct colours`);
});
