/**
 * GraphDoc → text, canonical: keys in a fixed order, two-space indent, a trailing newline, every
 * node over a few lines with its `position` on one line (moving a node is a one-line diff), and
 * the layout Prettier gives JSON at printWidth 110 (so formatting a file never fights the editor):
 * an object or list stays on one line when it fits, otherwise one entry per line.
 */
import type { GraphDoc } from './document.js';
import { getOp } from '../ops/registry.js';
import type { JsonSchema } from './json-schema.js';
import { trainingSchema } from './training-schema.js';

const WIDTH = 110;
const INDENT = '  ';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Keys in the given order first, then any others as they come. */
function ordered(obj: object, order: readonly string[]): [string, Json][] {
  const entries = Object.entries(obj).filter(([, v]) => v !== undefined) as [string, Json][];
  const rank = (k: string) => {
    const r = order.indexOf(k);
    return r < 0 ? order.length : r;
  };
  return entries
    .map((e, i) => [e, i] as const)
    .sort((a, b) => rank(a[0][0]) - rank(b[0][0]) || a[1] - b[1])
    .map(([e]) => e);
}

/** Key order of a settings object from the training schema (kind first, then as declared). */
function schemaOrder(schema: JsonSchema | undefined, value: Json): string[] {
  if (!schema) return [];
  if ('oneOf' in schema) {
    const kind = value && typeof value === 'object' && !Array.isArray(value) ? value['kind'] : undefined;
    const branch = schema.oneOf.find((b) => 'type' in b && b.type === 'object' && orderedKind(b, kind));
    return branch ? schemaOrder(branch, value) : ['kind'];
  }
  return 'type' in schema && schema.type === 'object' ? Object.keys(schema.properties) : [];
}

function orderedKind(b: JsonSchema, kind: Json | undefined): boolean {
  if (!('type' in b) || b.type !== 'object') return false;
  const k = b.properties['kind'];
  return !!k && (('const' in k && k.const === kind) || ('enum' in k && k.enum.includes(kind as string)));
}

/** A value with its object keys put in canonical order; `expand` marks objects always written over several lines. */
interface Shaped {
  value: Json;
  entries?: [string, Shaped][];
  items?: Shaped[];
  expand?: boolean;
  /** Memoised one-line text and whether the value must break (each subtree is asked at every level). */
  flat?: string;
  breaks?: boolean;
}

function shape(
  value: Json,
  order: (key: string, v: Json) => readonly string[] = () => [],
  own: readonly string[] = [],
): Shaped {
  if (Array.isArray(value)) return { value, items: value.map((v) => shape(v)) };
  if (value !== null && typeof value === 'object')
    return { value, entries: ordered(value, own).map(([k, v]) => [k, shape(v, () => [], order(k, v))]) };
  return { value };
}

function inline(s: Shaped): string {
  if (s.flat !== undefined) return s.flat;
  if (s.items) s.flat = s.items.length ? `[${s.items.map(inline).join(', ')}]` : '[]';
  else if (s.entries)
    s.flat = s.entries.length
      ? `{ ${s.entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }`
      : '{}';
  else s.flat = JSON.stringify(s.value);
  return s.flat;
}

/** Prettier breaks a list of two or more objects that each have two or more keys. */
function breaksAlways(s: Shaped): boolean {
  if (s.breaks !== undefined) return s.breaks;
  if (s.expand) s.breaks = true;
  else if (s.items)
    s.breaks =
      (s.items.length > 1 && s.items.every((i) => (i.entries?.length ?? 0) > 1)) ||
      s.items.some(breaksAlways);
  else s.breaks = s.entries?.some(([, v]) => breaksAlways(v)) ?? false;
  return s.breaks;
}

function print(s: Shaped, indent: string, prefixLen: number, suffixLen: number): string {
  if (!breaksAlways(s)) {
    const flat = inline(s);
    if (indent.length + prefixLen + flat.length + suffixLen <= WIDTH) return flat;
  }
  const inner = indent + INDENT;
  if (s.items) {
    const lines = s.items.map((it, i) => inner + print(it, inner, 0, i < s.items!.length - 1 ? 1 : 0));
    return `[\n${lines.join(',\n')}\n${indent}]`;
  }
  if (s.entries) {
    const lines = s.entries.map(([k, v], i) => {
      const key = `${JSON.stringify(k)}: `;
      return inner + key + print(v, inner, key.length, i < s.entries!.length - 1 ? 1 : 0);
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return inline(s);
}

export function serializeGraph(doc: GraphDoc): string {
  const nodes: Shaped = {
    value: null,
    items: doc.nodes.map((n) => {
      const attrOrder = Object.keys(getOp(n.op)?.attrs ?? {});
      return {
        value: null,
        expand: true,
        entries: [
          ['id', shape(n.id)],
          ['op', shape(n.op)],
          ['attrs', shape(n.attrs as Json, () => [], attrOrder)],
          ['position', shape({ x: n.position.x, y: n.position.y })],
        ],
      };
    }),
  };
  const edges: Shaped = {
    value: null,
    items: doc.edges.map((e) => shape(e as unknown as Json, () => [], ['from', 'to', 'fromPort', 'toPort'])),
  };
  const trainingProps =
    'type' in trainingSchema && trainingSchema.type === 'object' ? trainingSchema.properties : {};
  const training = shape(
    doc.training as unknown as Json,
    (key, v) => schemaOrder(trainingProps[key], v),
    Object.keys(trainingProps),
  );
  training.expand = true;
  const root: Shaped = {
    value: null,
    expand: true,
    entries: [
      ['format', shape(doc.format)],
      ['version', shape(doc.version)],
      ['nodes', nodes],
      ['edges', edges],
      ['training', training],
    ],
  };
  return `${print(root, '', 0, 0)}\n`;
}
