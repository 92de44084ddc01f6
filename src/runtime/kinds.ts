/**
 * Which custom resource a controller or cache deals with. The type parameter (never set at runtime)
 * lets cache reads return the kind's object type.
 */
export interface KindDescriptor<T extends KubeObject = KubeObject> {
  readonly __object?: T;
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  /** A cluster-scoped kind (a Namespace): watched across the cluster whatever namespaces are watched, unfiltered by label. */
  readonly clusterScoped?: boolean;
}

/** The parts of an object the runtime reads; controllers use their own (generated) types. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: unknown;
  status?: unknown;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  deletionTimestamp?: string | Date;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** An object's metadata as stored: the apiserver always sets its name, namespace and uid. */
export type StoredMeta = ObjectMeta & { name: string; namespace: string; uid: string };

export function apiVersionOf(kind: KindDescriptor): string {
  return kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
}

export function kindId(kind: KindDescriptor): string {
  return `${kind.plural}.${kind.group}`;
}

/** The store and queue key of an object: `namespace/name`. */
export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function keyOf(obj: KubeObject): string {
  return objectKey(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The REST collection path of a kind, in one namespace or across all of them. */
export function collectionPath(kind: KindDescriptor, namespace?: string): string {
  // The core group ('') is served under /api, every other group under /apis.
  const base = kind.group === '' ? `/api/${kind.version}` : `/apis/${kind.group}/${kind.version}`;
  return namespace ? `${base}/namespaces/${namespace}/${kind.plural}` : `${base}/${kind.plural}`;
}
