/** The PyTorch-exported reference models in ../shared/reference/onnx and onnxruntime as an oracle. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';

export const REFERENCE_DIR = resolve(__dirname, '../../../../shared/reference/onnx');

export interface StoredTensor {
  shape: number[];
  data: number[];
}

export interface ReferenceModel {
  file: string;
  path: string;
  inputName: string;
  input: StoredTensor;
  output: StoredTensor;
}

export function referenceModels(): ReferenceModel[] {
  const manifest = JSON.parse(readFileSync(join(REFERENCE_DIR, 'manifest.json'), 'utf8')) as {
    models: { file: string; input_name: string; input: StoredTensor; output: StoredTensor }[];
  };
  return manifest.models.map((m) => ({
    file: m.file,
    path: join(REFERENCE_DIR, m.file),
    inputName: m.input_name,
    input: m.input,
    output: m.output,
  }));
}

/** Runs a model's first output in onnxruntime on one float32 input. */
/** `input`: the model's one input, or a tensor per input by name (a model with several). */
/** `integers`: the inputs fed as int64 (whole numbers: token indices), by name. */
export async function runOrt(
  model: Uint8Array,
  input: StoredTensor | Record<string, StoredTensor>,
  integers: ReadonlySet<string> = new Set(),
): Promise<StoredTensor> {
  const session = await ort.InferenceSession.create(model);
  const byName: Record<string, StoredTensor> =
    'data' in input
      ? { [session.inputNames[0]!]: input as StoredTensor }
      : (input as Record<string, StoredTensor>);
  const feed = Object.fromEntries(
    Object.entries(byName).map(([name, t]) => [
      name,
      integers.has(name)
        ? new ort.Tensor(
            'int64',
            BigInt64Array.from(t.data, (v) => BigInt(v)),
            t.shape,
          )
        : new ort.Tensor('float32', Float32Array.from(t.data), t.shape),
    ]),
  );
  const out = (await session.run(feed))[session.outputNames[0]!]!;
  return { shape: out.dims.slice(), data: Array.from(out.data as Float32Array) };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
