/*
 * Leaf coverage of a SageMaker request by a schema: which members of the request, walked from its
 * shape in botocore's model, a schema exposes under their lowerCamel paths.
 */
import { elementOf, lowerCamel, shapeOf, type BotocoreModel } from '../../../src/crds/shapes/botocore.js';

export interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
}

export interface Coverage {
  /** Leaf paths (model names, `[]` for list items) counted: everything but the left-out members. */
  total: number;
  present: string[];
  missing: string[];
  leftOut: string[];
}

/**
 * Walks the model from `shapeName`: a leaf is a member that is a scalar, an enum, a map, a list of
 * anything but structures, or a structure without members; structures and lists of structures are
 * walked into. Each path is counted once. A structure already being walked on the path is a leaf
 * (the generator's rule for recursive shapes). `leftOut` names top-level members not counted.
 */
export function leafCoverage(
  model: BotocoreModel,
  shapeName: string,
  schema: JsonSchema | undefined,
  leftOut: Readonly<Record<string, string>> = {},
): Coverage {
  const coverage: Coverage = { total: 0, present: [], missing: [], leftOut: [] };
  const walk = (name: string, at: JsonSchema | undefined, path: string, walking: ReadonlySet<string>) => {
    for (const [member, ref] of Object.entries(shapeOf(model, name).members ?? {})) {
      const memberPath = path ? `${path}.${member}` : member;
      if (!path && member in leftOut) {
        coverage.leftOut.push(memberPath);
        continue;
      }
      const property = at?.properties?.[lowerCamel(member)];
      const target = shapeOf(model, ref.shape);
      const list = target.type === 'list';
      const structure = list ? elementOf(target, 'member') : ref.shape;
      const inner = shapeOf(model, structure);
      if (
        inner.type !== 'structure' ||
        Object.keys(inner.members ?? {}).length === 0 ||
        walking.has(structure)
      ) {
        coverage.total++;
        (property ? coverage.present : coverage.missing).push(memberPath);
        continue;
      }
      walk(
        structure,
        list ? property?.items : property,
        list ? `${memberPath}[]` : memberPath,
        new Set([...walking, structure]),
      );
    }
  };
  walk(shapeName, schema, '', new Set([shapeName]));
  return coverage;
}

export function share(coverage: Coverage): number {
  return coverage.total === 0 ? 1 : coverage.present.length / coverage.total;
}
