/**
 * A dataset from CSV text (reading the file is the caller's job: engine/ stays free of Node).
 * Comma-separated, RFC 4180 quoting ("a, b" and "" inside quotes), blank lines ignored. The first
 * row is a header when any of its cells is not a number. Features and the target are chosen by
 * column name (or by 1-based number when there is no header). Bad rows are reported by line
 * number and stop the load: nothing is skipped or guessed silently; what was decided for the user
 * (task, class numbering, standardisation) is said in `notes`.
 */
import { Tensor } from '../tensor/tensor.js';
import type { Dataset, Task } from './dataset.js';

export interface CsvOptions {
  features: readonly string[];
  target: string;
  task?: Task;
  /** Shift and scale each feature to mean 0, standard deviation 1 (default true). */
  standardize?: boolean;
  /** Feature columns of whole numbers (token indices): checked to be whole, never standardised. */
  integers?: readonly string[];
  /** Where the text came from, for messages. */
  source?: string;
}

export interface CsvProblem {
  /** 1-based line in the file. */
  line: number;
  message: string;
}

export class CsvError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly CsvProblem[],
  ) {
    super(
      `${source}: ` +
        problems
          .slice(0, MAX_PROBLEMS)
          .map((p) => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message))
          .join('\n  ') +
        (problems.length > MAX_PROBLEMS ? `\n  ... and ${problems.length - MAX_PROBLEMS} more` : ''),
    );
    this.name = 'CsvError';
  }
}

const MAX_PROBLEMS = 10;

interface CsvRecord {
  line: number;
  cells: string[];
}

/** Splits CSV text into records, each with the line it starts on. */
export function parseCsvRecords(text: string, source = 'CSV'): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte order mark
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let blank = true;
    for (; i < n; i++) {
      const ch = text[i]!;
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i++;
          } else quoted = false;
        } else {
          if (ch === '\n') line++;
          cell += ch;
        }
        continue;
      }
      if (ch === '"') {
        quoted = true;
        blank = false;
      } else if (ch === ',') {
        cells.push(cell);
        cell = '';
        blank = false;
      } else if (ch === '\n' || ch === '\r') {
        if (ch === '\r' && text[i + 1] === '\n') i++;
        i++;
        line++;
        break;
      } else {
        cell += ch;
        if (ch.trim()) blank = false;
      }
    }
    if (quoted) throw new CsvError(source, [{ line: start, message: 'a quoted field is never closed' }]);
    cells.push(cell);
    if (!blank) records.push({ line: start, cells: cells.map((c) => c.trim()) });
  }
  return records;
}

function asNumber(cell: string): number | null {
  if (cell === '') return null;
  const v = Number(cell);
  return Number.isFinite(v) ? v : null;
}

export function csvDataset(text: string, opts: CsvOptions): Dataset {
  const source = opts.source ?? 'CSV';
  const records = parseCsvRecords(text, source);
  if (records.length === 0) throw new CsvError(source, [{ line: 0, message: 'the file has no rows' }]);
  const notes: string[] = [];
  const first = records[0]!;
  const hasHeader = first.cells.some((c) => asNumber(c) === null);
  const width = first.cells.length;
  const names = hasHeader ? first.cells : first.cells.map((_, k) => String(k + 1));
  const rows = hasHeader ? records.slice(1) : records;
  if (!hasHeader)
    notes.push(`${source} has no header row (line 1 is all numbers): columns are named 1, 2, ...`);
  const column = (name: string): number => {
    const k = names.indexOf(name);
    if (k < 0) {
      const known = names.map((c) => `'${c}'`).join(', ');
      throw new CsvError(source, [
        {
          line: hasHeader ? first.line : 0,
          message: `no column '${name}'; the columns are ${known}${hasHeader ? '' : ' (no header row: name columns by number)'}`,
        },
      ]);
    }
    return k;
  };
  if (opts.features.length === 0)
    throw new CsvError(source, [{ line: 0, message: 'no feature columns given' }]);
  const featureCols = opts.features.map(column);
  const targetCol = column(opts.target);
  if (featureCols.includes(targetCol))
    throw new CsvError(source, [
      { line: 0, message: `the target '${opts.target}' is also listed as a feature` },
    ]);
  if (rows.length === 0)
    throw new CsvError(source, [{ line: 0, message: 'the file has a header but no data rows' }]);

  const problems: CsvProblem[] = [];
  const n = rows.length;
  const x = Tensor.zeros([n, featureCols.length], 'float64');
  const labels: string[] = [];
  const whole = opts.features.map((f) => opts.integers?.includes(f) ?? false);
  const strayInteger = opts.integers?.find((c) => !opts.features.includes(c));
  if (strayInteger !== undefined)
    throw new CsvError(source, [
      { line: 0, message: `'${strayInteger}' is listed in integers but is not one of the features` },
    ]);
  rows.forEach((r, i) => {
    if (r.cells.length !== width) {
      problems.push({
        line: r.line,
        message: `${r.cells.length} fields, expected ${width} (as in line ${first.line})`,
      });
      return;
    }
    featureCols.forEach((k, j) => {
      const v = asNumber(r.cells[k]!);
      if (v === null)
        problems.push({ line: r.line, message: `column '${names[k]}' is '${r.cells[k]}', not a number` });
      else if (whole[j] && !(Number.isInteger(v) && v >= 0))
        problems.push({
          line: r.line,
          message: `column '${names[k]}' holds indices (training.dataset.integers) but is '${r.cells[k]}', not a whole number ≥ 0`,
        });
      else x.data[i * featureCols.length + j] = v;
    });
    const t = r.cells[targetCol]!;
    if (t === '') problems.push({ line: r.line, message: `the target '${opts.target}' is empty` });
    labels.push(t);
  });
  if (problems.length) throw new CsvError(source, problems);

  const numericTarget = labels.every((l) => asNumber(l) !== null);
  let task = opts.task;
  if (!task) {
    task = numericTarget ? 'regression' : 'classification';
    notes.push(
      numericTarget
        ? `task not given: target '${opts.target}' is numeric, so regression (set task: "classification" for class labels)`
        : `task not given: target '${opts.target}' has text labels, so classification`,
    );
  }
  let y: Tensor;
  let classNames: string[] | undefined;
  if (task === 'regression') {
    if (!numericTarget) {
      const bad = labels.findIndex((l) => asNumber(l) === null);
      throw new CsvError(source, [
        {
          line: rows[bad]!.line,
          message: `target '${opts.target}' is '${labels[bad]}', not a number (task is regression)`,
        },
      ]);
    }
    y = Tensor.from([n, 1], labels.map(Number), 'float64');
  } else {
    const distinct = [...new Set(labels)];
    distinct.sort(numericTarget ? (a, b) => Number(a) - Number(b) : undefined);
    classNames = distinct;
    const index = new Map(distinct.map((l, k) => [l, k]));
    y = Tensor.from(
      [n],
      labels.map((l) => index.get(l)!),
      'float64',
    );
    notes.push(
      `target '${opts.target}': ${distinct.length} classes (${distinct.map((l, k) => `${l} → ${k}`).join(', ')})`,
    );
  }
  if (opts.standardize ?? true) {
    const constant = standardizeColumns(x, whole);
    notes.push(
      `features standardised to mean 0 and standard deviation 1 (standardize: false keeps them raw)${
        whole.some(Boolean) ? '; integer columns are kept as they are' : ''
      }`,
    );
    for (const j of constant) notes.push(`feature '${opts.features[j]}' is constant: it was only centred`);
  }
  return {
    name: `${source}: ${n} rows, ${featureCols.length} features → '${opts.target}' (${task})`,
    task,
    x,
    y,
    classes: classNames?.length ?? 0,
    classNames,
    featureNames: opts.features.slice(),
    notes,
  };
}

/**
 * Standardises the columns of x [N, F] in place but those `keep` marks (integer columns); returns
 * the columns that are constant.
 */
export function standardizeColumns(x: Tensor, keep: readonly boolean[] = []): number[] {
  const [n, f] = x.shape as [number, number];
  const constant: number[] = [];
  for (let j = 0; j < f; j++) {
    if (keep[j]) continue;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x.data[i * f + j]!;
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x.data[i * f + j]! - mean) ** 2;
    const std = Math.sqrt(v / n);
    if (std === 0) constant.push(j);
    const scale = std === 0 ? 1 : 1 / std;
    for (let i = 0; i < n; i++) x.data[i * f + j] = (x.data[i * f + j]! - mean) * scale;
  }
  return constant;
}
