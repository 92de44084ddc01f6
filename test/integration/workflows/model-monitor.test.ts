import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import type {
  CreateDataQualityJobDefinitionRequest,
  CreateEndpointConfigInput,
  CreateModelInput,
  CreateMonitoringScheduleRequest,
  CreateProcessingJobRequest,
} from '@aws-sdk/client-sagemaker';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type {
  MonitoringScheduleSpec,
  MonitoringScheduleStatus,
} from '../../../src/crds/monitoring-schedule.js';
import { until } from '../endpoint/support.js';
import { requestsTo } from '../support/jobs.js';
import { kubectl } from '../support/kubectl.js';
import { condition, OperatorHarness } from '../support/operator.js';

/*
 * examples/workflows/model-monitor/ applied as a user would: the uploads the original does by hand,
 * one `kubectl apply -f` of the folder, `kubectl wait` on the endpoint, traffic through SageMaker
 * Runtime, `kubectl wait` on the schedule's violations, the report read from S3; then what reached
 * SageMaker.
 */

const FOLDER = 'examples/workflows/model-monitor/';
const BUCKET = 'my-sagemaker-bucket';
const PREFIX = `s3://${BUCKET}/sagemaker/DEMO-ModelMonitor`;
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecutionRole';
const HOURLY = 'cron(0 * ? * * *)';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A few rows of the churn data: the training set with its header and label, the test rows without. */
const TRAINING_SET = [
  'Churn,Account Length,VMail Message,Day Mins,Day Calls,Eve Mins,Eve Calls,Night Mins,Night Calls',
  '0,106,0,274.4,120,198.6,82,160.8,62',
  '0,28,0,187.8,94,248.6,86,208.8,124',
  '1,148,0,279.3,104,201.6,87,280.8,99',
].join('\n');
const TEST_ROWS = [
  '186,0,137.8,97,187.7,118,146.4,85',
  '132,0,191.9,107,206.9,127,272.0,88',
  '112,0,207.0,105,201.1,88,182.3,129',
];

let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('wf-monitor');
  await h.cloud.s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  // SageMaker refuses a model whose artifact is not in S3, and fails a job whose input is missing.
  await h.cloud.emulator.control.configure({ s3Checks: { inputsExist: true } });
});
afterAll(async () => {
  await h.stop();
});

const sagemakerName = (name: string): string => `${h.namespace}-${name}`;
const keyOf = (uri: string): string => uri.replace(`s3://${BUCKET}/`, '');

async function upload(uri: string, body: string | Uint8Array): Promise<void> {
  await h.cloud.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf(uri), Body: body }));
}

async function read(uri: string): Promise<string> {
  const object = await h.cloud.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: keyOf(uri) }));
  return (await object.Body?.transformToString()) ?? '';
}

async function keys(prefix: string): Promise<string[]> {
  const listed = await h.cloud.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: keyOf(prefix) }));
  return (listed.Contents ?? []).flatMap((o) => (o.Key ? [`s3://${BUCKET}/${o.Key}`] : []));
}

/** What the original uploads by hand, as the folder's README says: the model, the dataset, the script. */
async function uploadByHand(): Promise<void> {
  await upload(`${PREFIX}/xgb-churn-prediction-model.tar.gz`, new Uint8Array([0x1f, 0x8b, 0x08, 0x00]));
  await upload(`${PREFIX}/baselining/data/training-dataset-with-header.csv`, TRAINING_SET);
  await upload(`${PREFIX}/code/postprocessor.py`, await readFile(`${ROOT}${FOLDER}postprocessor.py`));
}

/** The emulator's sequence number of the accepted call to `operation` about `resource`. */
async function seqOf(resource: string, operation: string): Promise<number> {
  const { calls } = await h.cloud.emulator.control.calls({ resource, operation });
  return calls.find((c) => c.outcome === 'ok')?.seq ?? -1;
}

describe('the Model Monitor workflow (capture, baseline, schedule, violations)', () => {
  it('hosts the model with data capture, baselines the training set, and reports the executions’ violations', async () => {
    await uploadByHand();
    // The traffic drifts from the baseline: every execution finds violations.
    await h.cloud.emulator.control.steer({
      kind: 'MonitoringSchedule',
      name: sagemakerName('xgb-churn-pred-schedule'),
      outcome: 'CompletedWithViolations',
    });

    await kubectl(h.namespace, ['apply', '-f', FOLDER]);
    await kubectl(h.namespace, ['wait', 'smep/xgb-churn-pred', '--for=condition=Ready', '--timeout=120s']);

    // Invoke the deployed model, as the user does, and find each request and response captured.
    const endpoint = await h.get<EndpointSpec, EndpointStatus>('endpoints', 'xgb-churn-pred');
    const endpointName = endpoint?.status?.endpointName ?? '';
    expect(endpointName).toBe(sagemakerName('xgb-churn-pred'));
    for (const row of TEST_ROWS) {
      const answer = await h.cloud.runtime.send(
        new InvokeEndpointCommand({ EndpointName: endpointName, ContentType: 'text/csv', Body: row }),
      );
      expect(answer.$metadata.httpStatusCode).toBe(200);
    }
    const captured = await keys(`${PREFIX}/datacapture/${endpointName}/AllTraffic/`);
    expect(captured).toHaveLength(TEST_ROWS.length);
    const records = await Promise.all(
      captured.map(
        async (uri) =>
          JSON.parse((await read(uri)).trim()) as {
            captureData: {
              endpointInput: { data: string; encoding: string; observedContentType: string };
              endpointOutput?: unknown;
            };
          },
      ),
    );
    expect(records.map((r) => r.captureData.endpointInput.data).sort()).toEqual([...TEST_ROWS].sort());
    for (const record of records) {
      expect(record.captureData.endpointInput).toMatchObject({
        encoding: 'CSV',
        observedContentType: 'text/csv',
      });
      expect(record.captureData.endpointOutput).toBeDefined();
    }

    await kubectl(h.namespace, [
      'wait',
      'smmon/xgb-churn-pred-schedule',
      '--for=condition=Violations=True',
      '--timeout=120s',
    ]);
    // The schedule runs every 3.6 seconds here: the next execution may already be Pending.
    const finished = (o: { status?: MonitoringScheduleStatus } | undefined): boolean =>
      o?.status?.lastExecution?.status === 'CompletedWithViolations';
    const schedule = await h.waitFor<MonitoringScheduleSpec, MonitoringScheduleStatus>(
      'monitoringschedules',
      'xgb-churn-pred-schedule',
      finished,
    );
    const status = schedule?.status;
    const results = `${PREFIX}/baselining/results`;
    expect(status).toMatchObject({
      monitoringScheduleStatus: 'Scheduled',
      endpointName,
      baseline: {
        jobStatus: 'Completed',
        constraintsUri: `${results}/constraints.json`,
        statisticsUri: `${results}/statistics.json`,
      },
      lastExecution: { status: 'CompletedWithViolations', violations: { count: 2 } },
    });
    expect(condition(schedule, 'Ready')).toMatchObject({ status: 'True', reason: 'Scheduled' });
    expect(condition(schedule, 'Violations')).toMatchObject({ status: 'True', reason: 'ViolationsFound' });
    const row =
      /xgb-churn-pred-schedule\s+True\s+True\s+Scheduled\s+Scheduled\s+CompletedWithViolations\s+2\s/;
    await until(async () =>
      row.test(await kubectl(h.namespace, ['get', 'smmon', 'xgb-churn-pred-schedule'])),
    );

    // What the user looks at by hand: the suggested baseline and the latest violations report.
    expect(JSON.parse(await read(`${results}/constraints.json`))).toHaveProperty('features');
    expect(JSON.parse(await read(`${results}/statistics.json`))).toHaveProperty('features');
    const reportUri = status?.lastExecution?.reportUri ?? '';
    expect(
      reportUri.startsWith(`${PREFIX}/reports/${endpointName}/${sagemakerName('xgb-churn-pred-schedule')}/`),
    ).toBe(true);
    const report = JSON.parse(await read(`${reportUri}/constraint_violations.json`)) as {
      violations: { feature_name: string; constraint_check_type: string }[];
    };
    expect(report.violations.map((v) => [v.feature_name, v.constraint_check_type])).toEqual(
      status?.lastExecution?.violations?.first.map((v) => [v.featureName, v.checkType]),
    );

    // At the wire: the model, and the endpoint config's data capture.
    const [model] = await requestsTo<CreateModelInput>(
      h,
      endpoint?.status?.modelNames?.[0] ?? '',
      'CreateModel',
    );
    expect(model?.PrimaryContainer).toMatchObject({
      Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:0.90-1-cpu-py3',
      ModelDataUrl: `${PREFIX}/xgb-churn-prediction-model.tar.gz`,
    });
    const [config] = await requestsTo<CreateEndpointConfigInput>(
      h,
      endpoint?.status?.endpointConfigName ?? '',
      'CreateEndpointConfig',
    );
    expect(config?.DataCaptureConfig).toEqual({
      EnableCapture: true,
      InitialSamplingPercentage: 100,
      DestinationS3Uri: `${PREFIX}/datacapture`,
      KmsKeyId: KEY,
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'], JsonContentTypes: ['application/json'] },
    });
    expect(config?.ProductionVariants).toEqual([
      expect.objectContaining({
        VariantName: 'AllTraffic',
        InstanceType: 'ml.m4.xlarge',
        InitialInstanceCount: 1,
      }),
    ]);

    // The baselining job suggest_baseline runs: the training set in, constraints and statistics out.
    const baselineJob = status?.baseline?.jobName ?? '';
    const [baselining] = await requestsTo<CreateProcessingJobRequest>(h, baselineJob, 'CreateProcessingJob');
    expect(baselining?.AppSpecification?.ImageUri).toBe(
      '156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer',
    );
    expect(baselining?.ProcessingInputs?.map((i) => [i.InputName, i.S3Input?.S3Uri])).toEqual([
      ['baseline_dataset_input', `${PREFIX}/baselining/data/training-dataset-with-header.csv`],
    ]);
    expect(
      baselining?.ProcessingOutputConfig?.Outputs?.map((o) => [o.OutputName, o.S3Output?.S3Uri]),
    ).toEqual([['monitoring_output', results]]);
    expect(baselining).toMatchObject({
      RoleArn: ROLE,
      ProcessingResources: {
        ClusterConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 20 },
      },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      Environment: {
        dataset_format: '{"csv":{"header":true,"output_columns_position":"START"}}',
        publish_cloudwatch_metrics: 'Disabled',
      },
    });

    // The schedule's job definition compares the endpoint's captured data with that baseline.
    const definitionName = status?.jobDefinitionName ?? '';
    const [definition] = await requestsTo<CreateDataQualityJobDefinitionRequest>(
      h,
      definitionName,
      'CreateDataQualityJobDefinition',
    );
    expect(definition?.DataQualityBaselineConfig).toEqual({
      ConstraintsResource: { S3Uri: `${results}/constraints.json` },
      StatisticsResource: { S3Uri: `${results}/statistics.json` },
    });
    expect(definition?.DataQualityJobInput?.EndpointInput).toMatchObject({
      EndpointName: endpointName,
      LocalPath: '/opt/ml/processing/input/endpoint',
    });
    expect(definition?.DataQualityAppSpecification).toMatchObject({
      PostAnalyticsProcessorSourceUri: `${PREFIX}/code/postprocessor.py`,
      Environment: { publish_cloudwatch_metrics: 'Enabled' },
    });
    expect(definition?.DataQualityJobOutputConfig?.MonitoringOutputs?.[0]?.S3Output?.S3Uri).toBe(
      `${PREFIX}/reports`,
    );
    const [created] = await requestsTo<CreateMonitoringScheduleRequest>(
      h,
      sagemakerName('xgb-churn-pred-schedule'),
      'CreateMonitoringSchedule',
    );
    expect(created?.MonitoringScheduleConfig).toMatchObject({
      MonitoringType: 'DataQuality',
      MonitoringJobDefinitionName: definitionName,
      ScheduleConfig: { ScheduleExpression: HOURLY },
    });

    // In the original's order: deploy, then suggest the baseline, then create the schedule.
    const order = [
      await seqOf(endpointName, 'CreateEndpoint'),
      await seqOf(baselineJob, 'CreateProcessingJob'),
      await seqOf(definitionName, 'CreateDataQualityJobDefinition'),
      await seqOf(sagemakerName('xgb-churn-pred-schedule'), 'CreateMonitoringSchedule'),
    ];
    expect(order.every((seq) => seq > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('shows a schedule Model Monitor refused to the account as AccessDenied, the endpoint serving and capturing', async () => {
    const other = await h.addNamespace('wf-monitor-closed');
    await h.cloud.emulator.control.steer({ kind: 'ModelMonitorClosed', name: '*' });
    try {
      await uploadByHand();
      await kubectl(other, ['apply', '-f', FOLDER]);
      await kubectl(other, [
        'wait',
        'smmon/xgb-churn-pred-schedule',
        '--for=condition=Stalled',
        '--timeout=120s',
      ]);
      const listed = await kubectl(other, ['get', 'smmon', 'xgb-churn-pred-schedule']);
      expect(listed).toMatch(/xgb-churn-pred-schedule\s+False\s+False\s+AccessDenied\s/);
      const refused = JSON.parse(
        await kubectl(other, ['get', 'smmon', 'xgb-churn-pred-schedule', '-o', 'json']),
      ) as { status: MonitoringScheduleStatus };
      expect(condition(refused, 'Ready')).toMatchObject({ status: 'False', reason: 'AccessDenied' });
      expect(condition(refused, 'Ready')?.message).toContain(
        'Amazon SageMaker Model Monitor is no longer open to new customers.',
      );
      expect(refused.status.monitoringScheduleArn).toBeUndefined();
      await kubectl(other, ['wait', 'smep/xgb-churn-pred', '--for=condition=Ready', '--timeout=120s']);
      const endpointName = `${other}-xgb-churn-pred`;
      await h.cloud.runtime.send(
        new InvokeEndpointCommand({
          EndpointName: endpointName,
          ContentType: 'text/csv',
          Body: TEST_ROWS.join('\n'),
        }),
      );
      expect(await keys(`${PREFIX}/datacapture/${endpointName}/AllTraffic/`)).toHaveLength(1);
    } finally {
      await h.cloud.emulator.control.clearSteers();
    }
  });
});
