import type { DescribeEndpointOutput } from '@aws-sdk/client-sagemaker';
import type { ConditionValue } from '../common/conditions.js';
import { pollDelay, type PollingSettings } from '../common/polling.js';
import type { EndpointPlan } from './plan.js';
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
  | { type: 'failed'; reason: string }
  | { type: 'recreate' }
  | { type: 'updateFailed'; reason: string }
  | { type: 'updateEndpoint' }
  | { type: 'updateWeightsAndCapacities' }
  | { type: 'inSync' };

/**
 * - A failed create is deleted and re-created, but only for a new generation.
 * - An update of this generation that SageMaker rolled back (the endpoint serves another config and
 *   reports a FailureReason) is not retried: no update loop. UpdateRollbackFailed needs a person.
 * - An endpoint serving another config than the plan's is updated, whether the spec changed or
 *   someone switched it outside the operator.
 */
export function nextStep(
  endpoint: DescribeEndpointOutput,
  plan: EndpointPlan,
  applied: LastApplied | undefined,
  generation: number,
): EndpointStep {
  const sameGeneration = applied?.generation === generation;
  const reason =
    endpoint.FailureReason ?? `endpoint ${endpoint.EndpointName ?? ''} is ${endpoint.EndpointStatus ?? ''}`;
  if (isBusy(endpoint)) return { type: 'wait' };
  if (endpoint.EndpointStatus === 'Failed')
    return sameGeneration ? { type: 'failed', reason } : { type: 'recreate' };
  // Rolling deployment and its rollback both failed: only a person can repair the endpoint.
  if (endpoint.EndpointStatus === 'UpdateRollbackFailed') return { type: 'updateFailed', reason };
  if (endpoint.EndpointStatus !== 'InService') return { type: 'wait' };
  const rolledBack =
    sameGeneration && endpoint.EndpointConfigName !== applied.endpointConfigName && endpoint.FailureReason;
  if (rolledBack) return { type: 'updateFailed', reason };
  if (endpoint.EndpointConfigName !== plan.endpointConfig.EndpointConfigName)
    return { type: 'updateEndpoint' };
  return specChange(plan, applied) === 'weightsAndCapacities'
    ? { type: 'updateWeightsAndCapacities' }
    : { type: 'inSync' };
}

/** Ready (DESIGN.md §3): InService on the planned config. */
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
      return { status: 'True', reason: 'InService', message: `endpoint ${name} is InService on ${config}` };
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

/** The event for a change of the endpoint's state: failures as warnings, arrival InService as normal. */
export function transitionEvent(
  previousStatus: string | undefined,
  endpoint: DescribeEndpointOutput,
  step: EndpointStep,
): { type: 'Normal' | 'Warning'; reason: string } | undefined {
  if (previousStatus === endpoint.EndpointStatus) return undefined;
  if (step.type === 'failed') return { type: 'Warning', reason: 'Failed' };
  if (step.type === 'updateFailed') return { type: 'Warning', reason: 'UpdateFailed' };
  if (endpoint.EndpointStatus === 'InService') return { type: 'Normal', reason: 'InService' };
  return undefined;
}
