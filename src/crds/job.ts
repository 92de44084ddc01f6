import { Type } from '@sinclair/typebox';
import type { PrinterColumn } from './kind.js';
import { immutableExceptRule, type CelRule } from './schema.js';

/*
 * What the job kinds (TrainingJob, TransformJob, ProcessingJob) share in their schemas: a job
 * cannot change once created, and its status mirrors its name, ARN, state, failure and times.
 */

/** Fields users may edit after creation; everything else describes a job that already ran. */
const MUTABLE_FIELDS = ['tags', 'deletionPolicy'];

/** The rule that makes a job's spec immutable but for tags and deletionPolicy. */
export function jobImmutabilityRule(fields: string[], label: string, kind: string): CelRule {
  return immutableExceptRule(
    fields,
    MUTABLE_FIELDS,
    `a ${label} cannot change once created: only tags and deletionPolicy can be edited; create a new ${kind} (new name) for a different job`,
  );
}

export const timestampField = (description: string) =>
  Type.Optional(Type.String({ description, format: 'date-time' }));

export const recordedNameField = () =>
  Type.Optional(Type.String({ description: 'The SageMaker name, recorded before the create call.' }));

export const arnField = (label: string) =>
  Type.Optional(Type.String({ description: `ARN of the ${label}.` }));

export const jobStateField = (states: string) =>
  Type.Optional(Type.String({ description: `SageMaker status: ${states}.` }));

export const failureReasonField = () =>
  Type.Optional(Type.String({ description: 'Why the job failed, as SageMaker reports it.' }));

/** The job's SageMaker state, in `kubectl get`. */
export function jobStateColumn(stateField: string, label: string): PrinterColumn {
  return {
    name: 'Status',
    type: 'string',
    jsonPath: `.status.${stateField}`,
    description: `SageMaker ${label} status.`,
  };
}

/** Why the job failed, in `kubectl get -o wide`. */
export const FAILURE_REASON_COLUMN: PrinterColumn = {
  name: 'Failure-Reason',
  type: 'string',
  jsonPath: '.status.failureReason',
  description: 'Why the job failed.',
  priority: 1,
};
