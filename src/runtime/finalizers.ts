import type { KubeObject } from './kinds.js';

/** The finalizer list with `finalizer` added or removed, or undefined when it is already so. */
export function withFinalizer(obj: KubeObject, finalizer: string, present: boolean): string[] | undefined {
  const list = obj.metadata?.finalizers ?? [];
  if (list.includes(finalizer) === present) return undefined;
  return present ? [...list, finalizer] : list.filter((f) => f !== finalizer);
}

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

/** The merge patch that sets the finalizer's presence; writes nothing when it already is so. */
export function finalizerPatch(
  finalizer: string,
  present: boolean,
): (obj: KubeObject) => Record<string, unknown> | undefined {
  return (obj) => {
    // New finalizers cannot be added to an object that is being deleted.
    if (present && obj.metadata?.deletionTimestamp) return undefined;
    const finalizers = withFinalizer(obj, finalizer, present);
    return finalizers === undefined ? undefined : { metadata: { finalizers } };
  };
}
