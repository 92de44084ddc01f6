/**
 * How artifacts lie under a multi-model endpoint's prefix: `<name>/<version>.tar.gz`, the version
 * taken from the source's ETag, so a new content is a new key (never an overwrite) and
 * `sagemaker:TargetModel` "<name>/*" grants one model whatever its version.
 */

/** The version of an artifact whose source has this ETag (`<md5>` or `<md5>-<parts>`). */
export function versionOf(etag: string): string {
  return etag.toLowerCase().replace(/[^a-z0-9-]/g, '');
}

/** The TargetModel callers send, which is also the key relative to the prefix. */
export function targetModel(name: string, version: string): string {
  return `${name}/${version}.tar.gz`;
}

export const TARGET_MODEL_PATTERN = '<name>/<version>.tar.gz';

const LAYOUT = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,199})\/([a-z0-9-]+)\.tar\.gz$/;

/** The model a key relative to the prefix belongs to, if it has the layout's shape. */
export function modelOfKey(relativeKey: string): string | undefined {
  return LAYOUT.exec(relativeKey)?.[1];
}

export interface Placement {
  /** Models whose current artifact is missing under the prefix. */
  readonly missing: readonly string[];
  /** Models whose current artifact is in place. */
  readonly inPlace: readonly string[];
  /**
   * Keys of the layout's shape that no model serves any more: an older version of a model, or a
   * model no longer desired. An older version goes only once the current one is in place. Whose
   * they are is checked (by tags) before they are retired.
   */
  readonly stale: readonly string[];
}

/**
 * Compares the current targets (model → TargetModel) with the keys present under the prefix.
 * `keep` names models whose current artifact is unknown (source unreadable, job not complete):
 * what they served stays, so a failing source never takes a serving model away.
 */
export function placement(
  targets: ReadonlyMap<string, string>,
  present: Iterable<string>,
  keep: ReadonlySet<string>,
): Placement {
  const presentKeys = new Set(present);
  const missing: string[] = [];
  const inPlace: string[] = [];
  for (const [name, target] of targets) (presentKeys.has(target) ? inPlace : missing).push(name);
  const current = new Set(targets.values());
  const waiting = new Set(missing);
  const stale = [...presentKeys].filter((key) => {
    const name = modelOfKey(key);
    return name !== undefined && !current.has(key) && !keep.has(name) && !waiting.has(name);
  });
  return { missing, inPlace, stale };
}

/** A short list of names for a message: the first few, and how many more. */
export function someNames(names: readonly string[], shown = 5): string {
  const head = names.slice(0, shown).join(', ');
  return names.length > shown ? `${head} and ${names.length - shown} more` : head;
}
