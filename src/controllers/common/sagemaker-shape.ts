/**
 * Spec fields are lowerCamel versions of SageMaker's PascalCase members (DESIGN.md §2), so the
 * request is the spec with every key capitalised — except inside string maps such as
 * hyperParameters, environment and tags, whose keys are the user's own.
 */
export function toSageMakerShape(value: unknown, userKeyedMaps: ReadonlySet<string>, key?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => toSageMakerShape(item, userKeyedMaps));
  if (value === null || typeof value !== 'object') return value;
  if (key !== undefined && userKeyedMaps.has(key)) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [capitalise(k), toSageMakerShape(v, userKeyedMaps, k)]),
  );
}

function capitalise(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

/** A SageMaker timestamp as the RFC 3339 string status fields carry. */
export function isoTime(date: Date | undefined): string | undefined {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
}
