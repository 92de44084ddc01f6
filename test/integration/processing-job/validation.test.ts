import { beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import { objectsOf, rejectionOf } from '../support/apply.js';
import { createTestNamespace, testKubeConfig } from '../support/cluster.js';
import { loadExamples } from '../support/examples.js';
import { MINIMAL_SPECS } from '../support/minimal-specs.js';

let kc: KubeConfig;
let namespace: string;
let create: ReturnType<typeof objectsOf>['create'];
let patchSpec: ReturnType<typeof objectsOf>['patchSpec'];

beforeAll(async () => {
  kc = testKubeConfig();
  namespace = await createTestNamespace(kc, 'pj-validation');
  ({ create, patchSpec } = objectsOf(kc, namespace, 'ProcessingJob', 'processingjobs'));
});

const minimal = MINIMAL_SPECS.ProcessingJob ?? {};
const input = (s3Input: Record<string, unknown>) => ({
  processingInputs: [
    {
      inputName: 'in',
      s3Input: { localPath: '/opt/ml/processing/input', s3DataType: 'S3Prefix', ...s3Input },
    },
  ],
});

describe('ProcessingJob validation at apply time', () => {
  it('accepts the processing jobs of the examples and inputs from other jobs', async () => {
    for (const [, manifests] of await loadExamples('batch')) {
      for (const m of manifests.filter((x) => x.kind === 'ProcessingJob'))
        await create(m.metadata.name, m.spec);
    }
    await create('from-training', {
      ...minimal,
      ...input({ s3UriFrom: { trainingJobRef: { name: 'train' } } }),
    });
    await create('from-processing', {
      ...minimal,
      ...input({ s3UriFrom: { processingJobRef: { name: 'prepare', outputName: 'train' } } }),
    });
  });

  it.each([
    ['an input with neither s3Uri nor s3UriFrom', input({}), 'set exactly one of s3Uri and s3UriFrom'],
    [
      'an input with both s3Uri and s3UriFrom',
      input({ s3Uri: 's3://b/in', s3UriFrom: { trainingJobRef: { name: 'train' } } }),
      'set exactly one of s3Uri and s3UriFrom',
    ],
    [
      'an s3UriFrom naming two jobs',
      input({
        s3UriFrom: { trainingJobRef: { name: 'train' }, processingJobRef: { name: 'p', outputName: 'o' } },
      }),
      'set exactly one of trainingJobRef, processingJobRef, transformJobRef',
    ],
    [
      'two inputs of one name',
      {
        processingInputs: [
          { inputName: 'in', s3Input: { s3Uri: 's3://b/a', s3DataType: 'S3Prefix' } },
          { inputName: 'in', s3Input: { s3Uri: 's3://b/b', s3DataType: 'S3Prefix' } },
        ],
      },
      'Duplicate value',
    ],
    [
      'an invalid environment variable name',
      { environment: { 'BAD-NAME': 'x' } },
      'environment variable names',
    ],
  ])('rejects %s', async (_, change, message) => {
    expect(await rejectionOf(create('bad', { ...minimal, ...change }))).toContain(message);
  });

  it('rejects any change of a created job except tags and deletionPolicy', async () => {
    await create('immutable', minimal, false);
    expect(
      await rejectionOf(patchSpec('immutable', { roleArn: 'arn:aws:iam::123456789012:role/Other' })),
    ).toContain('a processing job cannot change once created');
    await patchSpec('immutable', { tags: { team: 'ml' }, deletionPolicy: 'Retain' });
  });
});
