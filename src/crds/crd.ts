import { Type } from '@sinclair/typebox';
import { CATEGORY, GROUP, VERSION, type KindDefinition } from './kind.js';

/** The CustomResourceDefinition of one kind, as a plain object ready to be written as YAML or sent to the apiserver. */
export function toCrd(definition: KindDefinition): Record<string, unknown> {
  const schema = Type.Object(
    {
      apiVersion: Type.Optional(Type.String({ description: 'APIVersion of the object.' })),
      kind: Type.Optional(Type.String({ description: 'Kind of the object.' })),
      metadata: Type.Optional(Type.Unsafe({ type: 'object' })),
      spec: definition.spec,
      status: Type.Optional(definition.status),
    },
    { description: definition.description },
  );
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${definition.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind: definition.kind,
        listKind: `${definition.kind}List`,
        plural: definition.plural,
        singular: definition.singular,
        shortNames: definition.shortNames,
        categories: [CATEGORY],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: definition.printerColumns,
          // JSON round trip: drops TypeBox's symbol-keyed bookkeeping, keeps the schema.
          schema: { openAPIV3Schema: JSON.parse(JSON.stringify(schema)) as unknown },
        },
      ],
    },
  };
}
