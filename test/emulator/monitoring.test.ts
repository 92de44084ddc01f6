import {
  CreateDataQualityJobDefinitionCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateMonitoringScheduleCommand,
  CreateProcessingJobCommand,
  CreateTransformJobCommand,
  DeleteDataQualityJobDefinitionCommand,
  DeleteMonitoringScheduleCommand,
  DescribeDataQualityJobDefinitionCommand,
  DescribeMonitoringScheduleCommand,
  DescribeProcessingJobCommand,
  DescribeTransformJobCommand,
  ListDataQualityJobDefinitionsCommand,
  ListMonitoringExecutionsCommand,
  ListMonitoringSchedulesCommand,
  StartMonitoringScheduleCommand,
  StopMonitoringScheduleCommand,
  StopProcessingJobCommand,
  StopTransformJobCommand,
  UpdateMonitoringScheduleCommand,
} from '@aws-sdk/client-sagemaker';
import type { MonitoringScheduleConfig } from '@aws-sdk/client-sagemaker';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from '@jest/globals';
import { failure, harnessForFile, role, scale, until } from './test-harness.js';

const h = harnessForFile({ resetEach: true });

const analyzer = '156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer';
const cluster = {
  ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large' as const, VolumeSizeInGB: 20 },
};

async function dataQualityDefinition(name: string): Promise<void> {
  await h.sagemaker.send(
    new CreateDataQualityJobDefinitionCommand({
      JobDefinitionName: name,
      DataQualityAppSpecification: { ImageUri: analyzer },
      DataQualityJobInput: { EndpointInput: { EndpointName: 'ep', LocalPath: '/opt/ml/processing/input' } },
      DataQualityJobOutputConfig: {
        MonitoringOutputs: [
          { S3Output: { S3Uri: `s3://${h.bucket}/reports`, LocalPath: '/opt/ml/processing/output' } },
        ],
      },
      JobResources: cluster,
      RoleArn: role,
    }),
  );
}

const hourly = (definition: string): MonitoringScheduleConfig => ({
  ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' },
  MonitoringJobDefinitionName: definition,
  MonitoringType: 'DataQuality',
});

const describeSchedule = (name: string) =>
  h.sagemaker.send(new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: name }));

describe('monitoring job definitions', () => {
  it('creates, describes, lists and deletes; unknown names are ResourceNotFound', async () => {
    await dataQualityDefinition('dq-1');
    const described = await h.sagemaker.send(
      new DescribeDataQualityJobDefinitionCommand({ JobDefinitionName: 'dq-1' }),
    );
    expect(described.JobDefinitionArn).toBe(
      'arn:aws:sagemaker:us-east-1:123456789012:data-quality-job-definition/dq-1',
    );
    expect(described.DataQualityAppSpecification?.ImageUri).toBe(analyzer);
    expect((await failure(dataQualityDefinition('dq-1'))).name).toBe('ResourceInUse');
    const listed = await h.sagemaker.send(new ListDataQualityJobDefinitionsCommand({ EndpointName: 'ep' }));
    expect(listed.JobDefinitionSummaries?.map((d) => d.MonitoringJobDefinitionName)).toEqual(['dq-1']);
    await h.sagemaker.send(new DeleteDataQualityJobDefinitionCommand({ JobDefinitionName: 'dq-1' }));
    expect(
      (
        await failure(
          h.sagemaker.send(new DescribeDataQualityJobDefinitionCommand({ JobDefinitionName: 'dq-1' })),
        )
      ).name,
    ).toBe('ResourceNotFound');
  });
});

describe('monitoring schedules', () => {
  it('goes Pending → Scheduled, refuses changes while Pending, and runs executions that write reports', async () => {
    await dataQualityDefinition('dq');
    await h.sagemaker.send(
      new CreateMonitoringScheduleCommand({
        MonitoringScheduleName: 'mon',
        MonitoringScheduleConfig: hourly('dq'),
      }),
    );
    const pending = await describeSchedule('mon');
    expect(pending).toMatchObject({
      MonitoringScheduleStatus: 'Pending',
      EndpointName: 'ep',
      MonitoringType: 'DataQuality',
    });
    expect(pending.LastMonitoringExecutionSummary).toBeUndefined();
    const refused = await failure(
      h.sagemaker.send(new DeleteMonitoringScheduleCommand({ MonitoringScheduleName: 'mon' })),
    );
    expect(refused).toMatchObject({
      name: 'ValidationException',
      message: 'Monitoring schedule in status Pending',
    });
    await until(
      () => describeSchedule('mon'),
      (d) => d.MonitoringScheduleStatus === 'Scheduled',
    );

    const done = await until(
      () => describeSchedule('mon'),
      (d) => d.LastMonitoringExecutionSummary?.MonitoringExecutionStatus === 'Completed',
    );
    const job = await h.sagemaker.send(
      new DescribeProcessingJobCommand({
        ProcessingJobName: done.LastMonitoringExecutionSummary!.ProcessingJobArn!.split('/').at(-1)!,
      }),
    );
    expect(job.MonitoringScheduleArn).toBe(done.MonitoringScheduleArn);
    const output = job.ProcessingOutputConfig!.Outputs![0]!.S3Output!.S3Uri!;
    expect(output).toMatch(new RegExp(`^s3://${h.bucket}/reports/ep/mon/\\d{4}/\\d{2}/\\d{2}/\\d{2}$`));
    const prefix = output.slice(`s3://${h.bucket}/`.length);
    expect(await h.keys(prefix)).toEqual([
      `${prefix}/constraint_violations.json`,
      `${prefix}/statistics.json`,
    ]);
    expect(JSON.parse(await h.read(`${prefix}/constraint_violations.json`))).toEqual({ violations: [] });
    const stats = JSON.parse(await h.read(`${prefix}/statistics.json`)) as {
      version: number;
      dataset: { item_count: number };
    };
    expect(stats).toMatchObject({ version: 0, dataset: { item_count: 100 } });
  });

  it('starts each execution after the top of an hour the cron names, lagging up to 20 minutes', async () => {
    const hourSeconds = 3600 * scale;
    const maxLagSeconds = 1200 * scale;
    await dataQualityDefinition('dq');
    for (const name of ['lag-a', 'lag-b', 'lag-c']) {
      await h.sagemaker.send(
        new CreateMonitoringScheduleCommand({
          MonitoringScheduleName: name,
          MonitoringScheduleConfig: hourly('dq'),
        }),
      );
    }
    const listed = await until(
      () => h.sagemaker.send(new ListMonitoringExecutionsCommand({ MaxResults: 100 })),
      (l) => (l.MonitoringExecutionSummaries ?? []).length >= 6,
    );
    const executions = listed.MonitoringExecutionSummaries ?? [];
    const lags = executions.map((e) => {
      const scheduled = e.ScheduledTime!.getTime() / 1000;
      expect(scheduled / hourSeconds - Math.round(scheduled / hourSeconds)).toBeCloseTo(0, 2);
      return e.CreationTime!.getTime() / 1000 - scheduled;
    });
    expect(Math.min(...lags)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lags)).toBeLessThanOrEqual(maxLagSeconds + 0.001);
    // Spread over the window, not all at the hour: SageMaker starts them when it gets to them.
    expect(new Set(lags.map((lag) => lag.toFixed(3))).size).toBeGreaterThan(1);
    expect(Math.max(...lags)).toBeGreaterThan(0);
  });

  it('reports violations when steered, stops and starts, and keeps history after delete', async () => {
    await dataQualityDefinition('dq');
    await h.emulator.control.steer({
      kind: 'MonitoringSchedule',
      name: 'mon',
      outcome: 'CompletedWithViolations',
    });
    await h.sagemaker.send(
      new CreateMonitoringScheduleCommand({
        MonitoringScheduleName: 'mon',
        MonitoringScheduleConfig: hourly('dq'),
      }),
    );
    const violated = await until(
      () => describeSchedule('mon'),
      (d) => d.LastMonitoringExecutionSummary?.MonitoringExecutionStatus === 'CompletedWithViolations',
    );
    const jobName = violated.LastMonitoringExecutionSummary!.ProcessingJobArn!.split('/').at(-1)!;
    const job = await h.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: jobName }));
    const prefix = job.ProcessingOutputConfig!.Outputs![0]!.S3Output!.S3Uri!.slice(
      `s3://${h.bucket}/`.length,
    );
    const report = JSON.parse(await h.read(`${prefix}/constraint_violations.json`)) as {
      violations: { constraint_check_type: string }[];
    };
    expect(report.violations.map((v) => v.constraint_check_type)).toContain('baseline_drift_check');

    await h.sagemaker.send(new StopMonitoringScheduleCommand({ MonitoringScheduleName: 'mon' }));
    expect((await describeSchedule('mon')).MonitoringScheduleStatus).toBe('Stopped');
    await h.sagemaker.send(new StartMonitoringScheduleCommand({ MonitoringScheduleName: 'mon' }));
    expect((await describeSchedule('mon')).MonitoringScheduleStatus).toBe('Scheduled');

    await h.sagemaker.send(new DeleteMonitoringScheduleCommand({ MonitoringScheduleName: 'mon' }));
    expect((await failure(describeSchedule('mon'))).name).toBe('ResourceNotFound');
    const history = await h.sagemaker.send(
      new ListMonitoringExecutionsCommand({ MonitoringScheduleName: 'mon' }),
    );
    expect(history.MonitoringExecutionSummaries!.length).toBeGreaterThan(0);
    expect(history.MonitoringExecutionSummaries![0]!.MonitoringScheduleName).toBe('mon');
  });

  it('updates through Pending, lists by status, and rejects bad configurations', async () => {
    await dataQualityDefinition('dq');
    await h.sagemaker.send(
      new CreateMonitoringScheduleCommand({
        MonitoringScheduleName: 'mon',
        MonitoringScheduleConfig: hourly('dq'),
      }),
    );
    await until(
      () => describeSchedule('mon'),
      (d) => d.MonitoringScheduleStatus === 'Scheduled',
    );
    await h.sagemaker.send(
      new UpdateMonitoringScheduleCommand({
        MonitoringScheduleName: 'mon',
        MonitoringScheduleConfig: {
          ...hourly('dq'),
          ScheduleConfig: { ScheduleExpression: 'cron(0 0/6 ? * * *)' },
        },
      }),
    );
    expect((await describeSchedule('mon')).MonitoringScheduleStatus).toBe('Pending');
    const pending = await h.sagemaker.send(new ListMonitoringSchedulesCommand({ StatusEquals: 'Pending' }));
    expect(pending.MonitoringScheduleSummaries?.map((s) => s.MonitoringScheduleName)).toEqual(['mon']);

    expect(
      (
        await failure(
          h.sagemaker.send(
            new CreateMonitoringScheduleCommand({
              MonitoringScheduleName: 'mon',
              MonitoringScheduleConfig: hourly('dq'),
            }),
          ),
        )
      ).name,
    ).toBe('ResourceInUse');
    expect(
      (
        await failure(
          h.sagemaker.send(
            new CreateMonitoringScheduleCommand({
              MonitoringScheduleName: 'other',
              MonitoringScheduleConfig: hourly('missing'),
            }),
          ),
        )
      ).name,
    ).toBe('ResourceNotFound');
    const badCron = await failure(
      h.sagemaker.send(
        new CreateMonitoringScheduleCommand({
          MonitoringScheduleName: 'other',
          MonitoringScheduleConfig: {
            ...hourly('dq'),
            ScheduleConfig: { ScheduleExpression: 'cron(15 * ? * * *)' },
          },
        }),
      ),
    );
    expect(badCron.name).toBe('ValidationException');
  });
});

describe('Model Monitor closed to new customers', () => {
  it("refuses the creates of the steered account (or of every account) with AWS's notice", async () => {
    await h.emulator.control.steer({ kind: 'ModelMonitorClosed', name: '210987654321' });
    await dataQualityDefinition('other-account-steered');
    await h.emulator.control.steer({ kind: 'ModelMonitorClosed', name: '123456789012' });
    const definition = await failure(dataQualityDefinition('closed'));
    expect(definition).toMatchObject({
      name: 'AccessDeniedException',
      message:
        'Amazon SageMaker Model Monitor is no longer open to new customers. Existing customers can continue to use the service as normal.',
    });
    const schedule = await failure(
      h.sagemaker.send(
        new CreateMonitoringScheduleCommand({
          MonitoringScheduleName: 'closed',
          MonitoringScheduleConfig: hourly('other-account-steered'),
        }),
      ),
    );
    expect(schedule.name).toBe('AccessDeniedException');
    await h.emulator.control.clearSteers();
    await h.emulator.control.steer({
      kind: 'ModelMonitorClosed',
      name: '*',
      code: 'ValidationException',
      message: 'closed',
    });
    expect(await failure(dataQualityDefinition('closed'))).toMatchObject({
      name: 'ValidationException',
      message: 'closed',
    });
  });
});

describe('processing and transform jobs', () => {
  it('a baselining job writes statistics.json and constraints.json', async () => {
    await h.sagemaker.send(
      new CreateProcessingJobCommand({
        ProcessingJobName: 'baseline',
        RoleArn: role,
        AppSpecification: { ImageUri: analyzer },
        ProcessingResources: cluster,
        ProcessingOutputConfig: {
          Outputs: [
            {
              OutputName: 'monitoring_output',
              S3Output: {
                S3Uri: `s3://${h.bucket}/baseline/results`,
                LocalPath: '/opt/ml/processing/output',
                S3UploadMode: 'EndOfJob',
              },
            },
          ],
        },
      }),
    );
    const describe = () =>
      h.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: 'baseline' }));
    expect((await describe()).ProcessingJobStatus).toBe('InProgress');
    await until(describe, (d) => d.ProcessingJobStatus === 'Completed');
    expect(await h.keys('baseline/results/')).toEqual([
      'baseline/results/constraints.json',
      'baseline/results/statistics.json',
    ]);
    const constraints = JSON.parse(await h.read('baseline/results/constraints.json')) as {
      monitoring_config: object;
    };
    expect(constraints.monitoring_config).toMatchObject({ evaluate_constraints: 'Enabled' });
    expect(
      await failure(h.sagemaker.send(new StopProcessingJobCommand({ ProcessingJobName: 'baseline' }))),
    ).toMatchObject({
      message: 'The request was rejected because the processing job is in status Completed.',
    });
    expect(
      await failure(h.sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: 'nope' }))),
    ).toMatchObject({ name: 'ValidationException', message: 'Could not find requested job with name nope' });
  });

  it('a transform job writes <input>.out per input object; a stopped one writes nothing', async () => {
    await h.sagemaker.send(
      new CreateModelCommand({
        ModelName: 'tm',
        PrimaryContainer: { Image: 'x', ModelDataUrl: `s3://${h.bucket}/m.tar.gz` },
      }),
    );
    for (const key of ['batch/in/a.csv', 'batch/in/b.csv']) {
      await h.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: key, Body: '1,2\n3,4\n' }));
    }
    const transform = (name: string, out: string) =>
      h.sagemaker.send(
        new CreateTransformJobCommand({
          TransformJobName: name,
          ModelName: 'tm',
          TransformInput: {
            DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${h.bucket}/batch/in` } },
            ContentType: 'text/csv',
            SplitType: 'Line',
          },
          TransformOutput: { S3OutputPath: `s3://${h.bucket}/${out}`, AssembleWith: 'Line' },
          TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
        }),
      );
    await transform('tj', 'batch/out');
    await until(
      () => h.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: 'tj' })),
      (d) => d.TransformJobStatus === 'Completed',
    );
    expect(await h.keys('batch/out/')).toEqual(['batch/out/a.csv.out', 'batch/out/b.csv.out']);
    expect((await h.read('batch/out/a.csv.out')).split('\n')).toHaveLength(2);

    await transform('tj-stop', 'batch/stopped');
    await h.sagemaker.send(new StopTransformJobCommand({ TransformJobName: 'tj-stop' }));
    await until(
      () => h.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: 'tj-stop' })),
      (d) => d.TransformJobStatus === 'Stopped',
    );
    expect(await h.keys('batch/stopped/')).toEqual([]);
    expect((await failure(transform('tj', 'batch/again'))).name).toBe('ResourceInUse');
  });
});

describe('endpoints feeding schedules', () => {
  it('an inline DataQuality definition names its endpoint', async () => {
    await h.sagemaker.send(new CreateModelCommand({ ModelName: 'm', PrimaryContainer: { Image: 'x' } }));
    await h.sagemaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'c',
        ProductionVariants: [
          { VariantName: 'v', ModelName: 'm', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
        ],
      }),
    );
    await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'live', EndpointConfigName: 'c' }));
    await h.sagemaker.send(
      new CreateMonitoringScheduleCommand({
        MonitoringScheduleName: 'inline',
        MonitoringScheduleConfig: {
          ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' },
          MonitoringJobDefinition: {
            MonitoringInputs: [
              { EndpointInput: { EndpointName: 'live', LocalPath: '/opt/ml/processing/input' } },
            ],
            MonitoringOutputConfig: {
              MonitoringOutputs: [
                { S3Output: { S3Uri: `s3://${h.bucket}/inline`, LocalPath: '/opt/ml/processing/output' } },
              ],
            },
            MonitoringResources: cluster,
            MonitoringAppSpecification: { ImageUri: analyzer },
            RoleArn: role,
          },
        },
      }),
    );
    expect((await describeSchedule('inline')).EndpointName).toBe('live');
  });
});
