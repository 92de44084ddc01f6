import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { commonSpecFields, commonSpecRules, commonStatusFields, explicitNameField } from './common.js';
import { AGE_COLUMN, COMMON_COLUMNS, type KindDefinition, descriptorOf, type ObjectOf } from './kind.js';
import { immutableExceptRule, refine, refineAt, type Refinement } from './schema.js';
import { MODEL_RULES, REGISTRY_MODEL_FIELDS } from './model.js';
import { CreateEndpointConfigInput, UpdateEndpointInput } from './shapes/sagemaker.generated.js';
const configRequest = CreateEndpointConfigInput.properties;
const updateRequest = UpdateEndpointInput.properties;

const model = Type.Object(
  {
    modelName: Type.String({
      description:
        'Name of the model within this Endpoint, used by productionVariants[].modelName. The SageMaker model is named <endpointName>-<modelName>-<hash of its content>.',
      minLength: 1,
      maxLength: 63,
      pattern: '^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?$',
    }),
    ...REGISTRY_MODEL_FIELDS,
  },
  {
    description: 'A SageMaker model (CreateModel) behind this endpoint.',
    'x-kubernetes-validations': [
      ...MODEL_RULES,
      {
        rule: "!has(self.containers) || (has(self.inferenceExecutionConfig) && self.inferenceExecutionConfig.mode == 'Direct') || self.containers.filter(c, has(c.mode) && c.mode == 'MultiModel').size() <= 1",
        message: 'a serial inference pipeline may have only one container in MultiModel mode',
        fieldPath: '.containers',
      },
    ],
  },
);

const VARIANT_RULES: Refinement = {
  'x-kubernetes-validations': [
    {
      rule: 'has(self.modelName)',
      message: 'every variant serves one of models[] by its modelName',
    },
    {
      rule: 'has(self.serverlessConfig) ? !has(self.instanceType) && !has(self.initialInstanceCount) : has(self.instanceType) && has(self.initialInstanceCount)',
      message: 'set either instanceType and initialInstanceCount (instance-based) or serverlessConfig',
    },
  ],
};

const SERVERLESS_RULES: Refinement = {
  'x-kubernetes-validations': [
    {
      rule: '!has(self.provisionedConcurrency) || self.provisionedConcurrency <= self.maxConcurrency',
      message: 'provisionedConcurrency must not exceed maxConcurrency',
    },
  ],
};

const VARIANTS_BY_NAME: Refinement = {
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['variantName'],
};

const deploymentConfig = refineAt(updateRequest.deploymentConfig, {
  '': {
    description:
      'How UpdateEndpoint deploys a new config (SageMaker default: blue/green, all at once), and the alarms that roll it back; sent with CreateEndpoint too.',
    'x-kubernetes-validations': [
      {
        rule: '!(has(self.blueGreenUpdatePolicy) && has(self.rollingUpdatePolicy))',
        message: 'set at most one of blueGreenUpdatePolicy and rollingUpdatePolicy',
      },
    ],
  },
  'blueGreenUpdatePolicy.trafficRoutingConfiguration': {
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
});

/**
 * The Endpoint's spec is CreateEndpointConfig, CreateEndpoint and UpdateEndpoint in lowerCamel,
 * side by side (their members do not clash), and the models behind it as CreateModel requests
 * named within the endpoint; the operator derives the SageMaker names of all three.
 */
export const EndpointSpecFields = {
  models: Type.Array(model, {
    description:
      'The models the variants serve (1-10), created content-addressed so a change makes new ones.',
    minItems: 1,
    maxItems: 10,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['modelName'],
  }),
  ...configRequest,
  productionVariants: refineAt(configRequest.productionVariants, {
    '': VARIANTS_BY_NAME,
    '[]': VARIANT_RULES,
    '[].serverlessConfig': SERVERLESS_RULES,
  }),
  shadowProductionVariants: refineAt(configRequest.shadowProductionVariants, {
    '': VARIANTS_BY_NAME,
    '[]': VARIANT_RULES,
    '[].serverlessConfig': SERVERLESS_RULES,
  }),
  ...updateRequest,
  deploymentConfig,
  excludeRetainedVariantProperties: refine(updateRequest.excludeRetainedVariantProperties, {
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['variantPropertyType'],
  }),
  ...commonSpecFields('endpointName', 'endpoint'),
  endpointName: explicitNameField('endpoint'),
} satisfies TProperties;

export const EndpointSpec = Type.Object(EndpointSpecFields, {
  description:
    'A SageMaker real-time endpoint with the Models and EndpointConfig behind it, in the lowerCamel form of CreateModel, CreateEndpointConfig, CreateEndpoint and UpdateEndpoint.',
  'x-kubernetes-validations': [
    ...commonSpecRules('endpointName'),
    {
      rule: 'self.productionVariants.all(v, self.models.exists(m, m.modelName == v.modelName))',
      message: 'every productionVariants[].modelName must name one of models[].modelName',
      fieldPath: '.productionVariants',
    },
    {
      rule: '!has(self.shadowProductionVariants) || self.shadowProductionVariants.all(v, self.models.exists(m, m.modelName == v.modelName))',
      message: 'every shadowProductionVariants[].modelName must name one of models[].modelName',
      fieldPath: '.shadowProductionVariants',
    },
    {
      rule: 'self.models.all(m, self.productionVariants.exists(v, v.modelName == m.modelName) || (has(self.shadowProductionVariants) && self.shadowProductionVariants.exists(v, v.modelName == m.modelName)))',
      message: 'every model must be served by a production or shadow variant',
      fieldPath: '.models',
    },
    {
      rule: 'self.productionVariants.exists(v, !has(v.initialVariantWeight) || v.initialVariantWeight > 0.0)',
      message: 'at least one production variant needs a weight above 0, or no variant would get traffic',
      fieldPath: '.productionVariants',
    },
    {
      rule: '!has(self.excludeRetainedVariantProperties) || !has(self.retainAllVariantProperties) || self.retainAllVariantProperties',
      message: 'excludeRetainedVariantProperties needs retainAllVariantProperties (true or unset)',
      fieldPath: '.excludeRetainedVariantProperties',
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

const servedModelPackage = Type.Object({
  modelName: Type.String({ description: 'The models[].modelName whose container serves it.' }),
  modelPackageArn: Type.String({
    description: 'The model package: its ARN (or its name, as the spec gives it).',
  }),
  modelPackageGroupName: Type.Optional(Type.String({ description: 'The group of the version.' })),
  modelPackageVersion: Type.Optional(Type.Integer({ description: 'The version number in its group.' })),
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
    modelPackages: Type.Optional(
      Type.Array(servedModelPackage, {
        description:
          'The model registry versions the endpoint serves (containers with modelPackageName, modelPackageRef or modelPackageFrom): those of its config once it is InService on it; during an update and after a failed one, still the versions that served before.',
        maxItems: 150,
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
    {
      name: 'Model Version',
      type: 'integer',
      jsonPath: '.status.modelPackages[0].modelPackageVersion',
      description: 'The model registry version the (first) registry container serves.',
      priority: 1,
    },
    AGE_COLUMN,
  ],
};

/** An Endpoint as the apiserver stores it. */
export type EndpointObject = ObjectOf<typeof endpoint>;

/** The runtime's descriptor of Endpoint: what its controller watches and other kinds read from the cache. */
export const endpointDescriptor = descriptorOf<EndpointObject>(endpoint);
