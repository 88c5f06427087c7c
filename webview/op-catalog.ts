/**
 * What the palette and the inspector need to know about each op, read from the engine's one op
 * registry (names, categories, ports, attribute specs, docs). The webview bundle has the registry's
 * metadata only: scripts/op-metadata-plugin.mjs leaves each op's kernels out (test/webview/bundle.test.ts).
 */
import type { AnyOp, Attrs, AttrSpec, AttrValue, OpCategory, OpMetadata } from '../engine/ops/define.js';
import { resolveAttrs } from '../engine/ops/attrs.js';
import { OPS } from '../engine/ops/registry.js';

export interface OpInfo {
  name: string;
  category: OpCategory;
  inputs: readonly string[];
  /** A variadic op's ports from its attributes (concat of `count`): read with nodePorts. */
  ports?: OpMetadata['ports'];
  /** An op's several output ports from its attributes (split): read with nodeOutputs. */
  outputs?: OpMetadata['outputs'];
  attrs: Readonly<Record<string, AttrSpec>>;
  doc: string;
  /** A palette entry for an op's preset (relu6): the op it adds and the attributes it sets. */
  preset?: { op: string; attrs: Readonly<Record<string, AttrValue>> };
}

/** Palette order: how a network reads from left to right. */
export const CATEGORY_ORDER: readonly OpCategory[] = [
  'data',
  'layers',
  'activations',
  'math',
  'shape',
  'losses',
];

export const CATEGORY_TITLES: Record<OpCategory, string> = {
  data: 'Data',
  layers: 'Layers',
  activations: 'Activations',
  math: 'Math',
  shape: 'Shape',
  losses: 'Losses',
};

function info(op: OpMetadata): OpInfo {
  return {
    name: op.name,
    category: op.category,
    inputs: op.inputs,
    ...(op.ports ? { ports: op.ports } : {}),
    ...(op.outputs ? { outputs: op.outputs } : {}),
    attrs: op.attrs as Record<string, AttrSpec>,
    doc: op.doc,
  };
}

export const OP_INFOS: readonly OpInfo[] = OPS.map(info);
const byName = new Map(OP_INFOS.map((o) => [o.name, o]));

/** What the palette and quick add offer: every op, then its presets right after it. */
export const PALETTE_ENTRIES: readonly OpInfo[] = OPS.flatMap((op) => [
  info(op),
  ...(op.presets ?? []).map((p): OpInfo => ({
    ...info(op),
    name: p.name,
    doc: p.doc,
    preset: { op: op.name, attrs: p.attrs as Attrs },
  })),
]);
const entryByName = new Map(PALETTE_ENTRIES.map((o) => [o.name, o]));

/** The registry op of that name (what a node's `op` names). */
export function opInfo(name: string): OpInfo | undefined {
  return byName.get(name);
}

/** A palette entry (an op or a preset) by the name the palette shows. */
export function paletteEntry(name: string): OpInfo | undefined {
  return entryByName.get(name);
}

/** Entries whose name, category or doc contains every word of `query` (case-insensitive). */
export function searchOps(query: string, ops: readonly OpInfo[] = PALETTE_ENTRIES): OpInfo[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const hay = (o: OpInfo) => `${o.name} ${o.category} ${o.doc}`.toLowerCase();
  const hits = ops.filter((o) => words.every((w) => hay(o).includes(w)));
  // Name matches first, then by palette order.
  const rank = (o: OpInfo) => (words.length && o.name.toLowerCase().startsWith(words[0]!) ? 0 : 1);
  return hits.sort(
    (a, b) => rank(a) - rank(b) || CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category),
  );
}

/**
 * The attributes a freshly added node gets: required ones with a sensible starting value, and a
 * preset's own.
 */
export function initialAttrs(op: OpInfo): Record<string, number | boolean | string | readonly number[]> {
  const out: Record<string, number | boolean | string | readonly number[]> = { ...op.preset?.attrs };
  for (const [name, spec] of Object.entries(op.attrs)) {
    if (spec.default !== undefined || spec.optional || name in out) continue;
    if (spec.type === 'integer' || spec.type === 'number')
      out[name] = spec.min !== undefined && spec.min > 1 ? spec.min : 16;
    else if (spec.type === 'enum') out[name] = spec.values[0] ?? '';
    else if (spec.type === 'boolean') out[name] = false;
    else if (spec.type === 'ints') out[name] = [1];
    else if (spec.type === 'axes') out[name] = -1;
    else if (spec.type === 'sizes') out[name] = Math.max(spec.min ?? 1, 2);
    else out[name] = '';
  }
  // A data op needs one of its optional alternatives to say what it carries.
  if (op.category === 'data' && Object.keys(out).length === 0) {
    for (const [name, spec] of Object.entries(op.attrs)) {
      if (spec.type !== 'integer') continue;
      out[name] = spec.min !== undefined && spec.min > 2 ? spec.min : 2;
      break;
    }
  }
  return out;
}

/** The node's attributes with the op's defaults, or null when they don't resolve (shown as errors). */
function resolvedAttrs(op: OpInfo, attrs: Attrs): Attrs | null {
  try {
    return resolveAttrs(op as unknown as AnyOp, attrs);
  } catch {
    return null;
  }
}

/** A node's input ports: a variadic op's follow its attributes (concat's `count`). */
export function nodePorts(op: OpInfo | undefined, attrs: Attrs): readonly string[] {
  if (!op) return [];
  const resolved = op.ports ? resolvedAttrs(op, attrs) : null;
  return resolved && op.ports ? op.ports(resolved) : op.inputs;
}

/** A node's output ports where it has several (split: out0, out1, …); null for one output. */
export function nodeOutputs(op: OpInfo | undefined, attrs: Attrs): readonly string[] | null {
  const resolved = op?.outputs ? resolvedAttrs(op, attrs) : null;
  return resolved && op?.outputs ? op.outputs(resolved) : null;
}
