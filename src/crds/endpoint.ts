import { Type, type Static, type TProperties } from '@sinclair/typebox';
import {
  ARN_ROLE_PATTERN,
  commonSpecFields,
  commonSpecRules,
  commonStatusFields,
  explicitNameField,
  KMS_KEY,
  S3_URI,
  vpcConfig,
} from './common.js';
import { AGE_COLUMN, COMMON_COLUMNS, type KindDefinition } from './kind.js';
import { immutableExceptRule, StringEnum, StringMap } from './schema.js';

/** SageMaker's pattern for variant names and container hostnames. */
const VARIANT_NAME_PATTERN = '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$';
/** SageMaker's pattern for model names: hyphens may repeat but not end the name. */
const MODEL_NAME_PATTERN = '^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?$';

const container = Type.Object(
  {
    image: Type.String({
      description: 'Registry path of the inference image (ECR, or a private registry).',
      minLength: 1,
      maxLength: 255,
      pattern: '^\\S+$',
    }),
    containerHostname: Type.Optional(
      Type.String({
        description: 'Hostname of the container; needed for every container of a Direct inference pipeline.',
        minLength: 1,
        maxLength: 63,
        pattern: VARIANT_NAME_PATTERN,
      }),
    ),
    modelDataUrl: Type.Optional(
      S3_URI('S3 location of the model artifacts (model.tar.gz; an S3 prefix in MultiModel mode).'),
    ),
    modelDataFrom: Type.Optional(
      Type.Object(
        {
          trainingJobRef: Type.Object(
            {
              name: Type.String({
                description: 'Name of a TrainingJob object in the same namespace.',
                minLength: 1,
                maxLength: 253,
              }),
            },
            {
              description:
                'Use the model artifacts of this TrainingJob once it has Completed; until then the endpoint waits (Ready=False WaitingForReference).',
            },
          ),
        },
        { description: 'Where the model artifacts come from, instead of modelDataUrl.' },
      ),
    ),
    environment: Type.Optional(
      StringMap(Type.String({ maxLength: 1024 }), {
        description: 'Environment variables of the container (at most 100, values up to 1,024 characters).',
        maxProperties: 100,
        'x-kubernetes-validations': [
          {
            rule: "self.all(k, size(k) <= 1024 && k.matches('^[a-zA-Z_][a-zA-Z0-9_]*$'))",
            message:
              'environment variable names match [a-zA-Z_][a-zA-Z0-9_]* and have at most 1,024 characters',
          },
        ],
      }),
    ),
    mode: Type.Optional(
      StringEnum(['SingleModel', 'MultiModel'] as const, {
        description:
          'One model (default), or a multi-model container serving every model under modelDataUrl.',
      }),
    ),
  },
  {
    description: 'An inference container.',
    'x-kubernetes-validations': [
      {
        rule: '!(has(self.modelDataUrl) && has(self.modelDataFrom))',
        message: 'set at most one of modelDataUrl and modelDataFrom',
      },
    ],
  },
);

const model = Type.Object(
  {
    name: Type.String({
      description:
        'Name of the model within this Endpoint, used by productionVariants[].modelName. The SageMaker model is named <endpointName>-<name>-<hash of its content>.',
      minLength: 1,
      maxLength: 63,
      pattern: MODEL_NAME_PATTERN,
    }),
    containers: Type.Array(container, {
      description: 'The containers of the model (1-15); more than one makes an inference pipeline.',
      minItems: 1,
      maxItems: 15,
    }),
    executionRoleArn: Type.String({
      description:
        'IAM role SageMaker assumes to pull the image and the artifacts (the operator needs iam:PassRole on it).',
      minLength: 20,
      maxLength: 2048,
      pattern: ARN_ROLE_PATTERN,
    }),
    vpcConfig: Type.Optional(vpcConfig('The VPC the model containers connect to.')),
    enableNetworkIsolation: Type.Optional(
      Type.Boolean({ description: 'No network access for the model containers.' }),
    ),
    inferenceExecutionConfig: Type.Optional(
      Type.Object(
        {
          mode: StringEnum(['Serial', 'Direct'] as const, {
            description:
              'Serial: the containers form a pipeline. Direct: each container is invoked on its own by its hostname.',
          }),
        },
        { description: 'How the containers of a multi-container model are invoked.' },
      ),
    ),
  },
  {
    description: 'A SageMaker model (CreateModel) behind this endpoint.',
    'x-kubernetes-validations': [
      {
        rule: "!has(self.inferenceExecutionConfig) || self.inferenceExecutionConfig.mode != 'Direct' || self.containers.all(c, has(c.containerHostname))",
        message: 'every container of a Direct inference pipeline needs a containerHostname',
      },
    ],
  },
);

const productionVariant = Type.Object(
  {
    variantName: Type.String({
      description: 'Name of the variant (e.g. AllTraffic); metrics and autoscaling refer to it.',
      minLength: 1,
      maxLength: 63,
      pattern: VARIANT_NAME_PATTERN,
    }),
    modelName: Type.String({
      description: 'The models[].name this variant serves.',
      minLength: 1,
      maxLength: 63,
      pattern: MODEL_NAME_PATTERN,
    }),
    instanceType: Type.Optional(
      Type.String({
        description: 'ML instance type of an instance-based variant (e.g. ml.m5.xlarge).',
        maxLength: 64,
        pattern: '^ml\\.[a-z0-9]+\\.[a-z0-9]+$',
      }),
    ),
    initialInstanceCount: Type.Optional(
      Type.Integer({
        description:
          'Instances of an instance-based variant (at least 1). Changing only this uses UpdateEndpointWeightsAndCapacities, no new config.',
        minimum: 1,
      }),
    ),
    initialVariantWeight: Type.Optional(
      Type.Number({
        description:
          "The variant's share of traffic relative to the other variants' weights (at least 0; default 1). Changing only weights uses UpdateEndpointWeightsAndCapacities, no new config.",
        minimum: 0,
      }),
    ),
    serverlessConfig: Type.Optional(
      Type.Object(
        {
          memorySizeInMB: Type.Integer({
            description: 'Memory of the serverless endpoint (1024-6144 MB, in 1 GB steps).',
            minimum: 1024,
            maximum: 6144,
            multipleOf: 1024,
          }),
          maxConcurrency: Type.Integer({
            description: 'Concurrent invocations (1-200).',
            minimum: 1,
            maximum: 200,
          }),
          provisionedConcurrency: Type.Optional(
            Type.Integer({
              description: 'Warm capacity kept ready (1-200, at most maxConcurrency).',
              minimum: 1,
              maximum: 200,
            }),
          ),
        },
        {
          description: 'Serverless capacity, instead of instanceType and initialInstanceCount.',
          'x-kubernetes-validations': [
            {
              rule: '!has(self.provisionedConcurrency) || self.provisionedConcurrency <= self.maxConcurrency',
              message: 'provisionedConcurrency must not exceed maxConcurrency',
            },
          ],
        },
      ),
    ),
    volumeSizeInGB: Type.Optional(
      Type.Integer({
        description: 'Storage volume per instance in GB (1-512).',
        minimum: 1,
        maximum: 512,
      }),
    ),
    modelDataDownloadTimeoutInSeconds: Type.Optional(
      Type.Integer({
        description: 'Time allowed to download the model artifacts (60-3600 s).',
        minimum: 60,
        maximum: 3600,
      }),
    ),
    containerStartupHealthCheckTimeoutInSeconds: Type.Optional(
      Type.Integer({
        description: 'Time allowed for the container to pass its first health check (60-3600 s).',
        minimum: 60,
        maximum: 3600,
      }),
    ),
  },
  {
    description: 'A production variant: a model served on instances or serverless, with a traffic weight.',
    'x-kubernetes-validations': [
      {
        rule: 'has(self.serverlessConfig) ? !has(self.instanceType) && !has(self.initialInstanceCount) : has(self.instanceType) && has(self.initialInstanceCount)',
        message: 'set either instanceType and initialInstanceCount (instance-based) or serverlessConfig',
      },
    ],
  },
);

const dataCaptureConfig = Type.Object(
  {
    enableCapture: Type.Optional(
      Type.Boolean({ description: 'Capture requests and responses (default true).' }),
    ),
    initialSamplingPercentage: Type.Integer({
      description: 'Percentage of invocations captured (0-100).',
      minimum: 0,
      maximum: 100,
    }),
    destinationS3Uri: Type.String({
      description: 'Where captured data is written: <destinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/.',
      minLength: 1,
      maxLength: 512,
      pattern: '^(https|s3)://([^/]+)/?(.*)$',
    }),
    kmsKeyId: Type.Optional(KMS_KEY('KMS key for the captured data in S3 (SSE-KMS).')),
    captureOptions: Type.Array(
      Type.Object({
        captureMode: StringEnum(['Input', 'Output', 'InputAndOutput'] as const, {
          description: 'What is captured.',
        }),
      }),
      {
        description: 'What to capture: requests, responses or both (1-32 entries).',
        minItems: 1,
        maxItems: 32,
      },
    ),
    captureContentTypeHeader: Type.Optional(
      Type.Object(
        {
          csvContentTypes: Type.Optional(
            Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
              description: 'Content types captured as CSV (1-10).',
              minItems: 1,
              maxItems: 10,
            }),
          ),
          jsonContentTypes: Type.Optional(
            Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
              description: 'Content types captured as JSON (1-10).',
              minItems: 1,
              maxItems: 10,
            }),
          ),
        },
        { description: 'How content types are recorded; others are captured base64-encoded.' },
      ),
    ),
  },
  { description: 'Capture of invocations to S3, e.g. for Model Monitor.' },
);

function capacitySize(description: string) {
  return Type.Object(
    {
      type: StringEnum(['INSTANCE_COUNT', 'CAPACITY_PERCENT'] as const, {
        description: 'Whether value counts instances or is a percentage of the fleet.',
      }),
      value: Type.Integer({ description: 'Instances or percent (at least 1).', minimum: 1 }),
    },
    { description },
  );
}

const maximumExecutionTimeout = Type.Optional(
  Type.Integer({
    description: 'Time limit of the whole deployment (600-28800 s).',
    minimum: 600,
    maximum: 28800,
  }),
);

const waitInterval = (description: string) =>
  Type.Integer({ description: `${description} (0-3600 s).`, minimum: 0, maximum: 3600 });

const deploymentConfig = Type.Object(
  {
    blueGreenUpdatePolicy: Type.Optional(
      Type.Object(
        {
          trafficRoutingConfiguration: Type.Object(
            {
              type: StringEnum(['ALL_AT_ONCE', 'CANARY', 'LINEAR'] as const, {
                description: 'Shift all traffic at once, a canary first, or in linear steps.',
              }),
              waitIntervalInSeconds: waitInterval('Wait between traffic shifts'),
              canarySize: Type.Optional(
                capacitySize('Size of the canary (CANARY; at most 50% of the fleet).'),
              ),
              linearStepSize: Type.Optional(capacitySize('Size of each step (LINEAR; 10-50% of the fleet).')),
            },
            {
              description: 'How traffic moves from the old fleet to the new one.',
              'x-kubernetes-validations': [
                {
                  rule: "(self.type == 'CANARY') == has(self.canarySize)",
                  message: 'canarySize is required with type CANARY and allowed only there',
                },
                {
                  rule: "(self.type == 'LINEAR') == has(self.linearStepSize)",
                  message: 'linearStepSize is required with type LINEAR and allowed only there',
                },
              ],
            },
          ),
          terminationWaitInSeconds: Type.Optional(
            waitInterval('How long the old fleet is kept after the switch (default 0)'),
          ),
          maximumExecutionTimeoutInSeconds: maximumExecutionTimeout,
        },
        { description: 'Blue/green deployment: a new fleet, traffic shifted to it, the old one removed.' },
      ),
    ),
    rollingUpdatePolicy: Type.Optional(
      Type.Object(
        {
          maximumBatchSize: capacitySize('Instances updated per batch (5-50% of the fleet).'),
          waitIntervalInSeconds: waitInterval('Wait between batches'),
          maximumExecutionTimeoutInSeconds: maximumExecutionTimeout,
          rollbackMaximumBatchSize: Type.Optional(
            capacitySize('Instances rolled back per batch (default: all at once).'),
          ),
        },
        { description: 'Rolling deployment: the fleet is updated in batches, in place.' },
      ),
    ),
    autoRollbackConfiguration: Type.Optional(
      Type.Object(
        {
          alarms: Type.Array(
            Type.Object({
              alarmName: Type.String({
                description: 'Name of a CloudWatch alarm.',
                minLength: 1,
                maxLength: 255,
                pattern: '^\\s*\\S.*$',
              }),
            }),
            {
              description: 'CloudWatch alarms watched during the deployment (1-10).',
              minItems: 1,
              maxItems: 10,
            },
          ),
        },
        { description: 'Roll back when one of these alarms fires during the deployment.' },
      ),
    ),
  },
  {
    description:
      'How UpdateEndpoint deploys a new config (default: blue/green, all at once). Used for updates only.',
    'x-kubernetes-validations': [
      {
        rule: '!(has(self.blueGreenUpdatePolicy) && has(self.rollingUpdatePolicy))',
        message: 'set at most one of blueGreenUpdatePolicy and rollingUpdatePolicy',
      },
    ],
  },
);

const updatePolicy = Type.Object(
  {
    retainAllVariantProperties: Type.Optional(
      Type.Boolean({
        description:
          'Keep the current weights and instance counts of the variants when a new config is deployed, so autoscaled capacity survives updates. Default: true.',
      }),
    ),
    excludeRetainedVariantProperties: Type.Optional(
      Type.Array(
        Type.Object({
          variantPropertyType: StringEnum(
            ['DesiredInstanceCount', 'DesiredWeight', 'DataCaptureConfig'] as const,
            {
              description: 'A property to take from the new config.',
            },
          ),
        }),
        {
          description:
            'With retainAllVariantProperties, the properties that come from the new config instead (0-3). Default: none.',
          maxItems: 3,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['variantPropertyType'],
        },
      ),
    ),
  },
  {
    description: 'What UpdateEndpoint keeps of the running variants.',
    'x-kubernetes-validations': [
      {
        rule: '!has(self.excludeRetainedVariantProperties) || !has(self.retainAllVariantProperties) || self.retainAllVariantProperties',
        message: 'excludeRetainedVariantProperties needs retainAllVariantProperties (true or unset)',
      },
    ],
  },
);

export const EndpointSpecFields = {
  models: Type.Array(model, {
    description:
      'The models the variants serve (1-10), created content-addressed so a change makes new ones.',
    minItems: 1,
    maxItems: 10,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name'],
  }),
  productionVariants: Type.Array(productionVariant, {
    description: 'The production variants of the endpoint config (1-10).',
    minItems: 1,
    maxItems: 10,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['variantName'],
  }),
  kmsKeyId: Type.Optional(KMS_KEY('KMS key for the storage volumes of the hosting instances.')),
  dataCaptureConfig: Type.Optional(dataCaptureConfig),
  deploymentConfig: Type.Optional(deploymentConfig),
  updatePolicy: Type.Optional(updatePolicy),
  ...commonSpecFields('endpointName', 'endpoint'),
  endpointName: explicitNameField('endpoint'),
} satisfies TProperties;

export const EndpointSpec = Type.Object(EndpointSpecFields, {
  description:
    'A SageMaker real-time endpoint with the Models and EndpointConfig behind it, in the lowerCamel form of CreateModel, CreateEndpointConfig and UpdateEndpoint.',
  'x-kubernetes-validations': [
    ...commonSpecRules('endpointName'),
    {
      rule: 'self.productionVariants.all(v, self.models.exists(m, m.name == v.modelName))',
      message: 'every productionVariants[].modelName must name one of models[].name',
      fieldPath: '.productionVariants',
    },
    {
      rule: 'self.models.all(m, self.productionVariants.exists(v, v.modelName == m.name))',
      message: 'every model must be served by a production variant',
      fieldPath: '.models',
    },
    {
      rule: 'self.productionVariants.exists(v, !has(v.initialVariantWeight) || v.initialVariantWeight > 0.0)',
      message: 'at least one production variant needs a weight above 0, or no variant would get traffic',
      fieldPath: '.productionVariants',
    },
    immutableExceptRule(
      ['endpointName', 'region'],
      [],
      'endpointName and region cannot change: create a new Endpoint for another SageMaker endpoint',
    ),
  ],
});
export type EndpointSpec = Static<typeof EndpointSpec>;

const variantSummary = Type.Object({
  variantName: Type.String({ description: 'Name of the variant.' }),
  currentWeight: Type.Optional(Type.Number({ description: 'Weight serving now.' })),
  desiredWeight: Type.Optional(Type.Number({ description: 'Weight being moved to.' })),
  currentInstanceCount: Type.Optional(Type.Integer({ description: 'Instances serving now.' })),
  desiredInstanceCount: Type.Optional(Type.Integer({ description: 'Instances being moved to.' })),
});

const appliedCapacity = Type.Object({
  variantName: Type.String({ description: 'Name of the variant.' }),
  weight: Type.Optional(Type.Number({ description: 'The weight last requested.' })),
  instanceCount: Type.Optional(Type.Integer({ description: 'The instance count last requested.' })),
});

export const EndpointStatus = Type.Object(
  {
    ...commonStatusFields(),
    endpointName: Type.Optional(
      Type.String({ description: 'The SageMaker name, recorded before the create call.' }),
    ),
    endpointArn: Type.Optional(Type.String({ description: 'ARN of the endpoint.' })),
    endpointStatus: Type.Optional(
      Type.String({
        description:
          'SageMaker status: Creating, InService, Updating, SystemUpdating, RollingBack, UpdateRollbackFailed, Failed, Deleting, OutOfService.',
      }),
    ),
    endpointConfigName: Type.Optional(
      Type.String({
        description: 'The endpoint config SageMaker serves from now (the old one during an update).',
      }),
    ),
    modelNames: Type.Optional(
      Type.Array(Type.String(), {
        description: 'SageMaker names of the models of the desired config.',
        maxItems: 10,
      }),
    ),
    productionVariants: Type.Optional(
      Type.Array(variantSummary, {
        description:
          'The variants as SageMaker reports them: current and desired weights and instance counts.',
        maxItems: 10,
      }),
    ),
    failureReason: Type.Optional(
      Type.String({ description: 'Why the last create or update failed, as SageMaker reports it.' }),
    ),
    invocationUrl: Type.Optional(Type.String({ description: 'The URL InvokeEndpoint posts to.' })),
    lastApplied: Type.Optional(
      Type.Object(
        {
          endpointConfigName: Type.String({
            description: 'The config last sent with CreateEndpoint or UpdateEndpoint.',
          }),
          generation: Type.Integer({
            description: 'The .metadata.generation it was sent for.',
            format: 'int64',
          }),
          capacities: Type.Array(appliedCapacity, {
            description: 'Weights and instance counts last requested per variant.',
            maxItems: 10,
          }),
          endpointModifiedTime: Type.Optional(
            Type.String({
              description:
                "The endpoint's LastModifiedTime when the request was sent: a later one shows SageMaker acted on it.",
              format: 'date-time',
            }),
          ),
          seenInProgress: Type.Optional(
            Type.Boolean({
              description:
                'SageMaker was seen acting on the request (Creating, Updating, RollingBack, or a later LastModifiedTime). Back on another config afterwards means the update was rolled back.',
            }),
          ),
          seenSettled: Type.Optional(
            Type.Boolean({
              description:
                'The endpoint was seen InService on this config. Another config afterwards means someone switched it, and the operator puts it back.',
            }),
          ),
        },
        {
          description:
            'What the operator last asked SageMaker for, so that a failed update is not retried for the same generation and autoscaled capacity is not undone.',
        },
      ),
    ),
    createdEndpointConfigNames: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Endpoint configs the operator created for this endpoint and has not deleted yet.',
        maxItems: 32,
      }),
    ),
    createdModelNames: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Models the operator created for this endpoint and has not deleted yet.',
        maxItems: 64,
      }),
    ),
  },
  { description: 'What the operator observed of the endpoint.' },
);
export type EndpointStatus = Static<typeof EndpointStatus>;

export const endpoint: KindDefinition<typeof EndpointSpec, typeof EndpointStatus> = {
  kind: 'Endpoint',
  plural: 'endpoints',
  singular: 'endpoint',
  shortNames: ['smep'],
  description: 'A SageMaker real-time endpoint: its models, its endpoint config and the endpoint itself.',
  spec: EndpointSpec,
  status: EndpointStatus,
  printerColumns: [
    ...COMMON_COLUMNS,
    {
      name: 'Status',
      type: 'string',
      jsonPath: '.status.endpointStatus',
      description: 'SageMaker endpoint status.',
    },
    {
      name: 'Config',
      type: 'string',
      jsonPath: '.status.endpointConfigName',
      description: 'The endpoint config SageMaker serves from.',
    },
    AGE_COLUMN,
  ],
};
