import { describe, expect, it } from '@jest/globals';
import {
  policyViolations,
  type NamedPolicy,
} from '../../../../src/controllers/common/security-policy-check.js';
import { endpoint, processingJob, trainingJob } from '../../../../src/crds/index.js';
import { policySites } from '../../../../src/crds/policy-sites.js';
import { rolePatternRegex } from '../../../../src/crds/policy-rules.js';
import type { SecurityPolicySpec } from '../../../../src/crds/security-policy.js';

/** Members named as the admission policy names them. */
const specPath = (path: string): string => `spec.${path}`;

const TRAINING = policySites(trainingJob.spec);
const ENDPOINT = policySites(endpoint.spec);
const PROCESSING = policySites(processingJob.spec);

const ROLE = 'arn:aws:iam::111122223333:role/team-a-training';
const VPC = { subnets: ['subnet-a'], securityGroupIds: ['sg-a'] };

const job = (extra: Record<string, unknown> = {}) => ({
  roleArn: ROLE,
  outputDataConfig: { s3OutputPath: 's3://bucket/out', kmsKeyId: 'alias/out' },
  resourceConfig: { instanceType: 'ml.m5.large', instanceCount: 1, volumeKmsKeyId: 'alias/volume' },
  stoppingCondition: { maxRuntimeInSeconds: 3600 },
  vpcConfig: VPC,
  enableNetworkIsolation: true,
  enableInterContainerTrafficEncryption: true,
  ...extra,
});

/** Each setting of the strict policy, a change of the compliant job that breaks it, and the message. */
const SETTINGS: [keyof SecurityPolicySpec, unknown, Record<string, unknown>, string][] = [
  [
    'requireVpc',
    true,
    { vpcConfig: undefined },
    'spec.vpcConfig is required: SecurityPolicy strict sets requireVpc',
  ],
  [
    'allowedSubnets',
    ['subnet-a', 'subnet-b'],
    { vpcConfig: { ...VPC, subnets: ['subnet-a', 'subnet-z'] } },
    'spec.vpcConfig.subnets must use subnets that SecurityPolicy strict allows in allowedSubnets: subnet-a, subnet-b',
  ],
  [
    'allowedSecurityGroupIds',
    ['sg-a'],
    { vpcConfig: { ...VPC, securityGroupIds: ['sg-z'] } },
    'spec.vpcConfig.securityGroupIds must use security groups that SecurityPolicy strict allows in allowedSecurityGroupIds: sg-a',
  ],
  [
    'requireNetworkIsolation',
    true,
    { enableNetworkIsolation: false },
    'spec.enableNetworkIsolation must be true: SecurityPolicy strict sets requireNetworkIsolation',
  ],
  [
    'requireInterContainerTrafficEncryption',
    true,
    { enableInterContainerTrafficEncryption: undefined },
    'spec.enableInterContainerTrafficEncryption must be true: SecurityPolicy strict sets requireInterContainerTrafficEncryption',
  ],
  [
    'requireVolumeKmsKey',
    true,
    { resourceConfig: { instanceType: 'ml.m5.large', instanceCount: 1 } },
    'spec.resourceConfig.volumeKmsKeyId is required: SecurityPolicy strict sets requireVolumeKmsKey',
  ],
  [
    'allowedVolumeKmsKeys',
    ['alias/volume'],
    { resourceConfig: { instanceType: 'ml.m5.large', instanceCount: 1, volumeKmsKeyId: 'alias/other' } },
    'spec.resourceConfig.volumeKmsKeyId must use a KMS key that SecurityPolicy strict allows in allowedVolumeKmsKeys: alias/volume',
  ],
  [
    'requireOutputKmsKey',
    true,
    { outputDataConfig: { s3OutputPath: 's3://bucket/out' } },
    'spec.outputDataConfig.kmsKeyId is required: SecurityPolicy strict sets requireOutputKmsKey',
  ],
  [
    'allowedInstanceTypes',
    ['ml.m5.large'],
    { resourceConfig: { instanceType: 'ml.p4d.24xlarge', instanceCount: 1, volumeKmsKeyId: 'alias/volume' } },
    'spec.resourceConfig.instanceType must use an instance type that SecurityPolicy strict allows in allowedInstanceTypes: ml.m5.large',
  ],
  [
    'maxInstanceCount',
    2,
    { resourceConfig: { instanceType: 'ml.m5.large', instanceCount: 3, volumeKmsKeyId: 'alias/volume' } },
    'spec.resourceConfig.instanceCount must be at most 2: SecurityPolicy strict sets maxInstanceCount',
  ],
  [
    'maxRuntimeInSeconds',
    3600,
    { stoppingCondition: { maxRuntimeInSeconds: 3601 } },
    'spec.stoppingCondition.maxRuntimeInSeconds must be set to at most 3600: SecurityPolicy strict sets maxRuntimeInSeconds',
  ],
  [
    'allowedRoleArns',
    ['arn:aws:iam::111122223333:role/team-a-*'],
    { roleArn: 'arn:aws:iam::111122223333:role/team-b-training' },
    'spec.roleArn must match one of the roles SecurityPolicy strict allows in allowedRoleArns: arn:aws:iam::111122223333:role/team-a-*',
  ],
];

const strict: NamedPolicy = {
  name: 'strict',
  spec: Object.fromEntries(SETTINGS.map(([setting, value]) => [setting, value])),
};

describe('policyViolations', () => {
  it('finds nothing in a compliant spec, and nothing at all under an empty policy', () => {
    expect(policyViolations(job(), TRAINING, strict, specPath)).toEqual([]);
    expect(
      policyViolations(
        { roleArn: 'arn:aws:iam::1:role/admin' },
        TRAINING,
        { name: 'lax', spec: {} },
        specPath,
      ),
    ).toEqual([]);
  });

  it.each(SETTINGS.map(([setting, , change, message]) => [setting, change, message] as const))(
    'a job breaking %s gets one violation',
    (_, change, message) => {
      expect(policyViolations(job(change), TRAINING, strict, specPath)).toEqual([message]);
    },
  );

  it('looks into every item of a list: one bad model of an Endpoint is enough', () => {
    const model = (vpcConfig?: object) => ({
      modelName: 'm',
      executionRoleArn: ROLE,
      enableNetworkIsolation: true,
      vpcConfig,
    });
    const spec = (second: object) => ({
      models: [model(VPC), second],
      productionVariants: [
        { variantName: 'v', modelName: 'm', instanceType: 'ml.m5.large', initialInstanceCount: 1 },
      ],
      kmsKeyId: 'alias/volume',
    });
    const policy: NamedPolicy = {
      name: 'p',
      spec: { requireVpc: true, requireNetworkIsolation: true, requireVolumeKmsKey: true },
    };
    expect(policyViolations(spec(model(VPC)), ENDPOINT, policy, specPath)).toEqual([]);
    expect(policyViolations(spec(model()), ENDPOINT, policy, specPath)).toEqual([
      'spec.models[].vpcConfig is required: SecurityPolicy p sets requireVpc',
    ]);
  });

  it('does not demand the endpoint-level vpcConfig an Endpoint leaves to its models, but checks it when set', () => {
    const spec = {
      models: [{ modelName: 'm', executionRoleArn: ROLE, vpcConfig: VPC }],
      productionVariants: [
        { variantName: 'v', modelName: 'm', instanceType: 'ml.m5.large', initialInstanceCount: 1 },
      ],
    };
    const policy: NamedPolicy = { name: 'p', spec: { requireVpc: true, allowedSubnets: ['subnet-a'] } };
    expect(policyViolations(spec, ENDPOINT, policy, specPath)).toEqual([]);
    expect(
      policyViolations({ ...spec, vpcConfig: { ...VPC, subnets: ['subnet-z'] } }, ENDPOINT, policy, specPath),
    ).toEqual([
      'spec.vpcConfig.subnets must use subnets that SecurityPolicy p allows in allowedSubnets: subnet-a',
    ]);
  });

  it('demands a processing job’s vpcConfig although networkConfig is optional, and no output key without outputs', () => {
    const policy: NamedPolicy = { name: 'p', spec: { requireVpc: true, requireOutputKmsKey: true } };
    expect(policyViolations({ roleArn: ROLE }, PROCESSING, policy, specPath)).toEqual([
      'spec.networkConfig.vpcConfig is required: SecurityPolicy p sets requireVpc',
    ]);
    expect(
      policyViolations({ roleArn: ROLE, networkConfig: { vpcConfig: VPC } }, PROCESSING, policy, specPath),
    ).toEqual([]);
  });
});

describe('role patterns', () => {
  it('match * as any characters and everything else literally', () => {
    const pattern = rolePatternRegex('arn:aws:iam::*:role/team-a+ml.*');
    expect(pattern.test('arn:aws:iam::111122223333:role/team-a+ml.training')).toBe(true);
    expect(pattern.test('arn:aws:iam::111122223333:role/team-aaml.training')).toBe(false);
    expect(pattern.test('arn:aws:iam::111122223333:role/team-a+mlXtraining')).toBe(false);
    expect(pattern.test('xarn:aws:iam::111122223333:role/team-a+ml.training')).toBe(false);
  });
});
