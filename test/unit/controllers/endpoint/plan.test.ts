import { describe, expect, it } from '@jest/globals';
import {
  createEndpointRequest,
  endpointPlan,
  referencedTrainingJobs,
} from '../../../../src/controllers/endpoint/plan.js';
import type { EndpointSpec } from '../../../../src/crds/endpoint.js';
import { ARTIFACT, artifacts, ROLE, spec } from './fixtures.js';

const tags = [{ Key: 'team', Value: 'ml' }];
const plan = (s: EndpointSpec, name = 'ns-churn') => endpointPlan(s, name, artifacts, tags);
const withVariants = (change: (v: EndpointSpec['productionVariants'][number]) => object): EndpointSpec => ({
  ...spec,
  productionVariants: spec.productionVariants.map((v) => ({ ...v, ...change(v) })),
});

describe('endpointPlan', () => {
  const { models, endpointConfig, capacities } = plan(spec);

  it('maps each model to CreateModel as written: primaryContainer as PrimaryContainer, containers as Containers', () => {
    expect(models[0]).toEqual({
      ModelName: expect.stringMatching(/^ns-churn-current-[0-9a-f]{8}$/),
      PrimaryContainer: { Image: 'xgboost:1', ModelDataUrl: ARTIFACT },
      ExecutionRoleArn: ROLE,
      Tags: tags,
    });
    expect(models[1]).toEqual({
      ModelName: expect.stringMatching(/^ns-churn-challenger-[0-9a-f]{8}$/),
      Containers: [
        { Image: 'pre:1', Environment: { SAGEMAKER_program: 'pre.py' } },
        { Image: 'xgboost:2', ModelDataUrl: 's3://bucket/v2/model.tar.gz', Mode: 'SingleModel' },
      ],
      ExecutionRoleArn: ROLE,
      InferenceExecutionConfig: { Mode: 'Serial' },
      Tags: tags,
    });
  });

  it('sends a one-container list as Containers, never sends modelDataFrom or modelName, keeps map keys as written', () => {
    const written = plan({
      ...spec,
      models: [
        {
          modelName: 'current',
          containers: [
            {
              image: 'xgboost:1',
              modelDataFrom: { trainingJobRef: { name: 'train-job' } },
              environment: { mode: 'fast', image: 'x', lower_case: '1' },
            },
          ],
        },
        spec.models[1]!,
      ],
    });
    expect(written.models[0]).toEqual({
      ModelName: expect.stringMatching(/^ns-churn-current-[0-9a-f]{8}$/),
      Containers: [
        {
          Image: 'xgboost:1',
          ModelDataUrl: ARTIFACT,
          Environment: { mode: 'fast', image: 'x', lower_case: '1' },
        },
      ],
      Tags: tags,
    });
    expect(JSON.stringify(written.models)).not.toMatch(
      /modelDataFrom|ModelDataFrom|trainingJobRef|TrainingJobRef/,
    );
    expect(written.models[0]).not.toHaveProperty('PrimaryContainer');
    expect(written.models[0]?.ModelName).not.toBe(models[0]?.ModelName);
  });

  it('maps variants, KMS and data capture to CreateEndpointConfig, naming the derived models', () => {
    expect(endpointConfig).toEqual({
      EndpointConfigName: expect.stringMatching(/^ns-churn-[0-9a-f]{8}$/),
      ProductionVariants: [
        {
          VariantName: 'Current',
          ModelName: models[0]?.ModelName,
          InstanceType: 'ml.m5.large',
          InitialInstanceCount: 2,
          InitialVariantWeight: 0.9,
        },
        {
          VariantName: 'Challenger',
          ModelName: models[1]?.ModelName,
          InstanceType: 'ml.m5.large',
          InitialInstanceCount: 1,
          InitialVariantWeight: 0.1,
        },
      ],
      KmsKeyId: 'alias/hosting',
      DataCaptureConfig: {
        InitialSamplingPercentage: 50,
        DestinationS3Uri: 's3://bucket/capture',
        CaptureOptions: [{ CaptureMode: 'Input' }],
      },
      Tags: tags,
    });
  });

  it('records the weights and instance counts the spec asks for', () => {
    expect(capacities).toEqual([
      { variantName: 'Current', weight: 0.9, instanceCount: 2 },
      { variantName: 'Challenger', weight: 0.1, instanceCount: 1 },
    ]);
  });

  it('gives the same names for the same spec, as after a restart', () => {
    const again = plan(structuredClone(spec));
    expect(again.endpointConfig.EndpointConfigName).toBe(endpointConfig.EndpointConfigName);
    expect(again.models.map((m) => m.ModelName)).toEqual(models.map((m) => m.ModelName));
  });

  it('gives a new model and a new config when an image changes, and keeps the other model', () => {
    const changed = plan({
      ...spec,
      models: [{ ...spec.models[0]!, primaryContainer: { image: 'xgboost:3' } }, spec.models[1]!],
    });
    expect(changed.models[0]?.ModelName).not.toBe(models[0]?.ModelName);
    expect(changed.models[1]?.ModelName).toBe(models[1]?.ModelName);
    expect(changed.endpointConfig.EndpointConfigName).not.toBe(endpointConfig.EndpointConfigName);
  });

  it('gives a new model when the referenced training job produced other artifacts', () => {
    const retrained = endpointPlan(
      spec,
      'ns-churn',
      new Map([['train-job', 's3://bucket/new.tar.gz']]),
      tags,
    );
    expect(retrained.models[0]?.ModelName).not.toBe(models[0]?.ModelName);
  });

  it.each([
    ['an instance type', withVariants(() => ({ instanceType: 'ml.c5.large' }))],
    ['the KMS key', { ...spec, kmsKeyId: 'alias/other' }],
    ['data capture', { ...spec, dataCaptureConfig: undefined }],
  ])('gives a new config, same models, when %s changes', (_, changed) => {
    const next = plan(changed);
    expect(next.endpointConfig.EndpointConfigName).not.toBe(endpointConfig.EndpointConfigName);
    expect(next.models.map((m) => m.ModelName)).toEqual(models.map((m) => m.ModelName));
  });

  it('keeps the config name when only weights and instance counts change', () => {
    const next = plan(
      withVariants((v) => ({ initialVariantWeight: 0.5, initialInstanceCount: v.initialInstanceCount! + 3 })),
    );
    expect(next.endpointConfig.EndpointConfigName).toBe(endpointConfig.EndpointConfigName);
    expect(next.capacities).toEqual([
      { variantName: 'Current', weight: 0.5, instanceCount: 5 },
      { variantName: 'Challenger', weight: 0.5, instanceCount: 4 },
    ]);
  });

  it('keeps the names when only tags change (they are reconciled, not part of the content)', () => {
    const retagged = endpointPlan(spec, 'ns-churn', artifacts, [{ Key: 'team', Value: 'other' }]);
    expect(retagged.endpointConfig.EndpointConfigName).toBe(endpointConfig.EndpointConfigName);
  });

  it('never shares resources between endpoints whose long names shorten alike', () => {
    const long = 'x'.repeat(60);
    const a = plan(spec, `${long}-a`);
    const b = plan(spec, `${long}-b`);
    expect(a.endpointConfig.EndpointConfigName).not.toBe(b.endpointConfig.EndpointConfigName);
    expect(a.endpointConfig.EndpointConfigName?.length).toBeLessThanOrEqual(63);
    expect(a.models[0]?.ModelName).not.toBe(b.models[0]?.ModelName);
  });

  it('defaults weights to 1 and leaves serverless variants without instance counts', () => {
    const serverless = plan({
      ...spec,
      models: [spec.models[0]!],
      productionVariants: [
        {
          variantName: 'AllTraffic',
          modelName: 'current',
          serverlessConfig: { memorySizeInMB: 2048, maxConcurrency: 5 },
        },
      ],
    });
    expect(serverless.endpointConfig.ProductionVariants).toEqual([
      {
        VariantName: 'AllTraffic',
        ModelName: serverless.models[0]?.ModelName,
        ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 },
        InitialVariantWeight: 1,
      },
    ]);
    expect(serverless.capacities).toEqual([
      { variantName: 'AllTraffic', weight: 1, instanceCount: undefined },
    ]);
  });

  it('needs the artifacts of every referenced training job', () => {
    expect(referencedTrainingJobs(spec)).toEqual(['train-job']);
    expect(() => endpointPlan(spec, 'ns-churn', new Map(), tags)).toThrow('train-job');
  });

  it('maps shadow variants to the content-addressed models, without defaulting their weights', () => {
    const shadowed = plan({
      ...spec,
      shadowProductionVariants: [
        {
          variantName: 'Shadow',
          modelName: 'challenger',
          instanceType: 'ml.m5.large',
          initialInstanceCount: 1,
        },
      ],
    });
    expect(shadowed.models.map((m) => m.ModelName)).toEqual(models.map((m) => m.ModelName));
    expect(shadowed.endpointConfig.ShadowProductionVariants).toEqual([
      {
        VariantName: 'Shadow',
        ModelName: models[1]?.ModelName,
        InstanceType: 'ml.m5.large',
        InitialInstanceCount: 1,
      },
    ]);
    expect(shadowed.endpointConfig.ProductionVariants?.map((v) => v.ModelName)).toEqual(
      models.map((m) => m.ModelName),
    );
    expect(shadowed.endpointConfig.EndpointConfigName).not.toBe(endpointConfig.EndpointConfigName);
  });
});

describe('createEndpointRequest', () => {
  it('creates the endpoint on the planned config with its tags and nothing else by default', () => {
    expect(createEndpointRequest(spec, 'ns-churn', 'ns-churn-0123abcd', tags)).toEqual({
      EndpointName: 'ns-churn',
      EndpointConfigName: 'ns-churn-0123abcd',
      Tags: tags,
    });
  });

  it('carries the deployment config, leaving out the UpdateEndpoint-only fields', () => {
    const deploying: EndpointSpec = {
      ...spec,
      retainAllVariantProperties: false,
      retainDeploymentConfig: true,
      deploymentConfig: {
        rollingUpdatePolicy: {
          maximumBatchSize: { type: 'CAPACITY_PERCENT', value: 25 },
          waitIntervalInSeconds: 120,
        },
        autoRollbackConfiguration: { alarms: [{ alarmName: 'errors' }] },
      },
    };
    expect(createEndpointRequest(deploying, 'ns-churn', 'ns-churn-0123abcd', tags)).toEqual({
      EndpointName: 'ns-churn',
      EndpointConfigName: 'ns-churn-0123abcd',
      DeploymentConfig: {
        RollingUpdatePolicy: {
          MaximumBatchSize: { Type: 'CAPACITY_PERCENT', Value: 25 },
          WaitIntervalInSeconds: 120,
        },
        AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'errors' }] },
      },
      Tags: tags,
    });
  });
});
