/*
 * Members of the SageMaker requests that the hand-written CRDs lacked reach SageMaker as written:
 * applied through the apiserver (so the CRD keeps them), mapped by the generic spec → request
 * mapping, and answered by the emulator's describes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { role } from '../../emulator/test-harness.js';
import { condition, OperatorHarness } from '../support/operator.js';

let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('surface');
});
afterAll(async () => {
  await h.stop();
});

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1';

describe('the whole request surface, end to end', () => {
  it('sends a TrainingJob’s debugger, profiler, TensorBoard, experiment, entrypoint and retry settings as applied', async () => {
    const output = `s3://${h.cloud.bucket}`;
    const spec: TrainingJobSpec = {
      roleArn: role,
      algorithmSpecification: {
        trainingImage: IMAGE,
        trainingInputMode: 'File',
        containerEntrypoint: ['python3', 'train.py'],
        containerArguments: ['--epochs', '3'],
        trainingImageConfig: { trainingRepositoryAccessMode: 'Platform' },
      },
      hyperParameters: { num_round: '5', 'max-depth': '3' },
      environment: { MY_SETTING: 'on' },
      outputDataConfig: { s3OutputPath: `${output}/output` },
      resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
      stoppingCondition: { maxRuntimeInSeconds: 3600 },
      debugHookConfig: {
        s3OutputPath: `${output}/debug`,
        hookParameters: { save_interval: '10' },
        collectionConfigurations: [
          { collectionName: 'weights', collectionParameters: { include_regex: '.*' } },
        ],
      },
      tensorBoardOutputConfig: { s3OutputPath: `${output}/tensorboard` },
      profilerConfig: { s3OutputPath: `${output}/profiler`, profilingIntervalInMilliseconds: 500 },
      experimentConfig: { experimentName: 'churn', trialName: 'churn-1' },
      retryStrategy: { maximumRetryAttempts: 2 },
    };
    await h.create('trainingjobs', 'TrainingJob', 'surface', spec);
    // Described by the operator: SageMaker's reads show the job (they may lag its create).
    const job = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      'trainingjobs',
      'surface',
      (o) => o?.status?.trainingJobStatus !== undefined,
    );
    const described = await h.cloud.sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: job?.status?.trainingJobName }),
    );
    expect(described.AlgorithmSpecification).toMatchObject({
      ContainerEntrypoint: ['python3', 'train.py'],
      ContainerArguments: ['--epochs', '3'],
      TrainingImageConfig: { TrainingRepositoryAccessMode: 'Platform' },
    });
    // Map keys are the user's: never capitalised.
    expect(described.HyperParameters).toEqual({ num_round: '5', 'max-depth': '3' });
    expect(described.Environment).toEqual({ MY_SETTING: 'on' });
    expect(described.DebugHookConfig).toEqual({
      S3OutputPath: `${output}/debug`,
      HookParameters: { save_interval: '10' },
      CollectionConfigurations: [
        { CollectionName: 'weights', CollectionParameters: { include_regex: '.*' } },
      ],
    });
    expect(described.TensorBoardOutputConfig).toEqual({ S3OutputPath: `${output}/tensorboard` });
    expect(described.ProfilerConfig).toMatchObject({
      S3OutputPath: `${output}/profiler`,
      ProfilingIntervalInMilliseconds: 500,
    });
    expect(described.ExperimentConfig).toMatchObject({ ExperimentName: 'churn', TrialName: 'churn-1' });
    expect(described.RetryStrategy).toEqual({ MaximumRetryAttempts: 2 });
  });

  it('sends an Endpoint’s shadow variant, container image config and update settings as applied', async () => {
    const model = (modelName: string): EndpointSpec['models'][number] => ({
      modelName,
      executionRoleArn: role,
      primaryContainer: {
        image: IMAGE,
        imageConfig: { repositoryAccessMode: 'Platform' },
        modelDataUrl: `s3://${h.cloud.bucket}/${modelName}/model.tar.gz`,
        environment: { SAGEMAKER_PROGRAM: 'serve.py' },
      },
    });
    const variant = (variantName: string, modelName: string) => ({
      variantName,
      modelName,
      instanceType: 'ml.m5.large' as const,
      initialInstanceCount: 1,
    });
    const spec: EndpointSpec = {
      models: [model('champion'), model('challenger')],
      productionVariants: [variant('Champion', 'champion')],
      shadowProductionVariants: [{ ...variant('Challenger', 'challenger'), initialVariantWeight: 0.5 }],
      retainAllVariantProperties: true,
      retainDeploymentConfig: false,
    };
    await h.create('endpoints', 'Endpoint', 'shadow', spec);
    const endpoint = await h.waitFor<EndpointSpec, EndpointStatus>(
      'endpoints',
      'shadow',
      (o) => condition(o, 'Ready')?.status === 'True',
    );
    const config = await h.cloud.sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint?.status?.endpointConfigName }),
    );
    const [champion, challenger] = endpoint?.status?.modelNames ?? [];
    expect(config.ProductionVariants?.map((v) => [v.VariantName, v.ModelName])).toEqual([
      ['Champion', champion],
    ]);
    expect(config.ShadowProductionVariants).toEqual([
      expect.objectContaining({
        VariantName: 'Challenger',
        ModelName: challenger,
        InstanceType: 'ml.m5.large',
        InitialVariantWeight: 0.5,
      }),
    ]);
    expect(challenger).toMatch(/challenger/);
    const described = await h.cloud.sagemaker.send(new DescribeModelCommand({ ModelName: challenger }));
    expect(described.PrimaryContainer).toMatchObject({
      Image: IMAGE,
      ImageConfig: { RepositoryAccessMode: 'Platform' },
      Environment: { SAGEMAKER_PROGRAM: 'serve.py' },
    });
    expect(described.Containers ?? []).toEqual([]);
  });
});
