import type { Static, TObject } from '@sinclair/typebox';
import type { KindDescriptor, KubeObject, StoredMeta } from '../runtime/kinds.js';

export const GROUP = 'sagemaker.mlops.dev';
export const VERSION = 'v1alpha1';
export const CATEGORY = 'sagemaker';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  /** 0 shows in plain `kubectl get`; 1 only with `-o wide`. */
  priority?: number;
}

/** Everything the CRD of one kind is made of; its spec and status schemas also give its TypeScript types. */
export interface KindDefinition<Spec extends TObject = TObject, Status extends TObject = TObject> {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: Spec;
  status: Status;
  printerColumns: PrinterColumn[];
}

/** An object of one of our kinds as the apiserver stores it, with the spec and status its schemas describe. */
export interface KindObject<Spec, Status> extends KubeObject {
  metadata: StoredMeta;
  spec: Spec;
  status?: Status;
}

/**
 * The fields every SageMaker kind's object carries (commonSpecFields, commonStatusFields) that the
 * controllers' shared skeleton reads: its identity, region, tags and adoption.
 */
export interface ManagedObject {
  metadata: StoredMeta;
  spec: { region?: string; tags?: Record<string, string>; adoptExisting?: boolean };
  status?: object;
}

/** The object type of a kind, derived from its definition's spec and status schemas. */
export type ObjectOf<D extends KindDefinition> = KindObject<Static<D['spec']>, Static<D['status']>>;

/** The runtime's descriptor of one of our kinds: what a controller watches and the cache serves. */
export function descriptorOf<T extends KubeObject>(definition: KindDefinition): KindDescriptor<T> {
  return { group: GROUP, version: VERSION, plural: definition.plural, kind: definition.kind };
}

export function conditionColumn(type: string, description: string): PrinterColumn {
  return {
    name: type,
    type: 'string',
    jsonPath: `.status.conditions[?(@.type=="${type}")].status`,
    description,
  };
}

export const AGE_COLUMN: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Time since the object was created.',
};

/**
 * READY, SYNCED and REASON, first in every kind's `kubectl get`. REASON is Ready's reason: the
 * controllers put what explains the state there (Creating, WaitingForReference, InvalidSpec,
 * UpdateFailed, Failed, ...), and SYNCED False says that the last reconcile failed, with Synced's
 * reason in `kubectl describe`. One column cannot show "Synced's reason when Synced is False, else
 * Ready's": a printer column is one JSONPath whose first match is shown, and Kubernetes JSONPath
 * filters take a single comparison (no `&&`, no conditional), so picking the condition by type and
 * status at once is impossible; a union such as `[ ?(@.status=="False"), ?(@.type=="Ready")]`
 * would depend on the order of the conditions list and would also pick up Reconciling or Stalled
 * when they are False, which is their normal state.
 */
export const COMMON_COLUMNS: PrinterColumn[] = [
  conditionColumn('Ready', 'Whether the resource is usable as specified (the Ready condition).'),
  conditionColumn(
    'Synced',
    'Whether the last reconcile applied the current generation without error (the Synced condition).',
  ),
  {
    name: 'Reason',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
    description: "Why the resource is or is not ready: the Ready condition's reason.",
  },
];
