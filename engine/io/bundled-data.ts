/**
 * The data files that ship with Backprop Studio (media/data/, written by
 * scripts/generate-bundled-data.ts), read and un-gzipped. The engine's loaders take this reader
 * injected (LoadOptions.readBundled), so they stay free of Node and the webview can import them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { BundledFile } from '../data/idx.js';
import { UserError } from '../errors/user-error.js';
import { readBinaryFile } from './read-file.js';

/**
 * media/data/ beside this code: one folder up from the bundles in dist/ (the extension, its
 * worker), two up from engine/io/ (the CLI and the tests, which run the sources).
 */
function dataFolder(): string {
  const candidates = [join(__dirname, '..', 'media', 'data'), join(__dirname, '..', '..', 'media', 'data')];
  const found = candidates.find((dir) => existsSync(join(dir, 'NOTICE.md')));
  if (!found)
    throw new UserError(
      'The data that ships with Backprop Studio (media/data) is missing from this installation: reinstall the extension.',
    );
  return found;
}

export function readBundledFile(file: BundledFile): Uint8Array {
  const bytes = readBinaryFile(join(dataFolder(), file), `media/data/${file}`);
  try {
    return new Uint8Array(gunzipSync(bytes));
  } catch (e) {
    throw new UserError(
      `media/data/${file} is damaged (${(e as Error).message}): reinstall Backprop Studio.`,
      e,
    );
  }
}
