import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeProcessingJobCommand, type CreateProcessingJobRequest } from '@aws-sdk/client-sagemaker';
import type {
  MonitoringScheduleSpec,
  MonitoringScheduleStatus,
} from '../../../src/crds/monitoring-schedule.js';
import type { ProcessingJobSpec, ProcessingJobStatus } from '../../../src/crds/processing-job.js';
import { phaseSeconds, role } from '../../emulator/test-harness.js';
import { objectsOf, rejectionOf } from '../support/apply.js';
import { withTimings } from '../support/jobs.js';
import { condition, OperatorHarness } from '../support/operator.js';
import { PLURAL, scheduleSpec, type Schedule } from './support.js';

let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('mon-pre');
});
afterAll(async () => {
  await h.stop();
});

const sageMakerName = (name: string) => `${h.namespace}-${name}`;

/** A ProcessingJob writing its output `train` under `prepared/<folder>/train`. */
function preparation(folder: string): ProcessingJobSpec {
  return {
    roleArn: role,
    appSpecification: { imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/prepare:1' },
    processingResources: {
      clusterConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
    },
    processingOutputConfig: {
      outputs: [
        {
          outputName: 'train',
          s3Output: {
            s3Uri: `s3://${h.cloud.bucket}/prepared/${folder}/train`,
            localPath: '/opt/ml/processing/train',
            s3UploadMode: 'EndOfJob',
          },
        },
      ],
    },
    stoppingCondition: { maxRuntimeInSeconds: 3600 },
  };
}

const processingJob = (name: string) => h.get<ProcessingJobSpec, ProcessingJobStatus>('processingjobs', name);

const waitForSchedule = (name: string, check: (o: Schedule | undefined) => boolean, timeoutMs?: number) =>
  h.waitFor<MonitoringScheduleSpec, MonitoringScheduleStatus>(PLURAL, name, check, timeoutMs);

/** Creates of the schedule's own resources so far: baselining jobs, job definitions, the schedule. */
async function createsOf(schedule: string): Promise<string[]> {
  const { calls } = await h.cloud.emulator.control.calls({});
  return calls
    .filter((c) => c.operation.startsWith('Create') && c.resource?.startsWith(sageMakerName(schedule)))
    .map((c) => `${c.operation} ${c.resource ?? ''}`);
}

describe('MonitoringSchedule prerequisites', () => {
  it('baselines the training data a ProcessingJob wrote, once that job has Completed', async () => {
    await h.cloud.emulator.control.steer({
      kind: 'ProcessingJob',
      name: sageMakerName('prepare'),
      outcome: 'Completed',
      outputs: { train: { 'train.csv': 'a,b\n1,2\n3,4\n' } },
    });
    await h.create(
      PLURAL,
      'MonitoringSchedule',
      'drift',
      scheduleSpec(h, {
        baseline: {
          fromDataset: {
            s3UriFrom: { processingJobRef: { name: 'prepare', outputName: 'train' }, path: 'train.csv' },
            datasetFormat: { csv: { header: true } },
          },
        },
      }),
    );
    const unborn = await waitForSchedule(
      'drift',
      (o) => condition(o, 'Ready')?.reason === 'WaitingForReference',
    );
    expect(condition(unborn, 'Ready')?.message).toBe(
      'waiting for ProcessingJob prepare (not found) to complete',
    );

    // The preparation runs long enough (5 s) for the schedule to be seen waiting on it while it runs.
    await withTimings(h, { processingRunning: 5000 }, { processingRunning: phaseSeconds }, async () => {
      await h.create('processingjobs', 'ProcessingJob', 'prepare', preparation('prepare'));
      await h.waitFor<ProcessingJobSpec, ProcessingJobStatus>(
        'processingjobs',
        'prepare',
        (o) => o?.status?.processingJobStatus === 'InProgress',
      );
    });
    const waiting = await waitForSchedule('drift', (o) =>
      (condition(o, 'Ready')?.message ?? '').includes('(InProgress)'),
    );
    expect(condition(waiting, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'WaitingForReference',
      message: 'waiting for ProcessingJob prepare (InProgress) to complete',
    });
    expect((await processingJob('prepare'))?.status?.processingJobStatus).toBe('InProgress');
    expect(await createsOf('drift')).toEqual([]);

    const scheduled = await waitForSchedule(
      'drift',
      (o) => o?.status?.monitoringScheduleStatus === 'Scheduled' && condition(o, 'Ready')?.status === 'True',
      60_000,
    );
    const dataset = `s3://${h.cloud.bucket}/prepared/prepare/train/train.csv`;
    expect(scheduled?.status?.inputs).toEqual([
      {
        kind: 'ProcessingJob',
        name: 'prepare',
        output: 'train',
        uri: dataset,
        jobName: sageMakerName('prepare'),
      },
    ]);
    const baselining = scheduled?.status?.baseline?.jobName ?? '';
    const { calls } = await h.cloud.emulator.control.calls({
      operation: 'CreateProcessingJob',
      resource: baselining,
    });
    expect(calls.map((c) => c.outcome)).toEqual(['ok']);
    const request = calls[0]?.request as CreateProcessingJobRequest | undefined;
    expect(request?.ProcessingInputs?.[0]).toMatchObject({
      InputName: 'baseline_dataset_input',
      S3Input: { S3Uri: dataset },
    });
    const upstream = await h.cloud.sagemaker.send(
      new DescribeProcessingJobCommand({ ProcessingJobName: sageMakerName('prepare') }),
    );
    expect(calls[0]?.time).toBeGreaterThanOrEqual(upstream.ProcessingEndTime?.getTime() ?? Infinity);
  });

  it('baselines again when the job is applied again with another output, and keeps the baseline meanwhile', async () => {
    const dataset = (folder: string) => `s3://${h.cloud.bucket}/prepared/${folder}/train/train.csv`;
    const scheduledOn = (folder: string) => (o: Schedule | undefined) =>
      o?.status?.monitoringScheduleStatus === 'Scheduled' &&
      condition(o, 'Ready')?.status === 'True' &&
      o.status.inputs?.[0]?.uri === dataset(folder) &&
      o.status.baseline?.jobStatus === 'Completed';
    await h.create('processingjobs', 'ProcessingJob', 'refresh', preparation('v1'));
    await h.create(
      PLURAL,
      'MonitoringSchedule',
      'follow',
      scheduleSpec(h, {
        baseline: {
          fromDataset: {
            s3UriFrom: { processingJobRef: { name: 'refresh', outputName: 'train' }, path: 'train.csv' },
            datasetFormat: { csv: { header: true } },
          },
        },
      }),
    );
    const first = await waitForSchedule('follow', scheduledOn('v1'), 60_000);

    await h.delete('processingjobs', 'refresh');
    await h.waitFor('processingjobs', 'refresh', (o) => o === undefined);
    // A spec edit while the job is gone: the schedule reconciles without it, on the baseline it has.
    await h.patchSpec(PLURAL, 'follow', { tags: { stage: 'prod' } });
    const meanwhile = await waitForSchedule('follow', (o) => o?.status?.observedGeneration === 2);
    expect(condition(meanwhile, 'Ready')).toMatchObject({ status: 'True', reason: 'Scheduled' });
    expect(meanwhile?.status?.baseline?.jobName).toBe(first?.status?.baseline?.jobName);

    await h.create('processingjobs', 'ProcessingJob', 'refresh', preparation('v2'));
    const second = await waitForSchedule('follow', scheduledOn('v2'), 60_000);
    expect(second?.status?.baseline?.jobName).not.toBe(first?.status?.baseline?.jobName);
    expect(second?.status?.jobDefinitionName).not.toBe(first?.status?.jobDefinitionName);
    const job = await h.cloud.sagemaker.send(
      new DescribeProcessingJobCommand({ ProcessingJobName: second?.status?.baseline?.jobName }),
    );
    expect(job.ProcessingInputs?.[0]?.S3Input?.S3Uri).toBe(dataset('v2'));
  });

  it('rejects a dataset with both s3Uri and s3UriFrom at apply time', async () => {
    const { create } = objectsOf(h.kc, h.namespace, 'MonitoringSchedule', PLURAL);
    const both = scheduleSpec(h, {
      baseline: {
        fromDataset: {
          s3Uri: `s3://${h.cloud.bucket}/train.csv`,
          s3UriFrom: { processingJobRef: { name: 'prepare', outputName: 'train' } },
          datasetFormat: { csv: { header: true } },
        },
      },
    });
    expect(await rejectionOf(create('both', both))).toContain('set exactly one of s3Uri and s3UriFrom');
    const { s3Uri: _s3Uri, ...neither } = both.baseline?.fromDataset ?? { datasetFormat: {} };
    const { s3UriFrom: _s3UriFrom, ...none } = neither;
    expect(await rejectionOf(create('neither', { ...both, baseline: { fromDataset: none } }))).toContain(
      'set exactly one of s3Uri and s3UriFrom',
    );
  });
});
