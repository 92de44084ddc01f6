import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { commonSpecFields, commonStatusFields } from './common.js';
import { AGE_COLUMN, COMMON_COLUMNS, type KindDefinition, descriptorOf, type ObjectOf } from './kind.js';
import { withS3UriFrom } from './references.js';
import { immutableExceptRule, refine, StringMap } from './schema.js';
import {
  Bias,
  CreateModelPackageInput,
  DriftCheckBaselines,
  DriftCheckBias,
  DriftCheckExplainability,
  DriftCheckModelDataQuality,
  DriftCheckModelQuality,
  Explainability,
  InferenceSpecification,
  ModelApprovalStatusValues,
  ModelDataQuality,
  ModelMetrics,
  ModelQuality,
} from './shapes/sagemaker.generated.js';
import { StringEnum } from './schema.js';

const request = CreateModelPackageInput.properties;
const { region, deletionPolicy, dependsOn, when } = commonSpecFields(
  'modelPackageGroupName',
  'model package group',
);

/** Ownership markers take four of SageMaker's 50 customer metadata properties (a version has no tags). */
export const MAX_USER_METADATA = 46;

const objectRef = (description: string) =>
  Type.Optional(
    Type.Object(
      {
        name: Type.String({
          description: 'Name of the object in this namespace.',
          minLength: 1,
          maxLength: 253,
        }),
      },
      { description },
    ),
  );

/** A report or file of the metrics (a MetricsSource, a FileSource) whose S3 URI may come from another job. */
const fromJob = <P extends TProperties & { s3Uri: TSchema }>(source: TObject<P>) =>
  Type.Optional(withS3UriFrom(source));

/** A group of reports, described as SageMaker's shape `of` describes it. */
const reports = <P extends TProperties>(of: TSchema, properties: P) =>
  Type.Optional(Type.Object(properties, { description: of.description }));

/**
 * The model's evaluation, each report's URI set or taken from a job of the namespace (s3UriFrom: the
 * evaluation output of a ProcessingJob, `evaluation.json` under it).
 */
const modelMetrics = Type.Object(
  {
    modelQuality: reports(ModelMetrics.properties.modelQuality, {
      statistics: fromJob(ModelQuality.properties.statistics),
      constraints: fromJob(ModelQuality.properties.constraints),
    }),
    modelDataQuality: reports(ModelMetrics.properties.modelDataQuality, {
      statistics: fromJob(ModelDataQuality.properties.statistics),
      constraints: fromJob(ModelDataQuality.properties.constraints),
    }),
    bias: reports(ModelMetrics.properties.bias, {
      report: fromJob(Bias.properties.report),
      preTrainingReport: fromJob(Bias.properties.preTrainingReport),
      postTrainingReport: fromJob(Bias.properties.postTrainingReport),
    }),
    explainability: reports(ModelMetrics.properties.explainability, {
      report: fromJob(Explainability.properties.report),
    }),
  },
  { description: CreateModelPackageInput.properties.modelMetrics.description },
);

/** The baselines Model Monitor checks drift against, each URI set or taken from a job of the namespace. */
const driftCheckBaselines = Type.Object(
  {
    bias: reports(DriftCheckBaselines.properties.bias, {
      configFile: fromJob(DriftCheckBias.properties.configFile),
      preTrainingConstraints: fromJob(DriftCheckBias.properties.preTrainingConstraints),
      postTrainingConstraints: fromJob(DriftCheckBias.properties.postTrainingConstraints),
    }),
    explainability: reports(DriftCheckBaselines.properties.explainability, {
      constraints: fromJob(DriftCheckExplainability.properties.constraints),
      configFile: fromJob(DriftCheckExplainability.properties.configFile),
    }),
    modelQuality: reports(DriftCheckBaselines.properties.modelQuality, {
      statistics: fromJob(DriftCheckModelQuality.properties.statistics),
      constraints: fromJob(DriftCheckModelQuality.properties.constraints),
    }),
    modelDataQuality: reports(DriftCheckBaselines.properties.modelDataQuality, {
      statistics: fromJob(DriftCheckModelDataQuality.properties.statistics),
      constraints: fromJob(DriftCheckModelDataQuality.properties.constraints),
    }),
  },
  { description: CreateModelPackageInput.properties.driftCheckBaselines.description },
);

/**
 * CreateModelPackage in lowerCamel (generated) for a version in a group, with references: the group
 * by object (groupRef) or by name, the model by TrainingJob (trainingJobRef: its image and artifacts)
 * or by inferenceSpecification.containers. Approval (modelApprovalStatus, approvalDescription) is
 * the one thing that changes afterwards, through UpdateModelPackage.
 */
export const ModelPackageSpecFields = {
  ...request,
  groupRef: objectRef(
    'The ModelPackageGroup of this namespace the version belongs to (or modelPackageGroupName).',
  ),
  trainingJobRef: objectRef(
    'The TrainingJob of this namespace whose model this version registers: its training image and model artifacts become the inference container (or inferenceSpecification.containers).',
  ),
  inferenceSpecification: Type.Optional(
    Type.Object(
      {
        ...InferenceSpecification.properties,
        containers: Type.Optional(InferenceSpecification.properties.containers),
      },
      {
        description:
          'How the model is deployed: its containers (unless trainingJobRef gives them), supported content types and instance types.',
      },
    ),
  ),
  modelMetrics: Type.Optional(modelMetrics),
  driftCheckBaselines: Type.Optional(driftCheckBaselines),
  modelApprovalStatus: Type.Optional(
    StringEnum(ModelApprovalStatusValues, {
      description:
        'Approved, Rejected or PendingManualApproval; applied with UpdateModelPackage whenever it changes here. Unset: the registry decides (approvals made there show in status).',
    }),
  ),
  approvalDescription: Type.Optional(
    Type.String({
      description: 'Why the version was approved or rejected, sent with the approval.',
      maxLength: 1024,
    }),
  ),
  customerMetadataProperties: Type.Optional(
    refine(
      StringMap(Type.String({ minLength: 1, maxLength: 256 }), {
        description: `Key-value metadata of the version (at most ${MAX_USER_METADATA}: the operator records its ownership under mlops.dev/ keys, as a version cannot carry tags).`,
        minProperties: 1,
        maxProperties: MAX_USER_METADATA,
      }),
      {
        'x-kubernetes-validations': [
          {
            rule: "self.all(k, size(k) <= 128 && !k.startsWith('mlops.dev/'))",
            message:
              'metadata keys have at most 128 characters and must not start with "mlops.dev/" (reserved)',
          },
        ],
      },
    ),
  ),
  region,
  deletionPolicy,
  dependsOn,
  when,
} satisfies TProperties;

/** What may change after the version is registered: its approval, and our own field. */
const MUTABLE_FIELDS = ['modelApprovalStatus', 'approvalDescription', 'deletionPolicy'];

export const ModelPackageSpec = Type.Object(ModelPackageSpecFields, {
  description:
    'A version of a model in the SageMaker model registry (a versioned model package), in the lowerCamel form of CreateModelPackage.',
  'x-kubernetes-validations': [
    {
      rule: 'has(self.groupRef) != has(self.modelPackageGroupName)',
      message: 'set exactly one of groupRef and modelPackageGroupName',
    },
    {
      rule: 'has(self.trainingJobRef) != (has(self.inferenceSpecification) && has(self.inferenceSpecification.containers))',
      message: 'set exactly one of trainingJobRef and inferenceSpecification.containers',
    },
    immutableExceptRule(
      Object.keys(ModelPackageSpecFields),
      MUTABLE_FIELDS,
      'a registered model version cannot change: only modelApprovalStatus, approvalDescription and deletionPolicy can be edited; create a new ModelPackage for a new version',
    ),
  ],
});
export type ModelPackageSpec = Static<typeof ModelPackageSpec>;

export const ModelPackageStatus = Type.Object(
  {
    ...commonStatusFields(),
    modelPackageGroupName: Type.Optional(
      Type.String({ description: 'The SageMaker group of the version, recorded before the create call.' }),
    ),
    modelPackageArn: Type.Optional(Type.String({ description: 'ARN of the version.' })),
    modelPackageVersion: Type.Optional(Type.Integer({ description: 'The version number SageMaker gave.' })),
    modelPackageStatus: Type.Optional(
      Type.String({ description: 'SageMaker status: Pending, InProgress, Completed, Failed, Deleting.' }),
    ),
    modelApprovalStatus: Type.Optional(
      Type.String({ description: 'The approval status as SageMaker reports it.' }),
    ),
    approvalDescription: Type.Optional(
      Type.String({ description: 'The approval description SageMaker reports.' }),
    ),
    appliedApproval: Type.Optional(
      Type.Object(
        {
          modelApprovalStatus: Type.Optional(Type.String({ description: 'The spec value applied.' })),
          approvalDescription: Type.Optional(Type.String({ description: 'The spec value applied.' })),
        },
        {
          description:
            'The approval the operator last applied from the spec: a change made in the registry since is reported, not reverted, until the spec changes.',
        },
      ),
    ),
    creationTime: Type.Optional(
      Type.String({ description: 'When the version was registered.', format: 'date-time' }),
    ),
    lastModifiedTime: Type.Optional(
      Type.String({ description: 'When SageMaker last changed the version.', format: 'date-time' }),
    ),
  },
  { description: 'What the operator observed of the model version.' },
);
export type ModelPackageStatus = Static<typeof ModelPackageStatus>;

export const modelPackage: KindDefinition<typeof ModelPackageSpec, typeof ModelPackageStatus> = {
  kind: 'ModelPackage',
  plural: 'modelpackages',
  singular: 'modelpackage',
  shortNames: ['smmp'],
  description: 'A version of a model in the SageMaker model registry, with its approval.',
  spec: ModelPackageSpec,
  status: ModelPackageStatus,
  printerColumns: [
    ...COMMON_COLUMNS,
    {
      name: 'Group',
      type: 'string',
      jsonPath: '.status.modelPackageGroupName',
      description: 'The model package group.',
    },
    {
      name: 'Version',
      type: 'integer',
      jsonPath: '.status.modelPackageVersion',
      description: 'The version number SageMaker gave.',
    },
    {
      name: 'Approval',
      type: 'string',
      jsonPath: '.status.modelApprovalStatus',
      description: 'The approval status in the registry.',
    },
    {
      name: 'Status',
      type: 'string',
      jsonPath: '.status.modelPackageStatus',
      description: 'SageMaker model package status.',
      priority: 1,
    },
    AGE_COLUMN,
  ],
};

/** A ModelPackage as the apiserver stores it. */
export type ModelPackageObject = ObjectOf<typeof modelPackage>;

/** The runtime's descriptor of ModelPackage: what its controller watches and other kinds read from the cache. */
export const modelPackageDescriptor = descriptorOf<ModelPackageObject>(modelPackage);
