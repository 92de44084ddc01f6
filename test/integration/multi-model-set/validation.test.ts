import { beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import { objectsOf, rejectionOf } from '../support/apply.js';
import { createTestNamespace, testKubeConfig } from '../support/cluster.js';
import { loadExamples } from '../support/examples.js';
import { MINIMAL_SPECS } from '../support/minimal-specs.js';

let kc: KubeConfig;
let namespace: string;
let create: (name: string, spec: object) => Promise<void>;

beforeAll(async () => {
  kc = testKubeConfig();
  namespace = await createTestNamespace(kc, 'mms-validation');
  ({ create } = objectsOf(kc, namespace, 'MultiModelSet', 'multimodelsets'));
});

const prefix = 's3://bucket/models/';
const source = 's3://bucket/sources/a.tar.gz';
const withModels = (...models: object[]) => ({ modelDataPrefix: prefix, models });

describe('MultiModelSet validation at apply time', () => {
  it('accepts the multi-model example', async () => {
    const [manifest] = (await loadExamples('multi-model')).get('multi-model-set.yaml') ?? [];
    await create(manifest?.metadata.name ?? '', manifest?.spec ?? {});
    await create(
      'models',
      withModels(
        { name: 'NewYork_NY', s3Uri: source },
        { name: 'a.b-c', s3Uri: source },
        {
          name: 'packaged',
          s3UriFrom: { processingJobRef: { name: 'p', outputName: 'model' }, path: 'm.tar.gz' },
        },
      ),
    );
  });

  it.each([
    [
      'a name with a slash',
      withModels({ name: 'a/b', s3Uri: source }),
      'spec.models[0].name in body should match',
    ],
    [
      'a name with a space',
      withModels({ name: 'New York', s3Uri: source }),
      'spec.models[0].name in body should match',
    ],
    [
      'a name starting with a dot',
      withModels({ name: '..', s3Uri: source }),
      'spec.models[0].name in body should match',
    ],
    [
      'a name of 201 characters',
      withModels({ name: 'a'.repeat(201), s3Uri: source }),
      'spec.models[0].name: Too long',
    ],
    [
      'the same name twice',
      withModels({ name: 'a', s3Uri: source }, { name: 'a', trainingJobRef: { name: 'job' } }),
      'spec.models[1]: Duplicate value',
    ],
    [
      'a model with two sources',
      withModels({ name: 'a', s3Uri: source, trainingJobRef: { name: 'job' } }),
      'set exactly one of s3Uri, trainingJobRef, s3UriFrom',
    ],
    [
      'a model with no source',
      withModels({ name: 'a' }),
      'set exactly one of s3Uri, trainingJobRef, s3UriFrom',
    ],
    [
      'a model with s3Uri and s3UriFrom',
      withModels({ name: 'a', s3Uri: source, s3UriFrom: { trainingJobRef: { name: 'job' } } }),
      'set exactly one of s3Uri, trainingJobRef, s3UriFrom',
    ],
    [
      'a source that is a prefix',
      withModels({ name: 'a', s3Uri: 's3://bucket/sources/' }),
      'spec.models[0].s3Uri in body should match',
    ],
    [
      'both endpointRef and modelDataPrefix',
      { ...withModels({ name: 'a', s3Uri: source }), endpointRef: { name: 'e' } },
      'set exactly one of endpointRef and modelDataPrefix',
    ],
    [
      'no endpoint at all',
      { models: [{ name: 'a', s3Uri: source }] },
      'set exactly one of endpointRef and modelDataPrefix',
    ],
    ['no models', { modelDataPrefix: prefix }, 'declare models, a trainingJobSelector, or both'],
    [
      'an empty selector',
      { modelDataPrefix: prefix, trainingJobSelector: {} },
      'needs matchLabels or matchExpressions',
    ],
    [
      'In without values',
      {
        modelDataPrefix: prefix,
        trainingJobSelector: { matchExpressions: [{ key: 'city', operator: 'In' }] },
      },
      'In and NotIn need values',
    ],
    [
      'seven tags',
      {
        ...MINIMAL_SPECS.MultiModelSet,
        tags: Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => [k, k])),
      },
      'at most 6 tags',
    ],
  ])('rejects %s', async (_, spec: object, message) => {
    expect(await rejectionOf(create('bad', spec))).toContain(message);
  });
});

describe('Endpoint pipelines with a multi-model container', () => {
  const endpoints = () => objectsOf(kc, namespace, 'Endpoint', 'endpoints');
  const [endpointExample] = [loadExamples('multi-model').then((m) => m.get('endpoint.yaml')?.[0])];

  it('accepts the example: scikit-learn preprocessing, then Linear Learner in MultiModel mode', async () => {
    const manifest = await endpointExample;
    await endpoints().create(manifest?.metadata.name ?? '', manifest?.spec ?? {});
  });

  it('rejects two MultiModel containers in one serial pipeline', async () => {
    const manifest = await endpointExample;
    const spec = structuredClone(manifest?.spec ?? {}) as { models: { containers: { mode?: string }[] }[] };
    for (const container of spec.models[0]?.containers ?? []) container.mode = 'MultiModel';
    expect(await rejectionOf(endpoints().create('two-mme', spec))).toContain(
      'a serial inference pipeline may have only one container in MultiModel mode',
    );
  });
});
