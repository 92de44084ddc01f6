import { beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../../src/crds/index.js';
import { objectsOf, rejectionOf } from '../support/apply.js';
import { createTestNamespace, customObjects, testKubeConfig } from '../support/cluster.js';
import { loadExamples } from '../support/examples.js';
import { MINIMAL_SPECS } from '../support/minimal-specs.js';

let kc: KubeConfig;
let namespace: string;
const plural = 'endpoints';

let create: ReturnType<typeof objectsOf>['create'];
let patchSpec: ReturnType<typeof objectsOf>['patchSpec'];

beforeAll(async () => {
  kc = testKubeConfig();
  namespace = await createTestNamespace(kc, 'ep-validation');
  ({ create, patchSpec } = objectsOf(kc, namespace, 'Endpoint', plural));
});

const minimal = MINIMAL_SPECS.Endpoint ?? {};
const model = (minimal.models as Record<string, unknown>[])[0] ?? {};
const container = (model.primaryContainer as Record<string, unknown> | undefined) ?? {};
const variant = (minimal.productionVariants as Record<string, unknown>[])[0] ?? {};

const withVariant = (change: Record<string, unknown>) => ({
  productionVariants: [{ ...variant, ...change }],
});
const withContainer = (change: Record<string, unknown>) => ({
  models: [{ ...model, primaryContainer: { ...container, ...change } }],
});
const withModel = (change: Record<string, unknown>) => ({ models: [{ ...model, ...change }] });
const pipeline = [
  {
    ...container,
    image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/preprocess:1',
    containerHostname: 'pre',
  },
  { ...container, containerHostname: 'xgboost' },
];

describe('Endpoint validation at apply time', () => {
  it('accepts every hosting example', async () => {
    const examples = await loadExamples('hosting');
    expect([...examples.keys()]).toEqual([
      'ab-test.yaml',
      'blue-green-canary.yaml',
      'data-capture.yaml',
      'xgboost-kms.yaml',
    ]);
    for (const [, manifests] of examples) {
      for (const manifest of manifests) await create(manifest.metadata.name, manifest.spec);
    }
  });

  it('hosts the model of the training example it names', async () => {
    const [hosting] = (await loadExamples('hosting')).get('xgboost-kms.yaml') ?? [];
    const [training] = (await loadExamples('training')).get('xgboost-kms.yaml') ?? [];
    expect(hosting?.spec).toMatchObject({
      models: [
        { primaryContainer: { modelDataFrom: { trainingJobRef: { name: training?.metadata.name } } } },
      ],
    });
  });

  it('accepts a serverless variant, two weighted variants, a shadow variant, a pipeline and a full deployment config', async () => {
    await create('serverless', {
      ...minimal,
      ...withVariant({
        instanceType: undefined,
        initialInstanceCount: undefined,
        serverlessConfig: { memorySizeInMB: 2048, maxConcurrency: 10, provisionedConcurrency: 2 },
      }),
    });
    await create('two-variants', {
      ...minimal,
      models: [model, { ...model, modelName: 'challenger' }],
      productionVariants: [
        { ...variant, initialVariantWeight: 0.9 },
        { ...variant, variantName: 'Challenger', modelName: 'challenger', initialVariantWeight: 0.1 },
      ],
      deploymentConfig: {
        blueGreenUpdatePolicy: {
          trafficRoutingConfiguration: {
            type: 'LINEAR',
            waitIntervalInSeconds: 300,
            linearStepSize: { type: 'CAPACITY_PERCENT', value: 20 },
          },
        },
        autoRollbackConfiguration: { alarms: [{ alarmName: 'errors' }] },
      },
      retainAllVariantProperties: true,
      excludeRetainedVariantProperties: [{ variantPropertyType: 'DesiredWeight' }],
      retainDeploymentConfig: true,
    });
    await create('shadow', {
      ...minimal,
      models: [model, { ...model, modelName: 'shadow' }],
      shadowProductionVariants: [{ ...variant, variantName: 'Shadow', modelName: 'shadow' }],
    });
    await create('pipeline', {
      ...minimal,
      ...withModel({
        primaryContainer: undefined,
        containers: pipeline,
        inferenceExecutionConfig: { mode: 'Direct' },
      }),
    });
    await create('one-container-list', {
      ...minimal,
      ...withModel({ primaryContainer: undefined, containers: [container] }),
    });
    await create('no-role', { ...minimal, ...withModel({ executionRoleArn: undefined }) });
  });

  it.each([
    ['no models', { models: undefined }, 'spec.models: Required value'],
    ['no variants', { productionVariants: [] }, 'spec.productionVariants: Invalid value: 0'],
    [
      'a variant serving an unknown model',
      withVariant({ modelName: 'other' }),
      'every productionVariants[].modelName must name one of models[].modelName',
    ],
    [
      'a model no variant serves',
      { models: [model, { ...model, modelName: 'unused' }] },
      'every model must be served by a production or shadow variant',
    ],
    [
      'two models with one name',
      { models: [model, model] },
      'spec.models[1]: Duplicate value: {"modelName":"model"}',
    ],
    [
      'two variants with one name',
      { productionVariants: [variant, variant] },
      'spec.productionVariants[1]: Duplicate value',
    ],
    [
      'a variant with both instances and serverless',
      withVariant({ serverlessConfig: { memorySizeInMB: 2048, maxConcurrency: 10 } }),
      'set either instanceType and initialInstanceCount (instance-based) or serverlessConfig',
    ],
    [
      'a variant with neither instances nor serverless',
      withVariant({ instanceType: undefined, initialInstanceCount: undefined }),
      'set either instanceType and initialInstanceCount',
    ],
    [
      'zero instances',
      withVariant({ initialInstanceCount: 0 }),
      'spec.productionVariants[0].initialInstanceCount in body should be greater than or equal to 1',
    ],
    [
      'a negative weight',
      withVariant({ initialVariantWeight: -1 }),
      'spec.productionVariants[0].initialVariantWeight in body should be greater than or equal to 0',
    ],
    [
      'only zero weights',
      withVariant({ initialVariantWeight: 0 }),
      'at least one production variant needs a weight above 0',
    ],
    [
      'serverless memory above 6 GB',
      withVariant({
        instanceType: undefined,
        initialInstanceCount: undefined,
        serverlessConfig: { memorySizeInMB: 7168, maxConcurrency: 10 },
      }),
      'spec.productionVariants[0].serverlessConfig.memorySizeInMB in body should be less than or equal to 6144',
    ],
    [
      'an instance type SageMaker does not host on',
      withVariant({ instanceType: 'ml.nonexistent.xlarge' }),
      'spec.productionVariants[0].instanceType: Unsupported value: "ml.nonexistent.xlarge"',
    ],
    [
      'provisioned concurrency above the maximum',
      withVariant({
        instanceType: undefined,
        initialInstanceCount: undefined,
        serverlessConfig: { memorySizeInMB: 2048, maxConcurrency: 2, provisionedConcurrency: 5 },
      }),
      'provisionedConcurrency must not exceed maxConcurrency',
    ],
    ['a variant name with an underscore', withVariant({ variantName: 'All_Traffic' }), 'variantName'],
    [
      'model data from both a URL and a training job',
      withContainer({ modelDataFrom: { trainingJobRef: { name: 'job' } } }),
      'modelDataFrom replaces modelDataUrl and modelDataSource: set only one of them',
    ],
    [
      'model data from both a URL and a training job in a pipeline container',
      withModel({
        primaryContainer: undefined,
        containers: [pipeline[0], { ...pipeline[1], modelDataFrom: { trainingJobRef: { name: 'job' } } }],
      }),
      'modelDataFrom replaces modelDataUrl and modelDataSource: set only one of them',
    ],
    [
      'both primaryContainer and containers',
      withModel({ containers: pipeline }),
      'set exactly one of primaryContainer (one container) and containers (an inference pipeline)',
    ],
    [
      'neither primaryContainer nor containers',
      withModel({ primaryContainer: undefined }),
      'set exactly one of primaryContainer (one container) and containers (an inference pipeline)',
    ],
    [
      'an empty container list',
      withModel({ primaryContainer: undefined, containers: [] }),
      'spec.models[0].containers: Invalid value: 0',
    ],
    [
      'a Direct pipeline without hostnames',
      withModel({
        primaryContainer: undefined,
        containers: [container, container],
        inferenceExecutionConfig: { mode: 'Direct' },
      }),
      'every container of a Direct inference pipeline needs a containerHostname',
    ],
    [
      'a shadow variant serving an unknown model',
      { shadowProductionVariants: [{ ...variant, variantName: 'Shadow', modelName: 'other' }] },
      'every shadowProductionVariants[].modelName must name one of models[].modelName',
    ],
    [
      'a model named the old way (name instead of modelName)',
      withModel({ modelName: undefined, name: 'model' }),
      'spec.models[0].modelName: Required value',
    ],
    [
      'an unknown container mode',
      withContainer({ mode: 'Many' }),
      'supported values: "SingleModel", "MultiModel"',
    ],
    [
      'a sampling percentage above 100',
      {
        dataCaptureConfig: {
          initialSamplingPercentage: 101,
          destinationS3Uri: 's3://bucket/capture',
          captureOptions: [{ captureMode: 'Input' }],
        },
      },
      'spec.dataCaptureConfig.initialSamplingPercentage',
    ],
    [
      'a canary without its size',
      {
        deploymentConfig: {
          blueGreenUpdatePolicy: {
            trafficRoutingConfiguration: { type: 'CANARY', waitIntervalInSeconds: 60 },
          },
        },
      },
      'canarySize is required with type CANARY',
    ],
    [
      'blue/green and rolling at once',
      {
        deploymentConfig: {
          blueGreenUpdatePolicy: {
            trafficRoutingConfiguration: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
          },
          rollingUpdatePolicy: {
            maximumBatchSize: { type: 'CAPACITY_PERCENT', value: 10 },
            waitIntervalInSeconds: 60,
          },
        },
      },
      'set at most one of blueGreenUpdatePolicy and rollingUpdatePolicy',
    ],
    [
      'excluded properties without retaining',
      {
        retainAllVariantProperties: false,
        excludeRetainedVariantProperties: [{ variantPropertyType: 'DesiredWeight' }],
      },
      'excludeRetainedVariantProperties needs retainAllVariantProperties',
    ],
  ])('rejects %s', async (_, change, message) => {
    expect(await rejectionOf(create('invalid', { ...minimal, ...change }))).toContain(message);
  });

  it('does not default anything into the spec', async () => {
    await create('no-defaults', minimal, false);
    const stored = (await customObjects(kc).getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural,
      name: 'no-defaults',
    })) as { spec: Record<string, unknown> };
    expect(stored.spec).toEqual(minimal);
  });

  it('lets models, variants and weights change but not the endpoint name or region', async () => {
    await create('mutable', { ...minimal, endpointName: 'mutable-endpoint', region: 'us-east-1' }, false);
    await patchSpec('mutable', withVariant({ initialVariantWeight: 2, instanceType: 'ml.c5.large' }));
    await patchSpec('mutable', withContainer({ image: 'example.com/other:2' }));
    expect(await rejectionOf(patchSpec('mutable', { endpointName: 'other' }))).toContain(
      'endpointName and region cannot change',
    );
    expect(await rejectionOf(patchSpec('mutable', { region: 'eu-west-1' }))).toContain(
      'endpointName and region cannot change',
    );
  });
});
