import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import { environmentNamesRule } from './common.js';
import { refine, type CelRule } from './schema.js';
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

const container = Type.Object(
  {
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
  },
  {
    description: ContainerDefinition.description,
    'x-kubernetes-validations': [
      {
        rule: '!has(self.modelDataFrom) || !(has(self.modelDataUrl) || has(self.modelDataSource))',
        message: 'modelDataFrom replaces modelDataUrl and modelDataSource: set only one of them',
      },
    ],
  },
);

/**
 * A SageMaker model as a CreateModel request in lowerCamel, without its name (the operator names it
 * by its content), whose containers may take their artifacts from a TrainingJob (modelDataFrom).
 */
export const MODEL_FIELDS = {
  ...modelRequest,
  primaryContainer: Type.Optional(
    refine(container, { description: modelRequest.primaryContainer.description }),
  ),
  containers: Type.Optional(
    Type.Array(container, {
      description: modelRequest.containers.description,
      minItems: 1,
      maxItems: modelRequest.containers.maxItems,
    }),
  ),
} satisfies TProperties;

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
export type ModelSpec = Static<TObject<typeof MODEL_FIELDS>>;
