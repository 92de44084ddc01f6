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
import { refine, refineAt } from './schema.js';
import {
  CreateProcessingJobRequest,
  ProcessingInput,
  ProcessingS3Input,
} from './shapes/sagemaker.generated.js';

const request = CreateProcessingJobRequest.properties;

/** An input whose S3 data may come from another job (s3UriFrom). */
const processingInput = Type.Object(
  { ...ProcessingInput.properties, s3Input: Type.Optional(withS3UriFrom(ProcessingS3Input)) },
  { description: ProcessingInput.description },
);

/**
 * CreateProcessingJob in lowerCamel (generated from botocore's model), with inputs that may come
 * from other jobs, the common Kubernetes fields and the rules the apiserver can check before
 * SageMaker would refuse.
 */
export const ProcessingJobSpecFields = {
  ...request,
  processingInputs: Type.Optional(
    Type.Array(processingInput, {
      description: request.processingInputs.description,
      maxItems: request.processingInputs.maxItems,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['inputName'],
    }),
  ),
  processingOutputConfig: refineAt(request.processingOutputConfig, {
    outputs: { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['outputName'] },
  }),
  environment: refine(request.environment, {
    'x-kubernetes-validations': [environmentNamesRule(256)],
  }),
  ...commonSpecFields('processingJobName', 'processing job'),
  processingJobName: explicitNameField('processing job'),
} satisfies TProperties;

export const ProcessingJobSpec = Type.Object(ProcessingJobSpecFields, {
  description:
    'A SageMaker processing job, in the lowerCamel form of CreateProcessingJob, whose inputs may come from other jobs.',
  'x-kubernetes-validations': [
    ...commonSpecRules('processingJobName'),
    jobImmutabilityRule(Object.keys(ProcessingJobSpecFields), 'processing job', 'ProcessingJob'),
  ],
});
export type ProcessingJobSpec = Static<typeof ProcessingJobSpec>;

export const ProcessingJobStatus = Type.Object(
  {
    ...commonStatusFields(),
    processingJobName: recordedNameField(),
    processingJobArn: arnField('processing job'),
    processingJobStatus: jobStateField('InProgress, Completed, Failed, Stopping, Stopped'),
    failureReason: failureReasonField(),
    exitMessage: Type.Optional(
      Type.String({ description: "The container's exit message, as SageMaker reports it." }),
    ),
    outputs: Type.Optional(
      Type.Array(
        Type.Object({
          outputName: Type.String({ description: 'The name of the output.' }),
          s3Uri: Type.String({ description: 'Where the job uploads it.' }),
        }),
        {
          description:
            "The job's S3 outputs, which other ProcessingJobs can take as inputs (processingJobRef).",
          maxItems: 10,
        },
      ),
    ),
    processingStartTime: timestampField('When processing started.'),
    processingEndTime: timestampField('When processing ended.'),
  },
  { description: 'What the operator observed of the processing job.' },
);
export type ProcessingJobStatus = Static<typeof ProcessingJobStatus>;

export const processingJob: KindDefinition<typeof ProcessingJobSpec, typeof ProcessingJobStatus> = {
  kind: 'ProcessingJob',
  plural: 'processingjobs',
  singular: 'processingjob',
  shortNames: ['smpj'],
  description: 'A SageMaker processing job: a container run over S3 inputs, writing S3 outputs.',
  spec: ProcessingJobSpec,
  status: ProcessingJobStatus,
  printerColumns: [
    ...COMMON_COLUMNS,
    jobStateColumn('processingJobStatus', 'processing job'),
    AGE_COLUMN,
    {
      name: 'Exit-Message',
      type: 'string',
      jsonPath: '.status.exitMessage',
      description: "The container's exit message.",
      priority: 1,
    },
    FAILURE_REASON_COLUMN,
  ],
};

/** A ProcessingJob as the apiserver stores it. */
export type ProcessingJobObject = ObjectOf<typeof processingJob>;

/** The runtime's descriptor of ProcessingJob: what its controller watches and other kinds read from the cache. */
export const processingJobDescriptor = descriptorOf<ProcessingJobObject>(processingJob);
