import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { commonSpecFields, commonSpecRules, commonStatusFields, explicitNameField } from './common.js';
import { AGE_COLUMN, COMMON_COLUMNS, type KindDefinition, descriptorOf, type ObjectOf } from './kind.js';
import { immutableExceptRule } from './schema.js';
import { CreateModelPackageGroupInput } from './shapes/sagemaker.generated.js';

/** CreateModelPackageGroup in lowerCamel (generated), with the common Kubernetes fields. */
export const ModelPackageGroupSpecFields = {
  ...CreateModelPackageGroupInput.properties,
  ...commonSpecFields('modelPackageGroupName', 'model package group'),
  modelPackageGroupName: explicitNameField('model package group'),
} satisfies TProperties;

/** SageMaker has no UpdateModelPackageGroup: only tags (AddTags/DeleteTags) and our own fields change. */
const MUTABLE_FIELDS = ['tags', 'deletionPolicy', 'adoptExisting'];

export const ModelPackageGroupSpec = Type.Object(ModelPackageGroupSpecFields, {
  description:
    'A SageMaker model package group (a model in the model registry), in the lowerCamel form of CreateModelPackageGroup.',
  'x-kubernetes-validations': [
    ...commonSpecRules('modelPackageGroupName'),
    immutableExceptRule(
      Object.keys(ModelPackageGroupSpecFields),
      MUTABLE_FIELDS,
      'a model package group cannot change once created: only tags, deletionPolicy and adoptExisting can be edited',
    ),
  ],
});
export type ModelPackageGroupSpec = Static<typeof ModelPackageGroupSpec>;

export const ModelPackageGroupStatus = Type.Object(
  {
    ...commonStatusFields(),
    modelPackageGroupName: Type.Optional(
      Type.String({ description: 'The SageMaker name, recorded before the create call.' }),
    ),
    modelPackageGroupArn: Type.Optional(Type.String({ description: 'ARN of the model package group.' })),
    modelPackageGroupStatus: Type.Optional(
      Type.String({
        description: 'SageMaker status: Pending, InProgress, Completed, Failed, Deleting, DeleteFailed.',
      }),
    ),
    creationTime: Type.Optional(
      Type.String({ description: 'When SageMaker created the group.', format: 'date-time' }),
    ),
  },
  { description: 'What the operator observed of the model package group.' },
);
export type ModelPackageGroupStatus = Static<typeof ModelPackageGroupStatus>;

export const modelPackageGroup: KindDefinition<typeof ModelPackageGroupSpec, typeof ModelPackageGroupStatus> =
  {
    kind: 'ModelPackageGroup',
    plural: 'modelpackagegroups',
    singular: 'modelpackagegroup',
    shortNames: ['smmpg'],
    description:
      'A SageMaker model package group: a model in the model registry, whose versions are ModelPackages.',
    spec: ModelPackageGroupSpec,
    status: ModelPackageGroupStatus,
    printerColumns: [
      ...COMMON_COLUMNS,
      {
        name: 'Status',
        type: 'string',
        jsonPath: '.status.modelPackageGroupStatus',
        description: 'SageMaker model package group status.',
      },
      {
        name: 'Group',
        type: 'string',
        jsonPath: '.status.modelPackageGroupName',
        description: 'The SageMaker name of the group.',
        priority: 1,
      },
      AGE_COLUMN,
    ],
  };

/** A ModelPackageGroup as the apiserver stores it. */
export type ModelPackageGroupObject = ObjectOf<typeof modelPackageGroup>;

/** The runtime's descriptor of ModelPackageGroup: what its controller watches and other kinds read from the cache. */
export const modelPackageGroupDescriptor = descriptorOf<ModelPackageGroupObject>(modelPackageGroup);
