/**
 * The benchmark: for each workload, one child process per implementation (our engine, then
 * TensorFlow.js on its cpu and wasm backends, then the physical anchor: the same step in NumPy on
 * single-thread OpenBLAS), run one after another so they do not compete for the cores; then the
 * table of ms per step, GFLOP/s, ratios (tfjs time / ours: above 1 means we are faster; ours /
 * NumPy's: how far we are from the anchor) and our bytes allocated per step. The tfjs side is
 * bundled by esbuild first.
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildSync } from 'esbuild';
import { ChildResult, Impl, RESULT_MARKER } from './child-protocol.js';
import { trainingWorkload, WorkloadName, WORKLOAD_NAMES } from './workloads.js';

const root = resolve(__dirname, '..');
const IMPLS: Impl[] = ['engine', 'tfjs-cpu', 'tfjs-wasm', 'numpy'];
/** Debian's Python with its python3-numpy (plain `python3` may be another interpreter without it). */
const PYTHON = '/usr/bin/python3';
/** Where Debian's single-thread (serial) and pthread OpenBLAS builds put their libblas.so.3. */
const OPENBLAS_DIRS = ['serial', 'pthread'].flatMap((kind) =>
  ['x86_64-linux-gnu', 'aarch64-linux-gnu'].map((arch) => `/usr/lib/${arch}/openblas-${kind}`),
);

export interface BenchOptions {
  workloads?: readonly WorkloadName[];
  /** "warmupMs,runMs,runs" for every child (smoke tests use a tiny one). */
  budget?: string;
  /**
   * Fresh processes per implementation and workload, interleaved (engine, cpu, wasm, engine, ...)
   * so that a noisy moment on a shared machine hits every side alike; the median is reported.
   */
  rounds?: number;
  /** Progress lines go here (stderr for the CLI); results are returned. */
  log?: (line: string) => void;
}

export interface WorkloadRow {
  name: WorkloadName;
  description: string;
  engine_ms: number | null;
  tfjs_cpu_ms: number | null;
  tfjs_wasm_ms: number | null;
  /** The anchor: NumPy on single-thread OpenBLAS. */
  numpy_ms: number | null;
  engine_gflops: number | null;
  /** tfjs time / engine time. */
  ratio_cpu: number | null;
  ratio_wasm: number | null;
  /** engine time / NumPy time: how many times the anchor's time our step takes. */
  ratio_numpy: number | null;
  engine_bytes_per_step: number | null;
  /** Whether every implementation started from the same loss (same network, weights and data). */
  same_start_loss: boolean | null;
  /** Why a cell is empty, per implementation. */
  notes: string[];
  results: ChildResult[];
}

export interface BenchReport {
  machine: string;
  workloads: WorkloadRow[];
}

export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node} (V8 ${process.versions.v8})`;
}

/** Bundles bench/tfjs-child.ts (tfjs-core's ESM build plus its gradients) into one CommonJS file. */
function bundleTfjsChild(dir: string): string {
  const outfile = join(dir, 'tfjs-child.cjs');
  buildSync({
    entryPoints: [join(root, 'bench/tfjs-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

/**
 * The NumPy child's environment: one OpenBLAS thread, Debian's OpenBLAS first on the library path
 * (whatever the system's libblas alternative is), and none of the machine's OPENBLAS_CORETYPE /
 * OPENBLAS_L2_SIZE overrides, so OpenBLAS picks its kernel for this CPU (the child reports which).
 */
function numpyEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const dir = OPENBLAS_DIRS.find((d) => existsSync(join(d, 'libblas.so.3')));
  if (dir) env.LD_LIBRARY_PATH = [dir, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return env;
}

function runChild(
  args: string[],
  budget: string | undefined,
  what: string,
  command = process.execPath,
  env: NodeJS.ProcessEnv = process.env,
): ChildResult {
  const res = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...env, ...(budget ? { BPS_BENCH_BUDGET: budget } : {}) },
    maxBuffer: 16 * 2 ** 20,
  });
  const line = res.stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (res.status === 0 && line) return JSON.parse(line.slice(RESULT_MARKER.length)) as ChildResult;
  const err = (res.stderr || res.error?.message || '').split('\n').filter((l) => /Error|error/.test(l))[0];
  const [workload, impl] = what.split(' ');
  return {
    workload: workload!,
    impl: impl!,
    timing: null,
    unavailable: `failed: ${err ?? `exit ${res.status}`}`,
  };
}

export function runBench(opts: BenchOptions = {}): BenchReport {
  const log = opts.log ?? (() => {});
  const names = opts.workloads ?? WORKLOAD_NAMES;
  const wasmDir = dirname(
    createRequire(join(root, 'package.json')).resolve('@tensorflow/tfjs-backend-wasm/package.json'),
  );
  const dir = mkdtempSync(join(tmpdir(), 'backprop-studio-bench-'));
  try {
    return {
      machine: machineDescription(),
      workloads: runAll(names, opts, bundleTfjsChild(dir), wasmDir, dir, log),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runAll(
  names: readonly WorkloadName[],
  opts: BenchOptions,
  tfjsChild: string,
  wasmDir: string,
  dir: string,
  log: (line: string) => void,
): WorkloadRow[] {
  const rows: WorkloadRow[] = [];
  for (const name of names) {
    const byImpl = new Map<Impl, ChildResult[]>();
    const spec = name === 'compile-1000' ? null : workloadFile(dir, name);
    for (let round = 0; round < (opts.rounds ?? 3); round++) {
      for (const impl of IMPLS) {
        if (impl !== 'engine' && name === 'compile-1000') continue;
        // Unavailable once is unavailable every time: no need to ask again.
        if (byImpl.get(impl)?.some((r) => !r.timing)) continue;
        log(`${name}: ${impl} (round ${round + 1})`);
        const what = `${name} ${impl}`;
        let r: ChildResult;
        if (impl === 'numpy') {
          const args = [join(root, 'bench/numpy-child.py'), spec!, ...(opts.budget ? [opts.budget] : [])];
          r = existsSync(PYTHON)
            ? runChild(args, opts.budget, what, PYTHON, numpyEnv())
            : { workload: name, impl, timing: null, unavailable: `${PYTHON} is missing (python3-numpy)` };
        } else {
          const args =
            impl === 'engine'
              ? ['--import', 'tsx', join(root, 'bench/engine-child.ts'), name]
              : [tfjsChild, name, impl === 'tfjs-cpu' ? 'cpu' : 'wasm', join(wasmDir, 'dist')];
          r = runChild(args, opts.budget, what);
        }
        byImpl.set(impl, [...(byImpl.get(impl) ?? []), r]);
      }
    }
    const results = [...byImpl.values()].map(medianResult);
    rows.push(row(name, results));
  }
  return rows;
}

/** The workload (network, weights, data) as JSON for the NumPy child, which cannot import TypeScript. */
function workloadFile(dir: string, name: Exclude<WorkloadName, 'compile-1000'>): string {
  const file = join(dir, `${name}.json`);
  const plain = (_key: string, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v);
  writeFileSync(file, JSON.stringify(trainingWorkload(name), plain));
  return file;
}

/** The process whose ms per step is the median (an unavailable one if any was). */
function medianResult(rs: ChildResult[]): ChildResult {
  const failed = rs.find((r) => !r.timing);
  if (failed) return failed;
  const sorted = rs.slice().sort((a, b) => a.timing!.msPerStep - b.timing!.msPerStep);
  return sorted[(sorted.length - 1) >> 1]!;
}

function row(name: WorkloadName, results: ChildResult[]): WorkloadRow {
  const ms = (impl: Impl) => results.find((r) => r.impl === impl)?.timing?.msPerStep ?? null;
  const engine = ms('engine'),
    cpu = ms('tfjs-cpu'),
    wasm = ms('tfjs-wasm'),
    numpy = ms('numpy');
  const ratio = (t: number | null) => (t !== null && engine !== null ? t / engine : null);
  const flops = name === 'compile-1000' ? null : trainingWorkload(name).flopsPerStep;
  return {
    name,
    description:
      name === 'compile-1000' ? 'compile + first step, 1,000-node graph' : trainingWorkload(name).description,
    engine_ms: engine,
    tfjs_cpu_ms: cpu,
    tfjs_wasm_ms: wasm,
    numpy_ms: numpy,
    engine_gflops: engine !== null && flops !== null ? flops / engine / 1e6 : null,
    ratio_cpu: ratio(cpu),
    ratio_wasm: ratio(wasm),
    ratio_numpy: engine !== null && numpy !== null ? engine / numpy : null,
    // Compiling allocates by design; bytes per step only mean something for a training step.
    engine_bytes_per_step:
      name === 'compile-1000'
        ? null
        : (results.find((r) => r.impl === 'engine')?.timing?.bytesPerStep ?? null),
    same_start_loss: sameStartLoss(results),
    notes: results.flatMap((r) => [
      ...(r.unavailable ? [`${r.impl}: ${r.unavailable}`] : []),
      ...(r.detail?.includes(', ') ? [`${r.impl}: ${r.detail.split(', ').slice(1).join(', ')}`] : []),
    ]),
    results,
  };
}

function sameStartLoss(results: ChildResult[]): boolean | null {
  const losses = results.flatMap((r) => (r.lossBefore === undefined ? [] : [r.lossBefore]));
  if (losses.length < 2) return null;
  // float32 sums in different orders: agree to about 1e-5 relative.
  return losses.every((l) => Math.abs(l - losses[0]!) <= 1e-4 * Math.max(1, Math.abs(losses[0]!)));
}

/** The one-line JSON the issue specifies, plus ratios and bytes per step. */
export function reportJson(r: BenchReport): string {
  return JSON.stringify({
    machine: r.machine,
    workloads: r.workloads.map(({ results: _results, notes: _notes, description: _d, ...rest }) => rest),
  });
}

const fmt = (v: number | null, digits = 2) => (v === null ? '-' : v < 10 ? v.toFixed(digits) : v.toFixed(1));

const times = (v: number | null) => (v === null ? '-' : `${fmt(v, 1)}x`);

/** A Markdown table (it goes straight into the README). */
export function reportTable(r: BenchReport): string {
  const lines = [
    `Machine: ${r.machine}`,
    '',
    '| workload | engine ms | tfjs-cpu ms | tfjs-wasm ms | NumPy+OpenBLAS ms | tfjs-cpu / engine | tfjs-wasm / engine | engine / NumPy | engine GFLOP/s | engine bytes/step |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.workloads.map(
      (w) =>
        `| ${w.name} (${w.description}) | ${fmt(w.engine_ms, 3)} | ${fmt(w.tfjs_cpu_ms, 3)} | ${fmt(w.tfjs_wasm_ms, 3)} | ${fmt(w.numpy_ms, 3)} | ${times(w.ratio_cpu)} | ${times(w.ratio_wasm)} | ${times(w.ratio_numpy)} | ${fmt(w.engine_gflops)} | ${w.engine_bytes_per_step === null ? '-' : Math.round(w.engine_bytes_per_step)} |`,
    ),
  ];
  const notes = r.workloads.flatMap((w) => [
    ...(w.same_start_loss === false
      ? [`- ${w.name}: the implementations started from different losses`]
      : []),
    ...w.notes.map((n) => `- ${w.name}, ${n}`),
  ]);
  if (notes.length) lines.push('', ...notes);
  return lines.join('\n');
}
