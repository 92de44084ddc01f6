import { describe, expect, it } from '@jest/globals';
import {
  invocationUrl,
  observedEndpointStatus,
} from '../../../../src/controllers/endpoint/observed-status.js';

describe('observedEndpointStatus', () => {
  it('mirrors DescribeEndpoint: status, current config, variants as SageMaker reports them', () => {
    const observed = observedEndpointStatus(
      {
        EndpointName: 'ns-churn',
        EndpointArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/ns-churn',
        EndpointStatus: 'Updating',
        EndpointConfigName: 'ns-churn-aaaa1111',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            CurrentWeight: 1,
            DesiredWeight: 1,
            CurrentInstanceCount: 3,
            DesiredInstanceCount: 3,
            DeployedImages: [],
          },
        ],
        FailureReason: undefined,
        CreationTime: new Date(),
        LastModifiedTime: new Date(),
      },
      'us-east-1',
    );
    expect(observed).toEqual({
      endpointName: 'ns-churn',
      endpointArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/ns-churn',
      endpointStatus: 'Updating',
      endpointConfigName: 'ns-churn-aaaa1111',
      productionVariants: [
        {
          variantName: 'AllTraffic',
          currentWeight: 1,
          desiredWeight: 1,
          currentInstanceCount: 3,
          desiredInstanceCount: 3,
        },
      ],
      invocationUrl: 'https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/ns-churn/invocations',
    });
  });

  it('builds the invocation URL of China regions on their own domain', () => {
    expect(invocationUrl('cn-north-1', 'e')).toBe(
      'https://runtime.sagemaker.cn-north-1.amazonaws.com.cn/endpoints/e/invocations',
    );
  });
});
