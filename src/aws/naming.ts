import { createHash } from 'node:crypto';

/** SageMaker names: 1-63 of [a-zA-Z0-9-], alphanumeric at both ends, no double hyphens. */
export const MAX_NAME_LENGTH = 63;
const HASH_LENGTH = 8;

function sanitize(raw: string): string {
  return raw
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

function withSuffix(prefix: string, suffix: string): string {
  const room = MAX_NAME_LENGTH - suffix.length - 1;
  const head = prefix.slice(0, room).replace(/-+$/, '');
  return head ? `${head}-${suffix}` : suffix;
}

/** A short hex hash of any JSON value; object keys are sorted so equal content hashes equally. */
export function stableHash(value: unknown, length = HASH_LENGTH): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length);
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const record = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((k) => [k, record[k]]),
    );
  });
}

/**
 * The default SageMaker name of an object: `<namespace>-<name>`, made valid, and
 * suffixed with a hash of `namespace/name` only when it was too long or had to be changed, so it is
 * deterministic and two different objects never map to the same shortened name.
 */
export function sagemakerName(namespace: string, name: string): string {
  const raw = `${namespace}-${name}`;
  const valid = sanitize(raw);
  if (valid === raw && raw.length <= MAX_NAME_LENGTH) return raw;
  return withSuffix(valid, stableHash(`${namespace}/${name}`));
}

/** A content-addressed name for a derived resource: `<base>-<hash of content>`, at most 63 chars. */
export function derivedName(base: string, content: unknown): string {
  return withSuffix(sanitize(base), stableHash(content));
}
