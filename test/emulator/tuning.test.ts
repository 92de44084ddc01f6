import {
  CreateHyperParameterTuningJobCommand,
  DeleteHyperParameterTuningJobCommand,
  DescribeHyperParameterTuningJobCommand,
  DescribeTrainingJobCommand,
  ListHyperParameterTuningJobsCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  ListTrainingJobsForHyperParameterTuningJobCommand,
  StopHyperParameterTuningJobCommand,
} from '@aws-sdk/client-sagemaker';
import type {
  CreateHyperParameterTuningJobCommandInput,
  DescribeHyperParameterTuningJobCommandOutput,
  HyperParameterTuningJobConfig,
} from '@aws-sdk/client-sagemaker';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from '@jest/globals';
import { assumeRoleWithPolicy } from '../integration/support/iam.js';
import { arn, errorOf, failure, harnessForFile, role, until } from './test-harness.js';

const h = harnessForFile({ resetEach: true });

const tuningJob = (
  name: string,
  config: Partial<HyperParameterTuningJobConfig> = {},
  extra: Partial<CreateHyperParameterTuningJobCommandInput> = {},
): CreateHyperParameterTuningJobCommandInput => ({
  HyperParameterTuningJobName: name,
  HyperParameterTuningJobConfig: {
    Strategy: 'Bayesian',
    HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'validation:loss' },
    ResourceLimits: { MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2 },
    ParameterRanges: {
      IntegerParameterRanges: [{ Name: 'rounds', MinValue: '10', MaxValue: '20' }],
      ContinuousParameterRanges: [{ Name: 'eta', MinValue: '0.01', MaxValue: '0.5' }],
    },
    ...config,
  },
  TrainingJobDefinition: {
    RoleArn: role,
    AlgorithmSpecification: {
      TrainingImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgb:1',
      TrainingInputMode: 'File',
      MetricDefinitions: [{ Name: 'validation:loss', Regex: 'loss=([0-9.]+)' }],
    },
    StaticHyperParameters: { objective: 'reg:squarederror' },
    OutputDataConfig: { S3OutputPath: `s3://${h.bucket}/hpo` },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 86400 },
  },
  Tags: [{ Key: 'team', Value: 'ml' }],
  ...extra,
});

const describeTuning = (name: string) =>
  h.sagemaker.send(new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: name }));

const ended = (d: DescribeHyperParameterTuningJobOutputLike) =>
  ['Completed', 'Failed', 'Stopped'].includes(d.HyperParameterTuningJobStatus ?? '');
type DescribeHyperParameterTuningJobOutputLike = Pick<
  DescribeHyperParameterTuningJobCommandOutput,
  'HyperParameterTuningJobStatus'
>;

const childrenOf = async (name: string) =>
  (
    await h.sagemaker.send(
      new ListTrainingJobsForHyperParameterTuningJobCommand({
        HyperParameterTuningJobName: name,
        MaxResults: 100,
      }),
    )
  ).TrainingJobSummaries ?? [];

describe('hyperparameter tuning jobs', () => {
  it('launches training jobs within the parallel limit and completes with the best by direction', async () => {
    await h.emulator.control.steer({
      kind: 'HyperParameterTuningJob',
      name: 'hpo-min',
      objectiveValues: [0.5, 0.2, 0.9, 0.3],
    });
    const created = await h.sagemaker.send(new CreateHyperParameterTuningJobCommand(tuningJob('hpo-min')));
    expect(created.HyperParameterTuningJobArn).toBe(
      'arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/hpo-min',
    );
    let mostRunning = 0;
    const done = await until(
      async () => {
        const d = await describeTuning('hpo-min');
        mostRunning = Math.max(mostRunning, d.TrainingJobStatusCounters?.InProgress ?? 0);
        return d;
      },
      ended,
      10_000,
    );
    expect(mostRunning).toBe(2);
    expect(done).toMatchObject({
      HyperParameterTuningJobStatus: 'Completed',
      TrainingJobStatusCounters: { Completed: 4, InProgress: 0, NonRetryableError: 0, Stopped: 0 },
      ObjectiveStatusCounters: { Succeeded: 4, Pending: 0, Failed: 0 },
    });
    expect(done.HyperParameterTuningEndTime).toBeInstanceOf(Date);
    expect(done.LastModifiedTime).toEqual(done.HyperParameterTuningEndTime);
    // Server-side defaults, as SageMaker fills them in.
    expect(done.HyperParameterTuningJobConfig?.TrainingJobEarlyStoppingType).toBe('Off');
    expect(done.TrainingJobDefinition).toMatchObject({
      EnableNetworkIsolation: false,
      EnableInterContainerTrafficEncryption: false,
      EnableManagedSpotTraining: false,
      StaticHyperParameters: { objective: 'reg:squarederror', _tuning_objective_metric: 'validation:loss' },
    });
    expect(done.TrainingJobDefinition?.OutputDataConfig?.KmsKeyId).toBeUndefined();

    const children = await childrenOf('hpo-min');
    expect(children.map((c) => c.TrainingJobName)).toEqual(
      [...children.map((c) => c.TrainingJobName)].sort(),
    );
    for (const child of children) expect(child.TrainingJobName).toMatch(/^hpo-min-00[1-4]-[0-9a-f]{8}$/);
    const second = children.find((c) => c.TrainingJobName!.startsWith('hpo-min-002'))!;
    expect(done.BestTrainingJob).toMatchObject({
      TrainingJobName: second.TrainingJobName,
      TrainingJobStatus: 'Completed',
      ObjectiveStatus: 'Succeeded',
      FinalHyperParameterTuningJobObjectiveMetric: { MetricName: 'validation:loss', Value: 0.2 },
    });
    expect(Object.keys(done.BestTrainingJob!.TunedHyperParameters!).sort()).toEqual(['eta', 'rounds']);

    // The training jobs are the emulator's own: Describe, ListTrainingJobs and tags see them.
    const training = await h.sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: second.TrainingJobName }),
    );
    expect(training.TuningJobArn).toBe(created.HyperParameterTuningJobArn);
    expect(training.HyperParameters).toMatchObject({
      ...second.TunedHyperParameters,
      objective: 'reg:squarederror',
    });
    expect(training.FinalMetricDataList).toEqual([
      expect.objectContaining({ MetricName: 'validation:loss', Value: 0.2 }),
    ]);
    const tags = await h.sagemaker.send(new ListTagsCommand({ ResourceArn: training.TrainingJobArn }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'ml' }]);
    const listed = await h.sagemaker.send(new ListTrainingJobsCommand({ NameContains: 'hpo-min' }));
    expect(listed.TrainingJobSummaries).toHaveLength(4);
  });

  it('picks the highest value for Maximize, and sorts its jobs by objective value', async () => {
    await h.emulator.control.steer({
      kind: 'HyperParameterTuningJob',
      name: 'hpo-max',
      objectiveValues: [0.5, 0.2, 0.9],
      failedTrainingJobs: [4],
      trainingJobFailureReason: 'AlgorithmError: out of memory',
    });
    await h.sagemaker.send(
      new CreateHyperParameterTuningJobCommand(
        tuningJob('hpo-max', {
          HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'validation:loss' },
        }),
      ),
    );
    const done = await until(() => describeTuning('hpo-max'), ended, 10_000);
    expect(done.HyperParameterTuningJobStatus).toBe('Completed');
    expect(done.BestTrainingJob?.FinalHyperParameterTuningJobObjectiveMetric?.Value).toBe(0.9);
    expect(done.TrainingJobStatusCounters).toMatchObject({ Completed: 3, NonRetryableError: 1 });
    expect(done.ObjectiveStatusCounters).toMatchObject({ Succeeded: 3, Failed: 1 });
    const byValue = await h.sagemaker.send(
      new ListTrainingJobsForHyperParameterTuningJobCommand({
        HyperParameterTuningJobName: 'hpo-max',
        SortBy: 'FinalObjectiveMetricValue',
        SortOrder: 'Descending',
      }),
    );
    // A job without an objective value is not listed in this order.
    expect(
      byValue.TrainingJobSummaries?.map((s) => s.FinalHyperParameterTuningJobObjectiveMetric?.Value),
    ).toEqual([0.9, 0.5, 0.2]);
    const failed = await h.sagemaker.send(
      new ListTrainingJobsForHyperParameterTuningJobCommand({
        HyperParameterTuningJobName: 'hpo-max',
        StatusEquals: 'Failed',
      }),
    );
    expect(failed.TrainingJobSummaries).toEqual([
      expect.objectContaining({
        TrainingJobStatus: 'Failed',
        FailureReason: 'AlgorithmError: out of memory',
        ObjectiveStatus: 'Failed',
      }),
    ]);
    const page1 = await h.sagemaker.send(
      new ListTrainingJobsForHyperParameterTuningJobCommand({
        HyperParameterTuningJobName: 'hpo-max',
        MaxResults: 3,
      }),
    );
    const page2 = await h.sagemaker.send(
      new ListTrainingJobsForHyperParameterTuningJobCommand({
        HyperParameterTuningJobName: 'hpo-max',
        MaxResults: 3,
        NextToken: page1.NextToken,
      }),
    );
    expect(page1.TrainingJobSummaries).toHaveLength(3);
    expect(page2.TrainingJobSummaries).toHaveLength(1);
    expect(page2.NextToken).toBeUndefined();
  });

  it('stops early with Auto the jobs that cannot beat the best so far', async () => {
    await h.emulator.control.steer({
      kind: 'HyperParameterTuningJob',
      name: 'hpo-early',
      objectiveValues: [0.1, 0.5, 0.05],
    });
    await h.sagemaker.send(
      new CreateHyperParameterTuningJobCommand(
        tuningJob('hpo-early', {
          TrainingJobEarlyStoppingType: 'Auto',
          ResourceLimits: { MaxNumberOfTrainingJobs: 3, MaxParallelTrainingJobs: 1 },
        }),
      ),
    );
    const done = await until(() => describeTuning('hpo-early'), ended, 10_000);
    expect(done.HyperParameterTuningJobStatus).toBe('Completed');
    expect(done.TrainingJobStatusCounters).toMatchObject({ Completed: 2, Stopped: 1 });
    expect(done.BestTrainingJob?.FinalHyperParameterTuningJobObjectiveMetric?.Value).toBe(0.05);
    expect(done.TuningJobCompletionDetails?.NumberOfTrainingJobsObjectiveNotImproving).toBe(1);
  });

  it('stops its running training jobs when stopped', async () => {
    await h.sagemaker.send(new CreateHyperParameterTuningJobCommand(tuningJob('hpo-stop')));
    await until(
      () => describeTuning('hpo-stop'),
      (d) => (d.TrainingJobStatusCounters?.InProgress ?? 0) === 2,
    );
    await h.sagemaker.send(
      new StopHyperParameterTuningJobCommand({ HyperParameterTuningJobName: 'hpo-stop' }),
    );
    expect((await describeTuning('hpo-stop')).HyperParameterTuningJobStatus).toBe('Stopping');
    const stopped = await until(() => describeTuning('hpo-stop'), ended);
    expect(stopped.HyperParameterTuningJobStatus).toBe('Stopped');
    expect(stopped.TrainingJobStatusCounters).toMatchObject({ Stopped: 2, InProgress: 0, Completed: 0 });
    expect((await childrenOf('hpo-stop')).map((c) => c.TrainingJobStatus)).toEqual(['Stopped', 'Stopped']);
    const again = await failure(
      h.sagemaker.send(new StopHyperParameterTuningJobCommand({ HyperParameterTuningJobName: 'hpo-stop' })),
    );
    expect(again.message).toBe('The request was rejected because the tuning job is in status Stopped.');
    // Deleting keeps the training jobs.
    await h.sagemaker.send(
      new DeleteHyperParameterTuningJobCommand({ HyperParameterTuningJobName: 'hpo-stop' }),
    );
    expect((await describeTuning('hpo-stop')).HyperParameterTuningJobStatus).toBe('Deleting');
    await until(
      () => errorOf(describeTuning('hpo-stop')),
      (e) => e?.name === 'ResourceNotFound',
    );
    const kept = await h.sagemaker.send(new ListTrainingJobsCommand({ NameContains: 'hpo-stop' }));
    expect(kept.TrainingJobSummaries).toHaveLength(2);
  });

  it('fails as steered, and when no training job succeeds', async () => {
    await h.emulator.control.steer({
      kind: 'HyperParameterTuningJob',
      name: 'hpo-fail',
      outcome: 'Failed',
      failureReason: 'ClientError: objective metric never emitted',
    });
    await h.sagemaker.send(new CreateHyperParameterTuningJobCommand(tuningJob('hpo-fail')));
    const failed = await until(() => describeTuning('hpo-fail'), ended, 10_000);
    expect(failed).toMatchObject({
      HyperParameterTuningJobStatus: 'Failed',
      FailureReason: 'ClientError: objective metric never emitted',
    });
    await until(
      () => describeTuning('hpo-fail'),
      (d) => d.TrainingJobStatusCounters?.InProgress === 0,
    );

    await h.emulator.control.steer({
      kind: 'HyperParameterTuningJob',
      name: 'hpo-none',
      failedTrainingJobs: [1, 2],
    });
    await h.sagemaker.send(
      new CreateHyperParameterTuningJobCommand(
        tuningJob('hpo-none', { ResourceLimits: { MaxNumberOfTrainingJobs: 2, MaxParallelTrainingJobs: 2 } }),
      ),
    );
    const none = await until(() => describeTuning('hpo-none'), ended, 10_000);
    expect(none.HyperParameterTuningJobStatus).toBe('Failed');
    expect(none.FailureReason).toBe(
      'No training job succeeded after 2 attempts. Please take a look at the training job failures to get more details.',
    );
    expect(none.BestTrainingJob).toBeUndefined();
  });

  it('warm-starts only from parent tuning jobs that exist', async () => {
    const parents = {
      WarmStartConfig: {
        ParentHyperParameterTuningJobs: [{ HyperParameterTuningJobName: 'hpo-parent' }],
        WarmStartType: 'IdenticalDataAndAlgorithm' as const,
      },
    };
    const missing = await failure(
      h.sagemaker.send(new CreateHyperParameterTuningJobCommand(tuningJob('hpo-child', {}, parents))),
    );
    expect(missing).toMatchObject({
      name: 'ValidationException',
      message: "Amazon SageMaker can't find a tuning job called hpo-parent. Type another name.",
    });
    await h.emulator.control.steer({
      kind: 'HyperParameterTuningJob',
      name: 'hpo-parent',
      objectiveValues: [0.01],
    });
    await h.sagemaker.send(
      new CreateHyperParameterTuningJobCommand(
        tuningJob('hpo-parent', {
          ResourceLimits: { MaxNumberOfTrainingJobs: 1, MaxParallelTrainingJobs: 1 },
        }),
      ),
    );
    await until(() => describeTuning('hpo-parent'), ended, 10_000);
    await h.emulator.control.steer({
      kind: 'HyperParameterTuningJob',
      name: 'hpo-child',
      objectiveValues: [0.5],
    });
    await h.sagemaker.send(
      new CreateHyperParameterTuningJobCommand(
        tuningJob(
          'hpo-child',
          { ResourceLimits: { MaxNumberOfTrainingJobs: 1, MaxParallelTrainingJobs: 1 } },
          parents,
        ),
      ),
    );
    const child = await until(() => describeTuning('hpo-child'), ended, 10_000);
    expect(child.WarmStartConfig?.WarmStartType).toBe('IdenticalDataAndAlgorithm');
    expect(child.BestTrainingJob?.FinalHyperParameterTuningJobObjectiveMetric?.Value).toBe(0.5);
    expect(child.OverallBestTrainingJob?.FinalHyperParameterTuningJobObjectiveMetric?.Value).toBe(0.01);
  });

  it('lists tuning jobs by name by default, with filters and pages', async () => {
    for (const name of ['list-c', 'list-a', 'list-b', 'other-d']) {
      await h.sagemaker.send(new CreateHyperParameterTuningJobCommand(tuningJob(name)));
    }
    await h.sagemaker.send(new StopHyperParameterTuningJobCommand({ HyperParameterTuningJobName: 'list-b' }));
    const page1 = await h.sagemaker.send(
      new ListHyperParameterTuningJobsCommand({ NameContains: 'list', MaxResults: 2 }),
    );
    expect(page1.HyperParameterTuningJobSummaries?.map((s) => s.HyperParameterTuningJobName)).toEqual([
      'list-a',
      'list-b',
    ]);
    expect(page1.HyperParameterTuningJobSummaries?.[0]).toMatchObject({
      Strategy: 'Bayesian',
      ResourceLimits: { MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2 },
    });
    const page2 = await h.sagemaker.send(
      new ListHyperParameterTuningJobsCommand({
        NameContains: 'list',
        MaxResults: 2,
        NextToken: page1.NextToken,
      }),
    );
    expect(page2.HyperParameterTuningJobSummaries?.map((s) => s.HyperParameterTuningJobName)).toEqual([
      'list-c',
    ]);
    expect(page2.NextToken).toBeUndefined();
    const stopping = await h.sagemaker.send(
      new ListHyperParameterTuningJobsCommand({ StatusEquals: 'Stopping' }),
    );
    expect(stopping.HyperParameterTuningJobSummaries?.map((s) => s.HyperParameterTuningJobName)).toEqual([
      'list-b',
    ]);
    // LastModifiedTime moves when the status does: a sweep after the stop finds only list-b.
    const stoppedAt = (await describeTuning('list-b')).LastModifiedTime!;
    const before = new Date(stoppedAt.getTime() - 1);
    const changed = await h.sagemaker.send(
      new ListHyperParameterTuningJobsCommand({ LastModifiedTimeAfter: before }),
    );
    expect(changed.HyperParameterTuningJobSummaries?.map((s) => s.HyperParameterTuningJobName)).toContain(
      'list-b',
    );
    const future = new Date(Date.now() + 60_000);
    const none = await h.sagemaker.send(
      new ListHyperParameterTuningJobsCommand({ LastModifiedTimeAfter: future }),
    );
    expect(none.HyperParameterTuningJobSummaries).toEqual([]);
  });

  it('answers not found, duplicates and invalid requests as SageMaker does', async () => {
    expect(await failure(describeTuning('nope'))).toMatchObject({
      name: 'ResourceNotFound',
      message: "Amazon SageMaker can't find a tuning job called nope. Type another name.",
    });
    await h.sagemaker.send(new CreateHyperParameterTuningJobCommand(tuningJob('hpo-dup')));
    expect(
      await failure(h.sagemaker.send(new CreateHyperParameterTuningJobCommand(tuningJob('HPO-dup')))),
    ).toMatchObject({
      name: 'ResourceInUse',
      message: 'A hyperparameter tuning job with the name, HPO-dup, already exists. Choose a different name.',
    });
    const invalid = await failure(
      h.sagemaker.send(
        new CreateHyperParameterTuningJobCommand(
          tuningJob('hpo-bad', {
            Strategy: 'Hyperband',
            TrainingJobEarlyStoppingType: 'Auto',
          }),
        ),
      ),
    );
    expect(invalid).toMatchObject({
      name: 'ValidationException',
      message: 'TrainingJobEarlyStoppingType must be OFF to use Hyperband.',
    });
    const model = await failure(
      h.sagemaker.send(
        new CreateHyperParameterTuningJobCommand(
          tuningJob('hpo-bad', {
            ResourceLimits: { MaxNumberOfTrainingJobs: 0, MaxParallelTrainingJobs: 1 },
          }),
        ),
      ),
    );
    expect(model.message).toBe(
      "1 validation error detected: Value '0' at 'hyperParameterTuningJobConfig.resourceLimits.maxNumberOfTrainingJobs' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });
});

describe('IAM condition keys of CreateHyperParameterTuningJob', () => {
  const SUBNET = 'subnet-0a338babaa635e3e6';
  const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const deny = (condition: object) => ({
    Effect: 'Deny',
    Action: 'sagemaker:CreateHyperParameterTuningJob',
    Resource: '*',
    Condition: condition,
  });
  const guardrails = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'sagemaker:*', Resource: '*' },
      deny({ Null: { 'sagemaker:VpcSubnets': 'true' } }),
      deny({ 'ForAnyValue:StringNotEquals': { 'sagemaker:VpcSubnets': [SUBNET] } }),
      deny({ BoolIfExists: { 'sagemaker:NetworkIsolation': 'false' } }),
      deny({ Null: { 'sagemaker:NetworkIsolation': 'true' } }),
      deny({ BoolIfExists: { 'sagemaker:InterContainerTrafficEncryption': 'false' } }),
      deny({ Null: { 'sagemaker:VolumeKmsKey': 'true' } }),
      deny({ Null: { 'sagemaker:OutputKmsKey': 'true' } }),
      // IAM documents neither key for this action: these never match.
      deny({ Null: { 'sagemaker:InstanceTypes': 'false' } }),
      deny({ Null: { 'sagemaker:MaxRuntimeInSeconds': 'false' } }),
    ],
  };
  const compliant = (name: string, change: (d: Record<string, unknown>) => void = () => undefined) => {
    const input = tuningJob(name);
    const definition = input.TrainingJobDefinition as unknown as Record<string, unknown>;
    Object.assign(definition, {
      VpcConfig: { Subnets: [SUBNET], SecurityGroupIds: ['sg-09d0ae98a2abd26f5'] },
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: true,
      ResourceConfig: {
        InstanceType: 'ml.m5.large',
        InstanceCount: 1,
        VolumeSizeInGB: 10,
        VolumeKmsKeyId: KEY,
      },
      OutputDataConfig: { S3OutputPath: `s3://${h.bucket}/hpo`, KmsKeyId: KEY },
    });
    change(definition);
    return new CreateHyperParameterTuningJobCommand(input);
  };

  it('evaluates the VPC, isolation, encryption and key conditions of the training job definition', async () => {
    const session = await assumeRoleWithPolicy('hpo-guardrails', guardrails);
    const client = new SageMakerClient({
      endpoint: h.emulator.endpoint,
      region: 'us-east-1',
      credentials: session.credentials,
    });
    try {
      expect(await errorOf(client.send(compliant('hpo-ok')))).toBeUndefined();
      const cases: [string, (d: Record<string, unknown>) => void][] = [
        ['no-vpc', (d) => delete d.VpcConfig],
        ['other-subnet', (d) => (d.VpcConfig = { Subnets: ['subnet-1'], SecurityGroupIds: ['sg-1'] })],
        ['no-isolation', (d) => delete d.EnableNetworkIsolation],
        ['clear-traffic', (d) => (d.EnableInterContainerTrafficEncryption = false)],
        ['no-volume-key', (d) => delete (d.ResourceConfig as Record<string, unknown>).VolumeKmsKeyId],
        ['no-output-key', (d) => delete (d.OutputDataConfig as Record<string, unknown>).KmsKeyId],
      ];
      for (const [name, change] of cases) {
        expect(await failure(client.send(compliant(`hpo-${name}`, change)))).toEqual({
          name: 'AccessDeniedException',
          status: 400,
          message: `User: ${session.arn} is not authorized to perform: sagemaker:CreateHyperParameterTuningJob on resource: ${arn('hyper-parameter-tuning-job', `hpo-${name}`)} with an explicit deny in an identity-based policy`,
        });
      }
    } finally {
      client.destroy();
    }
  });
});
