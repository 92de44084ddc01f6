import type { TObject } from '@sinclair/typebox';

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
