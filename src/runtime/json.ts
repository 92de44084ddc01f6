/** JSON-value helpers for status comparison and minimal merge patches (RFC 7386). */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keysA = Object.keys(a).filter((k) => a[k] !== undefined);
    const keysB = Object.keys(b).filter((k) => b[k] !== undefined);
    return keysA.length === keysB.length && keysA.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The JSON merge patch that turns `from` into `to`, or undefined when they are equal. Objects are
 * diffed key by key (removed keys become null); arrays and scalars are replaced whole.
 */
export function mergePatch(from: unknown, to: unknown): unknown {
  if (isPlainObject(from) && isPlainObject(to)) {
    const patch: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(to)) {
      if (value === undefined) continue;
      const sub = mergePatch(from[key], value);
      if (sub !== undefined) patch[key] = sub;
    }
    for (const key of Object.keys(from)) {
      if (from[key] !== undefined && to[key] === undefined) patch[key] = null;
    }
    return Object.keys(patch).length > 0 ? patch : undefined;
  }
  return deepEqual(from, to) ? undefined : to;
}
