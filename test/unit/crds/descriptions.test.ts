import { describe, expect, it } from '@jest/globals';
import { toCrd } from '../../../src/crds/crd.js';
import { CRD_KINDS } from '../../../src/crds/index.js';

interface Schema {
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
}

/**
 * The paths (as `kubectl explain` spells them) of every property in the schema without a
 * description, looking into object properties, array items and map values.
 */
export function undescribed(schema: Schema, path: string): string[] {
  const missing: string[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const at = `${path}.${name}`;
    if (!property.description?.trim()) missing.push(at);
    missing.push(...undescribed(property, at));
  }
  if (schema.items) missing.push(...undescribed(schema.items, path));
  if (typeof schema.additionalProperties === 'object')
    missing.push(...undescribed(schema.additionalProperties, `${path}.*`));
  return missing;
}

function openApiSchema(crd: Record<string, unknown>): Schema {
  const spec = crd.spec as { versions: { schema: { openAPIV3Schema: Schema } }[] };
  return spec.versions[0]!.schema.openAPIV3Schema;
}

describe('CRD field descriptions (kubectl explain)', () => {
  it('finds a property without a description', () => {
    const schema: Schema = {
      description: 'root',
      properties: {
        a: { description: 'a', properties: { b: {} } },
        list: { description: 'l', items: { properties: { c: { description: ' ' } } } },
        map: { description: 'm', additionalProperties: { properties: { d: {} } } },
      },
    };
    expect(undescribed(schema, 'x')).toEqual(['x.a.b', 'x.list.c', 'x.map.*.d']);
  });

  it.each(CRD_KINDS.map((kind) => [kind.kind, kind] as const))(
    '%s describes every field',
    (kind, definition) => {
      const { metadata, ...properties } = openApiSchema(toCrd(definition)).properties ?? {};
      // The apiserver forbids anything but a type on metadata; it documents ObjectMeta itself.
      expect(metadata).toEqual({ type: 'object' });
      const schema = openApiSchema(toCrd(definition));
      expect(schema.description).toBeTruthy();
      expect(undescribed({ ...schema, properties }, kind)).toEqual([]);
    },
  );
});
