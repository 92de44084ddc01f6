import type { DescribeEndpointOutput } from '@aws-sdk/client-sagemaker';
import type { EndpointStatus } from '../../crds/endpoint.js';

/** What DescribeEndpoint reports, in the status shape users read. */
export function observedEndpointStatus(
  endpoint: DescribeEndpointOutput,
  region: string,
): Pick<
  EndpointStatus,
  | 'endpointName'
  | 'endpointArn'
  | 'endpointStatus'
  | 'endpointConfigName'
  | 'productionVariants'
  | 'failureReason'
  | 'invocationUrl'
> {
  const name = endpoint.EndpointName ?? '';
  return {
    endpointName: name,
    endpointArn: endpoint.EndpointArn,
    endpointStatus: endpoint.EndpointStatus,
    endpointConfigName: endpoint.EndpointConfigName,
    productionVariants: endpoint.ProductionVariants?.map((v) => ({
      variantName: v.VariantName ?? '',
      currentWeight: v.CurrentWeight,
      desiredWeight: v.DesiredWeight,
      currentInstanceCount: v.CurrentInstanceCount,
      desiredInstanceCount: v.DesiredInstanceCount,
    })),
    failureReason: endpoint.FailureReason,
    invocationUrl: invocationUrl(region, name),
  };
}

/** The SageMaker Runtime URL InvokeEndpoint posts to. */
export function invocationUrl(region: string, endpointName: string): string {
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://runtime.sagemaker.${region}.${domain}/endpoints/${encodeURIComponent(endpointName)}/invocations`;
}
