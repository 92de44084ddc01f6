import type { DescribeEndpointOutput } from '@aws-sdk/client-sagemaker';
import type { ConditionValue } from '../common/conditions.js';
import { pollDelay, type PollingSettings } from '../common/polling.js';
import { versionsNote, type EndpointPlan } from './plan.js';
import { specChange, type LastApplied } from './update.js';

/** States in which SageMaker accepts no update or delete: the controller waits, without error. */
const BUSY = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting']);

export function isBusy(endpoint: DescribeEndpointOutput): boolean {
  return BUSY.has(endpoint.EndpointStatus ?? '');
}

/** Ready=False Deleting, saying what the delete of the endpoint does or waits for. */
export function deletingCondition(endpoint: DescribeEndpointOutput): ConditionValue {
  const what = `endpoint ${endpoint.EndpointName ?? ''}`;
  const message = isBusy(endpoint)
    ? `deleting ${what}: waiting while it is ${endpoint.EndpointStatus ?? ''}`
    : `deleting ${what}`;
  return { status: 'False', reason: 'Deleting', message };
}

/** The one step that moves an existing endpoint toward the plan. */
export type EndpointStep =
  | { type: 'wait' }
  | { type: 'maintenance' }
  | { type: 'failed'; reason: string }
  | { type: 'recreate' }
  | { type: 'updateFailed'; reason: string }
  | { type: 'updateEndpoint' }
  | { type: 'updateWeightsAndCapacities' }
  | { type: 'inSync' };

/** States an endpoint passes through while SageMaker carries out our create or update. */
const CHANGING = new Set(['Creating', 'Updating', 'RollingBack']);

/**
 * What describes have shown of the request recorded in lastApplied: in progress once SageMaker was
 * seen acting on it (a changing state, or a LastModifiedTime later than the one it was sent after,
 * which also covers an update and its rollback that both happened between two describes); settled
 * once the endpoint was InService on its config. Only ever turns flags on, so that a record written
 * without them (by an older operator) stays recognisable.
 */
export function observeApplied(
  applied: LastApplied | undefined,
  endpoint: DescribeEndpointOutput,
): LastApplied | undefined {
  if (!applied) return applied;
  const settled =
    endpoint.EndpointStatus === 'InService' && endpoint.EndpointConfigName === applied.endpointConfigName;
  const inProgress =
    settled ||
    CHANGING.has(endpoint.EndpointStatus ?? '') ||
    modifiedSince(endpoint.LastModifiedTime, applied.endpointModifiedTime);
  const seenInProgress = applied.seenInProgress === true || inProgress;
  const seenSettled = applied.seenSettled === true || settled;
  if (seenInProgress === (applied.seenInProgress ?? false) && seenSettled === (applied.seenSettled ?? false))
    return applied;
  return { ...applied, seenInProgress, seenSettled };
}

function modifiedSince(modified: Date | undefined, sentAfter: string | undefined): boolean {
  if (!modified || sentAfter === undefined) return false;
  return modified.getTime() > Date.parse(sentAfter);
}

/**
 * The endpoint is InService on another config than this generation last sent. Which of three things
 * happened:
 * - `rolledBack`: SageMaker took the request up and came back to the old config, with or without a
 *   FailureReason;
 * - `switchedAfterwards`: our config had settled and someone switched the endpoint away since;
 * - `notVisibleYet`: nothing shows SageMaker acting on the request yet (describes are eventually
 *   consistent right after UpdateEndpoint).
 * A record without the flags (older operator) falls back to FailureReason as the only sign.
 */
export type DivergenceCause = 'rolledBack' | 'switchedAfterwards' | 'notVisibleYet';

export function divergenceCause(endpoint: DescribeEndpointOutput, applied: LastApplied): DivergenceCause {
  if (applied.seenInProgress === undefined)
    return endpoint.FailureReason ? 'rolledBack' : 'switchedAfterwards';
  if (applied.seenSettled) return 'switchedAfterwards';
  return applied.seenInProgress ? 'rolledBack' : 'notVisibleYet';
}

/**
 * - A failed create is deleted and re-created, but only for a new desire: a new generation, or
 *   another planned config (a newly approved model version).
 * - An update that SageMaker rolled back (divergenceCause) is not retried while the desire is the
 *   same (this generation, this planned config), with or without a FailureReason: no update loop.
 *   Another approved version (or a rejection of the failed one) is another desire. UpdateRollbackFailed
 *   needs a person.
 * - An endpoint serving another config than the plan's is updated, whether the spec changed or
 *   someone switched it outside the operator after our config had settled.
 * - SageMaker's maintenance (SystemUpdating) is waited out; the endpoint keeps serving meanwhile.
 *
 * `applied` is what observeApplied made of status.lastApplied and this describe.
 */
export function nextStep(
  endpoint: DescribeEndpointOutput,
  plan: EndpointPlan,
  applied: LastApplied | undefined,
  generation: number,
): EndpointStep {
  // The model registry changes the planned config without a new generation.
  const sameDesire =
    applied?.generation === generation &&
    applied.endpointConfigName === plan.endpointConfig.EndpointConfigName;
  const reason =
    endpoint.FailureReason ?? `endpoint ${endpoint.EndpointName ?? ''} is ${endpoint.EndpointStatus ?? ''}`;
  const onPlannedConfig = endpoint.EndpointConfigName === plan.endpointConfig.EndpointConfigName;
  if (endpoint.EndpointStatus === 'SystemUpdating')
    return onPlannedConfig && specChange(plan, applied) === 'none'
      ? { type: 'maintenance' }
      : { type: 'wait' };
  if (isBusy(endpoint)) return { type: 'wait' };
  if (endpoint.EndpointStatus === 'Failed')
    return sameDesire ? { type: 'failed', reason } : { type: 'recreate' };
  // Rolling deployment and its rollback both failed: only a person can repair the endpoint.
  if (endpoint.EndpointStatus === 'UpdateRollbackFailed') return { type: 'updateFailed', reason };
  if (endpoint.EndpointStatus !== 'InService') return { type: 'wait' };
  if (sameDesire && endpoint.EndpointConfigName !== applied.endpointConfigName) {
    const cause = divergenceCause(endpoint, applied);
    if (cause === 'rolledBack') return { type: 'updateFailed', reason: rollbackReason(endpoint, applied) };
    if (cause === 'notVisibleYet') return { type: 'wait' };
  }
  if (!onPlannedConfig) return { type: 'updateEndpoint' };
  return specChange(plan, applied) === 'weightsAndCapacities'
    ? { type: 'updateWeightsAndCapacities' }
    : { type: 'inSync' };
}

function rollbackReason(endpoint: DescribeEndpointOutput, applied: LastApplied): string {
  if (endpoint.FailureReason) return endpoint.FailureReason;
  const name = endpoint.EndpointName ?? '';
  return (
    `SageMaker rolled the update of endpoint ${name} to ${applied.endpointConfigName} back without giving a ` +
    `reason; it serves ${endpoint.EndpointConfigName ?? ''}`
  );
}

/** Ready: InService on the planned config. */
export function readyCondition(
  endpoint: DescribeEndpointOutput,
  plan: EndpointPlan,
  step: EndpointStep,
): ConditionValue {
  const name = endpoint.EndpointName ?? '';
  const config = plan.endpointConfig.EndpointConfigName ?? '';
  switch (step.type) {
    case 'failed':
      return { status: 'False', reason: 'Failed', message: step.reason };
    case 'updateFailed':
      return { status: 'False', reason: 'UpdateFailed', message: step.reason };
    case 'inSync':
      return {
        status: 'True',
        reason: 'InService',
        message: `endpoint ${name} is InService on ${config}${versionsNote(plan)}`,
      };
    case 'maintenance':
      return {
        status: 'True',
        reason: 'InService',
        message: `endpoint ${name} is SystemUpdating (maintenance by SageMaker) and serves ${config}`,
      };
    default: {
      const creating = step.type === 'recreate' || endpoint.EndpointStatus === 'Creating';
      const reason = creating ? 'Creating' : 'Updating';
      return {
        status: 'False',
        reason,
        message: `endpoint ${name} is ${endpoint.EndpointStatus ?? ''}, moving to ${config}`,
      };
    }
  }
}

/**
 * The Models and EndpointConfigs the operator created that the plan no longer uses. They may go only
 * once the endpoint is InService on the planned config: during an update SageMaker serves from the
 * old and the new config, and a failed update falls back to the old one.
 */
export function retiredResources(
  endpoint: DescribeEndpointOutput,
  plan: EndpointPlan,
  created: { endpointConfigNames: readonly string[]; modelNames: readonly string[] },
): { endpointConfigNames: string[]; modelNames: string[] } {
  const settled =
    endpoint.EndpointStatus === 'InService' &&
    endpoint.EndpointConfigName === plan.endpointConfig.EndpointConfigName;
  if (!settled) return { endpointConfigNames: [], modelNames: [] };
  const models = new Set(plan.models.map((m) => m.ModelName));
  return {
    endpointConfigNames: created.endpointConfigNames.filter(
      (n) => n !== plan.endpointConfig.EndpointConfigName,
    ),
    modelNames: created.modelNames.filter((n) => !models.has(n)),
  };
}

/** The next describe of an endpoint that is changing: as long as its current state has lasted (pollDelay). */
export function nextPollMs(endpoint: DescribeEndpointOutput, now: Date, polling: PollingSettings): number {
  const since = endpoint.LastModifiedTime ?? endpoint.CreationTime ?? now;
  return pollDelay(now.getTime() - since.getTime(), polling);
}

/**
 * The event for a change of the endpoint's state: its arrival InService, as a Normal event. A failed
 * create or update gets none here: the reconcile ends in a terminal ReconcileError (CreateFailed,
 * UpdateFailed) with SageMaker's reason, and the controller loop records that as the one Warning
 * event of the failure.
 */
export function transitionEvent(
  previousStatus: string | undefined,
  endpoint: DescribeEndpointOutput,
  step: EndpointStep,
): { type: 'Normal'; reason: 'InService' } | undefined {
  if (previousStatus === endpoint.EndpointStatus) return undefined;
  if (step.type === 'failed' || step.type === 'updateFailed') return undefined;
  if (endpoint.EndpointStatus === 'InService') return { type: 'Normal', reason: 'InService' };
  return undefined;
}
