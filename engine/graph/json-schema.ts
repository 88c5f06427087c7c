/**
 * The subset of JSON Schema (draft-07) this project writes, and a validator for it. The training
 * settings are declared once as such a schema (training-schema.ts): parse.ts validates with it and
 * scripts/generate-schema.ts writes it into schema/nngraph.schema.json.
 * Unions are discriminated by a `kind` property (`oneOf` whose branches fix `kind`).
 */

export type JsonSchema =
  | {
      type: 'object';
      properties: Record<string, JsonSchema>;
      required?: readonly string[];
      /** false: no other keys; a schema: every other key's value (a map keyed by name). */
      additionalProperties?: boolean | JsonSchema;
      description?: string;
    }
  | {
      type: 'number' | 'integer';
      minimum?: number;
      maximum?: number;
      exclusiveMinimum?: number;
      exclusiveMaximum?: number;
      description?: string;
    }
  | { type: 'boolean'; description?: string }
  | { type: 'string'; minLength?: number; description?: string }
  | { type: 'array'; items: JsonSchema; minItems?: number; maxItems?: number; description?: string }
  | { enum: readonly (string | number)[]; description?: string }
  | { const: string | number; description?: string }
  | { oneOf: readonly JsonSchema[]; description?: string };

export interface SchemaProblem {
  /** JSON pointer of the offending value (or of the object missing a property). */
  path: string;
  message: string;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return typeof v === 'string' ? `the string ${JSON.stringify(v)}` : `${typeof v} ${JSON.stringify(v)}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The values of `kind` a branch accepts (const or enum on its `kind` property). */
export function kindsOf(branch: JsonSchema): readonly (string | number)[] {
  if (!('type' in branch) || branch.type !== 'object') return [];
  const k = branch.properties['kind'];
  if (!k) return [];
  if ('const' in k) return [k.const];
  if ('enum' in k) return k.enum;
  return [];
}

/** Every problem of `value` against `schema`; `name` is the human name of the value ('training.optimizer'). */
export function validateSchema(
  schema: JsonSchema,
  value: unknown,
  path: string,
  name: string,
): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const bad = (message: string) => out.push({ path, message });
  if ('oneOf' in schema) {
    const kinds = schema.oneOf.flatMap(kindsOf);
    if (!isObject(value))
      bad(`${name} must be an object with a 'kind' (${kinds.join(', ')}); got ${typeName(value)}.`);
    else {
      const branch = schema.oneOf.find((b) => kindsOf(b).includes(value['kind'] as string));
      if (!branch) bad(`${name}.kind must be one of ${kinds.join(', ')}; got ${typeName(value['kind'])}.`);
      else out.push(...validateSchema(branch, value, path, name));
    }
    return out;
  }
  if ('const' in schema) {
    if (value !== schema.const)
      bad(`${name} must be ${JSON.stringify(schema.const)}; got ${typeName(value)}.`);
    return out;
  }
  if ('enum' in schema) {
    if (!schema.enum.includes(value as string))
      bad(`${name} must be one of ${schema.enum.join(', ')}; got ${typeName(value)}.`);
    return out;
  }
  switch (schema.type) {
    case 'object': {
      if (!isObject(value)) {
        bad(`${name} must be an object; got ${typeName(value)}.`);
        break;
      }
      for (const r of schema.required ?? [])
        if (value[r] === undefined) bad(`${name} needs '${r}' (${describe(schema.properties[r])}).`);
      for (const [k, v] of Object.entries(value)) {
        const sub = schema.properties[k];
        if (sub) out.push(...validateSchema(sub, v, `${path}/${k}`, `${name}.${k}`));
        else if (typeof schema.additionalProperties === 'object')
          out.push(...validateSchema(schema.additionalProperties, v, `${path}/${k}`, `${name}.${k}`));
        else if (schema.additionalProperties === false)
          out.push({
            path: `${path}/${k}`,
            message: `${name} has no setting '${k}'; its settings are ${Object.keys(schema.properties).join(', ')}.`,
          });
      }
      break;
    }
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value))
        bad(`${name} must be a number; got ${typeName(value)}.`);
      else if (schema.type === 'integer' && !Number.isInteger(value))
        bad(`${name} must be a whole number; got ${value}.`);
      else if (schema.minimum !== undefined && value < schema.minimum)
        bad(`${name} must be at least ${schema.minimum}; got ${value}.`);
      else if (schema.maximum !== undefined && value > schema.maximum)
        bad(`${name} must be at most ${schema.maximum}; got ${value}.`);
      else if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
        bad(`${name} must be greater than ${schema.exclusiveMinimum}; got ${value}.`);
      else if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum)
        bad(`${name} must be less than ${schema.exclusiveMaximum}; got ${value}.`);
      break;
    }
    case 'boolean':
      if (typeof value !== 'boolean') bad(`${name} must be true or false; got ${typeName(value)}.`);
      break;
    case 'string':
      if (typeof value !== 'string') bad(`${name} must be a string; got ${typeName(value)}.`);
      else if (schema.minLength !== undefined && value.length < schema.minLength)
        bad(`${name} must not be empty.`);
      break;
    case 'array':
      if (!Array.isArray(value)) bad(`${name} must be a list; got ${typeName(value)}.`);
      else {
        if (schema.minItems !== undefined && value.length < schema.minItems)
          bad(`${name} needs at least ${schema.minItems} item(s); got ${value.length}.`);
        if (schema.maxItems !== undefined && value.length > schema.maxItems)
          bad(`${name} takes at most ${schema.maxItems} item(s); got ${value.length}.`);
        value.forEach((v, k) =>
          out.push(...validateSchema(schema.items, v, `${path}/${k}`, `${name}[${k}]`)),
        );
      }
      break;
  }
  return out;
}

function describe(s: JsonSchema | undefined): string {
  if (!s) return 'required';
  if (s.description) return s.description;
  if ('oneOf' in s) return `an object with a 'kind'`;
  if ('enum' in s) return `one of ${s.enum.join(', ')}`;
  if ('const' in s) return JSON.stringify(s.const);
  return `a ${s.type}`;
}
