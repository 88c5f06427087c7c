/**
 * The run panel's settings form, read off the training schema (engine/graph/training-schema.ts):
 * which kinds of dataset, optimiser and schedule exist, which settings each takes, and how a
 * typed value becomes a new `training` section. Pure, so it is tested in node; each change is one
 * `setTraining` edit of the whole section.
 */
import type { TrainingConfig } from '../../engine/graph/document.js';
import { kindsOf, type JsonSchema } from '../../engine/graph/json-schema.js';
import { trainingProblems } from '../../engine/graph/edits.js';
import { datasetSchema, optimizerSchema, scheduleSchema } from '../../engine/graph/training-schema.js';

/** The three kinded sections of `training` the form switches between kinds of. */
export type KindedSection = 'dataset' | 'optimizer' | 'schedule';

export const SECTION_SCHEMAS: Readonly<Record<KindedSection, JsonSchema>> = {
  dataset: datasetSchema,
  optimizer: optimizerSchema,
  schedule: scheduleSchema,
};

type ObjectSchema = Extract<JsonSchema, { type: 'object' }>;
type Section = Record<string, unknown> & { kind: string };

export function kindsOfSection(section: KindedSection): string[] {
  const s = SECTION_SCHEMAS[section];
  return 'oneOf' in s ? s.oneOf.flatMap(kindsOf).map(String) : [];
}

/** The branch of a section's schema for one kind. */
export function branchFor(section: KindedSection, kind: string): ObjectSchema | undefined {
  const s = SECTION_SCHEMAS[section];
  if (!('oneOf' in s)) return undefined;
  const b = s.oneOf.find((x) => kindsOf(x).includes(kind));
  return b && 'type' in b && b.type === 'object' ? b : undefined;
}

/** A field of the form: one setting of a section's current kind. */
export interface SettingField {
  key: string;
  schema: JsonSchema;
  required: boolean;
  description: string;
}

export function fieldsOf(section: KindedSection, kind: string): SettingField[] {
  const b = branchFor(section, kind);
  if (!b) return [];
  return Object.entries(b.properties)
    .filter(([k]) => k !== 'kind')
    .map(([key, schema]) => ({
      key,
      schema,
      required: (b.required ?? []).includes(key),
      description: schema.description ?? '',
    }));
}

/** The section as it is now (a document without a schedule trains at a constant rate). */
export function sectionOf(t: TrainingConfig, section: KindedSection): Section {
  return (t[section] ?? { kind: 'constant' }) as Section;
}

/** Values for the required settings a new kind needs, from what the document already says. */
function requiredDefaults(section: KindedSection, kind: string, t: TrainingConfig): Record<string, unknown> {
  if (section === 'schedule') {
    const lr = t.optimizer.lr;
    const epochs = Math.max(1, t.epochs);
    const table: Record<string, Record<string, unknown>> = {
      step: { stepSize: Math.max(1, Math.round(epochs / 3)), gamma: 0.5 },
      exponential: { gamma: 0.95 },
      cosine: { tMax: epochs },
      linear_warmup: { startFactor: 0.1, totalIters: Math.max(1, Math.round(epochs / 10)) },
      one_cycle: { maxLr: lr * 10 },
    };
    return table[kind] ?? {};
  }
  if (section === 'optimizer') return { lr: t.optimizer.lr };
  return {};
}

/**
 * The training section with `section` switched to `kind`: settings the new kind also has are kept
 * (samples, noise, lr, weight decay…), the ones it lacks dropped, required ones filled in.
 * Switching the schedule to constant removes it (the default).
 */
export function switchKind(t: TrainingConfig, section: KindedSection, kind: string): TrainingConfig {
  const b = branchFor(section, kind);
  if (!b) return t;
  if (section === 'schedule' && kind === 'constant') {
    const rest = { ...t };
    delete rest.schedule;
    return rest;
  }
  const old = sectionOf(t, section);
  const next: Section = { kind };
  for (const [k, v] of Object.entries(old)) if (k !== 'kind' && k in b.properties) next[k] = v;
  for (const [k, v] of Object.entries(requiredDefaults(section, kind, t)))
    if (next[k] === undefined) next[k] = v;
  return { ...t, [section]: next } as TrainingConfig;
}

/** The training section with one setting of `section` (or of the section itself when null) set; undefined removes it. */
export function withSetting(
  t: TrainingConfig,
  section: KindedSection | null,
  key: string,
  value: unknown,
): TrainingConfig {
  const set = (o: Record<string, unknown>) => {
    const copy = { ...o };
    if (value === undefined) delete copy[key];
    else copy[key] = value;
    return copy;
  };
  if (section === null) return set(t as unknown as Record<string, unknown>) as unknown as TrainingConfig;
  return { ...t, [section]: set(sectionOf(t, section)) } as TrainingConfig;
}

/**
 * Text shown in a field for a setting's value ('' when unset). A map keyed by name (a dataset's
 * `inputs`: node id → features) reads `sepal: sepal_length, sepal_width; petal: …`, which
 * parseSetting reads back.
 */
export function formatSetting(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'object')
    return Object.entries(v)
      .map(([k, x]) => `${k}: ${formatSetting(x)}`)
      .join('; ');
  return String(v);
}

/** What was typed, as the JSON value the schema checks (undefined: empty, leave the setting out). */
export function parseSetting(schema: JsonSchema, text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  if ('type' in schema) {
    if (schema.type === 'number' || schema.type === 'integer') return Number(t);
    if (schema.type === 'array') {
      const parts = t
        .replace(/^\[|\]$/g, '')
        .split(/[\s,]+/)
        .filter(Boolean);
      return 'type' in schema.items && schema.items.type === 'string' ? parts : parts.map(Number);
    }
    const values = schema.type === 'object' ? schema.additionalProperties : undefined;
    if (typeof values === 'object') {
      const entries = t.split(';').map((part) => /^\s*([^:]+?)\s*:(.*)$/.exec(part));
      // A part without `name:` stays text, so the schema's check names the field and says what it takes.
      if (entries.some((m) => m === null)) return t;
      return Object.fromEntries(entries.map((m) => [m![1]!, parseSetting(values, m![2]!)]));
    }
  }
  return t;
}

/** The new training section if it is valid, else the first problem (naming the field). */
export function checked(
  t: TrainingConfig,
): { ok: true; training: TrainingConfig } | { ok: false; error: string } {
  const problems = trainingProblems(t);
  return problems.length ? { ok: false, error: problems[0]! } : { ok: true, training: t };
}
