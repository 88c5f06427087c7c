/**
 * The engine worker thread's entry (bundled to dist/worker.js): the plumbing between the
 * extension host's messages and a RunSession, which does the work. Training never runs on the
 * extension host's own thread.
 *
 * setImmediate yields to the event loop between training slices, so the host's messages (pause,
 * reset, dispose) are handled between them; CSV datasets are read relative to the document, MNIST
 * from the extension's media/data.
 */
import { parentPort } from 'node:worker_threads';
import { readBesideGraph } from '../../engine/io/read-file.js';
import { readBundledFile } from '../../engine/io/bundled-data.js';
import { RunSession } from '../../engine/run/run-session.js';
import { realClock } from '../../engine/train/throttle.js';

const port = parentPort;
if (!port) throw new Error('engine-worker.js runs as a worker thread of the extension host');

const session = new RunSession({
  emit: (event) => port.postMessage(event),
  defer: (fn) => void setImmediate(fn),
  clock: realClock,
  readText: (path, baseDir) => readBesideGraph(baseDir, path),
  readBundled: readBundledFile,
});

port.on('message', (msg: unknown) => {
  session.receive(msg);
  // After dispose nothing is left to do: closing the port lets the thread end by itself.
  if (typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'dispose') port.close();
});
