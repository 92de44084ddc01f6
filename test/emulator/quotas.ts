/** The text SageMaker answers with ResourceLimitExceeded when an account quota would be passed. */
export const quotaMessage = (
  quota: string,
  limit: number,
  current: number,
  unit: string,
  delta = 1,
): string =>
  `The account-level service limit '${quota}' is ${limit} ${unit}, with current utilization of ${current} ${unit} and a request delta of ${delta} ${unit}. Please use AWS Service Quotas to request an increase for this quota. If AWS Service Quotas is not available, contact AWS support to request an increase for this quota.`;
