/**
 * The IDX format of the original MNIST distribution (yann.lecun.com/exdb/mnist): a big-endian
 * header (two zero bytes, the element type 0x08 = unsigned byte, the number of dimensions, then
 * each dimension as a uint32) followed by the elements. Only unsigned bytes are read or written.
 */

/** The MNIST files shipped in media/data/ (written by scripts/generate-bundled-data.ts). */
export const MNIST_FILES = {
  images: 'mnist-10k-images-idx3-ubyte.gz',
  labels: 'mnist-10k-labels-idx1-ubyte.gz',
} as const;

export type BundledFile = (typeof MNIST_FILES)[keyof typeof MNIST_FILES];

export const MNIST_SIDE = 28;

const UNSIGNED_BYTE = 0x08;

export function encodeIdx(values: Uint8Array, shape: readonly number[]): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== values.length) throw new Error(`IDX: shape [${shape.join(', ')}] needs ${size} bytes`);
  const out = new Uint8Array(4 + 4 * shape.length + values.length);
  const view = new DataView(out.buffer);
  out[2] = UNSIGNED_BYTE;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(values, 4 + 4 * shape.length);
  return out;
}

/** The shape and bytes of an IDX file of unsigned bytes; `name` says which file in errors. */
export function decodeIdx(bytes: Uint8Array, name: string): { shape: number[]; values: Uint8Array } {
  const bad = (why: string) => new Error(`${name} is not an IDX file of bytes: ${why}`);
  if (bytes.length < 4) throw bad('it is shorter than its header');
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== UNSIGNED_BYTE)
    throw bad('its header does not start 00 00 08');
  const rank = bytes[3]!;
  const start = 4 + 4 * rank;
  if (bytes.length < start) throw bad('it is shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== start + size)
    throw bad(`its header says ${size} values, the file holds ${bytes.length - start}`);
  return { shape, values: bytes.subarray(start) };
}
