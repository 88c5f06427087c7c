/**
 * "Choose CSV…" (run panel): a CSV file the user picked becomes the document's dataset. The path
 * is written relative to the graph; the columns are kept when the file has them, else read off
 * its header (every column but the last are the features, the last the target) and said so:
 * never silently guessed. No vscode import (tested directly).
 */
import type { DatasetConfig } from '../engine/graph/document.js';
import { parseCsvRecords } from '../engine/data/csv.js';

/** The header's column names, or null when the first row is all numbers (no header). */
export function csvHeader(text: string): string[] | null {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const cells = parseCsvRecords(firstLine)[0]?.cells ?? [];
  return cells.length > 0 && cells.some((c) => c === '' || !Number.isFinite(Number(c))) ? cells : null;
}

export function datasetFromCsv(
  current: DatasetConfig,
  path: string,
  header: readonly string[] | null,
): { dataset: DatasetConfig; note: string | null } {
  const kept = current.kind === 'csv' ? current : null;
  const fits =
    kept !== null &&
    (header === null ? false : [...kept.features, kept.target].every((c) => header.includes(c)));
  if (kept && (fits || header === null || header.length < 2))
    return { dataset: { ...kept, path }, note: null };
  if (!header || header.length < 2)
    return {
      dataset: { kind: 'csv', path, features: ['1'], target: '2' },
      note: `${path} has no header row: column 1 is the feature and column 2 the target; set training.dataset's features and target to the columns you mean.`,
    };
  const features = header.slice(0, -1);
  const target = header[header.length - 1]!;
  const dataset: DatasetConfig = {
    kind: 'csv',
    path,
    features,
    target,
    ...(kept?.task ? { task: kept.task } : {}),
    ...(kept?.standardize !== undefined ? { standardize: kept.standardize } : {}),
  };
  return {
    dataset,
    note: `${path} has other columns than the graph named: its features are now ${features.join(', ')} and its target '${target}' (the last column). Change them in the run panel's Data section if you mean others.`,
  };
}
