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
  namespace = await createTestNamespace(kc, 'tf-validation');
  ({ create, patchSpec } = objectsOf(kc, namespace, 'TransformJob', 'transformjobs'));
});

const minimal = MINIMAL_SPECS.TransformJob ?? {};
const inlineModel = {
  executionRoleArn: 'arn:aws:iam::123456789012:role/SageMakerRole',
  primaryContainer: { image: 'img:1', modelDataFrom: { trainingJobRef: { name: 'train' } } },
};

describe('TransformJob validation at apply time', () => {
  it('accepts the transform jobs of the examples', async () => {
    for (const folder of ['batch', 'workflows/train-transform-deploy']) {
      for (const [, manifests] of await loadExamples(folder)) {
        for (const m of manifests.filter((x) => x.kind === 'TransformJob'))
          await create(m.metadata.name, m.spec);
      }
    }
  });

  it.each([
    ['neither a model name nor a model', { modelName: undefined }, 'set exactly one of modelName'],
    ['both a model name and a model', { model: inlineModel }, 'set exactly one of modelName'],
    [
      'a container with both modelDataFrom and modelDataUrl',
      {
        modelName: undefined,
        model: {
          ...inlineModel,
          primaryContainer: { ...inlineModel.primaryContainer, modelDataUrl: 's3://b/m.tar.gz' },
        },
      },
      'modelDataFrom replaces modelDataUrl',
    ],
    [
      'an unknown split type',
      {
        transformInput: {
          dataSource: { s3DataSource: { s3DataType: 'S3Prefix', s3Uri: 's3://b/in' } },
          splitType: 'Paragraph',
        },
      },
      'supported values: "None", "Line", "RecordIO", "TFRecord"',
    ],
    ['an invalid environment variable name', { environment: { '1BAD': 'x' } }, 'environment variable names'],
  ])('rejects %s', async (_, change, message) => {
    expect(await rejectionOf(create('bad', { ...minimal, ...change }))).toContain(message);
  });

  it('rejects any change of a created job except tags and deletionPolicy', async () => {
    await create('immutable', minimal, false);
    expect(await rejectionOf(patchSpec('immutable', { maxPayloadInMB: 12 }))).toContain(
      'a transform job cannot change once created',
    );
    expect(await rejectionOf(patchSpec('immutable', { modelName: 'other' }))).toContain(
      'create a new TransformJob',
    );
    await patchSpec('immutable', { tags: { team: 'ml' }, deletionPolicy: 'Retain' });
  });
});
