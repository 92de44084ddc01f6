import { beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import { objectsOf, rejectionOf } from '../support/apply.js';
import { createTestNamespace, testKubeConfig } from '../support/cluster.js';
import { loadExamples } from '../support/examples.js';
import { MINIMAL_SPECS } from '../support/minimal-specs.js';

let kc: KubeConfig;
let namespace: string;
const plural = 'trainingjobs';

let create: ReturnType<typeof objectsOf>['create'];
let patchSpec: ReturnType<typeof objectsOf>['patchSpec'];

beforeAll(async () => {
  kc = testKubeConfig();
  namespace = await createTestNamespace(kc, 'tj-validation');
  ({ create, patchSpec } = objectsOf(kc, namespace, 'TrainingJob', plural));
});

const minimal = MINIMAL_SPECS.TrainingJob ?? {};

describe('TrainingJob validation at apply time', () => {
  it('accepts every training example', async () => {
    for (const [, manifests] of await loadExamples('training')) {
      for (const manifest of manifests) await create(manifest.metadata.name, manifest.spec);
    }
  });

  it.each([
    ['no role', { roleArn: undefined }, 'spec.roleArn: Required value'],
    ['a malformed role ARN', { roleArn: 'my-role' }, 'spec.roleArn'],
    [
      'both an image and an algorithm',
      { algorithmSpecification: { trainingImage: 'img', algorithmName: 'algo', trainingInputMode: 'File' } },
      'set exactly one of trainingImage and algorithmName',
    ],
    [
      'an unknown input mode',
      { algorithmSpecification: { trainingImage: 'img', trainingInputMode: 'Stream' } },
      'supported values: "Pipe", "File", "FastFile"',
    ],
    [
      'a non-S3 output path',
      { outputDataConfig: { s3OutputPath: 'ftp://x/y' } },
      'spec.outputDataConfig.s3OutputPath',
    ],
    [
      'a negative instance count',
      { resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: -1, volumeSizeInGB: 5 } },
      'spec.resourceConfig.instanceCount: Invalid value: -1: spec.resourceConfig.instanceCount in body should be greater than or equal to 0',
    ],
    [
      'an instance type SageMaker does not have',
      { resourceConfig: { instanceType: 'ml.nonexistent.xlarge', instanceCount: 1, volumeSizeInGB: 5 } },
      'spec.resourceConfig.instanceType: Unsupported value: "ml.nonexistent.xlarge"',
    ],
    [
      'a spot wait shorter than the runtime',
      { stoppingCondition: { maxRuntimeInSeconds: 3600, maxWaitTimeInSeconds: 60 } },
      'maxWaitTimeInSeconds must be at least maxRuntimeInSeconds',
    ],
    [
      'spot training without a wait time',
      { enableManagedSpotTraining: true },
      'managed spot training needs stoppingCondition.maxWaitTimeInSeconds',
    ],
    [
      '101 hyperparameters',
      { hyperParameters: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`p${i}`, '1'])) },
      'spec.hyperParameters: Too many: 101: must have at most 100 items',
    ],
    [
      'a hyperparameter value over 2,500 characters',
      { hyperParameters: { long: 'x'.repeat(2501) } },
      'Too long',
    ],
    [
      'an invalid environment variable name',
      { environment: { '1BAD': 'x' } },
      'environment variable names match',
    ],
    ['a job name with an underscore', { trainingJobName: 'my_job' }, 'spec.trainingJobName'],
  ])('rejects %s', async (_, change, message) => {
    const spec = { ...minimal, ...change };
    expect(await rejectionOf(create('invalid', spec))).toContain(message);
  });

  it('rejects any change of a created job except tags and deletionPolicy', async () => {
    await create('immutable', minimal, false);
    const message = await rejectionOf(
      patchSpec('immutable', { roleArn: 'arn:aws:iam::123456789012:role/Other' }),
    );
    expect(message).toContain('a training job cannot change once created');
    expect(await rejectionOf(patchSpec('immutable', { hyperParameters: { eta: '0.1' } }))).toContain(
      'create a new TrainingJob',
    );

    await patchSpec('immutable', { tags: { team: 'ml' }, deletionPolicy: 'Retain' });
  });
});
