import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { AGE_COLUMN, type KindDefinition } from './kind.js';

/*
 * The parameters of the chart's ValidatingAdmissionPolicy (src/crds/admission-policy.ts): what a
 * namespace's SageMaker objects must satisfy. Not a SageMaker resource: nothing reconciles it; the
 * apiserver checks objects against it at apply time and the operator again before any create.
 */

const KMS_KEY = Type.String({ minLength: 1, maxLength: 2048, pattern: '^[a-zA-Z0-9:/_-]+$' });
const ID = Type.String({ minLength: 1, maxLength: 32, pattern: '^[-0-9a-zA-Z]+$' });

/** Role ARN patterns: an ARN where `*` stands for any run of characters (and nothing else is special). */
export const ROLE_PATTERN = '^[A-Za-z0-9+=,.@_/:*-]+$';

function list<T extends TSchema>(items: T, description: string, maxItems: number) {
  return Type.Optional(
    Type.Array(items, { description, minItems: 1, maxItems, 'x-kubernetes-list-type': 'set' }),
  );
}

function requirement(description: string) {
  return Type.Optional(Type.Boolean({ description }));
}

export const SecurityPolicySpec = Type.Object(
  {
    requireVpc: requirement(
      'Every request that runs containers (a job, a model, a monitoring job definition) must set vpcConfig (sagemaker:VpcSubnets).',
    ),
    allowedSubnets: list(ID, 'Subnets a vpcConfig may use (sagemaker:VpcSubnets).', 256),
    allowedSecurityGroupIds: list(
      ID,
      'Security groups a vpcConfig may use (sagemaker:VpcSecurityGroupIds).',
      256,
    ),
    requireNetworkIsolation: requirement(
      'enableNetworkIsolation must be true wherever the API has it (sagemaker:NetworkIsolation).',
    ),
    requireInterContainerTrafficEncryption: requirement(
      'enableInterContainerTrafficEncryption must be true wherever the API has it (sagemaker:InterContainerTrafficEncryption).',
    ),
    requireVolumeKmsKey: requirement(
      "Storage volumes must be encrypted with a KMS key: volumeKmsKeyId, and an Endpoint's kmsKeyId (sagemaker:VolumeKmsKey).",
    ),
    allowedVolumeKmsKeys: list(KMS_KEY, 'The KMS keys volumes may use, as the spec writes them.', 64),
    requireOutputKmsKey: requirement(
      'Outputs written to S3 must be encrypted with a KMS key: the kmsKeyId of output configs (sagemaker:OutputKmsKey).',
    ),
    allowedOutputKmsKeys: list(KMS_KEY, 'The KMS keys outputs may use, as the spec writes them.', 64),
    allowedInstanceTypes: list(
      Type.String({ minLength: 1, maxLength: 64 }),
      'Instance types any instanceType may name (sagemaker:InstanceTypes).',
      512,
    ),
    maxInstanceCount: Type.Optional(
      Type.Integer({
        description: 'The most instances any instanceCount or initialInstanceCount may ask for.',
        minimum: 1,
      }),
    ),
    maxRuntimeInSeconds: Type.Optional(
      Type.Integer({
        description:
          'Every job must set maxRuntimeInSeconds, at most this (sagemaker:MaxRuntimeInSeconds); SageMaker’s default would be longer.',
        minimum: 1,
      }),
    ),
    allowedRoleArns: list(
      Type.String({ minLength: 1, maxLength: 2048, pattern: ROLE_PATTERN }),
      'IAM roles the objects may pass to SageMaker (roleArn, executionRoleArn, validationRole): ARNs where * matches any characters, e.g. arn:aws:iam::111122223333:role/team-a-*.',
      64,
    ),
  },
  {
    description:
      'Rules every SageMaker object of this namespace must satisfy, checked at apply time by the chart’s ValidatingAdmissionPolicy and by the operator before any create. Unset fields check nothing.',
  },
);
export type SecurityPolicySpec = Static<typeof SecurityPolicySpec>;

export const SecurityPolicyStatus = Type.Object(
  {},
  { description: 'Unused: a SecurityPolicy has no status.' },
);

export const securityPolicy: KindDefinition<typeof SecurityPolicySpec, typeof SecurityPolicyStatus> = {
  kind: 'SecurityPolicy',
  plural: 'securitypolicies',
  singular: 'securitypolicy',
  shortNames: ['smsp'],
  description:
    'The security rules of a namespace’s SageMaker objects (the parameters of the chart’s admission policy).',
  spec: SecurityPolicySpec,
  status: SecurityPolicyStatus,
  printerColumns: [AGE_COLUMN],
};
