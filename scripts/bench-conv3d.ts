// One conv3d training step's time (`npm run bench:conv3d -- [float32|float64]`):
// x [8, 4, 8, 8, 8], 8 output channels, kernel 3, bias, loss = sum of the output; forward and
// backward (∂x, ∂w, ∂b). 5 warm-up steps, then 10 rounds of 5 steps; it prints the CPU time per
// step (this process's user + system time, which a busy shared machine moves less than the wall
// clock) as the fastest round and the median round, the wall time's median, and the bytes a
// steady-state step allocates (bench/measure.ts, as `npm run bench` reports them).
// A measurement to report, not a test: the machine's load moves it. TensorFlow.js's tf.conv3d is
// not in `npm run bench` (a workload there needs the layer in all three children).
import { performance } from 'node:perf_hooks';
import { ProgramBuilder } from '../engine/autodiff/program.js';
import { Tensor } from '../engine/tensor/tensor.js';
import { measure } from '../bench/measure.js';

const dtype = process.argv[2] ?? 'float32';
if (dtype !== 'float32' && dtype !== 'float64') {
  console.error(`bench-conv3d: the dtype is float32 or float64, got '${dtype}'`);
  process.exit(2);
}
const shape = [8, 4, 8, 8, 8];
const size = shape.reduce((a, b) => a * b, 1);
const b = new ProgramBuilder(dtype, 1);
const values = Float64Array.from({ length: size }, (_, i) => Math.sin(i));
const x = b.input('x', shape, { value: Tensor.from(shape, values), differentiable: true });
const loss = b.node('loss', 'sum', [b.node('conv', 'conv3d', [x], { outChannels: 8, kernel: 3 })], {});
const program = b.build();
const step = (): void => {
  program.forward();
  program.backward(loss);
};

const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[xs.length >> 1]!;
for (let i = 0; i < 5; i++) step();
const cpu: number[] = [],
  wall: number[] = [];
for (let r = 0; r < 10; r++) {
  const c0 = process.cpuUsage(),
    t0 = performance.now();
  for (let i = 0; i < 5; i++) step();
  const c = process.cpuUsage(c0);
  wall.push((performance.now() - t0) / 5);
  cpu.push((c.user + c.system) / 1000 / 5);
}
const bytes = measure(step, { warmupMs: 0, runMs: 100, runs: 1 }).bytesPerStep;
console.log(
  `conv3d ${dtype} [8, 4, 8, 8, 8] → 8 channels, kernel 3, forward + backward: ` +
    `${Math.min(...cpu).toFixed(2)} ms CPU per step (fastest round), ${median(cpu).toFixed(2)} ms (median), ` +
    `${median(wall).toFixed(2)} ms wall (median), ${bytes === null ? 'bytes unmeasured (GC ran)' : `${Math.round(bytes)} bytes allocated per step`}`,
);
