import { Type, type TSchema, type TUnsafe, type SchemaOptions } from '@sinclair/typebox';

/*
 * Schema builders that emit Kubernetes structural schemas: TypeBox's own union and record
 * builders produce anyOf/const and patternProperties, which the apiserver rejects, so enums
 * and maps are spelled out here.
 */

export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** A string restricted to the given values; the TypeScript type is their union. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions,
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

/** A map from string keys to values of one schema. */
export function StringMap<T extends TSchema>(
  values: T,
  options: SchemaOptions & { maxProperties?: number; 'x-kubernetes-validations'?: CelRule[] },
): TUnsafe<Record<string, T['static']>> {
  return Type.Unsafe<Record<string, T['static']>>({
    ...options,
    type: 'object',
    additionalProperties: values,
  });
}

/** Kubernetes extensions a kind adds to a generated schema: CEL rules, list semantics. */
export interface Refinement {
  description?: string;
  'x-kubernetes-validations'?: CelRule[];
  'x-kubernetes-list-type'?: 'map' | 'set' | 'atomic';
  'x-kubernetes-list-map-keys'?: string[];
}

/** The schema with a kind's refinements; its TypeScript type (and optionality) is unchanged. */
export function refine<T extends TSchema>(schema: T, refinement: Refinement): T {
  return { ...schema, ...refinement };
}

/**
 * The schema with refinements at paths inside it: `a.b` steps into properties, `[]` into a list's
 * items (`a[]`, or `[]` alone for the list itself), `''` is the schema. What lies on a path is
 * copied, so the shared generated shapes stay as they are.
 */
export function refineAt<T extends TSchema>(schema: T, refinements: Readonly<Record<string, Refinement>>): T {
  let refined: TSchema = schema;
  for (const [path, refinement] of Object.entries(refinements))
    refined = reshapeAt(refined, path, (member) => refine(member, refinement));
  return refined as T;
}

/**
 * The schema with what lies at `path` (as in refineAt) replaced by `reshape` of it. The TypeScript
 * type is unchanged: it describes the spec as the operator sends it, once references are resolved.
 */
export function reshapeAt<T extends TSchema>(
  schema: T,
  path: string,
  reshape: (member: TSchema) => TSchema,
): T {
  const steps = path.split('.').flatMap((step) => (step.endsWith('[]') ? [step.slice(0, -2), '[]'] : [step]));
  return reshapedPath(
    schema,
    steps.filter((step) => step !== ''),
    reshape,
  ) as T;
}

function reshapedPath(
  schema: TSchema,
  steps: readonly string[],
  reshape: (member: TSchema) => TSchema,
): TSchema {
  const [step, ...rest] = steps;
  if (step === undefined) return reshape(schema);
  if (step === '[]') {
    const items = schema.items as TSchema | undefined;
    if (!items) throw new Error('no list items to reshape');
    return { ...schema, items: reshapedPath(items, rest, reshape) };
  }
  const properties = schema.properties as Record<string, TSchema> | undefined;
  const member = properties?.[step];
  if (!properties || !member) throw new Error(`no member ${step} to reshape`);
  return { ...schema, properties: { ...properties, [step]: reshapedPath(member, rest, reshape) } };
}

/** Spec fields that only hold back a first create (dependsOn, when): they may change at any time. */
const PREREQUISITE_FIELDS = ['dependsOn', 'when'];

/**
 * A transition rule for an object whose fields may not change once set, except `mutable`: each
 * other field must keep its presence and its value.
 */
export function immutableExceptRule(fields: string[], mutable: string[], message: string): CelRule {
  const clauses = fields
    .filter((field) => !mutable.includes(field) && !PREREQUISITE_FIELDS.includes(field))
    .map((f) => `(has(self.${f}) == has(oldSelf.${f}) && (!has(self.${f}) || self.${f} == oldSelf.${f}))`);
  return { rule: clauses.join(' && '), message };
}
