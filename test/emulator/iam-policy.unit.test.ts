import { describe, expect, it } from '@jest/globals';
import { conditionKeys } from './condition-keys.js';
import { evaluate, UnsupportedPolicy, type PolicyDocument, type RequestContext } from './iam-policy.js';

const scope = { partition: 'aws', region: 'us-east-1', account: '123456789012' };

const request = (context: RequestContext = {}, action = 'sagemaker:CreateTrainingJob') => ({
  action,
  resource: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/job',
  context,
});

const allowAll: PolicyDocument = { Statement: { Effect: 'Allow', Action: 'sagemaker:*', Resource: '*' } };
const denyIf = (condition: Record<string, Record<string, string | string[]>>): PolicyDocument => ({
  Statement: [{ Effect: 'Deny', Action: 'sagemaker:Create*', Resource: '*', Condition: condition }],
});
const decide = (condition: Record<string, Record<string, string | string[]>>, context: RequestContext) =>
  evaluate([allowAll, denyIf(condition)], request(context));

describe('IAM policy evaluation', () => {
  it('needs an Allow, and an explicit Deny wins over it', () => {
    expect(evaluate([], request())).toBe('implicitDeny');
    expect(evaluate([allowAll], request())).toBe('allow');
    expect(
      evaluate([allowAll, { Statement: { Effect: 'Deny', Action: '*', Resource: '*' } }], request()),
    ).toBe('explicitDeny');
  });

  it('matches actions without case and with wildcards, resources with case, and honours NotAction', () => {
    const allow = (statement: object): PolicyDocument => ({ Statement: [{ Effect: 'Allow', ...statement }] });
    expect(evaluate([allow({ Action: 'SageMaker:create?rainingjob', Resource: '*' })], request())).toBe(
      'allow',
    );
    expect(
      evaluate(
        [allow({ Action: 'sagemaker:*', Resource: 'arn:aws:sagemaker:*:*:training-job/JOB' })],
        request(),
      ),
    ).toBe('implicitDeny');
    expect(evaluate([allow({ NotAction: 'sagemaker:Create*', Resource: '*' })], request())).toBe(
      'implicitDeny',
    );
    expect(
      evaluate([allow({ NotAction: 'sagemaker:Delete*', NotResource: 'arn:aws:s3:::*' })], request()),
    ).toBe('allow');
  });

  it('Null tests presence; an empty list is absent', () => {
    expect(decide({ Null: { 'sagemaker:VpcSubnets': 'true' } }, {})).toBe('explicitDeny');
    expect(decide({ Null: { 'sagemaker:VpcSubnets': 'true' } }, { 'sagemaker:VpcSubnets': [] })).toBe(
      'explicitDeny',
    );
    expect(
      decide({ Null: { 'sagemaker:VpcSubnets': 'true' } }, { 'sagemaker:VpcSubnets': ['subnet-1'] }),
    ).toBe('allow');
    expect(
      decide({ Null: { 'sagemaker:VpcSubnets': 'false' } }, { 'sagemaker:VpcSubnets': ['subnet-1'] }),
    ).toBe('explicitDeny');
  });

  it('a missing key fails a positive operator, holds for a negated one and for IfExists', () => {
    expect(decide({ Bool: { 'sagemaker:NetworkIsolation': 'false' } }, {})).toBe('allow');
    expect(decide({ BoolIfExists: { 'sagemaker:NetworkIsolation': 'false' } }, {})).toBe('explicitDeny');
    expect(decide({ StringNotEquals: { 'sagemaker:NetworkIsolation': 'true' } }, {})).toBe('explicitDeny');
    expect(decide({ StringNotEqualsIfExists: { 'sagemaker:NetworkIsolation': 'true' } }, {})).toBe(
      'explicitDeny',
    );
    expect(
      decide(
        { StringNotEqualsIfExists: { 'sagemaker:NetworkIsolation': 'true' } },
        { 'sagemaker:networkisolation': ['true'] },
      ),
    ).toBe('allow');
  });

  it('set qualifiers: ForAllValues holds for a missing key, ForAnyValue does not', () => {
    const anyOutside = { 'ForAnyValue:StringNotLike': { 'sagemaker:InstanceTypes': ['ml.m5.*'] } };
    const allInside = { 'ForAllValues:StringLike': { 'sagemaker:InstanceTypes': ['ml.m5.*'] } };
    expect(decide(anyOutside, { 'sagemaker:InstanceTypes': ['ml.m5.large', 'ml.p3.2xlarge'] })).toBe(
      'explicitDeny',
    );
    expect(decide(anyOutside, { 'sagemaker:InstanceTypes': ['ml.m5.large', 'ml.m5.xlarge'] })).toBe('allow');
    expect(decide(anyOutside, {})).toBe('allow');
    expect(decide(allInside, { 'sagemaker:InstanceTypes': ['ml.m5.large'] })).toBe('explicitDeny');
    expect(decide(allInside, { 'sagemaker:InstanceTypes': ['ml.m5.large', 'ml.c5.large'] })).toBe('allow');
    expect(decide(allInside, {})).toBe('explicitDeny');
  });

  it('keys of one operator and operators of one condition must all hold', () => {
    const both = {
      'ForAnyValue:StringNotEquals': {
        'sagemaker:VpcSubnets': ['subnet-1'],
        'sagemaker:VpcSecurityGroupIds': ['sg-1'],
      },
    };
    expect(
      decide(both, { 'sagemaker:VpcSubnets': ['subnet-1'], 'sagemaker:VpcSecurityGroupIds': ['sg-2'] }),
    ).toBe('allow');
    expect(
      decide(both, { 'sagemaker:VpcSubnets': ['subnet-2'], 'sagemaker:VpcSecurityGroupIds': ['sg-2'] }),
    ).toBe('explicitDeny');
  });

  it('compares numbers and ARNs', () => {
    const tooLong = { NumericGreaterThan: { 'sagemaker:MaxRuntimeInSeconds': '86400' } };
    expect(decide(tooLong, { 'sagemaker:MaxRuntimeInSeconds': ['86401'] })).toBe('explicitDeny');
    expect(decide(tooLong, { 'sagemaker:MaxRuntimeInSeconds': ['86400'] })).toBe('allow');
    const keys = { ArnNotLike: { 'sagemaker:VolumeKmsKey': 'arn:aws:kms:*:123456789012:key/*' } };
    expect(decide(keys, { 'sagemaker:VolumeKmsKey': ['arn:aws:kms:us-east-1:123456789012:key/k'] })).toBe(
      'allow',
    );
    expect(decide(keys, { 'sagemaker:VolumeKmsKey': ['alias/k'] })).toBe('explicitDeny');
  });

  it('refuses an operator it does not model instead of guessing', () => {
    expect(() => decide({ DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }, {})).toThrow(
      UnsupportedPolicy,
    );
    expect(() => decide({ 'ForSomeValues:StringLike': { 'sagemaker:InstanceTypes': '*' } }, {})).toThrow(
      UnsupportedPolicy,
    );
  });
});

describe('condition keys of a request', () => {
  it('carries only the values the request contains', () => {
    expect(
      conditionKeys(
        'CreateTrainingJob',
        {
          ResourceConfig: { InstanceType: 'ml.m5.large', InstanceGroups: [{ InstanceType: 'ml.c5.xlarge' }] },
          StoppingCondition: { MaxRuntimeInSeconds: 3600 },
          EnableNetworkIsolation: false,
        },
        scope,
      ),
    ).toEqual({
      'sagemaker:VpcSubnets': [],
      'sagemaker:VpcSecurityGroupIds': [],
      'sagemaker:NetworkIsolation': ['false'],
      'sagemaker:InterContainerTrafficEncryption': [],
      'sagemaker:VolumeKmsKey': [],
      'sagemaker:OutputKmsKey': [],
      'sagemaker:InstanceTypes': ['ml.m5.large', 'ml.c5.xlarge'],
      'sagemaker:MaxRuntimeInSeconds': ['3600'],
    });
  });

  it("reads a monitoring schedule's job definition, an endpoint config's models and an invocation's target", () => {
    const schedule = conditionKeys(
      'CreateMonitoringSchedule',
      {
        MonitoringScheduleConfig: {
          MonitoringJobDefinition: {
            NetworkConfig: { VpcConfig: { Subnets: ['subnet-1'], SecurityGroupIds: ['sg-1'] } },
            MonitoringResources: { ClusterConfig: { InstanceType: 'ml.m5.large', VolumeKmsKeyId: 'k' } },
            MonitoringOutputConfig: { KmsKeyId: 'o' },
          },
        },
      },
      scope,
    );
    expect(schedule).toMatchObject({
      'sagemaker:VpcSubnets': ['subnet-1'],
      'sagemaker:VolumeKmsKey': ['k'],
      'sagemaker:OutputKmsKey': ['o'],
      'sagemaker:InstanceTypes': ['ml.m5.large'],
    });
    expect(
      conditionKeys(
        'CreateEndpointConfig',
        { ProductionVariants: [{ ModelName: 'Model-A', InstanceType: 'ml.m5.large' }] },
        scope,
      ),
    ).toMatchObject({ 'sagemaker:ModelArn': ['arn:aws:sagemaker:us-east-1:123456789012:model/model-a'] });
    expect(conditionKeys('InvokeEndpoint', { TargetModel: 'NewYork_NY/v1.tar.gz' }, scope)).toEqual({
      'sagemaker:TargetModel': ['NewYork_NY/v1.tar.gz'],
    });
    expect(conditionKeys('DescribeTrainingJob', { TrainingJobName: 'x' }, scope)).toEqual({});
  });
});
