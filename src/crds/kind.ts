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
    name: type.toUpperCase(),
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

export const COMMON_COLUMNS: PrinterColumn[] = [
  conditionColumn('Ready', 'Whether the resource is usable as specified.'),
  conditionColumn('Synced', 'Whether the last reconcile applied the current generation without error.'),
];
