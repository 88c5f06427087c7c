/** The engine worker as a real thread (node:worker_threads), in the shape RunController uses. */
import { Worker } from 'node:worker_threads';
import type { FromWorker } from '../../engine/run/protocol.js';
import type { EngineWorker } from './run-controller.js';

/** Starts `script` (dist/worker.js) as the engine worker thread. */
export function spawnEngineWorker(script: string): EngineWorker {
  const w = new Worker(script, { name: 'backprop-studio-engine' });
  return {
    postMessage: (msg) => w.postMessage(msg),
    onMessage: (fn) => void w.on('message', (m: FromWorker) => fn(m)),
    onError: (fn) => void w.on('error', fn),
    onExit: (fn) => void w.on('exit', fn),
    terminate: () => void w.terminate(),
  };
}
