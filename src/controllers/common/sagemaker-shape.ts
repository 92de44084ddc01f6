import type { TSchema } from '@sinclair/typebox';

/** The part of a JSON schema the mapping reads: generated request shapes are objects, maps, lists and scalars. */
interface ShapeSchema {
  properties?: Readonly<Record<string, ShapeSchema>>;
  additionalProperties?: ShapeSchema | boolean;
  items?: ShapeSchema;
}

/**
 * The SageMaker request a spec stands for, read through the request's schema generated from
 * botocore's model: every member the schema has is sent under its SageMaker name (lowerCamel
 * capitalised; every member of botocore's model starts with a capital), map keys are the user's own and stay as they
 * are, and fields the schema lacks (the Kubernetes-only fields, references) are left out.
 */
export function toRequest(schema: TSchema, value: unknown): unknown {
  return mapped(schema as ShapeSchema, value);
}

function mapped(schema: ShapeSchema, value: unknown): unknown {
  if (Array.isArray(value)) {
    return (value as unknown[]).map((item) => (schema.items ? mapped(schema.items, item) : item));
  }
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const { properties, additionalProperties } = schema;
  if (properties) {
    return Object.fromEntries(
      entries.flatMap(([key, v]) => {
        const member = properties[key];
        return member ? [[capitalise(key), mapped(member, v)]] : [];
      }),
    );
  }
  if (typeof additionalProperties === 'object') {
    return Object.fromEntries(entries.map(([key, v]) => [key, mapped(additionalProperties, v)]));
  }
  return value;
}

/** A SageMaker member's name from the spec's: every member of botocore's model starts with a capital. */
export function capitalise(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

/** A SageMaker timestamp as the RFC 3339 string status fields carry. */
export function isoTime(date: Date | undefined): string | undefined {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
}
