import { defaultInstancesPerType } from './config.js';
import type { Context } from './context.js';
import { resourceLimitExceeded } from './errors.js';

/** The text SageMaker answers with ResourceLimitExceeded when an account quota would be passed. */
export const quotaMessage = (
  quota: string,
  limit: number,
  current: number,
  unit: string,
  delta = 1,
): string =>
  `The account-level service limit '${quota}' is ${limit} ${unit}, with current utilization of ${current} ${unit} and a request delta of ${delta} ${unit}. Please use AWS Service Quotas to request an increase for this quota. If AWS Service Quotas is not available, contact AWS support to request an increase for this quota.`;

/**
 * One request asking for more instances of a type than the account's per-type quota
 * (`limits.instancesPerType`, default `defaultInstancesPerType`) is refused as SageMaker refuses it.
 */
export function checkInstancesPerType(
  ctx: Context,
  usage: string,
  requests: { type?: string | undefined; count: number }[],
): void {
  const limit = ctx.settings.limits.instancesPerType ?? defaultInstancesPerType;
  const perType = new Map<string, number>();
  for (const { type, count } of requests) {
    if (type !== undefined) perType.set(type, (perType.get(type) ?? 0) + count);
  }
  for (const [type, count] of perType) {
    if (count > limit) {
      throw resourceLimitExceeded(quotaMessage(`${type} for ${usage}`, limit, 0, 'Instances', count));
    }
  }
}
