import * as sagemakerApi from '@aws-sdk/client-sagemaker';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import { toRequest } from '../../../src/controllers/common/sagemaker-shape.js';
import { ALL_KINDS } from '../../../src/crds/index.js';
import { REQUEST_SHAPES } from '../../../src/crds/shapes/sagemaker.generated.js';
import { errorOf, harnessForFile } from '../../emulator/test-harness.js';
import { objectsOf, rejectionOf } from '../support/apply.js';
import { createTestNamespace, testKubeConfig } from '../support/cluster.js';
import { loadExamples } from '../support/examples.js';

/*
 * Bad inputs SageMaker refuses, each a small change to a manifest of examples/ that breaks one rule
 * SageMaker documents (its API model's limits, or its documentation where the model says nothing):
 * the apiserver must refuse the manifest at apply time, and the emulator the SageMaker request the
 * manifest stands for, with SageMaker's error.
 */

type Spec = Record<string, unknown>;
type Call = [operation: string, input: Record<string, unknown>];

interface BadInput {
  kind: string;
  /** examples/<folder>/<file>, the first manifest of that kind in it. */
  example: string;
  /** What the change breaks. */
  rule: string;
  change: (spec: Spec) => void;
  /** Part of the apiserver's message. */
  apiserver: string;
  /** Part of SageMaker's ValidationException message. */
  sagemaker: string;
}

const path = (spec: Spec, steps: string): Spec =>
  steps.split('.').reduce<Spec>((node, step) => node[step] as Spec, spec);
/** Sets a member; undefined leaves it out (neither JSON nor the request mapping sends it). */
const set = (steps: string, value: unknown) => (spec: Spec) => {
  const parent = steps.split('.').slice(0, -1).join('.');
  const target = parent === '' ? spec : path(spec, parent);
  target[steps.split('.').at(-1)!] = value;
};
const entries = (n: number, value: unknown): Record<string, unknown> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`K${String(i)}`, value]));
const tooLarge = (limit: number) => `Member must have value less than or equal to ${String(limit)}`;
const tooSmall = (limit: number) => `Member must have value greater than or equal to ${String(limit)}`;
const missing = (member: string) =>
  `Value null at '${member}' failed to satisfy constraint: Member must not be null`;

const TRAINING = 'training/xgboost-kms.yaml';
const PROCESSING = 'batch/preprocessing-private-vpc.yaml';
const TRANSFORM = 'batch/xgboost-kms-batch-transform.yaml';
const ENDPOINT = 'hosting/xgboost-kms.yaml';
const MONITORING = 'monitoring/data-quality.yaml';

const BAD_INPUTS: BadInput[] = [
  {
    kind: 'TrainingJob',
    example: TRAINING,
    rule: 'a job that is not serverless names its algorithm',
    change: set('algorithmSpecification', undefined),
    apiserver: 'a training job that is not serverless needs algorithmSpecification',
    sagemaker: missing('algorithmSpecification'),
  },
  {
    kind: 'TrainingJob',
    example: TRAINING,
    rule: 'an algorithm specification has an image or an algorithm name',
    change: set('algorithmSpecification.trainingImage', undefined),
    apiserver: 'set exactly one of trainingImage and algorithmName',
    sagemaker: 'You must specify either the algorithm name to the AlgorithmName parameter or the image URI',
  },
  {
    kind: 'TrainingJob',
    example: TRAINING,
    rule: 'an algorithm specification has an image or an algorithm name, not both',
    change: set('algorithmSpecification.algorithmName', 'my-algorithm'),
    apiserver: 'set exactly one of trainingImage and algorithmName',
    sagemaker: 'The AlgorithmName parameter is mutually exclusive with the TrainingImage parameter',
  },
  {
    kind: 'TrainingJob',
    example: TRAINING,
    rule: 'a job that is not serverless says what it runs on',
    change: set('resourceConfig', undefined),
    apiserver: 'a training job that is not serverless needs resourceConfig',
    sagemaker: missing('resourceConfig'),
  },
  {
    kind: 'TrainingJob',
    example: TRAINING,
    rule: 'resources name an instance type, or instance groups',
    change: set('resourceConfig.instanceType', undefined),
    apiserver: 'resourceConfig needs instanceType and instanceCount, or instanceGroups',
    sagemaker: missing('resourceConfig.instanceType'),
  },
  {
    kind: 'TrainingJob',
    example: TRAINING,
    rule: 'at least one instance without instance groups',
    change: set('resourceConfig.instanceCount', 0),
    apiserver: 'resourceConfig needs instanceType and instanceCount, or instanceGroups',
    sagemaker: `Value '0' at 'resourceConfig.instanceCount' failed to satisfy constraint: ${tooSmall(1)}`,
  },
  {
    kind: 'TrainingJob',
    example: TRAINING,
    rule: 'a training volume of at most 16,384 GB',
    change: set('resourceConfig.volumeSizeInGB', 99_999_999),
    apiserver: 'spec.resourceConfig.volumeSizeInGB: Invalid value: 99999999',
    sagemaker: `Value '99999999' at 'resourceConfig.volumeSizeInGB' failed to satisfy constraint: ${tooLarge(16384)}`,
  },
  {
    kind: 'TrainingJob',
    example: TRAINING,
    rule: 'a runtime of at most 28 days',
    change: set('stoppingCondition.maxRuntimeInSeconds', 2_419_201),
    apiserver: 'spec.stoppingCondition.maxRuntimeInSeconds: Invalid value: 2419201',
    sagemaker: `Value '2419201' at 'stoppingCondition.maxRuntimeInSeconds' failed to satisfy constraint: ${tooLarge(2419200)}`,
  },
  {
    kind: 'TrainingJob',
    example: TRAINING,
    rule: 'a spot job waits at least as long as it runs',
    change: (spec) => {
      set('enableManagedSpotTraining', true)(spec);
      set('stoppingCondition.maxWaitTimeInSeconds', 60)(spec);
    },
    apiserver: 'maxWaitTimeInSeconds must be at least maxRuntimeInSeconds',
    sagemaker: 'MaxWaitTimeInSeconds must be equal to or greater than MaxRuntimeInSeconds',
  },
  {
    kind: 'TrainingJob',
    example: TRAINING,
    rule: 'a spot job has a wait time',
    change: set('enableManagedSpotTraining', true),
    apiserver: 'managed spot training needs stoppingCondition.maxWaitTimeInSeconds',
    sagemaker: missing('stoppingCondition.maxWaitTimeInSeconds'),
  },
  {
    kind: 'TrainingJob',
    example: TRAINING,
    rule: 'a warm pool lives at most 6 hours',
    change: set('resourceConfig.keepAlivePeriodInSeconds', 21_601),
    apiserver: 'spec.resourceConfig.keepAlivePeriodInSeconds: Invalid value: 21601',
    sagemaker: `at 'resourceConfig.keepAlivePeriodInSeconds' failed to satisfy constraint: ${tooLarge(21600)}`,
  },
  {
    kind: 'TrainingJob',
    example: TRAINING,
    rule: 'at most 100 hyperparameters',
    change: set('hyperParameters', entries(101, '1')),
    apiserver: 'spec.hyperParameters: Too many: 101',
    sagemaker:
      "at 'hyperParameters' failed to satisfy constraint: Member must have length less than or equal to 100",
  },
  {
    kind: 'TrainingJob',
    example: TRAINING,
    rule: 'a role ARN',
    change: set('roleArn', 'SageMakerExecutionRole'),
    apiserver: 'spec.roleArn: Invalid value',
    sagemaker: "at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern",
  },
  {
    kind: 'ProcessingJob',
    example: PROCESSING,
    rule: 'a processing volume of at most 16,384 GB',
    change: set('processingResources.clusterConfig.volumeSizeInGB', 99_999_999),
    apiserver: 'spec.processingResources.clusterConfig.volumeSizeInGB: Invalid value: 99999999',
    sagemaker: `at 'processingResources.clusterConfig.volumeSizeInGB' failed to satisfy constraint: ${tooLarge(16384)}`,
  },
  {
    kind: 'ProcessingJob',
    example: PROCESSING,
    rule: 'at most 100 processing instances',
    change: set('processingResources.clusterConfig.instanceCount', 101),
    apiserver: 'spec.processingResources.clusterConfig.instanceCount: Invalid value: 101',
    sagemaker: `at 'processingResources.clusterConfig.instanceCount' failed to satisfy constraint: ${tooLarge(100)}`,
  },
  {
    kind: 'ProcessingJob',
    example: PROCESSING,
    rule: 'at least one processing instance',
    change: set('processingResources.clusterConfig.instanceCount', 0),
    apiserver: 'spec.processingResources.clusterConfig.instanceCount: Invalid value: 0',
    sagemaker: `at 'processingResources.clusterConfig.instanceCount' failed to satisfy constraint: ${tooSmall(1)}`,
  },
  {
    kind: 'ProcessingJob',
    example: PROCESSING,
    rule: 'a processing runtime of at most 9 days',
    change: set('stoppingCondition.maxRuntimeInSeconds', 777_601),
    apiserver: 'spec.stoppingCondition.maxRuntimeInSeconds: Invalid value: 777601',
    sagemaker: `at 'stoppingCondition.maxRuntimeInSeconds' failed to satisfy constraint: ${tooLarge(777600)}`,
  },
  {
    kind: 'ProcessingJob',
    example: PROCESSING,
    rule: 'a processing container has an image',
    change: set('appSpecification.imageUri', undefined),
    apiserver: 'spec.appSpecification.imageUri: Required value',
    sagemaker: missing('appSpecification.imageUri'),
  },
  {
    kind: 'TransformJob',
    example: TRANSFORM,
    rule: "a model's container has an image or a model package",
    change: set('model.primaryContainer.image', undefined),
    apiserver: 'a container needs an image or a model package',
    sagemaker: 'A container must specify an Image or a ModelPackageName.',
  },
  {
    kind: 'TransformJob',
    example: TRANSFORM,
    rule: 'at least one transform instance',
    change: set('transformResources.instanceCount', 0),
    apiserver: 'spec.transformResources.instanceCount: Invalid value: 0',
    sagemaker: `at 'transformResources.instanceCount' failed to satisfy constraint: ${tooSmall(1)}`,
  },
  {
    kind: 'TransformJob',
    example: TRANSFORM,
    rule: 'a payload of at most 100 MB',
    change: set('maxPayloadInMB', 101),
    apiserver: 'spec.maxPayloadInMB: Invalid value: 101',
    sagemaker: `Value '101' at 'maxPayloadInMB' failed to satisfy constraint: ${tooLarge(100)}`,
  },
  {
    kind: 'TransformJob',
    example: TRANSFORM,
    rule: 'concurrent transforms times the payload size at most 100 MB',
    change: (spec) => {
      set('maxConcurrentTransforms', 4)(spec);
      set('maxPayloadInMB', 50)(spec);
    },
    apiserver: 'maxConcurrentTransforms times maxPayloadInMB (default 6) must not exceed 100 MB',
    sagemaker: 'The value of (MaxConcurrentTransforms * MaxPayloadInMB) cannot exceed 100 MB.',
  },
  {
    kind: 'TransformJob',
    example: TRANSFORM,
    rule: 'at most 16 environment variables',
    change: set('environment', entries(17, 'v')),
    apiserver: 'spec.environment: Too many: 17',
    sagemaker:
      "at 'environment' failed to satisfy constraint: Member must have length less than or equal to 16",
  },
  {
    kind: 'Endpoint',
    example: ENDPOINT,
    rule: "a model's container has an image or a model package",
    change: (spec) => {
      set('image', undefined)(path(spec, 'models.0.primaryContainer'));
    },
    apiserver: 'a container needs an image or a model package',
    sagemaker: 'A container must specify an Image or a ModelPackageName.',
  },
  {
    kind: 'Endpoint',
    example: ENDPOINT,
    rule: 'at least one instance per variant',
    change: (spec) => {
      set('initialInstanceCount', 0)(path(spec, 'productionVariants.0'));
    },
    apiserver: 'spec.productionVariants[0].initialInstanceCount: Invalid value: 0',
    sagemaker: `at 'productionVariants.1.member.initialInstanceCount' failed to satisfy constraint: ${tooSmall(1)}`,
  },
  {
    kind: 'Endpoint',
    example: ENDPOINT,
    rule: 'a hosting volume of at most 512 GB',
    change: (spec) => {
      set('volumeSizeInGB', 513)(path(spec, 'productionVariants.0'));
    },
    apiserver: 'spec.productionVariants[0].volumeSizeInGB: Invalid value: 513',
    sagemaker: `at 'productionVariants.1.member.volumeSizeInGB' failed to satisfy constraint: ${tooLarge(512)}`,
  },
  {
    kind: 'Endpoint',
    example: ENDPOINT,
    rule: 'a variant weight is not negative',
    change: (spec) => {
      set('initialVariantWeight', -1)(path(spec, 'productionVariants.0'));
    },
    apiserver: 'spec.productionVariants[0].initialVariantWeight: Invalid value: -1',
    sagemaker: `at 'productionVariants.1.member.initialVariantWeight' failed to satisfy constraint: ${tooSmall(0)}`,
  },
  {
    kind: 'Endpoint',
    example: ENDPOINT,
    rule: 'serverless memory of at most 6,144 MB',
    change: (spec) => {
      const variant = path(spec, 'productionVariants.0');
      set('instanceType', undefined)(variant);
      set('initialInstanceCount', undefined)(variant);
      set('serverlessConfig', { memorySizeInMB: 8192, maxConcurrency: 1 })(variant);
    },
    apiserver: 'spec.productionVariants[0].serverlessConfig.memorySizeInMB: Invalid value: 8192',
    sagemaker: `at 'productionVariants.1.member.serverlessConfig.memorySizeInMB' failed to satisfy constraint: ${tooLarge(6144)}`,
  },
  {
    kind: 'MonitoringSchedule',
    example: MONITORING,
    rule: 'a monitoring volume of at most 16,384 GB',
    change: set('dataQualityJobDefinition.jobResources.clusterConfig.volumeSizeInGB', 99_999_999),
    apiserver:
      'spec.dataQualityJobDefinition.jobResources.clusterConfig.volumeSizeInGB: Invalid value: 99999999',
    sagemaker: `at 'jobResources.clusterConfig.volumeSizeInGB' failed to satisfy constraint: ${tooLarge(16384)}`,
  },
  {
    kind: 'MonitoringSchedule',
    example: MONITORING,
    rule: 'at most 100 monitoring instances',
    change: set('dataQualityJobDefinition.jobResources.clusterConfig.instanceCount', 101),
    apiserver: 'spec.dataQualityJobDefinition.jobResources.clusterConfig.instanceCount: Invalid value: 101',
    sagemaker: `at 'jobResources.clusterConfig.instanceCount' failed to satisfy constraint: ${tooLarge(100)}`,
  },
  {
    kind: 'MonitoringSchedule',
    example: MONITORING,
    rule: 'a monitoring runtime of at most a day',
    change: set('dataQualityJobDefinition.stoppingCondition.maxRuntimeInSeconds', 86_401),
    apiserver: 'spec.dataQualityJobDefinition.stoppingCondition.maxRuntimeInSeconds: Invalid value: 86401',
    sagemaker: `at 'stoppingCondition.maxRuntimeInSeconds' failed to satisfy constraint: ${tooLarge(86400)}`,
  },
];

const request = (operation: keyof typeof REQUEST_SHAPES, spec: unknown) =>
  toRequest(REQUEST_SHAPES[operation], spec) as Record<string, unknown>;

/** The SageMaker calls a spec stands for, in the order the operator makes them. */
const CALLS: Record<string, (spec: Spec, name: string) => Call[]> = {
  TrainingJob: (spec, name) => [
    ['CreateTrainingJob', { ...request('CreateTrainingJob', spec), TrainingJobName: name }],
  ],
  ProcessingJob: (spec, name) => [
    ['CreateProcessingJob', { ...request('CreateProcessingJob', spec), ProcessingJobName: name }],
  ],
  TransformJob: (spec, name) => [
    ['CreateModel', { ...request('CreateModel', spec.model), ModelName: name }],
    [
      'CreateTransformJob',
      { ...request('CreateTransformJob', spec), TransformJobName: name, ModelName: name },
    ],
  ],
  Endpoint: (spec, name) => {
    const models = spec.models as Spec[];
    const config = request('CreateEndpointConfig', spec);
    const variants = config.ProductionVariants as Record<string, unknown>[];
    return [
      ...models.map((model): Call => [
        'CreateModel',
        { ...request('CreateModel', model), ModelName: `${name}-${String(model.modelName)}` },
      ]),
      [
        'CreateEndpointConfig',
        {
          ...config,
          EndpointConfigName: name,
          ProductionVariants: variants.map((v) => ({ ...v, ModelName: `${name}-${String(v.ModelName)}` })),
        },
      ],
    ];
  },
  // The operator gives a data-quality definition the region's analyzer image and the endpoint it monitors.
  MonitoringSchedule: (spec, name) => {
    const definition = request('CreateDataQualityJobDefinition', spec.dataQualityJobDefinition);
    return [
      [
        'CreateDataQualityJobDefinition',
        {
          ...definition,
          JobDefinitionName: name,
          DataQualityAppSpecification: {
            ...(definition.DataQualityAppSpecification as object),
            ImageUri: '156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer',
          },
          DataQualityJobInput: {
            EndpointInput: { EndpointName: 'churn-endpoint', LocalPath: '/opt/ml/processing/input' },
          },
        },
      ],
    ];
  },
};

type Command = Parameters<SageMakerClient['send']>[0];
const commands = sagemakerApi as unknown as Record<string, new (input: object) => Command>;

/** Makes the calls in order; the first refusal, or undefined when SageMaker took them all. */
async function refusal(client: SageMakerClient, calls: Call[]) {
  for (const [operation, input] of calls) {
    const error = await errorOf(client.send(new commands[`${operation}Command`]!(input)));
    if (error) return error;
  }
  return undefined;
}

const h = harnessForFile({ resetEach: false });
let kc: KubeConfig;
let namespace: string;
const examples = new Map<string, Spec>();

beforeAll(async () => {
  kc = testKubeConfig();
  namespace = await createTestNamespace(kc, 'bad-inputs');
  for (const { kind, example } of BAD_INPUTS) {
    const [folder, file] = example.split('/') as [string, string];
    const manifest = (await loadExamples(folder)).get(file)?.find((m) => m.kind === kind);
    if (!manifest) throw new Error(`${example} has no ${kind}`);
    examples.set(`${kind} ${example}`, manifest.spec);
  }
});

const pluralOf = (kind: string): string => ALL_KINDS.find((k) => k.kind === kind)!.plural;

describe('bad inputs are refused at apply time and by SageMaker', () => {
  it('starts from examples that both accept', async () => {
    for (const [key, spec] of examples) {
      const [kind] = key.split(' ') as [string];
      await objectsOf(kc, namespace, kind, pluralOf(kind)).create('valid', spec);
      const name = `valid-${kind.toLowerCase()}`;
      expect(await refusal(h.sagemaker, CALLS[kind]!(structuredClone(spec), name))).toBeUndefined();
    }
  });

  it.each(BAD_INPUTS.map((input, i) => [`${input.kind}: ${input.rule}`, input, i] as const))(
    '%s',
    async (_, input, i) => {
      const spec = structuredClone(examples.get(`${input.kind} ${input.example}`)!);
      input.change(spec);
      const objects = objectsOf(kc, namespace, input.kind, pluralOf(input.kind));
      expect(await rejectionOf(objects.create('bad', spec))).toContain(input.apiserver);
      const error = await refusal(h.sagemaker, CALLS[input.kind]!(spec, `bad-${String(i)}`));
      expect(error).toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining(input.sagemaker),
      });
    },
  );
});
