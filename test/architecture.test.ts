/**
 * The import rules are the architecture (DESIGN.md): this test reads every source file's imports.
 * - engine/ imports nothing from vscode, React, the webview toolkit, extension/, webview/ or bench/
 *   (the benchmark harness uses the engine, never the reverse); only engine/io/ and engine/cli/ may
 *   use Node built-ins.
 * - extension/ and webview/ may import engine/, the webview never its kernels (engine/kernels/:
 *   the editor carries op metadata, not compute); nothing imports extension/ (webview/ may share
 *   the type-only protocol).
 * The DOM half of the engine rule is enforced by tsconfig.engine.json (no DOM lib).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, dirname } from 'node:path';

const root = resolve(__dirname, '..');

function sources(dir: string): string[] {
  const abs = join(root, dir);
  try {
    statSync(abs);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of readdirSync(abs)) {
    const p = join(abs, e);
    if (statSync(p).isDirectory()) out.push(...sources(relative(root, p)));
    else if (/\.(ts|tsx)$/.test(e) && !e.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  const re =
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
  return specs;
}

const builtins = new Set(builtinModules);
const isBuiltin = (s: string) => s.startsWith('node:') || builtins.has(s.split('/')[0]!);
const forbiddenInEngine = /^(vscode|react|react-dom|reactflow|@vscode\/|@dagrejs\/)/;

function violations(dir: string, check: (file: string, spec: string, target: string) => string | null) {
  const found: string[] = [];
  for (const f of sources(dir)) {
    for (const spec of importsOf(f)) {
      const target = spec.startsWith('.') ? relative(root, resolve(dirname(f), spec)) : spec;
      const why = check(relative(root, f), spec, target);
      if (why) found.push(`${relative(root, f)} imports '${spec}': ${why}`);
    }
  }
  return found;
}

test('engine/ imports no editor, UI or host code, and Node only in io/ and cli/', () => {
  const found = violations('engine', (file, spec, target) => {
    if (forbiddenInEngine.test(spec)) return 'the engine must stay free of editor and UI packages';
    if (target.startsWith('extension') || target.startsWith('webview'))
      return 'the engine must not depend on the host or the webview';
    if (target.split('/')[0] === 'bench')
      return 'bench/ runs the engine (esbuild, child processes): the engine must not depend on it';
    const nodeAllowed = file.startsWith('engine/io/') || file.startsWith('engine/cli/');
    if (isBuiltin(spec) && !nodeAllowed) return 'Node built-ins belong in engine/io/ or engine/cli/';
    return null;
  });
  assert.deepEqual(found, []);
});

test('nothing imports extension/ except extension/ (webview/ may import the protocol types)', () => {
  const check = (dir: string) =>
    violations(dir, (file, _spec, target) => {
      if (!target.startsWith('extension')) return null;
      if (file.startsWith('extension/')) return null;
      if (file.startsWith('webview/') && target === 'extension/protocol.js') return null;
      return 'extension/ is a leaf: move shared code to engine/ or the protocol';
    });
  assert.deepEqual([...check('engine'), ...check('webview'), ...check('test/engine')], []);
});

test('webview/ does not import the engine’s kernels', () => {
  const found = violations('webview', (_file, _spec, target) =>
    target.startsWith('engine/kernels/')
      ? 'the webview carries op metadata, not kernels (test/webview/bundle.test.ts checks the bundle)'
      : null,
  );
  assert.deepEqual(found, []);
});

test('webview/ does not import vscode or Node built-ins', () => {
  const found = violations('webview', (_file, spec) => {
    if (spec === 'vscode') return 'the webview runs in a browser sandbox';
    if (isBuiltin(spec)) return 'the webview runs in a browser sandbox';
    return null;
  });
  assert.deepEqual(found, []);
});

test('the import scanner sees imports (guards against a vacuous pass)', () => {
  const here = importsOf(__filename);
  assert.ok(here.includes('node:test') && here.includes('node:fs'));
  assert.ok(sources('engine').length > 0, 'engine/ has sources');
  // The rules see relative imports as the paths they reach: a file in engine/cli/commands/ that
  // imported the harness would be seen as importing bench/.
  const seen = violations('bench', (file, _spec, target) =>
    file === 'bench/command.ts' && target === 'bench/harness.js' ? 'seen' : null,
  );
  assert.equal(seen.length, 1, 'bench/command.ts imports ./harness.js, seen as bench/harness.js');
});
