import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import {
  CreateDataQualityJobDefinitionCommand,
  CreateMonitoringScheduleCommand,
  DescribeDataQualityJobDefinitionCommand,
  DescribeMonitoringScheduleCommand,
  DescribeProcessingJobCommand,
  ListTagsCommand,
} from '@aws-sdk/client-sagemaker';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type {
  MonitoringScheduleSpec,
  MonitoringScheduleStatus,
} from '../../../src/crds/monitoring-schedule.js';
import { readFileSync } from 'node:fs';
import { judgeWithArgoCd, judgeWithKstatus } from '../../rig/judges.js';
import { role } from '../../emulator/test-harness.js';
import { loadExamples } from '../support/examples.js';
import { condition, eventsAbout, OperatorHarness } from '../support/operator.js';
import { callsTo, createInService, endpointSpec, IMAGE, until } from '../endpoint/support.js';
import { HOURLY, PLURAL, scheduleSpec, type Schedule } from './support.js';

let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('mon');
});
afterAll(async () => {
  await h.stop();
});

const scheduleName = (name: string) => `${h.namespace}-${name}`;

const spec = (overrides: Partial<MonitoringScheduleSpec> = {}, instanceType?: string) =>
  scheduleSpec(h, overrides, instanceType);

const waitFor = (name: string, check: (o: Schedule | undefined) => boolean, timeoutMs?: number) =>
  h.waitFor<MonitoringScheduleSpec, MonitoringScheduleStatus>(PLURAL, name, check, timeoutMs);

const scheduled = (o: Schedule | undefined) =>
  o?.status?.monitoringScheduleStatus === 'Scheduled' && condition(o, 'Ready')?.status === 'True';

/** Every execution of the object's schedule ends so in the emulator. */
async function steerExecutions(
  object: string,
  outcome: 'CompletedWithViolations' | 'Failed',
  failureReason?: string,
): Promise<void> {
  await h.cloud.emulator.control.steer({
    kind: 'MonitoringSchedule',
    name: scheduleName(object),
    outcome,
    ...(failureReason && { failureReason }),
  });
}

async function definitionOf(name: string) {
  return h.cloud.sagemaker.send(new DescribeDataQualityJobDefinitionCommand({ JobDefinitionName: name }));
}

async function gone(describe: Promise<unknown>): Promise<boolean> {
  return describe.then(
    () => false,
    (err: unknown) => (err as { name?: string }).name === 'ResourceNotFound',
  );
}

describe('MonitoringSchedule', () => {
  it('creates a content-addressed job definition and a schedule, tagged, and reaches Scheduled', async () => {
    await h.create(PLURAL, 'MonitoringSchedule', 'happy', spec());
    const obj = await waitFor('happy', scheduled);
    const name = scheduleName('happy');
    const definitionName = obj?.status?.jobDefinitionName ?? '';
    expect(definitionName).toMatch(new RegExp(`^${name}-[0-9a-f]{8}$`));
    expect(obj?.status).toMatchObject({
      monitoringScheduleName: name,
      createdJobDefinitionNames: [definitionName],
    });
    expect(condition(obj, 'Ready')).toMatchObject({ reason: 'Scheduled' });
    const definition = await definitionOf(definitionName);
    expect(definition.DataQualityAppSpecification?.ImageUri).toBe(
      '156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer',
    );
    expect(definition.DataQualityJobInput?.EndpointInput?.EndpointName).toBe('outside-endpoint');
    const schedule = await h.cloud.sagemaker.send(
      new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: name }),
    );
    expect(schedule.MonitoringScheduleConfig?.MonitoringJobDefinitionName).toBe(definitionName);
    const tags = await h.cloud.sagemaker.send(
      new ListTagsCommand({ ResourceArn: schedule.MonitoringScheduleArn }),
    );
    expect(tags.Tags).toEqual(expect.arrayContaining([{ Key: 'mlops.dev/uid', Value: obj?.metadata.uid }]));
  });

  it('baselines the dataset with the analyzer and gives the definition its constraints and statistics', async () => {
    const dataset = `s3://${h.cloud.bucket}/training/train.csv`;
    await h.create(
      PLURAL,
      'MonitoringSchedule',
      'baselined',
      spec({
        baseline: {
          fromDataset: {
            s3Uri: dataset,
            datasetFormat: { csv: { header: true } },
            recordPreprocessorSourceUri: `s3://${h.cloud.bucket}/code/preprocessor.py`,
          },
        },
      }),
    );
    const obj = await waitFor('baselined', scheduled);
    const baseline = obj?.status?.baseline;
    expect(baseline).toMatchObject({ jobStatus: 'Completed' });
    const job = await h.cloud.sagemaker.send(
      new DescribeProcessingJobCommand({ ProcessingJobName: baseline?.jobName }),
    );
    expect(job.AppSpecification?.ImageUri).toContain('sagemaker-model-monitor-analyzer');
    expect(job.ProcessingInputs?.[0]).toMatchObject({
      InputName: 'baseline_dataset_input',
      S3Input: { S3Uri: dataset },
    });
    expect(job.Environment).toMatchObject({
      dataset_format: '{"csv":{"header":true,"output_columns_position":"START"}}',
      publish_cloudwatch_metrics: 'Disabled',
      record_preprocessor_script: '/opt/ml/processing/input/record_preprocessor_script_input/preprocessor.py',
    });
    const definition = await definitionOf(obj?.status?.jobDefinitionName ?? '');
    expect(definition.DataQualityBaselineConfig).toEqual({
      ConstraintsResource: { S3Uri: baseline?.constraintsUri },
      StatisticsResource: { S3Uri: baseline?.statisticsUri },
    });
    const key = (baseline?.constraintsUri ?? '').replace(`s3://${h.cloud.bucket}/`, '');
    expect(JSON.parse(await h.cloud.read(key))).toHaveProperty('monitoring_config');
  });

  it('baselines again when the dataset changes, and moves the schedule to the new baseline', async () => {
    const fromDataset = (key: string) => ({
      baseline: {
        fromDataset: { s3Uri: `s3://${h.cloud.bucket}/${key}`, datasetFormat: { json: { lines: true } } },
      },
    });
    await h.create(PLURAL, 'MonitoringSchedule', 'rebaseline', spec(fromDataset('v1.jsonl')));
    const first = await waitFor('rebaseline', scheduled);
    await h.patchSpec(PLURAL, 'rebaseline', fromDataset('v2.jsonl'));
    const second = await waitFor(
      'rebaseline',
      (o) =>
        scheduled(o) &&
        o?.status?.observedGeneration === 2 &&
        o.status.baseline?.jobStatus === 'Completed' &&
        o.status.baseline.jobName !== first?.status?.baseline?.jobName,
      30_000,
    );
    const job = await h.cloud.sagemaker.send(
      new DescribeProcessingJobCommand({ ProcessingJobName: second?.status?.baseline?.jobName }),
    );
    expect(job.ProcessingInputs?.[0]?.S3Input?.S3Uri).toBe(`s3://${h.cloud.bucket}/v2.jsonl`);
    expect(job.Environment?.dataset_format).toBe('{"json":{"lines":true}}');
    const definition = await definitionOf(second?.status?.jobDefinitionName ?? '');
    expect(definition.DataQualityBaselineConfig?.ConstraintsResource?.S3Uri).toBe(
      second?.status?.baseline?.constraintsUri,
    );
    expect(second?.status?.jobDefinitionName).not.toBe(first?.status?.jobDefinitionName);
  });

  it.each([
    ['ModelBias', 'modelBiasJobDefinition', { groundTruthS3Input: { s3Uri: 's3://labels/truth' } }],
    ['ModelExplainability', 'modelExplainabilityJobDefinition', {}],
  ] as const)('runs a %s schedule with its own job definition', async (type, field, input) => {
    const name = type.toLowerCase();
    const prefix = field.replace('JobDefinition', '');
    const definition = spec().dataQualityJobDefinition;
    await h.create(PLURAL, 'MonitoringSchedule', name, {
      monitoringType: type,
      endpointName: 'outside-endpoint',
      schedule: { scheduleExpression: 'cron(0 0/6 ? * * *)' },
      baseline: { constraintsUri: `s3://${h.cloud.bucket}/clarify/analysis.json` },
      [field]: {
        [`${prefix}AppSpecification`]: {
          imageUri: '205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0',
          configUri: `s3://${h.cloud.bucket}/clarify/analysis_config.json`,
        },
        [`${prefix}JobInput`]: input,
        [`${prefix}JobOutputConfig`]: definition?.dataQualityJobOutputConfig,
        jobResources: definition?.jobResources,
        roleArn: role,
      },
    });
    const obj = await waitFor(name, scheduled);
    const schedule = await h.cloud.sagemaker.send(
      new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: scheduleName(name) }),
    );
    expect(schedule.MonitoringScheduleConfig).toMatchObject({
      MonitoringType: type,
      MonitoringJobDefinitionName: obj?.status?.jobDefinitionName,
    });
    expect(schedule.EndpointName).toBe('outside-endpoint');
  });

  it('stops the baselining job it started when deleted before the schedule exists', async () => {
    await h.cloud.emulator.control.configure({ timings: { processingRunning: 5000 } });
    try {
      await h.create(
        PLURAL,
        'MonitoringSchedule',
        'abandoned',
        spec({
          baseline: {
            fromDataset: {
              s3Uri: `s3://${h.cloud.bucket}/big.csv`,
              datasetFormat: { csv: { header: true } },
            },
          },
        }),
      );
      const baselining = await waitFor(
        'abandoned',
        (o) =>
          condition(o, 'Ready')?.reason === 'Baselining' && o?.status?.baseline?.jobStatus === 'InProgress',
      );
      await h.delete(PLURAL, 'abandoned');
      await waitFor('abandoned', (o) => o === undefined);
      const job = await h.cloud.sagemaker.send(
        new DescribeProcessingJobCommand({ ProcessingJobName: baselining?.status?.baseline?.jobName }),
      );
      expect(['Stopping', 'Stopped']).toContain(job.ProcessingJobStatus);
      expect(await callsTo(h, scheduleName('abandoned'), 'CreateMonitoringSchedule')).toHaveLength(0);
    } finally {
      await h.cloud.emulator.control.configure({ timings: { processingRunning: 300 } });
    }
  });

  it('reports an execution with violations in status, a condition and a Warning event', async () => {
    await steerExecutions('violations', 'CompletedWithViolations');
    await h.create(PLURAL, 'MonitoringSchedule', 'violations', spec());
    const obj = await waitFor(
      'violations',
      (o) => o?.status?.lastExecution?.status === 'CompletedWithViolations',
      30_000,
    );
    const last = obj?.status?.lastExecution;
    expect(last?.violations).toEqual({
      count: 2,
      byCheckType: { baseline_drift_check: 1, categorical_values_check: 1 },
      first: [
        expect.objectContaining({ featureName: '_c0', checkType: 'baseline_drift_check' }),
        expect.objectContaining({ featureName: '_c2', checkType: 'categorical_values_check' }),
      ],
    });
    const job = await h.cloud.sagemaker.send(
      new DescribeProcessingJobCommand({ ProcessingJobName: last?.processingJobName }),
    );
    expect(last?.reportUri).toBe(job.ProcessingOutputConfig?.Outputs?.[0]?.S3Output?.S3Uri);
    expect(obj?.status?.lastCompletedExecutionTime).toBe(last?.scheduledTime);
    expect(condition(obj, 'Violations')).toMatchObject({ status: 'True', reason: 'ViolationsFound' });
    expect(condition(obj, 'Ready')).toMatchObject({ status: 'True' });
    await until(async () =>
      (await eventsAbout(h, 'violations')).some(
        (e) => e.type === 'Warning' && e.reason === 'ViolationsFound',
      ),
    );
    // Finding drift is the schedule doing its job: Flux, kpt and Argo CD see a healthy object.
    const script = readFileSync(
      new URL('../../../deploy/helm/sagemaker-operator/argocd/health.lua', import.meta.url),
      'utf8',
    );
    const [byKstatus] = await judgeWithKstatus([obj ?? {}]);
    const [byArgoCd] = await judgeWithArgoCd(script, [obj ?? {}]);
    expect({ kstatus: byKstatus?.status, argocd: byArgoCd?.status }).toEqual({
      kstatus: 'Current',
      argocd: 'Healthy',
    });
  });

  it('updates the job definition only once the running execution finished, then deletes the old one', async () => {
    await h.cloud.emulator.control.configure({ timings: { processingRunning: 1500 } });
    try {
      await h.create(PLURAL, 'MonitoringSchedule', 'rolling', spec());
      const running = await waitFor(
        'rolling',
        (o) => o?.status?.lastExecution?.status === 'InProgress',
        30_000,
      );
      const oldDefinition = running?.status?.jobDefinitionName ?? '';
      await h.patchSpec(PLURAL, 'rolling', { ...spec({}, 'ml.m5.2xlarge') });
      const waiting = await waitFor('rolling', (o) => condition(o, 'Ready')?.reason === 'Updating');
      expect(condition(waiting, 'Ready')?.message).toContain('to finish');
      const after = await waitFor(
        'rolling',
        (o) =>
          scheduled(o) &&
          o?.status?.jobDefinitionName !== oldDefinition &&
          o?.status?.createdJobDefinitionNames?.length === 1,
        30_000,
      );
      const job = await h.cloud.sagemaker.send(
        new DescribeProcessingJobCommand({
          ProcessingJobName: running?.status?.lastExecution?.processingJobName,
        }),
      );
      const updates = (await callsTo(h, scheduleName('rolling'), 'UpdateMonitoringSchedule')).filter(
        (c) => c.outcome === 'ok',
      );
      expect(updates).toHaveLength(1);
      expect(updates[0]?.time).toBeGreaterThanOrEqual(job.ProcessingEndTime?.getTime() ?? Infinity);
      expect(await gone(definitionOf(oldDefinition))).toBe(true);
      expect(after?.status?.createdJobDefinitionNames).toEqual([after?.status?.jobDefinitionName]);
    } finally {
      await h.cloud.emulator.control.configure({ timings: { processingRunning: 300 } });
    }
  });

  it("monitors a batch transform's captured data, and reports a failed execution with one Warning", async () => {
    await steerExecutions('batch', 'Failed', 'AlgorithmError: no captured data');
    const { endpointName: _outside, ...base } = spec();
    const definition = base.dataQualityJobDefinition;
    await h.create(PLURAL, 'MonitoringSchedule', 'batch', {
      ...base,
      dataQualityJobDefinition: {
        ...definition,
        dataQualityJobInput: {
          batchTransformInput: {
            dataCapturedDestinationS3Uri: `s3://${h.cloud.bucket}/transform-capture`,
            datasetFormat: { csv: { header: true } },
            localPath: '/opt/ml/processing/input/batch',
          },
        },
      },
    });
    const failed = await waitFor('batch', (o) => o?.status?.lastExecution?.status === 'Failed', 30_000);
    expect(failed?.status?.lastExecution?.failureReason).toBe('AlgorithmError: no captured data');
    expect(condition(failed, 'Violations')).toMatchObject({ status: 'Unknown', reason: 'ExecutionFailed' });
    expect(condition(failed, 'Ready')).toMatchObject({ status: 'True', reason: 'Scheduled' });
    const job = await definitionOf(failed?.status?.jobDefinitionName ?? '');
    expect(job.DataQualityJobInput).toEqual({
      BatchTransformInput: {
        DataCapturedDestinationS3Uri: `s3://${h.cloud.bucket}/transform-capture`,
        DatasetFormat: { Csv: { Header: true } },
        LocalPath: '/opt/ml/processing/input/batch',
      },
    });
    await until(async () =>
      (await eventsAbout(h, 'batch')).some((e) => e.type === 'Warning' && e.reason === 'ExecutionFailed'),
    );
    const warnings = (await eventsAbout(h, 'batch')).filter((e) => e.type === 'Warning');
    expect(warnings.map((e) => [e.reason, e.count])).toEqual([['ExecutionFailed', 1]]);
    expect(warnings[0]?.note).toContain('AlgorithmError: no captured data');
  });

  it('puts a tag change on the schedule and its job definition without a new definition', async () => {
    await h.create(PLURAL, 'MonitoringSchedule', 'tagged', spec({ tags: { team: 'a' } }));
    const first = await waitFor('tagged', scheduled);
    await h.patchSpec(PLURAL, 'tagged', { tags: { team: 'b' } });
    const tagsOf = async (arn: string | undefined) =>
      (await h.cloud.sagemaker.send(new ListTagsCommand({ ResourceArn: arn }))).Tags ?? [];
    const definitionArn = (await definitionOf(first?.status?.jobDefinitionName ?? '')).JobDefinitionArn;
    await until(async () => {
      const [schedule, definition] = await Promise.all([
        tagsOf(first?.status?.monitoringScheduleArn),
        tagsOf(definitionArn),
      ]);
      return [schedule, definition].every((tags) => tags.some((t) => t.Key === 'team' && t.Value === 'b'));
    });
    const after = await waitFor('tagged', (o) => scheduled(o) && o?.status?.observedGeneration === 2);
    expect(after?.status?.jobDefinitionName).toBe(first?.status?.jobDefinitionName);
  });

  it('stops a suspended schedule and starts it again', async () => {
    await h.create(PLURAL, 'MonitoringSchedule', 'suspend', spec());
    await waitFor('suspend', scheduled);
    await h.patchSpec(PLURAL, 'suspend', { suspend: true });
    const stopped = await waitFor(
      'suspend',
      (o) =>
        o?.status?.monitoringScheduleStatus === 'Stopped' && condition(o, 'Ready')?.reason === 'Suspended',
    );
    expect(condition(stopped, 'Ready')?.status).toBe('True');
    await h.patchSpec(PLURAL, 'suspend', { suspend: false });
    await waitFor('suspend', (o) => scheduled(o) && condition(o, 'Ready')?.reason === 'Scheduled');
  });

  it('waits while the schedule is Pending before deleting it, then deletes its definitions', async () => {
    await h.cloud.emulator.control.configure({ timings: { scheduleActivating: 2000 } });
    try {
      await h.create(PLURAL, 'MonitoringSchedule', 'pending', spec());
      const pending = await waitFor('pending', (o) => o?.status?.monitoringScheduleStatus === 'Pending');
      const definitionName = pending?.status?.jobDefinitionName ?? '';
      await h.delete(PLURAL, 'pending');
      await waitFor(
        'pending',
        (o) =>
          condition(o, 'Ready')?.reason === 'Deleting' && o?.status?.monitoringScheduleStatus === 'Pending',
      );
      await waitFor('pending', (o) => o === undefined, 30_000);
      const name = scheduleName('pending');
      expect(
        await gone(
          h.cloud.sagemaker.send(new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: name })),
        ),
      ).toBe(true);
      expect(await gone(definitionOf(definitionName))).toBe(true);
      const deletes = await callsTo(h, name, 'DeleteMonitoringSchedule');
      expect(deletes.filter((c) => c.outcome === 'ok')).toHaveLength(1);
    } finally {
      await h.cloud.emulator.control.configure({ timings: { scheduleActivating: 60 } });
    }
  });

  it('adopts an existing schedule only with adoptExisting', async () => {
    const name = `${h.namespace}-existing`;
    await h.cloud.sagemaker.send(
      new CreateDataQualityJobDefinitionCommand({
        JobDefinitionName: `${name}-def`,
        DataQualityAppSpecification: { ImageUri: 'image' },
        DataQualityJobInput: {
          EndpointInput: { EndpointName: 'outside-endpoint', LocalPath: '/opt/ml/processing/input' },
        },
        DataQualityJobOutputConfig: {
          MonitoringOutputs: [
            { S3Output: { S3Uri: `s3://${h.cloud.bucket}/r`, LocalPath: '/opt/ml/processing/output' } },
          ],
        },
        JobResources: {
          ClusterConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 20 },
        },
        RoleArn: role,
      }),
    );
    await h.cloud.sagemaker.send(
      new CreateMonitoringScheduleCommand({
        MonitoringScheduleName: name,
        MonitoringScheduleConfig: {
          ScheduleConfig: { ScheduleExpression: HOURLY },
          MonitoringJobDefinitionName: `${name}-def`,
          MonitoringType: 'DataQuality',
        },
      }),
    );
    await h.create(PLURAL, 'MonitoringSchedule', 'foreign', spec({ monitoringScheduleName: name }));
    const refused = await waitFor('foreign', (o) => condition(o, 'Synced')?.reason === 'AlreadyExists');
    expect(condition(refused, 'Ready')?.reason).toBe('AlreadyExists');
    await h.create(
      PLURAL,
      'MonitoringSchedule',
      'adopter',
      spec({ monitoringScheduleName: name, adoptExisting: true }),
    );
    const adopted = await waitFor('adopter', scheduled, 30_000);
    const schedule = await h.cloud.sagemaker.send(
      new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: name }),
    );
    const definition = adopted?.status?.jobDefinitionName ?? '';
    expect(schedule.MonitoringScheduleConfig?.MonitoringJobDefinitionName).toBe(definition);
    const tags = await h.cloud.sagemaker.send(
      new ListTagsCommand({ ResourceArn: schedule.MonitoringScheduleArn }),
    );
    expect(tags.Tags).toEqual(
      expect.arrayContaining([{ Key: 'mlops.dev/uid', Value: adopted?.metadata.uid }]),
    );
    // Same schedule name and spec, so the same content: each object still has a definition of its
    // own, and the refused one's deletion leaves the adopter's schedule and definition alone.
    const refusedDefinitions = (await waitFor('foreign', (o) => o !== undefined))?.status
      ?.createdJobDefinitionNames;
    expect(refusedDefinitions).toHaveLength(1);
    expect(refusedDefinitions).not.toContain(definition);
    await h.delete(PLURAL, 'foreign');
    await waitFor('foreign', (o) => o === undefined);
    expect(await gone(definitionOf(refusedDefinitions?.[0] ?? ''))).toBe(true);
    expect((await definitionOf(definition)).JobDefinitionName).toBe(definition);
    const kept = await h.cloud.sagemaker.send(
      new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: name }),
    );
    expect(kept.MonitoringScheduleConfig?.MonitoringJobDefinitionName).toBe(definition);
  });

  it('waits for a referenced Endpoint and monitors its SageMaker endpoint', async () => {
    const { endpointName: _unused, ...rest } = spec();
    await h.create(PLURAL, 'MonitoringSchedule', 'chained', { ...rest, endpointRef: { name: 'served' } });
    const waiting = await waitFor('chained', (o) => condition(o, 'Ready')?.reason === 'WaitingForReference');
    expect(waiting?.status?.monitoringScheduleArn).toBeUndefined();
    await createInService(h, 'served', endpointSpec(h));
    const obj = await waitFor('chained', scheduled, 30_000);
    expect(obj?.status?.endpointName).toBe(scheduleName('served'));
    const definition = await definitionOf(obj?.status?.jobDefinitionName ?? '');
    expect(definition.DataQualityJobInput?.EndpointInput).toEqual({
      EndpointName: scheduleName('served'),
      LocalPath: '/opt/ml/processing/input/endpoint',
    });
  });

  it('keeps observing while its Endpoint updates: Ready stays True and executions are recorded', async () => {
    await createInService(h, 'updated', endpointSpec(h));
    const { endpointName: _unused, ...rest } = spec();
    await steerExecutions('observed', 'CompletedWithViolations');
    await h.create(PLURAL, 'MonitoringSchedule', 'observed', { ...rest, endpointRef: { name: 'updated' } });
    await waitFor('observed', scheduled, 30_000);
    // The update lasts 30 SageMaker hours: several executions fall within it.
    await h.cloud.emulator.control.configure({ timings: { endpointUpdating: 30 * 3600 } });
    try {
      await h.patchSpec('endpoints', 'updated', { ...endpointSpec(h, {}, `${IMAGE}-v2`) });
      await h.waitFor<EndpointSpec, EndpointStatus>(
        'endpoints',
        'updated',
        (o) => o?.status?.endpointStatus === 'Updating',
      );
      const since = Date.now();
      const observed = await waitFor(
        'observed',
        (o) =>
          o?.status?.lastExecution?.status === 'CompletedWithViolations' &&
          Date.parse(o.status.lastExecution.scheduledTime) > since,
        30_000,
      );
      const endpoint = await h.waitFor<EndpointSpec, EndpointStatus>('endpoints', 'updated', () => true);
      expect(endpoint?.status?.endpointStatus).toBe('Updating');
      expect(condition(observed, 'Ready')).toMatchObject({ status: 'True', reason: 'Scheduled' });
      expect(condition(observed, 'Violations')).toMatchObject({ status: 'True', reason: 'ViolationsFound' });
      expect(observed?.status?.lastExecution?.violations?.count).toBe(2);
    } finally {
      await h.cloud.emulator.control.configure({ timings: { endpointUpdating: 100 } });
    }
  });

  it.each([
    ['cron(0 * * * ? *)', 'SageMaker accepts'],
    ['rate(1 hour)', 'SageMaker accepts'],
    ['cron(0 24 ? * * *)', 'SageMaker accepts'],
    ['cron(0 0/25 ? * * *)', 'SageMaker accepts'],
    ['NOW', 'NOW needs the analysis window'],
  ])('rejects the schedule expression %s at apply time', async (expression, message) => {
    const error = await h
      .create(PLURAL, 'MonitoringSchedule', 'invalid', spec({ schedule: { scheduleExpression: expression } }))
      .then(
        () => undefined,
        (err: unknown) => err as { code?: number; body?: string },
      );
    expect(error?.code).toBe(422);
    expect(String(error?.body)).toContain(message);
  });

  it('rejects an hourly execution longer than SageMaker allows at apply time', async () => {
    const base = spec();
    const definition = { ...base.dataQualityJobDefinition, stoppingCondition: { maxRuntimeInSeconds: 3601 } };
    const error = await h
      .create(PLURAL, 'MonitoringSchedule', 'too-long', { ...base, dataQualityJobDefinition: definition })
      .then(
        () => undefined,
        (err: unknown) => err as { code?: number; body?: string },
      );
    expect(error?.code).toBe(422);
    expect(String(error?.body)).toContain('an hourly DataQuality execution may run at most 3600 seconds');
  });

  it('applies every monitoring example end to end', async () => {
    await h.cloud.s3.send(new CreateBucketCommand({ Bucket: 'my-sagemaker-bucket' })).catch(() => undefined);
    const schedules: string[] = [];
    for (const [, manifests] of await loadExamples('monitoring')) {
      for (const manifest of manifests) {
        const plural = manifest.kind === 'Endpoint' ? 'endpoints' : PLURAL;
        await h.create(plural, manifest.kind, manifest.metadata.name, manifest.spec);
        if (manifest.kind === 'MonitoringSchedule') schedules.push(manifest.metadata.name);
      }
    }
    expect(schedules.sort()).toEqual([
      'churn-data-quality',
      'churn-model-quality',
      'fraud-data-quality-paused',
    ]);
    const quality = await waitFor('churn-model-quality', scheduled, 30_000);
    expect(quality?.status?.baseline).toMatchObject({ jobStatus: 'Completed' });
    const data = await waitFor('churn-data-quality', scheduled, 30_000);
    const definition = await definitionOf(data?.status?.jobDefinitionName ?? '');
    expect(definition.DataQualityAppSpecification?.RecordPreprocessorSourceUri).toBe(
      's3://my-sagemaker-bucket/churn/code/preprocessor.py',
    );
    expect(definition.DataQualityBaselineConfig?.ConstraintsResource?.S3Uri).toBe(
      data?.status?.baseline?.constraintsUri,
    );
    const paused = await waitFor(
      'fraud-data-quality-paused',
      (o) =>
        o?.status?.monitoringScheduleStatus === 'Stopped' && condition(o, 'Ready')?.reason === 'Suspended',
      30_000,
    );
    expect(paused?.status?.baseline?.constraintsUri).toBe(
      's3://my-sagemaker-bucket/fraud/baseline/constraints.json',
    );
  });

  it('reports Model Monitor closed to the account as a terminal AccessDenied, with one Warning and no retries', async () => {
    const account = role.split(':')[4] ?? '';
    await h.cloud.emulator.control.steer({ kind: 'ModelMonitorClosed', name: account });
    try {
      await h.create(PLURAL, 'MonitoringSchedule', 'closed', spec());
      const refused = await waitFor('closed', (o) => condition(o, 'Synced')?.reason === 'AccessDenied');
      const notice = 'Amazon SageMaker Model Monitor is no longer open to new customers.';
      expect(condition(refused, 'Synced')?.message).toContain(notice);
      expect(condition(refused, 'Ready')).toMatchObject({ status: 'False', reason: 'AccessDenied' });
      expect(condition(refused, 'Stalled')).toMatchObject({ status: 'True' });
      const creates = async () =>
        (await callsTo(h)).filter(
          (c) =>
            /^Create(MonitoringSchedule|\w+JobDefinition)$/.test(c.operation) &&
            (c.resource ?? '').startsWith(scheduleName('closed')),
        );
      expect((await creates()).map((c) => [c.operation, c.outcome])).toEqual([
        ['CreateDataQualityJobDefinition', 'AccessDeniedException'],
      ]);
      // The operator keeps working meanwhile: an endpoint created at 1/1000 time takes several poll
      // intervals to be InService, and the refused schedule makes no other create in all that time.
      await h.cloud.emulator.control.configure({ timings: { endpointCreating: 3000 } });
      await createInService(h, 'closed-clock', endpointSpec(h));
      expect(await creates()).toHaveLength(1);
      const warnings = (await eventsAbout(h, 'closed')).filter((e) => e.type === 'Warning');
      expect(warnings).toEqual([expect.objectContaining({ reason: 'AccessDenied', count: 1 })]);
      expect(warnings[0]?.note).toContain(notice);
    } finally {
      await h.cloud.emulator.control.configure({ timings: { endpointCreating: 600 } });
      await h.cloud.emulator.control.clearSteers();
    }
  });

  it('reports ResourceLimitExceeded from CreateMonitoringSchedule as QuotaExceeded with one Warning', async () => {
    await h.cloud.emulator.control.configure({
      faults: [
        {
          kind: 'error',
          status: 400,
          code: 'ResourceLimitExceeded',
          operation: 'CreateMonitoringSchedule',
          rate: 1,
        },
      ],
    });
    try {
      await h.create(PLURAL, 'MonitoringSchedule', 'over-quota', spec());
      const refused = await waitFor('over-quota', (o) => condition(o, 'Synced')?.reason === 'QuotaExceeded');
      expect(condition(refused, 'Synced')?.message).toContain('ResourceLimitExceeded');
      expect(condition(refused, 'Ready')).toMatchObject({ status: 'False', reason: 'QuotaExceeded' });
      const warnings = (await eventsAbout(h, 'over-quota')).filter((e) => e.type === 'Warning');
      expect(warnings.map((e) => e.reason)).toEqual(['QuotaExceeded']);
    } finally {
      await h.cloud.emulator.control.configure({ faults: [] });
    }
  });

  it('gives an object its own job definitions: a retained one survives the object re-created after it', async () => {
    await h.create(PLURAL, 'MonitoringSchedule', 'reborn', spec({ deletionPolicy: 'Retain' }));
    const first = await waitFor('reborn', scheduled);
    const retained = first?.status?.jobDefinitionName ?? '';
    await h.delete(PLURAL, 'reborn');
    await waitFor('reborn', (o) => o === undefined);
    // Same namespace, name and spec: the same content, but another object (another uid).
    await h.create(PLURAL, 'MonitoringSchedule', 'reborn', spec());
    const second = await waitFor(
      'reborn',
      (o) =>
        scheduled(o) && o?.metadata.uid !== first?.metadata.uid && o?.status?.jobDefinitionName !== retained,
      30_000,
    );
    const own = second?.status?.jobDefinitionName ?? '';
    expect(own).toMatch(new RegExp(`^${scheduleName('reborn')}-[0-9a-f]{8}$`));
    expect(second?.status?.createdJobDefinitionNames).toEqual([own]);
    await h.delete(PLURAL, 'reborn');
    await waitFor('reborn', (o) => o === undefined, 30_000);
    expect(await gone(definitionOf(own))).toBe(true);
    expect((await definitionOf(retained)).JobDefinitionName).toBe(retained);
  });

  it('refuses an unknown region without an image before any SageMaker call, naming the field', async () => {
    await h.create(PLURAL, 'MonitoringSchedule', 'far-away', spec({ region: 'xx-nowhere-9' }));
    const refused = await waitFor('far-away', (o) => condition(o, 'Synced')?.reason === 'InvalidSpec');
    expect(condition(refused, 'Synced')?.message).toContain(
      'no built-in Model Monitor analyzer image is known for region xx-nowhere-9',
    );
    expect(condition(refused, 'Synced')?.message).toContain('dataQualityAppSpecification.imageUri');
    expect(condition(refused, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(await callsTo(h, scheduleName('far-away'))).toEqual([]);
  });
});
