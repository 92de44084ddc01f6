import type { ConditionValue } from '../common/conditions.js';

/** Approval as the spec asks for it, as the operator last applied it, or as SageMaker reports it. */
export interface Approval {
  modelApprovalStatus?: string | undefined;
  approvalDescription?: string | undefined;
}

/**
 * What to do about approval:
 * - `update`: the spec asks for an approval it has not had applied yet: UpdateModelPackage.
 * - `record`: the registry already shows what the spec asks for: remember it as applied.
 * - `none`: nothing asked, or applied already. A change made in the registry since the spec's
 *   approval was applied stays: the spec's approval is applied when it changes, the registry holds
 *   the record (so approvals in SageMaker Studio or by a pipeline are not reverted behind a person's back).
 */
export type ApprovalStep = 'update' | 'record' | 'none';

export function approvalStep(
  desired: Approval,
  applied: Approval | undefined,
  observed: Approval,
): ApprovalStep {
  if (desired.modelApprovalStatus === undefined) return 'none';
  const same = (a: Approval | undefined): boolean =>
    a?.modelApprovalStatus === desired.modelApprovalStatus &&
    (desired.approvalDescription === undefined || a?.approvalDescription === desired.approvalDescription);
  if (same(applied)) return 'none';
  return same(observed) ? 'record' : 'update';
}

/** The event text of an approval that changed, or undefined when it did not. */
export function approvalChange(
  version: string,
  before: string | undefined,
  after: string | undefined,
  bySpec: boolean,
): string | undefined {
  if (before === undefined || before === after) return undefined;
  return `approval of model version ${version}: ${before} → ${after ?? 'none'} (${bySpec ? 'by the spec' : 'in the registry'})`;
}

/** Ready for a version in a SageMaker status: Registered once Completed. */
export function versionConditions(version: string, state: string | undefined): ConditionValue {
  switch (state) {
    case 'Completed':
      return { status: 'True', reason: 'Registered', message: `model version ${version} is Completed` };
    case 'Failed':
      return { status: 'False', reason: 'CreateFailed', message: `model version ${version} is Failed` };
    case 'Deleting':
      return {
        status: 'False',
        reason: 'DeletedOutOfBand',
        message: `model version ${version} is being deleted outside the operator`,
      };
    default:
      return {
        status: 'False',
        reason: 'Creating',
        message: `model version ${version} is ${state ?? 'being registered'}`,
      };
  }
}

/** What a referenced TrainingJob object reports and asks for. */
export interface ReferencedTrainingJob {
  spec?: { algorithmSpecification?: { trainingImage?: string | undefined } };
  status?: { trainingJobStatus?: string | undefined; modelArtifacts?: { s3ModelArtifacts?: string } };
}

export type ModelSource =
  | { type: 'ready'; image: string; modelDataUrl: string }
  | { type: 'waiting'; message: string }
  | { type: 'invalid'; message: string };

/** The inference container a TrainingJob gives: its training image serving its artifacts, once Completed. */
export function modelFromTrainingJob(name: string, job: ReferencedTrainingJob | undefined): ModelSource {
  const state = job?.status?.trainingJobStatus;
  if (state === 'Failed' || state === 'Stopped')
    return { type: 'invalid', message: `TrainingJob ${name} is ${state}: it has no model to register` };
  const image = job?.spec?.algorithmSpecification?.trainingImage;
  if (job && image === undefined)
    return {
      type: 'invalid',
      message: `TrainingJob ${name} uses an algorithm resource, not an image: give inferenceSpecification.containers instead`,
    };
  const artifacts = job?.status?.modelArtifacts?.s3ModelArtifacts;
  if (state !== 'Completed' || artifacts === undefined || image === undefined)
    return {
      type: 'waiting',
      message: `waiting for TrainingJob ${name} to complete (${job ? (state ?? 'not started') : 'not found'})`,
    };
  return { type: 'ready', image, modelDataUrl: artifacts };
}
