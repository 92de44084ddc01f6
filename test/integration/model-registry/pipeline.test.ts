import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { CreateModelPackageInput, CreateTrainingJobRequest } from '@aws-sdk/client-sagemaker';
import type { Condition } from '../../../src/crds/common.js';
import type {
  ModelPackageGroupSpec,
  ModelPackageGroupStatus,
} from '../../../src/crds/model-package-group.js';
import type { ModelPackageSpec, ModelPackageStatus } from '../../../src/crds/model-package.js';
import type { ProcessingJobSpec, ProcessingJobStatus } from '../../../src/crds/processing-job.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { role } from '../../emulator/test-harness.js';
import { callsTo, endpointCreates, endpointSpec } from '../endpoint/support.js';
import { requestsTo } from '../support/jobs.js';
import { condition, eventsAbout, OperatorHarness, type KubeObjectOf } from '../support/operator.js';
import { trainingJobSpec } from '../training-job/support.js';

/*
 * A training pipeline applied at once, each step taking its inputs from the one before by reference:
 * preprocess (outputs train, validation) → train → evaluate (writes evaluation.json) → a model version
 * registered with the evaluation as its metrics, only when the evaluation meets the quality bar.
 */

type Version = KubeObjectOf<ModelPackageSpec, ModelPackageStatus>;
const PLURALS = {
  ProcessingJob: 'processingjobs',
  TrainingJob: 'trainingjobs',
  ModelPackageGroup: 'modelpackagegroups',
  ModelPackage: 'modelpackages',
  Endpoint: 'endpoints',
} as const;
type Kind = keyof typeof PLURALS;
interface Manifest {
  kind: Kind;
  name: string;
  spec: object;
}

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/sklearn:1';
const MSE = 'regression_metrics.mse.value';

let h: OperatorHarness;
let raw: string;

beforeAll(async () => {
  h = await OperatorHarness.start('pipe');
  await h.cloud.s3.send(new PutObjectCommand({ Bucket: h.cloud.bucket, Key: 'raw/data.csv', Body: '1,2\n' }));
  raw = `s3://${h.cloud.bucket}/raw`;
});
afterAll(async () => {
  await h.stop();
});

/** The SageMaker name of an object that does not choose one. */
const sagemakerName = (name: string): string => `${h.namespace}-${name}`;

async function apply(manifests: Manifest[]): Promise<void> {
  for (const { kind, name, spec } of manifests) await h.create(PLURALS[kind], kind, name, spec);
}

const get = <S, T>(kind: Kind, name: string) => h.get<S, T>(PLURALS[kind], name);

/** The raw data, as a processing step's input. */
function rawInput(): NonNullable<ProcessingJobSpec['processingInputs']>[number] {
  return {
    inputName: 'raw',
    s3Input: { s3Uri: raw, localPath: '/opt/ml/processing/input', s3DataType: 'S3Prefix' },
  };
}

/** A processing step: its inputs, and its outputs under `s3://<bucket>/<prefix>/<output>`. */
function processingJob(
  prefix: string,
  inputs: ProcessingJobSpec['processingInputs'],
  outputs: string[],
): ProcessingJobSpec {
  return {
    roleArn: role,
    appSpecification: { imageUri: IMAGE },
    processingResources: {
      clusterConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
    },
    processingInputs: inputs,
    processingOutputConfig: {
      outputs: outputs.map((outputName) => ({
        outputName,
        s3Output: {
          s3Uri: `s3://${h.cloud.bucket}/${prefix}/${outputName}`,
          localPath: `/opt/ml/processing/${outputName}`,
          s3UploadMode: 'EndOfJob',
        },
      })),
    },
    stoppingCondition: { maxRuntimeInSeconds: 3600 },
  };
}

/** Training on the named outputs (train, validation) of a processing job. */
function trainingOn(processing: string): TrainingJobSpec {
  return {
    ...trainingJobSpec(h),
    algorithmSpecification: { trainingImage: IMAGE, trainingInputMode: 'File' },
    stoppingCondition: { maxRuntimeInSeconds: 3600 },
    inputDataConfig: ['train', 'validation'].map((channelName) => ({
      channelName,
      dataSource: {
        s3DataSource: {
          s3DataType: 'S3Prefix',
          s3UriFrom: { processingJobRef: { name: processing, outputName: channelName } },
        },
      },
    })),
  };
}

/** The evaluation of a TrainingJob's model, writing its report to the output `evaluation`. */
function evaluationOf(training: string, prefix: string): ProcessingJobSpec {
  return processingJob(
    prefix,
    [
      {
        inputName: 'model',
        s3Input: {
          s3UriFrom: { trainingJobRef: { name: training } },
          localPath: '/opt/ml/processing/model',
          s3DataType: 'S3Prefix',
        },
      },
    ],
    ['evaluation'],
  );
}

/** A version of the trained model, Approved, with the evaluation as its metrics, if its mse is at most 6. */
function registration(group: string, training: string, evaluation: string): ModelPackageSpec {
  const report = { processingJobRef: { name: evaluation, outputName: 'evaluation' } };
  return {
    groupRef: { name: group },
    trainingJobRef: { name: training },
    inferenceSpecification: { supportedContentTypes: ['text/csv'], supportedResponseMIMETypes: ['text/csv'] },
    modelApprovalStatus: 'Approved',
    modelMetrics: {
      modelQuality: {
        statistics: { contentType: 'application/json', s3UriFrom: { ...report, path: 'evaluation.json' } },
      },
    },
    when: [{ jsonFrom: { ...report, key: 'evaluation.json' }, path: MSE, lessThanOrEqualTo: 6.0 }],
  };
}

/** The whole pipeline, its objects named `<step><suffix>`, its data under `pipeline<suffix>/`. */
function pipeline(suffix = ''): Manifest[] {
  const [preprocess, train, evaluate, register, group] = [
    'preprocess',
    'train',
    'evaluate',
    'register',
    'models',
  ].map((step) => `${step}${suffix}`) as [string, string, string, string, string];
  const prefix = `pipeline${suffix}`;
  return [
    {
      kind: 'ProcessingJob',
      name: preprocess,
      spec: processingJob(prefix, [rawInput()], ['train', 'validation']),
    },
    { kind: 'TrainingJob', name: train, spec: trainingOn(preprocess) },
    { kind: 'ProcessingJob', name: evaluate, spec: evaluationOf(train, prefix) },
    { kind: 'ModelPackageGroup', name: group, spec: {} },
    { kind: 'ModelPackage', name: register, spec: registration(group, train, evaluate) },
  ];
}

/** The evaluation job named `jobName` in SageMaker reports `mse`. */
async function evaluationReports(jobName: string, mse: number): Promise<void> {
  await h.cloud.emulator.control.steer({
    kind: 'ProcessingJob',
    name: jobName,
    outcome: 'Completed',
    outputs: {
      evaluation: { 'evaluation.json': JSON.stringify({ regression_metrics: { mse: { value: mse } } }) },
    },
  });
}

const registered = (o: Version | undefined): boolean =>
  condition(o, 'Ready')?.reason === 'Registered' && o?.status?.modelApprovalStatus === 'Approved';

describe('a training pipeline applied at once', () => {
  it('registers the model with its evaluation as metrics when the evaluation meets the bar', async () => {
    await evaluationReports(sagemakerName('evaluate'), 5.2);
    // Downstream first: the order of the apply does not matter.
    await apply(pipeline().reverse());

    const version = await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
      PLURALS.ModelPackage,
      'register',
      registered,
      60_000,
    );
    const preprocess = await get<ProcessingJobSpec, ProcessingJobStatus>('ProcessingJob', 'preprocess');
    const outputOf = (name: string) => preprocess?.status?.outputs?.find((o) => o.outputName === name)?.s3Uri;
    expect(outputOf('train')).toBe(`s3://${h.cloud.bucket}/pipeline/train`);

    // Training was sent the preprocessing job's outputs, and says what it read.
    const training = await requestsTo<CreateTrainingJobRequest>(
      h,
      sagemakerName('train'),
      'CreateTrainingJob',
    );
    expect(training).toHaveLength(1);
    const channels = training[0]?.InputDataConfig?.map((c) => [
      c.ChannelName,
      c.DataSource?.S3DataSource?.S3Uri,
    ]);
    expect(channels).toEqual([
      ['train', outputOf('train')],
      ['validation', outputOf('validation')],
    ]);
    const train = await get<TrainingJobSpec, TrainingJobStatus>('TrainingJob', 'train');
    expect(train?.status?.inputs).toEqual([
      {
        kind: 'ProcessingJob',
        name: 'preprocess',
        output: 'train',
        uri: outputOf('train'),
        jobName: sagemakerName('preprocess'),
      },
      {
        kind: 'ProcessingJob',
        name: 'preprocess',
        output: 'validation',
        uri: outputOf('validation'),
        jobName: sagemakerName('preprocess'),
      },
    ]);

    // The version was registered with the evaluation report as its model quality statistics.
    const report = `s3://${h.cloud.bucket}/pipeline/evaluation/evaluation.json`;
    const group = sagemakerName('models');
    const sent = await requestsTo<CreateModelPackageInput>(h, group, 'CreateModelPackage');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.ModelMetrics).toEqual({
      ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: report } },
    });
    expect(sent[0]?.ModelApprovalStatus).toBe('Approved');
    expect(version?.status?.inputs).toEqual([
      {
        kind: 'ProcessingJob',
        name: 'evaluate',
        output: 'evaluation',
        uri: report,
        jobName: sagemakerName('evaluate'),
      },
    ]);
    expect(version?.status?.gates).toEqual([
      {
        source: 'ProcessingJob evaluate, evaluation.json',
        path: MSE,
        value: '5.2',
        condition: '5.2 <= 6',
        met: true,
        jobName: sagemakerName('evaluate'),
      },
    ]);
  });

  it('registers nothing while the evaluation misses the bar, and registers the next evaluation run that meets it', async () => {
    await evaluationReports(sagemakerName('evaluate-b'), 7.21);
    await apply(pipeline('-b').reverse());

    const stalled = await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
      PLURALS.ModelPackage,
      'register-b',
      (o) => condition(o, 'Stalled')?.status === 'True',
      60_000,
    );
    const ready = condition(stalled, 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'GateNotMet' });
    expect(ready?.message).toBe(`${MSE} is 7.21, not <= 6 (ProcessingJob evaluate-b, evaluation.json)`);
    expect(condition(stalled, 'Stalled')).toMatchObject({ reason: 'GateNotMet', message: ready?.message });
    expect(stalled?.status?.gates).toEqual([
      expect.objectContaining({ value: '7.21', condition: '7.21 <= 6', met: false }),
    ]);
    expect(stalled?.status?.modelPackageArn).toBeUndefined();
    const warnings = (await eventsAbout(h, 'register-b')).filter(
      (e) => e.type === 'Warning' && e.reason === 'GateNotMet',
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.note).toBe(ready?.message);
    const group = sagemakerName('models-b');
    expect(await callsTo(h, group, 'CreateModelPackage')).toEqual([]);

    // A new evaluation run, as a user makes one: the evaluation job is deleted and applied again under
    // the same object name (the version's gate names it), as a new SageMaker job, which reports 5.0.
    await h.delete(PLURALS.ProcessingJob, 'evaluate-b');
    await h.waitFor(PLURALS.ProcessingJob, 'evaluate-b', (o) => o === undefined);
    const waiting = await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
      PLURALS.ModelPackage,
      'register-b',
      (o) => condition(o, 'Ready')?.reason === 'WaitingForReference',
    );
    expect(condition(waiting, 'Ready')?.message).toBe(
      'waiting for ProcessingJob evaluate-b (not found) to complete',
    );
    expect(condition(waiting, 'Stalled')?.status).toBe('False');

    const rerun = sagemakerName('evaluate-b-run-2');
    await evaluationReports(rerun, 5.0);
    await h.create(PLURALS.ProcessingJob, 'ProcessingJob', 'evaluate-b', {
      ...evaluationOf('train-b', 'pipeline-b'),
      processingJobName: rerun,
    });
    const version = await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
      PLURALS.ModelPackage,
      'register-b',
      registered,
      60_000,
    );
    expect(version?.status?.gates).toEqual([
      expect.objectContaining({ value: '5', condition: '5 <= 6', met: true, jobName: rerun }),
    ]);
    expect(condition(version, 'Stalled')?.status).toBe('False');
    expect(await callsTo(h, group, 'CreateModelPackage')).toHaveLength(1);
  });

  it('stalls every reader of a failed processing job, naming it', async () => {
    await h.cloud.emulator.control.steer({
      kind: 'ProcessingJob',
      name: sagemakerName('features'),
      outcome: 'Failed',
    });
    const report = { processingJobRef: { name: 'features', outputName: 'train' }, path: 'report.json' };
    const readers: Manifest[] = [
      { kind: 'TrainingJob', name: 'train-on-features', spec: trainingOn('features') },
      {
        kind: 'ModelPackage',
        name: 'register-features',
        spec: {
          modelPackageGroupName: sagemakerName('features-models'),
          inferenceSpecification: {
            containers: [{ image: IMAGE, modelDataUrl: `s3://${h.cloud.bucket}/models/model.tar.gz` }],
            supportedContentTypes: ['text/csv'],
            supportedResponseMIMETypes: ['text/csv'],
          },
          modelMetrics: {
            modelDataQuality: { statistics: { contentType: 'application/json', s3UriFrom: report } },
          },
        } satisfies ModelPackageSpec,
      },
      {
        kind: 'Endpoint',
        name: 'serve-features',
        spec: endpointSpec(h, { dependsOn: [{ kind: 'ProcessingJob', name: 'features' }] }),
      },
    ];
    await apply([
      ...readers,
      {
        kind: 'ProcessingJob',
        name: 'features',
        spec: processingJob('features', [rawInput()], ['train', 'validation']),
      },
    ]);

    const failed = await h.waitFor<ProcessingJobSpec, ProcessingJobStatus>(
      PLURALS.ProcessingJob,
      'features',
      (o) => o?.status?.processingJobStatus === 'Failed',
    );
    const stalledReaders = await Promise.all(
      readers.map(({ kind, name }) =>
        h.waitFor<object, { conditions?: Condition[] }>(
          PLURALS[kind],
          name,
          (o) => condition(o, 'Stalled')?.status === 'True',
        ),
      ),
    );
    const messages = stalledReaders.map((o) => condition(o, 'Stalled')?.message);
    expect(messages).toEqual([
      'ProcessingJob features is Failed: it will produce no output train',
      'ProcessingJob features is Failed: it will produce no output train',
      `ProcessingJob features failed: ${condition(failed, 'Ready')?.message ?? ''}`,
    ]);
    for (const reader of stalledReaders)
      expect(condition(reader, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(await callsTo(h, sagemakerName('train-on-features'), 'CreateTrainingJob')).toEqual([]);
    expect(await callsTo(h, sagemakerName('features-models'), 'CreateModelPackage')).toEqual([]);
    expect(await endpointCreates(h, sagemakerName('serve-features'))).toEqual([]);
  });

  it('creates a model package group only once what it depends on is ready', async () => {
    await h.create(PLURALS.ModelPackageGroup, 'ModelPackageGroup', 'curated', {
      dependsOn: [{ kind: 'ProcessingJob', name: 'curate' }],
    } satisfies ModelPackageGroupSpec);
    const waiting = await h.waitFor<ModelPackageGroupSpec, ModelPackageGroupStatus>(
      PLURALS.ModelPackageGroup,
      'curated',
      (o) => condition(o, 'Ready')?.reason === 'WaitingForReference',
    );
    expect(condition(waiting, 'Ready')?.message).toBe('waiting for ProcessingJob curate (not found)');
    const groupName = sagemakerName('curated');
    expect(await callsTo(h, groupName, 'CreateModelPackageGroup')).toEqual([]);

    await h.create(
      PLURALS.ProcessingJob,
      'ProcessingJob',
      'curate',
      processingJob('curate', [rawInput()], ['train']),
    );
    const group = await h.waitFor<ModelPackageGroupSpec, ModelPackageGroupStatus>(
      PLURALS.ModelPackageGroup,
      'curated',
      (o) => condition(o, 'Ready')?.reason === 'Registered',
    );
    expect(group?.status?.modelPackageGroupName).toBe(groupName);
    const curate = await get<ProcessingJobSpec, ProcessingJobStatus>('ProcessingJob', 'curate');
    const completedAt = Date.parse(curate?.status?.processingEndTime ?? '');
    const creates = await callsTo(h, groupName, 'CreateModelPackageGroup');
    expect(creates).toHaveLength(1);
    expect(creates[0]?.time).toBeGreaterThanOrEqual(completedAt);
  });
});
