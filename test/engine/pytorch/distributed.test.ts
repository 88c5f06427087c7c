/**
 * Data-parallel train.py (DistributedDataParallel, gloo on 127.0.0.1) gives the losses of one
 * process, which are the engine's: started by --nproc 2 (torch.multiprocessing), and started the
 * way torchrun starts it (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR/PORT in the environment; Debian's
 * torchrun itself fails under Python 3.11), on a graph whose last batch has one sample (so one
 * process has no share of it) with momentum, a schedule and clipping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  PYTHON,
  assertSameEpochs,
  engineEpochs,
  exportTo,
  readExample,
  requireTorch,
  runTrainPy,
  type JsonLine,
} from './harness.js';
import { sgdSine } from './graphs.js';

test('spiral: --nproc 2 gives the losses of 1 process and of the engine (float64)', () => {
  const doc = readExample('spiral.nngraph.json');
  const dir = exportTo(doc, 'spiral');
  const args = ['--dtype', 'float64', '--epochs', '3', '--save-weights', join(dir, 'w.json')];
  const one = runTrainPy(dir, args);
  const two = runTrainPy(dir, [...args, '--nproc', '2']);
  assertSameEpochs('spiral, 1 process vs engine', engineEpochs(doc, 3), one);
  const asEngine = one.filter((l) => l['final'] === undefined) as Record<string, number>[];
  assertSameEpochs('spiral, 2 processes vs 1', asEngine, two);
  assert.equal(two.at(-1)!['steps'], one.at(-1)!['steps']);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

test('started as torchrun starts it (2 ranks from the environment), a one-sample last batch included', async () => {
  requireTorch();
  const doc = sgdSine();
  const dir = exportTo(doc, 'sine');
  const port = await freePort();
  const ranks = [0, 1].map(
    (rank) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const p = spawn(
          PYTHON,
          [
            join(dir, 'train.py'),
            '--device',
            'cpu',
            '--json',
            '--dtype',
            'float64',
            '--epochs',
            '3',
            '--save-weights',
            join(dir, 'w.json'),
          ],
          {
            env: {
              ...process.env,
              RANK: String(rank),
              LOCAL_RANK: String(rank),
              WORLD_SIZE: '2',
              MASTER_ADDR: '127.0.0.1',
              MASTER_PORT: String(port),
              GLOO_SOCKET_IFNAME: 'lo',
              OMP_NUM_THREADS: '1',
            },
          },
        );
        let out = '',
          err = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (err += d.toString()));
        p.on('close', (code) => resolve({ code, out, err }));
      }),
  );
  const [r0, r1] = await Promise.all(ranks);
  assert.equal(r0!.code, 0, r0!.err);
  assert.equal(r1!.code, 0, r1!.err);
  assert.equal(r1!.out.trim(), '', 'only rank 0 prints');
  const lines = r0!.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as JsonLine);
  assertSameEpochs('sine, 2 ranks vs engine', engineEpochs(doc, 3), lines);
});
