import {
  CreateTrainingJobCommand,
  DeleteTrainingJobCommand,
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
  StopTrainingJobCommand,
  UpdateTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import type { CreateTrainingJobCommandInput } from '@aws-sdk/client-sagemaker';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { errorOf, failure, harnessForFile, phaseSeconds, role, until } from './test-harness.js';

const h = harnessForFile({ resetEach: true });

const job = (
  name: string,
  extra: Partial<CreateTrainingJobCommandInput> = {},
): CreateTrainingJobCommandInput => ({
  TrainingJobName: name,
  RoleArn: role,
  AlgorithmSpecification: {
    TrainingImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgb:1',
    TrainingInputMode: 'File',
  },
  OutputDataConfig: { S3OutputPath: `s3://${h.bucket}/output` },
  ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
  StoppingCondition: { MaxRuntimeInSeconds: 86400 },
  ...extra,
});

const describeJob = (name: string) =>
  h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));

describe('training jobs', () => {
  it('runs Starting → Downloading → Training → Uploading → Completed and writes model.tar.gz', async () => {
    const created = await h.sagemaker.send(new CreateTrainingJobCommand(job('train-ok')));
    expect(created.TrainingJobArn).toBe('arn:aws:sagemaker:us-east-1:123456789012:training-job/train-ok');
    const first = await describeJob('train-ok');
    expect(first.TrainingJobStatus).toBe('InProgress');
    expect(first.SecondaryStatus).toBe('Starting');
    expect(first.ModelArtifacts?.S3ModelArtifacts).toBe(
      `s3://${h.bucket}/output/train-ok/output/model.tar.gz`,
    );

    const done = await until(
      () => describeJob('train-ok'),
      (d) => d.TrainingJobStatus !== 'InProgress',
    );
    expect(done.TrainingJobStatus).toBe('Completed');
    expect(done.SecondaryStatusTransitions?.map((t) => t.Status)).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Uploading',
      'Completed',
    ]);
    expect(done.TrainingStartTime).toBeInstanceOf(Date);
    expect(done.TrainingEndTime!.getTime()).toBeGreaterThanOrEqual(done.TrainingStartTime!.getTime());
    expect(done.TrainingTimeInSeconds).toBeGreaterThan(0);

    const tarball = gunzipSync(await h.readBytes('output/train-ok/output/model.tar.gz'));
    expect(tarball.subarray(0, 10).toString()).toBe('model.json');
  });

  it('fails with the steered FailureReason', async () => {
    await h.emulator.control.steer({
      kind: 'TrainingJob',
      name: 'train-bad',
      outcome: 'Failed',
      failureReason: 'AlgorithmError: loss is NaN',
    });
    await h.sagemaker.send(new CreateTrainingJobCommand(job('train-bad')));
    const done = await until(
      () => describeJob('train-bad'),
      (d) => d.TrainingJobStatus !== 'InProgress',
    );
    expect(done).toMatchObject({
      TrainingJobStatus: 'Failed',
      SecondaryStatus: 'Failed',
      FailureReason: 'AlgorithmError: loss is NaN',
    });
    expect(await h.keys('output/train-bad')).toEqual([]);
  });

  it('stops at MaxRuntimeInSeconds with MaxRuntimeExceeded', async () => {
    // Starting and Downloading take one phase each: the limit falls in the middle of Training.
    await h.sagemaker.send(
      new CreateTrainingJobCommand(
        job('train-long', { StoppingCondition: { MaxRuntimeInSeconds: 2.5 * phaseSeconds } }),
      ),
    );
    const done = await until(
      () => describeJob('train-long'),
      (d) => d.TrainingJobStatus === 'Stopped',
    );
    expect(done.SecondaryStatus).toBe('MaxRuntimeExceeded');
    expect(done.SecondaryStatusTransitions?.map((t) => t.Status)).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Stopping',
      'MaxRuntimeExceeded',
    ]);
  });

  it('stops through Stopping to Stopped, and refuses to stop a terminal job', async () => {
    await h.sagemaker.send(new CreateTrainingJobCommand(job('train-stop')));
    await h.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'train-stop' }));
    expect((await describeJob('train-stop')).TrainingJobStatus).toBe('Stopping');
    const stopped = await until(
      () => describeJob('train-stop'),
      (d) => d.TrainingJobStatus === 'Stopped',
    );
    expect(stopped.SecondaryStatus).toBe('Stopped');
    const again = await failure(
      h.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'train-stop' })),
    );
    expect(again).toEqual({
      name: 'ValidationException',
      message: 'The request was rejected because the training job is in status Stopped.',
      status: 400,
    });
  });

  it('answers not found and duplicates as SageMaker does', async () => {
    expect(await failure(describeJob('nope'))).toMatchObject({
      name: 'ValidationException',
      message: 'Requested resource not found.',
    });
    expect(
      await failure(h.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'nope' }))),
    ).toMatchObject({ name: 'ValidationException', message: 'Requested resource not found.' });
    await h.sagemaker.send(new CreateTrainingJobCommand(job('train-dup')));
    const duplicate = await failure(h.sagemaker.send(new CreateTrainingJobCommand(job('TRAIN-dup'))));
    expect(duplicate.name).toBe('ResourceInUse');
    expect(duplicate.message).toContain('a training job with this name already exists');
  });

  it('deletes only terminal jobs; the name can be reused afterwards', async () => {
    await h.sagemaker.send(new CreateTrainingJobCommand(job('train-del')));
    const inUse = await failure(
      h.sagemaker.send(new DeleteTrainingJobCommand({ TrainingJobName: 'train-del' })),
    );
    expect(inUse.name).toBe('ResourceInUse');
    await until(
      () => describeJob('train-del'),
      (d) => d.TrainingJobStatus === 'Completed',
    );
    await h.sagemaker.send(new DeleteTrainingJobCommand({ TrainingJobName: 'train-del' }));
    expect((await describeJob('train-del')).TrainingJobStatus).toBe('Deleting');
    await until(
      () => errorOf(describeJob('train-del')),
      (e) => e?.message === 'Requested resource not found.',
    );
    await h.sagemaker.send(new CreateTrainingJobCommand(job('train-del')));
  });

  it('updates the warm pool of a completed job and the profiler of a running one', async () => {
    await h.sagemaker.send(
      new CreateTrainingJobCommand(
        job('train-pool', {
          ResourceConfig: {
            InstanceType: 'ml.m5.large',
            InstanceCount: 1,
            VolumeSizeInGB: 10,
            KeepAlivePeriodInSeconds: 3600,
          },
        }),
      ),
    );
    await h.sagemaker.send(
      new UpdateTrainingJobCommand({
        TrainingJobName: 'train-pool',
        ProfilerConfig: { ProfilingIntervalInMilliseconds: 500 },
      }),
    );
    const done = await until(
      () => describeJob('train-pool'),
      (d) => d.TrainingJobStatus === 'Completed',
    );
    expect(done.WarmPoolStatus?.Status).toBe('Available');
    expect(done.ProfilerConfig?.ProfilingIntervalInMilliseconds).toBe(500);
    const lateProfiler = await failure(
      h.sagemaker.send(
        new UpdateTrainingJobCommand({
          TrainingJobName: 'train-pool',
          ProfilerConfig: { DisableProfiler: true },
        }),
      ),
    );
    expect(lateProfiler.message).toBe(
      'The request was rejected because the training job is in status Completed.',
    );
    const inUse = await failure(
      h.sagemaker.send(new DeleteTrainingJobCommand({ TrainingJobName: 'train-pool' })),
    );
    expect(inUse.name).toBe('ResourceInUse');
    await h.sagemaker.send(
      new UpdateTrainingJobCommand({
        TrainingJobName: 'train-pool',
        ResourceConfig: { KeepAlivePeriodInSeconds: 1 },
      }),
    );
    await until(
      () => describeJob('train-pool'),
      (d) => d.WarmPoolStatus?.Status === 'Terminated',
    );
  });

  it('lists with filters, sorting and pagination', async () => {
    for (const name of ['list-a', 'list-b', 'list-c', 'other-d']) {
      await h.sagemaker.send(new CreateTrainingJobCommand(job(name)));
    }
    await h.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'list-b' }));
    const page1 = await h.sagemaker.send(
      new ListTrainingJobsCommand({ NameContains: 'list', MaxResults: 2 }),
    );
    expect(page1.TrainingJobSummaries?.map((s) => s.TrainingJobName)).toEqual(['list-a', 'list-b']);
    const page2 = await h.sagemaker.send(
      new ListTrainingJobsCommand({ NameContains: 'list', MaxResults: 2, NextToken: page1.NextToken }),
    );
    expect(page2.TrainingJobSummaries?.map((s) => s.TrainingJobName)).toEqual(['list-c']);
    expect(page2.NextToken).toBeUndefined();
    const stopping = await h.sagemaker.send(new ListTrainingJobsCommand({ StatusEquals: 'Stopping' }));
    expect(stopping.TrainingJobSummaries?.map((s) => s.TrainingJobName)).toEqual(['list-b']);
    const byName = await h.sagemaker.send(
      new ListTrainingJobsCommand({ SortBy: 'Name', SortOrder: 'Descending' }),
    );
    expect(byName.TrainingJobSummaries?.map((s) => s.TrainingJobName)).toEqual([
      'other-d',
      'list-c',
      'list-b',
      'list-a',
    ]);
    const future = new Date(Date.now() + 60_000);
    const none = await h.sagemaker.send(new ListTrainingJobsCommand({ LastModifiedTimeAfter: future }));
    expect(none.TrainingJobSummaries).toEqual([]);
  });

  it('answers ResourceLimitExceeded past the concurrent-jobs quota', async () => {
    await h.emulator.control.configure({ limits: { concurrentTrainingJobs: 1 } });
    await h.sagemaker.send(new CreateTrainingJobCommand(job('quota-1')));
    const refused = await failure(h.sagemaker.send(new CreateTrainingJobCommand(job('quota-2'))));
    expect(refused.name).toBe('ResourceLimitExceeded');
    expect(refused.message).toContain("'Number of concurrent training jobs' is 1 Jobs");
  });
});
