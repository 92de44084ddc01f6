import { Type, type Static, type TProperties } from '@sinclair/typebox';
import {
  commonSpecFields,
  commonSpecRules,
  commonStatusFields,
  environmentNamesRule,
  explicitNameField,
} from './common.js';
import { AGE_COLUMN, COMMON_COLUMNS, type KindDefinition, descriptorOf, type ObjectOf } from './kind.js';
import { MODEL_FIELDS, MODEL_RULES } from './model.js';
import {
  arnField,
  failureReasonField,
  FAILURE_REASON_COLUMN,
  jobImmutabilityRule,
  jobStateColumn,
  jobStateField,
  recordedNameField,
  timestampField,
} from './job.js';
import { withS3UriFrom } from './references.js';
import { refine } from './schema.js';
import {
  CreateTransformJobRequest,
  TransformInput,
  TransformS3DataSource,
} from './shapes/sagemaker.generated.js';

const request = CreateTransformJobRequest.properties;

const inlineModel = Type.Object(MODEL_FIELDS, {
  description:
    'The model to run, created for this job (CreateModel in lowerCamel) instead of naming an existing one: named <transformJobName>-<hash of its content>, owned by this TransformJob and deleted with it. Its containers may take their artifacts from a TrainingJob (modelDataFrom).',
  'x-kubernetes-validations': MODEL_RULES,
});

/**
 * CreateTransformJob in lowerCamel (generated from botocore's model), with the model by name or
 * inline, the common Kubernetes fields and the rules the apiserver can check before SageMaker would
 * refuse.
 */
export const TransformJobSpecFields = {
  ...request,
  modelName: Type.Optional(
    refine(request.modelName, {
      description: 'An existing SageMaker model to run (set this or model).',
    }),
  ),
  model: Type.Optional(inlineModel),
  transformInput: Type.Object(
    {
      ...TransformInput.properties,
      dataSource: Type.Object(
        { s3DataSource: withS3UriFrom(TransformS3DataSource) },
        { description: TransformInput.properties.dataSource.description },
      ),
    },
    { description: request.transformInput.description },
  ),
  environment: refine(request.environment, {
    'x-kubernetes-validations': [environmentNamesRule(1024)],
  }),
  ...commonSpecFields('transformJobName', 'transform job'),
  transformJobName: explicitNameField('transform job'),
} satisfies TProperties;

export const TransformJobSpec = Type.Object(TransformJobSpecFields, {
  description:
    'A SageMaker batch transform job, in the lowerCamel form of CreateTransformJob, with its model by name or inline.',
  'x-kubernetes-validations': [
    ...commonSpecRules('transformJobName'),
    {
      rule: '!has(self.maxConcurrentTransforms) || self.maxConcurrentTransforms * (has(self.maxPayloadInMB) ? self.maxPayloadInMB : 6) <= 100',
      message: 'maxConcurrentTransforms times maxPayloadInMB (default 6) must not exceed 100 MB',
      fieldPath: '.maxConcurrentTransforms',
    },
    {
      rule: 'has(self.modelName) != has(self.model)',
      message: 'set exactly one of modelName (an existing SageMaker model) and model (created for this job)',
    },
    jobImmutabilityRule(Object.keys(TransformJobSpecFields), 'transform job', 'TransformJob'),
  ],
});
export type TransformJobSpec = Static<typeof TransformJobSpec>;

export const TransformJobStatus = Type.Object(
  {
    ...commonStatusFields(),
    transformJobName: recordedNameField(),
    transformJobArn: arnField('transform job'),
    transformJobStatus: jobStateField('InProgress, Completed, Failed, Stopping, Stopped'),
    failureReason: failureReasonField(),
    modelName: Type.Optional(Type.String({ description: 'The SageMaker model the job runs.' })),
    outputPath: Type.Optional(
      Type.String({
        description: 'Where the job writes its results: one <input>.out object per input object.',
      }),
    ),
    transformStartTime: timestampField('When the transform started.'),
    transformEndTime: timestampField('When the transform ended.'),
    createdModelNames: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Models the operator created for this job (spec.model) and has not deleted yet.',
        maxItems: 8,
      }),
    ),
  },
  { description: 'What the operator observed of the transform job.' },
);
export type TransformJobStatus = Static<typeof TransformJobStatus>;

export const transformJob: KindDefinition<typeof TransformJobSpec, typeof TransformJobStatus> = {
  kind: 'TransformJob',
  plural: 'transformjobs',
  singular: 'transformjob',
  shortNames: ['smtf'],
  description: 'A SageMaker batch transform job: a model run over the objects of an S3 prefix.',
  spec: TransformJobSpec,
  status: TransformJobStatus,
  printerColumns: [
    ...COMMON_COLUMNS,
    jobStateColumn('transformJobStatus', 'transform job'),
    {
      name: 'Model',
      type: 'string',
      jsonPath: '.status.modelName',
      description: 'The SageMaker model the job runs.',
    },
    AGE_COLUMN,
    {
      name: 'Output',
      type: 'string',
      jsonPath: '.status.outputPath',
      description: 'Where the job writes its results.',
      priority: 1,
    },
    FAILURE_REASON_COLUMN,
  ],
};

/** A TransformJob as the apiserver stores it. */
export type TransformJobObject = ObjectOf<typeof transformJob>;

/** The runtime's descriptor of TransformJob: what its controller watches and other kinds read from the cache. */
export const transformJobDescriptor = descriptorOf<TransformJobObject>(transformJob);
