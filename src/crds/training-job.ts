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

const INPUT_MODES = ['File', 'Pipe', 'FastFile'] as const;

const algorithmSpecification = Type.Object(
  {
    trainingImage: Type.Optional(
      Type.String({
        description: 'Registry path of the training image (ECR).',
        minLength: 1,
        maxLength: 255,
      }),
    ),
    algorithmName: Type.Optional(
      Type.String({
        description: 'Name or ARN of an algorithm resource (instead of trainingImage).',
        minLength: 1,
        maxLength: 170,
      }),
    ),
    trainingInputMode: StringEnum(INPUT_MODES, { description: 'How the algorithm reads its input data.' }),
    metricDefinitions: Type.Optional(
      Type.Array(
        Type.Object({
          name: Type.String({ description: 'Metric name.', minLength: 1, maxLength: 255 }),
          regex: Type.String({
            description: 'Regular expression that finds the metric in the logs.',
            minLength: 1,
            maxLength: 500,
          }),
        }),
        { description: 'Metrics parsed from the training logs.', maxItems: 40 },
      ),
    ),
    enableSageMakerMetricsTimeSeries: Type.Optional(
      Type.Boolean({ description: 'Publish the metrics as time series to SageMaker Metrics.' }),
    ),
  },
  {
    description: 'The training algorithm: an image or an algorithm resource, and the input mode.',
    'x-kubernetes-validations': [
      {
        rule: 'has(self.trainingImage) != has(self.algorithmName)',
        message: 'set exactly one of trainingImage and algorithmName',
      },
    ],
  },
);

const channel = Type.Object({
  channelName: Type.String({
    description: 'Channel name, as the algorithm expects it (e.g. train, validation).',
    minLength: 1,
    maxLength: 64,
    pattern: '^[A-Za-z0-9\\.\\-_]+$',
  }),
  dataSource: Type.Object(
    {
      s3DataSource: Type.Object(
        {
          s3DataType: StringEnum(['S3Prefix', 'ManifestFile', 'AugmentedManifestFile'] as const, {
            description: 'Whether s3Uri is a prefix or a manifest.',
          }),
          s3Uri: S3_URI('Location of the channel data.'),
          s3DataDistributionType: Type.Optional(
            StringEnum(['FullyReplicated', 'ShardedByS3Key'] as const, {
              description: 'Copy all data to every instance, or shard it by key.',
            }),
          ),
        },
        { description: 'The S3 location of the channel data.' },
      ),
    },
    { description: 'Where the channel data comes from.' },
  ),
  contentType: Type.Optional(
    Type.String({ description: 'MIME type of the data (e.g. text/csv).', maxLength: 256 }),
  ),
  compressionType: Type.Optional(
    StringEnum(['None', 'Gzip'] as const, { description: 'Compression of the data.' }),
  ),
  recordWrapperType: Type.Optional(
    StringEnum(['None', 'RecordIO'] as const, { description: 'Record wrapping (Pipe mode).' }),
  ),
  inputMode: Type.Optional(
    StringEnum(INPUT_MODES, { description: 'Overrides trainingInputMode for this channel.' }),
  ),
});

export const TrainingJobSpecFields = {
  roleArn: Type.String({
    description: 'IAM role SageMaker assumes to run the job (the operator needs iam:PassRole on it).',
    minLength: 20,
    maxLength: 2048,
    pattern: ARN_ROLE_PATTERN,
  }),
  algorithmSpecification,
  hyperParameters: Type.Optional(
    StringMap(Type.String({ maxLength: 2500 }), {
      description:
        'Algorithm hyperparameters: at most 100, keys up to 256 and values up to 2,500 characters.',
      maxProperties: 100,
      'x-kubernetes-validations': [
        { rule: 'self.all(k, size(k) <= 256)', message: 'hyperparameter names have at most 256 characters' },
      ],
    }),
  ),
  inputDataConfig: Type.Optional(
    Type.Array(channel, {
      description: 'Input channels (1-20).',
      minItems: 1,
      maxItems: 20,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['channelName'],
    }),
  ),
  outputDataConfig: Type.Object(
    {
      s3OutputPath: S3_URI(
        'Where the model artifacts are written: <s3OutputPath>/<job name>/output/model.tar.gz.',
      ),
      kmsKeyId: Type.Optional(KMS_KEY('KMS key for the model artifacts in S3 (SSE-KMS).')),
      compressionType: Type.Optional(
        StringEnum(['GZIP', 'NONE'] as const, { description: 'Compression of the artifacts.' }),
      ),
    },
    { description: 'Where and how the job writes its model artifacts.' },
  ),
  resourceConfig: Type.Object(
    {
      instanceType: Type.String({
        description: 'ML compute instance type (e.g. ml.m5.xlarge).',
        pattern: '^ml\\.[a-z0-9]+\\.[a-z0-9]+$',
        maxLength: 64,
      }),
      instanceCount: Type.Integer({ description: 'Number of instances (1-100).', minimum: 1, maximum: 100 }),
      volumeSizeInGB: Type.Integer({
        description: 'Storage volume per instance in GB (1-16384).',
        minimum: 1,
        maximum: 16384,
      }),
      volumeKmsKeyId: Type.Optional(KMS_KEY("KMS key for the instances' storage volumes.")),
      keepAlivePeriodInSeconds: Type.Optional(
        Type.Integer({
          description: 'Warm pool retention after the job (0-21600 s).',
          minimum: 0,
          maximum: 21600,
        }),
      ),
    },
    { description: 'The compute the job runs on.' },
  ),
  stoppingCondition: Type.Optional(
    Type.Object(
      {
        maxRuntimeInSeconds: Type.Optional(
          Type.Integer({
            description: 'Runtime limit (1 s to 28 days; SageMaker default 1 day).',
            minimum: 1,
            maximum: 2419200,
          }),
        ),
        maxWaitTimeInSeconds: Type.Optional(
          Type.Integer({
            description:
              'Spot training: total time to wait for capacity and run; at least maxRuntimeInSeconds.',
            minimum: 1,
            maximum: 2419200,
          }),
        ),
      },
      {
        description: 'When SageMaker stops the job.',
        'x-kubernetes-validations': [
          {
            rule: '!has(self.maxWaitTimeInSeconds) || !has(self.maxRuntimeInSeconds) || self.maxWaitTimeInSeconds >= self.maxRuntimeInSeconds',
            message: 'maxWaitTimeInSeconds must be at least maxRuntimeInSeconds',
          },
        ],
      },
    ),
  ),
  vpcConfig: Type.Optional(vpcConfig('The VPC the training containers connect to.')),
  enableNetworkIsolation: Type.Optional(
    Type.Boolean({ description: 'No network access for the training container.' }),
  ),
  enableInterContainerTrafficEncryption: Type.Optional(
    Type.Boolean({ description: 'Encrypt traffic between the instances of a distributed job.' }),
  ),
  enableManagedSpotTraining: Type.Optional(
    Type.Boolean({ description: 'Train on spot capacity; needs stoppingCondition.maxWaitTimeInSeconds.' }),
  ),
  checkpointConfig: Type.Optional(
    Type.Object(
      {
        s3Uri: S3_URI('Where checkpoints are kept, so an interrupted spot job resumes.'),
        localPath: Type.Optional(
          Type.String({
            description: 'Checkpoint directory in the container (default /opt/ml/checkpoints/).',
            maxLength: 4096,
          }),
        ),
      },
      { description: 'Checkpoints in S3.' },
    ),
  ),
  environment: Type.Optional(
    StringMap(Type.String({ maxLength: 512 }), {
      description: 'Environment variables of the training container (at most 100).',
      maxProperties: 100,
      'x-kubernetes-validations': [
        {
          rule: "self.all(k, size(k) <= 512 && k.matches('^[a-zA-Z_][a-zA-Z0-9_]*$'))",
          message: 'environment variable names match [a-zA-Z_][a-zA-Z0-9_]* and have at most 512 characters',
        },
      ],
    }),
  ),
  retryStrategy: Type.Optional(
    Type.Object(
      {
        maximumRetryAttempts: Type.Integer({
          description: 'Retries after an InternalServerError (1-30).',
          minimum: 1,
          maximum: 30,
        }),
      },
      { description: 'Retries of the job by SageMaker.' },
    ),
  ),
  ...commonSpecFields('trainingJobName', 'training job'),
  trainingJobName: explicitNameField('training job'),
} satisfies TProperties;

/** Fields users may edit after creation; everything else describes a job that already ran. */
const MUTABLE_FIELDS = ['tags', 'deletionPolicy'];

export const TrainingJobSpec = Type.Object(TrainingJobSpecFields, {
  description: 'A SageMaker training job, in the lowerCamel form of CreateTrainingJob.',
  'x-kubernetes-validations': [
    ...commonSpecRules('trainingJobName'),
    {
      rule: '!has(self.enableManagedSpotTraining) || !self.enableManagedSpotTraining || (has(self.stoppingCondition) && has(self.stoppingCondition.maxWaitTimeInSeconds))',
      message: 'managed spot training needs stoppingCondition.maxWaitTimeInSeconds',
      fieldPath: '.stoppingCondition',
    },
    immutableExceptRule(
      Object.keys(TrainingJobSpecFields),
      MUTABLE_FIELDS,
      'a training job cannot change once created: only tags and deletionPolicy can be edited; create a new TrainingJob (new name) for a different job',
    ),
  ],
});
export type TrainingJobSpec = Static<typeof TrainingJobSpec>;

const timestamp = (description: string) => Type.Optional(Type.String({ description, format: 'date-time' }));

export const TrainingJobStatus = Type.Object(
  {
    ...commonStatusFields(),
    trainingJobName: Type.Optional(
      Type.String({ description: 'The SageMaker name, recorded before the create call.' }),
    ),
    trainingJobArn: Type.Optional(Type.String({ description: 'ARN of the training job.' })),
    trainingJobStatus: Type.Optional(
      Type.String({
        description: 'SageMaker status: InProgress, Completed, Failed, Stopping, Stopped, Deleting.',
      }),
    ),
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
    failureReason: Type.Optional(
      Type.String({ description: 'Why the job failed, as SageMaker reports it.' }),
    ),
    modelArtifacts: Type.Optional(
      Type.Object(
        { s3ModelArtifacts: Type.String({ description: 'S3 URI of model.tar.gz.' }) },
        { description: 'The model the job produced.' },
      ),
    ),
    trainingStartTime: timestamp('When training started.'),
    trainingEndTime: timestamp('When training ended.'),
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
    {
      name: 'Status',
      type: 'string',
      jsonPath: '.status.trainingJobStatus',
      description: 'SageMaker training job status.',
    },
    {
      name: 'Secondary-Status',
      type: 'string',
      jsonPath: '.status.secondaryStatus',
      description: 'SageMaker secondary status.',
    },
    AGE_COLUMN,
    {
      name: 'Failure-Reason',
      type: 'string',
      jsonPath: '.status.failureReason',
      description: 'Why the job failed.',
      priority: 1,
    },
  ],
};
