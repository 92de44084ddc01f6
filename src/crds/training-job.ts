import { Type, type Static, type TProperties } from '@sinclair/typebox';
import {
  commonSpecFields,
  commonSpecRules,
  commonStatusFields,
  environmentNamesRule,
  explicitNameField,
} from './common.js';
import { AGE_COLUMN, COMMON_COLUMNS, type KindDefinition, descriptorOf, type ObjectOf } from './kind.js';
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
import { Channel, CreateTrainingJobRequest, DataSource, S3DataSource } from './shapes/sagemaker.generated.js';

const request = CreateTrainingJobRequest.properties;

/** A channel whose S3 data may come from another job (s3UriFrom). */
const channel = Type.Object(
  {
    ...Channel.properties,
    dataSource: Type.Object(
      { ...DataSource.properties, s3DataSource: Type.Optional(withS3UriFrom(S3DataSource)) },
      { description: Channel.properties.dataSource.description },
    ),
  },
  { description: Channel.description },
);

/**
 * CreateTrainingJob in lowerCamel (generated from botocore's model), with the common Kubernetes
 * fields and the rules the apiserver can check before SageMaker would refuse.
 */
export const TrainingJobSpecFields = {
  ...request,
  algorithmSpecification: refine(request.algorithmSpecification, {
    'x-kubernetes-validations': [
      {
        rule: 'has(self.trainingImage) != has(self.algorithmName)',
        message: 'set exactly one of trainingImage and algorithmName',
      },
    ],
  }),
  hyperParameters: refine(request.hyperParameters, {
    'x-kubernetes-validations': [
      { rule: 'self.all(k, size(k) <= 256)', message: 'hyperparameter names have at most 256 characters' },
    ],
  }),
  inputDataConfig: Type.Optional(
    Type.Array(channel, {
      description: request.inputDataConfig.description,
      maxItems: request.inputDataConfig.maxItems,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['channelName'],
    }),
  ),
  stoppingCondition: refine(request.stoppingCondition, {
    'x-kubernetes-validations': [
      {
        rule: '!has(self.maxWaitTimeInSeconds) || !has(self.maxRuntimeInSeconds) || self.maxWaitTimeInSeconds >= self.maxRuntimeInSeconds',
        message: 'maxWaitTimeInSeconds must be at least maxRuntimeInSeconds',
      },
    ],
  }),
  environment: refine(request.environment, {
    'x-kubernetes-validations': [environmentNamesRule(512)],
  }),
  ...commonSpecFields('trainingJobName', 'training job'),
  trainingJobName: explicitNameField('training job'),
} satisfies TProperties;

export const TrainingJobSpec = Type.Object(TrainingJobSpecFields, {
  description: 'A SageMaker training job, in the lowerCamel form of CreateTrainingJob.',
  'x-kubernetes-validations': [
    ...commonSpecRules('trainingJobName'),
    {
      rule: 'has(self.serverlessJobConfig) || has(self.algorithmSpecification)',
      message:
        'a training job that is not serverless needs algorithmSpecification (its trainingImage or algorithmName)',
      fieldPath: '.algorithmSpecification',
      reason: 'FieldValueRequired',
    },
    {
      rule: 'has(self.serverlessJobConfig) || has(self.resourceConfig)',
      message: 'a training job that is not serverless needs resourceConfig (the instances it runs on)',
      fieldPath: '.resourceConfig',
      reason: 'FieldValueRequired',
    },
    {
      rule: 'has(self.serverlessJobConfig) || !has(self.resourceConfig) || (has(self.resourceConfig.instanceGroups) && size(self.resourceConfig.instanceGroups) > 0) || (has(self.resourceConfig.instanceType) && has(self.resourceConfig.instanceCount) && self.resourceConfig.instanceCount >= 1)',
      message:
        'resourceConfig needs instanceType and instanceCount, or instanceGroups: a training job runs on at least one instance',
      fieldPath: '.resourceConfig',
    },
    {
      rule: '!has(self.enableManagedSpotTraining) || !self.enableManagedSpotTraining || (has(self.stoppingCondition) && has(self.stoppingCondition.maxWaitTimeInSeconds))',
      message: 'managed spot training needs stoppingCondition.maxWaitTimeInSeconds',
      fieldPath: '.stoppingCondition',
    },
    jobImmutabilityRule(Object.keys(TrainingJobSpecFields), 'training job', 'TrainingJob'),
  ],
});
export type TrainingJobSpec = Static<typeof TrainingJobSpec>;

export const TrainingJobStatus = Type.Object(
  {
    ...commonStatusFields(),
    trainingJobName: recordedNameField(),
    trainingJobArn: arnField('training job'),
    trainingJobStatus: jobStateField('InProgress, Completed, Failed, Stopping, Stopped, Deleting'),
    secondaryStatus: Type.Optional(
      Type.String({ description: 'SageMaker secondary status (Starting, Downloading, Training, ...).' }),
    ),
    secondaryStatusTransitions: Type.Optional(
      Type.Array(
        Type.Object({
          status: Type.String({ description: 'The secondary status entered (Starting, Training, ...).' }),
          startTime: Type.String({ description: 'When the job entered this status.', format: 'date-time' }),
          endTime: Type.Optional(
            Type.String({ description: 'When the job left this status.', format: 'date-time' }),
          ),
          statusMessage: Type.Optional(
            Type.String({ description: 'What SageMaker said of the job in this status.' }),
          ),
        }),
        { description: 'The last secondary status transitions.', maxItems: 10 },
      ),
    ),
    failureReason: failureReasonField(),
    modelArtifacts: Type.Optional(
      Type.Object(
        { s3ModelArtifacts: Type.String({ description: 'S3 URI of model.tar.gz.' }) },
        { description: 'The model the job produced.' },
      ),
    ),
    trainingStartTime: timestampField('When training started.'),
    trainingEndTime: timestampField('When training ended.'),
    lastModifiedTime: timestampField('When SageMaker last changed the job: the status is as of then.'),
    billableTimeInSeconds: Type.Optional(Type.Integer({ description: 'Billable seconds per instance.' })),
    finalMetricDataList: Type.Optional(
      Type.Array(
        Type.Object({
          metricName: Type.String({ description: 'Name of the metric, as in metricDefinitions.' }),
          value: Type.Number({ description: 'The final value of the metric.' }),
          timestamp: Type.Optional(
            Type.String({ description: 'When the value was recorded.', format: 'date-time' }),
          ),
        }),
        { description: 'Final values of the metrics.', maxItems: 40 },
      ),
    ),
    logsUrl: Type.Optional(Type.String({ description: "The job's logs in the CloudWatch console." })),
  },
  { description: 'What the operator observed of the training job.' },
);
export type TrainingJobStatus = Static<typeof TrainingJobStatus>;

export const trainingJob: KindDefinition<typeof TrainingJobSpec, typeof TrainingJobStatus> = {
  kind: 'TrainingJob',
  plural: 'trainingjobs',
  singular: 'trainingjob',
  shortNames: ['smtj'],
  description: 'A SageMaker training job: data and algorithm in, model artifacts out.',
  spec: TrainingJobSpec,
  status: TrainingJobStatus,
  printerColumns: [
    ...COMMON_COLUMNS,
    jobStateColumn('trainingJobStatus', 'training job'),
    {
      name: 'Secondary-Status',
      type: 'string',
      jsonPath: '.status.secondaryStatus',
      description: 'SageMaker secondary status.',
    },
    AGE_COLUMN,
    FAILURE_REASON_COLUMN,
  ],
};

/** A TrainingJob as the apiserver stores it. */
export type TrainingJobObject = ObjectOf<typeof trainingJob>;

/** The runtime's descriptor of TrainingJob: what its controller watches and other kinds read from the cache. */
export const trainingJobDescriptor = descriptorOf<TrainingJobObject>(trainingJob);
