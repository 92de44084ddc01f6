import { Type, type TSchema, type TUnsafe, type ObjectOptions, type SchemaOptions } from '@sinclair/typebox';

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

/** An object with CEL rules attached. */
export function ObjectWithRules<T extends Parameters<typeof Type.Object>[0]>(
  properties: T,
  options: ObjectOptions & { rules: CelRule[] },
) {
  const { rules, ...rest } = options;
  return Type.Object(properties, { ...rest, 'x-kubernetes-validations': rules });
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
