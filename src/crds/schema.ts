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
  for (const [path, refinement] of Object.entries(refinements)) {
    const steps = path
      .split('.')
      .flatMap((step) => (step.endsWith('[]') ? [step.slice(0, -2), '[]'] : [step]));
    refined = refinedPath(
      refined,
      steps.filter((step) => step !== ''),
      refinement,
    );
  }
  return refined as T;
}

function refinedPath(schema: TSchema, steps: readonly string[], refinement: Refinement): TSchema {
  const [step, ...rest] = steps;
  if (step === undefined) return refine(schema, refinement);
  if (step === '[]') {
    const items = schema.items as TSchema | undefined;
    if (!items) throw new Error('no list items to refine');
    return { ...schema, items: refinedPath(items, rest, refinement) };
  }
  const properties = schema.properties as Record<string, TSchema> | undefined;
  const member = properties?.[step];
  if (!properties || !member) throw new Error(`no member ${step} to refine`);
  return { ...schema, properties: { ...properties, [step]: refinedPath(member, rest, refinement) } };
}

/**
 * A transition rule for an object whose fields may not change once set, except `mutable`: each
 * other field must keep its presence and its value.
 */
export function immutableExceptRule(fields: string[], mutable: string[], message: string): CelRule {
  const clauses = fields
    .filter((field) => !mutable.includes(field))
    .map((f) => `(has(self.${f}) == has(oldSelf.${f}) && (!has(self.${f}) || self.${f} == oldSelf.${f}))`);
  return { rule: clauses.join(' && '), message };
}
