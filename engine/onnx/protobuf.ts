/**
 * A small Protocol Buffers codec: the wire format (varints, length-delimited fields, fixed32/64,
 * packed repeated scalars) and a schema-driven encoder/decoder for plain TypeScript objects.
 * It covers what ONNX needs and nothing more (no groups, no maps, no unknown-field retention).
 *
 * A message is described by a schema that maps each property of its TypeScript interface to a
 * field number and a wire type; the mapped type below makes the compiler check that the schema
 * and the interface agree. Decoding fills absent singular fields with `undefined` and absent
 * repeated fields with `[]`; repeated scalars are read both packed and unpacked, as protobuf
 * requires of every parser.
 */

/** Wire types (the low three bits of a field key). */
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** A malformed or truncated buffer, or a value this codec cannot represent. */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

const TWO_32 = 4294967296;

/** UTF-8 by hand: the engine's lib has no TextEncoder/TextDecoder (no DOM, no Node). */
export function utf8Encode(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Decodes UTF-8; malformed sequences become U+FFFD rather than throwing. */
export function utf8Decode(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    // ASCII runs (all of a JSON weights file) a chunk at a time: a character per step is slow for megabytes.
    if (b < 0x80) {
      let end = i + 1;
      while (end < bytes.length && end - i < 8192 && bytes[end]! < 0x80) end++;
      s += String.fromCharCode(...bytes.subarray(i, end));
      i = end;
      continue;
    }
    const len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
    if (len === 0 || i + len > bytes.length) {
      s += '\ufffd';
      i++;
      continue;
    }
    let c = len === 1 ? b : b & (0xff >> (len + 1));
    let ok = true;
    for (let k = 1; k < len; k++) {
      const cont = bytes[i + k]!;
      if ((cont & 0xc0) !== 0x80) ok = false;
      c = (c << 6) | (cont & 0x3f);
    }
    if (!ok || c > 0x10ffff) {
      s += '\ufffd';
      i++;
      continue;
    }
    s += String.fromCodePoint(c);
    i += len;
  }
  return s;
}

/** Reads the wire format from a byte range. */
export class ProtoReader {
  private pos: number;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  get offset(): number {
    return this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end)
      throw new ProtobufError(`truncated message: needs ${n} more byte(s) at offset ${this.pos}`);
  }

  /** An unsigned varint as a 64-bit two's complement pair (lo, hi), both unsigned 32-bit. */
  private varintParts(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28; // low 4 bits land in lo, the rest in hi
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw new ProtobufError(`varint longer than 10 bytes at offset ${this.pos}`);
  }

  /** A varint read as a signed 64-bit integer (int64/int32), exact within ±2^53. */
  int64(): number {
    const [lo, hi] = this.varintParts();
    const value = hi >= 0x80000000 ? -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1) : hi * TWO_32 + lo;
    if (!Number.isSafeInteger(value)) throw new ProtobufError(`integer ${value} is outside ±2^53`);
    return value;
  }

  /** A varint read as an unsigned 64-bit integer, exact below 2^53. */
  uint64(): number {
    const [lo, hi] = this.varintParts();
    const value = hi * TWO_32 + lo;
    if (!Number.isSafeInteger(value)) throw new ProtobufError(`integer ${value} is beyond 2^53`);
    return value;
  }

  /** A varint used as a key or length (always small). */
  uint32(): number {
    return this.uint64();
  }

  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** The contents of a length-delimited field, as a view into the buffer (not a copy). */
  bytes(): Uint8Array {
    const n = this.uint32();
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    return utf8Decode(this.bytes());
  }

  /** Skips a field's value of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.varintParts();
        return;
      case FIXED64:
        this.need(8);
        this.pos += 8;
        return;
      case LENGTH_DELIMITED:
        this.bytes();
        return;
      case FIXED32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${wireType} at offset ${this.pos}`);
    }
  }
}

/** Writes the wire format into a growing buffer. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;
  private readonly scratch = new DataView(new ArrayBuffer(8));

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  key(field: number, wireType: number): void {
    this.uint64(field * 8 + wireType);
  }

  /** A non-negative integer as a varint. */
  uint64(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new ProtobufError(`cannot write ${v} as an unsigned varint`);
    while (v >= 0x80) {
      this.byte((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.byte(v);
  }

  /** A signed integer as a varint; negative values take ten bytes (64-bit two's complement). */
  int64(v: number): void {
    if (!Number.isSafeInteger(v)) throw new ProtobufError(`cannot write ${v} as an integer`);
    if (v >= 0) {
      this.uint64(v);
      return;
    }
    // Two's complement of |v| in 64 bits, split into 32-bit halves.
    const mag = -v;
    let lo = (~(mag % TWO_32) + 1) >>> 0;
    let hi = ~Math.floor(mag / TWO_32) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
    for (let i = 0; i < 9; i++) {
      this.byte((lo & 0x7f) | 0x80);
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.byte(lo & 0x01);
  }

  float(v: number): void {
    this.scratch.setFloat32(0, v, true);
    this.raw(new Uint8Array(this.scratch.buffer, 0, 4));
  }

  double(v: number): void {
    this.scratch.setFloat64(0, v, true);
    this.raw(new Uint8Array(this.scratch.buffer, 0, 8));
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** A length-delimited field: key, length, contents. */
  bytesField(field: number, bytes: Uint8Array): void {
    this.key(field, LENGTH_DELIMITED);
    this.uint64(bytes.length);
    this.raw(bytes);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

// ---- Schemas -----------------------------------------------------------------------------------

export type NumericType = 'int32' | 'int64' | 'uint64' | 'float' | 'double' | 'bool';

/** The schema of one field, chosen by the TypeScript type of the property it fills. */
export type FieldSpec<V> = [V] extends [number]
  ? { no: number; type: Exclude<NumericType, 'bool'> }
  : [V] extends [boolean]
    ? { no: number; type: 'bool' }
    : [V] extends [string]
      ? { no: number; type: 'string' }
      : [V] extends [Uint8Array]
        ? { no: number; type: 'bytes' }
        : [V] extends [number[]]
          ? { no: number; type: Exclude<NumericType, 'bool'>; repeated: true; packed?: boolean }
          : [V] extends [string[]]
            ? { no: number; type: 'string'; repeated: true }
            : [V] extends [Uint8Array[]]
              ? { no: number; type: 'bytes'; repeated: true }
              : [V] extends [(infer M)[]]
                ? { no: number; type: 'message'; repeated: true; schema: () => MessageSchema<M> }
                : { no: number; type: 'message'; schema: () => MessageSchema<V> };

/** A message's schema: one FieldSpec per property of its interface. */
export type MessageSchema<T> = { [K in keyof T]-?: FieldSpec<Exclude<T[K], undefined>> };

interface AnyField {
  no: number;
  type: NumericType | 'string' | 'bytes' | 'message';
  repeated?: true;
  packed?: boolean;
  schema?: () => Record<string, AnyField>;
}

function fieldsOf(schema: object): [string, AnyField][] {
  return Object.entries(schema as Record<string, AnyField>);
}

function wireTypeOf(type: AnyField['type']): number {
  switch (type) {
    case 'float':
      return FIXED32;
    case 'double':
      return FIXED64;
    case 'string':
    case 'bytes':
    case 'message':
      return LENGTH_DELIMITED;
    default:
      return VARINT;
  }
}

function readScalar(r: ProtoReader, type: NumericType): number | boolean {
  switch (type) {
    case 'float':
      return r.float();
    case 'double':
      return r.double();
    case 'uint64':
      return r.uint64();
    case 'bool':
      return r.uint64() !== 0;
    case 'int32':
    case 'int64':
      return r.int64();
  }
}

function decodeInto(schema: object, r: ProtoReader, name: string): Record<string, unknown> {
  const fields = fieldsOf(schema);
  const byNumber = new Map(fields.map(([key, f]) => [f.no, [key, f] as const]));
  const out: Record<string, unknown> = {};
  for (const [key, f] of fields) if (f.repeated) out[key] = [];
  while (!r.done) {
    const tag = r.uint32();
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    const entry = byNumber.get(no);
    if (!entry) {
      r.skip(wire);
      continue;
    }
    const [key, f] = entry;
    const expected = wireTypeOf(f.type);
    let value: unknown;
    if (f.repeated && wire === LENGTH_DELIMITED && expected !== LENGTH_DELIMITED) {
      // A packed run of scalars.
      const body = r.bytes();
      const inner = new ProtoReader(body);
      const list = out[key] as unknown[];
      while (!inner.done) list.push(readScalar(inner, f.type as NumericType));
      continue;
    }
    if (wire !== expected) {
      throw new ProtobufError(`${name}.${key} (field ${no}): wire type ${wire}, expected ${expected}`);
    }
    if (f.type === 'string') value = r.string();
    else if (f.type === 'bytes') value = r.bytes();
    else if (f.type === 'message') {
      const body = r.bytes();
      value = decodeInto(f.schema!(), new ProtoReader(body), `${name}.${key}`);
    } else value = readScalar(r, f.type);
    if (f.repeated) (out[key] as unknown[]).push(value);
    else out[key] = value;
  }
  return out;
}

/** Decodes a message. Unknown fields are skipped; a malformed buffer throws a ProtobufError. */
export function decodeMessage<T>(schema: MessageSchema<T>, bytes: Uint8Array, name = 'message'): T {
  return decodeInto(schema, new ProtoReader(bytes), name) as T;
}

function writeScalar(w: ProtoWriter, type: NumericType, v: number | boolean): void {
  switch (type) {
    case 'float':
      w.float(v as number);
      return;
    case 'double':
      w.double(v as number);
      return;
    case 'bool':
      w.uint64(v ? 1 : 0);
      return;
    case 'uint64':
      w.uint64(v as number);
      return;
    case 'int32':
    case 'int64':
      w.int64(v as number);
      return;
  }
}

function encodeInto(schema: object, msg: Record<string, unknown>, w: ProtoWriter): void {
  // Fields in number order, as protobuf's own serialisers write them.
  const fields = fieldsOf(schema).sort((a, b) => a[1].no - b[1].no);
  for (const [key, f] of fields) {
    const v = msg[key];
    if (v === undefined) continue;
    const values = f.repeated ? (v as unknown[]) : [v];
    if (f.repeated && f.packed && values.length > 0) {
      const inner = new ProtoWriter();
      for (const x of values) writeScalar(inner, f.type as NumericType, x as number);
      w.bytesField(f.no, inner.finish());
      continue;
    }
    for (const x of values) {
      if (f.type === 'string') w.bytesField(f.no, utf8Encode(x as string));
      else if (f.type === 'bytes') w.bytesField(f.no, x as Uint8Array);
      else if (f.type === 'message') {
        const inner = new ProtoWriter();
        encodeInto(f.schema!(), x as Record<string, unknown>, inner);
        w.bytesField(f.no, inner.finish());
      } else {
        w.key(f.no, wireTypeOf(f.type));
        writeScalar(w, f.type, x as number | boolean);
      }
    }
  }
}

/** Encodes a message; undefined fields and empty repeated fields are left out. */
export function encodeMessage<T>(schema: MessageSchema<T>, msg: T): Uint8Array {
  const w = new ProtoWriter();
  encodeInto(schema, msg as Record<string, unknown>, w);
  return w.finish();
}
