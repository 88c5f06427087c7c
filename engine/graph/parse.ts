/**
 * Text → GraphDoc. Checks what a document must be to be a document at all (JSON syntax, format
 * and version, the types of every structural field, the training settings); whether the graph
 * makes sense (ops, attributes, wiring, shapes) is checkGraph's job. Never throws: a document
 * that cannot be read gives `doc: null` and diagnostics that say where and what to do.
 */
import {
  GRAPH_FORMAT,
  GRAPH_VERSION,
  type Diagnostic,
  type GraphDoc,
  type GraphEdge,
  type GraphNode,
  type NodeId,
  type TrainingConfig,
} from './document.js';
import { escapePointer, parseJsonLocated, type JsonLines } from './json-source.js';
import { validateSchema } from './json-schema.js';
import { trainingSchema } from './training-schema.js';
import type { Attrs } from '../ops/define.js';

/** Where the parts of a parsed document sit in its text (1-based lines), for diagnostics. */
export class GraphLocations {
  private readonly nodeIndex = new Map<NodeId, number>();

  constructor(
    private readonly lines: JsonLines,
    nodeIds: readonly unknown[] = [],
  ) {
    // The first occurrence wins: a duplicate id is reported at its own line by index.
    nodeIds.forEach((id, i) => {
      if (typeof id === 'string' && !this.nodeIndex.has(id)) this.nodeIndex.set(id, i);
    });
  }

  static readonly none = new GraphLocations(new Map());

  /** The line of a JSON pointer ('/training/optimizer/lr'), or of its nearest located parent. */
  pointer(path: string): number | undefined {
    for (let p = path; ; p = p.slice(0, p.lastIndexOf('/'))) {
      const line = this.lines.get(p);
      if (line !== undefined || p === '') return line;
    }
  }

  nodeAt(index: number): number | undefined {
    return this.lines.get(`/nodes/${index}`);
  }

  node(id: NodeId, attr?: string): number | undefined {
    const i = this.nodeIndex.get(id);
    if (i === undefined) return undefined;
    return attr !== undefined ? this.pointer(`/nodes/${i}/attrs/${escapePointer(attr)}`) : this.nodeAt(i);
  }

  edge(index: number): number | undefined {
    return this.lines.get(`/edges/${index}`);
  }
}

export interface ParseResult {
  doc: GraphDoc | null;
  diagnostics: Diagnostic[];
  locations: GraphLocations;
  /**
   * When `doc` is null only because of the training section, its nodes and edges (they parsed),
   * so the graph itself can still be checked and every problem reported at once.
   */
  wiring?: Pick<GraphDoc, 'nodes' | 'edges'>;
}

const DOC_KEYS = ['format', 'version', 'nodes', 'edges', 'training'];
const NODE_KEYS = ['id', 'op', 'attrs', 'position'];
const EDGE_KEYS = ['from', 'to', 'fromPort', 'toPort'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isAttrValue(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'string' || typeof v === 'boolean') return true;
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

export function parseGraph(text: string): ParseResult {
  const json = parseJsonLocated(text);
  if (!json.ok) {
    const { message, line, column } = json.error;
    return {
      doc: null,
      locations: GraphLocations.none,
      diagnostics: [
        {
          severity: 'error',
          code: 'json-syntax',
          message: `The file is not valid JSON at line ${line}, column ${column}: ${message}`,
          line,
          column,
        },
      ],
    };
  }
  const root = json.value;
  const nodeIds =
    isObject(root) && Array.isArray(root['nodes'])
      ? root['nodes'].map((n) => (isObject(n) ? n['id'] : undefined))
      : [];
  const locations = new GraphLocations(json.lines, nodeIds);
  const diagnostics: Diagnostic[] = [];
  const at = (path: string): { line?: number } => {
    const line = locations.pointer(path);
    return line === undefined ? {} : { line };
  };
  const error = (code: string, path: string, message: string, where: Partial<Diagnostic> = {}) =>
    diagnostics.push({ severity: 'error', code, message, ...where, ...at(path) });
  const warnUnknownKeys = (
    obj: Record<string, unknown>,
    known: string[],
    path: string,
    what: string,
    where: Partial<Diagnostic> = {},
  ) => {
    for (const k of Object.keys(obj))
      if (!known.includes(k))
        diagnostics.push({
          severity: 'warning',
          code: 'unknown-field',
          message: `${what} has an unknown field '${k}' (known: ${known.join(', ')}); it is ignored and dropped when the graph is saved. Check the spelling.`,
          ...where,
          ...at(`${path}/${escapePointer(k)}`),
        });
  };
  for (const d of json.duplicateKeys)
    diagnostics.push({
      severity: 'warning',
      code: 'duplicate-key',
      message: `The key '${d.path.slice(d.path.lastIndexOf('/') + 1)}' appears twice in the same object; the last one wins. Delete one of them.`,
      line: d.line,
    });

  if (!isObject(root)) {
    error(
      'not-a-graph',
      '',
      `A graph document is a JSON object with "format": "${GRAPH_FORMAT}"; this file holds ${Array.isArray(root) ? 'an array' : typeof root}.`,
    );
    return { doc: null, diagnostics, locations };
  }
  if (root['format'] !== GRAPH_FORMAT) {
    error(
      'unknown-format',
      '/format',
      root['format'] === undefined
        ? `The document has no "format"; add "format": "${GRAPH_FORMAT}".`
        : `Unknown format ${JSON.stringify(root['format'])}; this tool reads "${GRAPH_FORMAT}".`,
    );
    return { doc: null, diagnostics, locations };
  }
  if (root['version'] !== GRAPH_VERSION) {
    error(
      'unknown-version',
      '/version',
      `Unknown document version ${JSON.stringify(root['version'])}; this tool reads version ${GRAPH_VERSION}. ${
        typeof root['version'] === 'number' && root['version'] > GRAPH_VERSION
          ? 'The file was written by a newer Backprop Studio: update the extension.'
          : `Set "version": ${GRAPH_VERSION}.`
      }`,
    );
    return { doc: null, diagnostics, locations };
  }
  warnUnknownKeys(root, DOC_KEYS, '', 'The document');
  const before = diagnostics.filter((d) => d.severity === 'error').length;

  const nodes: GraphNode[] = [];
  if (!Array.isArray(root['nodes']))
    error('bad-field', '/nodes', `"nodes" must be a list of nodes; got ${describe(root['nodes'])}.`);
  else
    root['nodes'].forEach((n, i) => {
      const path = `/nodes/${i}`;
      if (!isObject(n))
        return error(
          'bad-field',
          path,
          `Node ${i + 1} must be an object { "id", "op", "attrs", "position" }; got ${describe(n)}.`,
        );
      const id = n['id'];
      const name = typeof id === 'string' && id ? `Node '${id}'` : `Node ${i + 1}`;
      const where = typeof id === 'string' && id ? { node: id } : {};
      if (typeof id !== 'string' || id === '')
        error(
          'bad-field',
          `${path}/id`,
          `${name} needs an "id": a non-empty string that names it (e.g. "h1").`,
        );
      if (typeof n['op'] !== 'string')
        error(
          'bad-field',
          `${path}/op`,
          `${name} needs an "op": the name of an operation (e.g. "linear"); got ${describe(n['op'])}.`,
          where,
        );
      const attrs = n['attrs'] ?? {};
      if (!isObject(attrs))
        error(
          'bad-field',
          `${path}/attrs`,
          `${name}: "attrs" must be an object; got ${describe(attrs)}.`,
          where,
        );
      else
        for (const [k, v] of Object.entries(attrs))
          if (!isAttrValue(v))
            error(
              'bad-attr',
              `${path}/attrs/${escapePointer(k)}`,
              `${name}: attribute '${k}' must be a number, string, boolean or list of numbers; got ${describe(v)}.`,
              { ...where, attr: k },
            );
      const pos = n['position'] ?? { x: 0, y: 0 };
      if (!isObject(pos) || !Number.isFinite(pos['x']) || !Number.isFinite(pos['y']))
        error(
          'bad-field',
          `${path}/position`,
          `${name}: "position" must be { "x": number, "y": number }; got ${JSON.stringify(pos)}.`,
          where,
        );
      warnUnknownKeys(n, NODE_KEYS, path, name, where);
      if (isObject(pos))
        nodes.push({
          id: id as string,
          op: n['op'] as string,
          attrs: attrs as Attrs,
          position: { x: pos['x'] as number, y: pos['y'] as number },
        });
    });

  const edges: GraphEdge[] = [];
  if (!Array.isArray(root['edges']))
    error('bad-field', '/edges', `"edges" must be a list of edges; got ${describe(root['edges'])}.`);
  else
    root['edges'].forEach((e, i) => {
      const path = `/edges/${i}`;
      if (!isObject(e))
        return error(
          'bad-field',
          path,
          `Edge ${i + 1} must be an object { "from", "to" }; got ${describe(e)}.`,
          { edge: i },
        );
      for (const k of ['from', 'to'])
        if (typeof e[k] !== 'string' || e[k] === '')
          error(
            'bad-field',
            `${path}/${k}`,
            `Edge ${i + 1} needs "${k}": the id of a node; got ${describe(e[k])}.`,
            { edge: i },
          );
      for (const k of ['fromPort', 'toPort'])
        if (e[k] !== undefined && typeof e[k] !== 'string')
          error(
            'bad-field',
            `${path}/${k}`,
            `Edge ${i + 1}: "${k}" must be a port name (a string); got ${describe(e[k])}.`,
            { edge: i },
          );
      warnUnknownKeys(e, EDGE_KEYS, path, `Edge ${i + 1}`, { edge: i });
      const edge: GraphEdge = { from: e['from'] as string, to: e['to'] as string };
      if (typeof e['fromPort'] === 'string') edge.fromPort = e['fromPort'];
      if (typeof e['toPort'] === 'string') edge.toPort = e['toPort'];
      edges.push(edge);
    });

  const wiringErrors = diagnostics.filter((d) => d.severity === 'error').length > before;
  if (root['training'] === undefined)
    error(
      'bad-training',
      '',
      'The document has no "training" section; add one with at least "dataset", "optimizer", "batchSize" and "epochs".',
    );
  else
    for (const p of validateSchema(trainingSchema, root['training'], '/training', 'training'))
      error('bad-training', p.path, `${p.message}`);

  if (diagnostics.filter((d) => d.severity === 'error').length > before)
    return { doc: null, diagnostics, locations, ...(wiringErrors ? {} : { wiring: { nodes, edges } }) };
  const doc: GraphDoc = {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    nodes,
    edges,
    training: root['training'] as TrainingConfig,
  };
  return { doc, diagnostics, locations };
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return JSON.stringify(v);
}
