import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import { environmentNamesRule } from './common.js';
import { refine, StringEnum, type CelRule } from './schema.js';
import { ContainerDefinition, CreateModelInput } from './shapes/sagemaker.generated.js';

const modelRequest = CreateModelInput.properties;

/** A reference to a TrainingJob object in the same namespace, by name. */
export function trainingJobRef(description: string) {
  return Type.Object(
    {
      name: Type.String({
        description: 'Name of a TrainingJob object in the same namespace.',
        minLength: 1,
        maxLength: 253,
      }),
    },
    { description },
  );
}

const containerFields = {
  ...ContainerDefinition.properties,
  modelDataFrom: Type.Optional(
    Type.Object(
      {
        trainingJobRef: trainingJobRef(
          'Use the model artifacts of this TrainingJob once it has Completed; until then the object waits (Ready=False WaitingForReference).',
        ),
      },
      { description: 'Where the model artifacts come from, instead of modelDataUrl.' },
    ),
  ),
  environment: refine(ContainerDefinition.properties.environment, {
    'x-kubernetes-validations': [environmentNamesRule(1024)],
  }),
} satisfies TProperties;

/** SageMaker runs a container's image, or the image of the model package it names. */
const imageRule = (packageFields: string[]): CelRule => ({
  rule: ['image', ...packageFields].map((field) => `has(self.${field})`).join(' || '),
  message: `a container needs an image or a model package (${packageFields.join(', ')})`,
});

const containerRules: CelRule[] = [
  {
    rule: '!has(self.modelDataFrom) || !(has(self.modelDataUrl) || has(self.modelDataSource))',
    message: 'modelDataFrom replaces modelDataUrl and modelDataSource: set only one of them',
  },
];

const container = Type.Object(containerFields, {
  description: ContainerDefinition.description,
  'x-kubernetes-validations': [...containerRules, imageRule(['modelPackageName'])],
});

const objectName = (kind: string) =>
  Type.String({
    description: `Name of a ${kind} object in the same namespace.`,
    minLength: 1,
    maxLength: 253,
  });

/** A container that may take its model from the model registry: a version, or the latest approved one of a group. */
const registryContainer = Type.Object(
  {
    ...containerFields,
    modelPackageRef: Type.Optional(
      Type.Object(
        { name: objectName('ModelPackage') },
        {
          description:
            'Serve this ModelPackage (a model version) of the namespace, whatever its approval, once it is registered; until then the object waits (Ready=False WaitingForReference). Instead of modelPackageName.',
        },
      ),
    ),
    modelPackageFrom: Type.Optional(
      Type.Object(
        {
          groupName: Type.Optional(
            Type.String({
              description: 'The model package group, by SageMaker name or ARN (or groupRef).',
              minLength: 1,
              maxLength: 170,
            }),
          ),
          groupRef: Type.Optional(
            Type.Object(
              { name: objectName('ModelPackageGroup') },
              {
                description:
                  'The model package group, as a ModelPackageGroup of this namespace (or groupName).',
              },
            ),
          ),
          approvalStatus: StringEnum(['Approved'], {
            description:
              'Which versions may serve: Approved, the latest approved version (by creation time). A newly approved version rolls the endpoint to it; a rejected one rolls it back to the latest approved version that remains.',
          }),
        },
        {
          description:
            'Serve the latest approved version of a model package group, and follow it as versions are approved and rejected (docs/model-registry.md).',
          'x-kubernetes-validations': [
            {
              rule: 'has(self.groupName) != has(self.groupRef)',
              message: 'set exactly one of groupName and groupRef',
            },
          ],
        },
      ),
    ),
  },
  {
    description: ContainerDefinition.description,
    'x-kubernetes-validations': [
      ...containerRules,
      imageRule(['modelPackageName', 'modelPackageRef', 'modelPackageFrom']),
      {
        rule: '[has(self.modelPackageName), has(self.modelPackageRef), has(self.modelPackageFrom)].filter(x, x).size() <= 1',
        message: 'name the model package once: modelPackageName, modelPackageRef or modelPackageFrom',
      },
      {
        rule: '!(has(self.modelPackageName) || has(self.modelPackageRef) || has(self.modelPackageFrom)) || !(has(self.image) || has(self.modelDataUrl) || has(self.modelDataSource) || has(self.modelDataFrom))',
        message:
          'a model package brings its image and model data: set either a model package (modelPackageName, modelPackageRef, modelPackageFrom) or image and model data, not both',
      },
    ],
  },
);

function modelFields<C extends TObject>(containerSchema: C) {
  return {
    ...modelRequest,
    primaryContainer: Type.Optional(
      refine(containerSchema, { description: modelRequest.primaryContainer.description }),
    ),
    containers: Type.Optional(
      Type.Array(containerSchema, {
        description: modelRequest.containers.description,
        minItems: 1,
        maxItems: modelRequest.containers.maxItems,
      }),
    ),
  } satisfies TProperties;
}

/**
 * A SageMaker model as a CreateModel request in lowerCamel, without its name (the operator names it
 * by its content), whose containers may take their artifacts from a TrainingJob (modelDataFrom).
 */
export const MODEL_FIELDS = modelFields(container);

/** MODEL_FIELDS whose containers may also take their model from the registry (an Endpoint's models). */
export const REGISTRY_MODEL_FIELDS = modelFields(registryContainer);

export const MODEL_RULES: CelRule[] = [
  {
    rule: 'has(self.primaryContainer) != has(self.containers)',
    message: 'set exactly one of primaryContainer (one container) and containers (an inference pipeline)',
  },
  {
    rule: "!has(self.inferenceExecutionConfig) || self.inferenceExecutionConfig.mode != 'Direct' || (has(self.containers) && self.containers.all(c, has(c.containerHostname)))",
    message: 'every container of a Direct inference pipeline needs a containerHostname',
  },
];

/** A model as a spec gives it (an Endpoint's models[] entry, a TransformJob's model). */
export type ModelSpec = Static<TObject<typeof REGISTRY_MODEL_FIELDS>>;
