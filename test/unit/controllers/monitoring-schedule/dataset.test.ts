import { describe, expect, it } from '@jest/globals';
import type { UpstreamJobs } from '../../../../src/controllers/common/upstream.js';
import { followedDataset } from '../../../../src/controllers/monitoring-schedule/dataset.js';
import { baselinePlan } from '../../../../src/controllers/monitoring-schedule/plan.js';
import type { MonitoringScheduleSpec } from '../../../../src/crds/monitoring-schedule.js';

const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';

type Dataset = NonNullable<NonNullable<MonitoringScheduleSpec['baseline']>['fromDataset']>;

const spec = (source: Partial<Dataset>): MonitoringScheduleSpec => ({
  monitoringType: 'DataQuality',
  endpointName: 'served',
  schedule: { scheduleExpression: 'cron(0 * ? * * *)' },
  dataQualityJobDefinition: {
    dataQualityAppSpecification: {},
    dataQualityJobInput: {},
    dataQualityJobOutputConfig: {
      monitoringOutputs: [{ s3Output: { s3Uri: 's3://b/reports', localPath: '/opt/ml/processing/output' } }],
    },
    jobResources: { clusterConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 20 } },
    roleArn: ROLE,
  },
  baseline: { fromDataset: { datasetFormat: { csv: { header: true } }, ...source } },
});

const fromPrep = { processingJobRef: { name: 'prep', outputName: 'train' }, path: 'train.csv' };
const referring = spec({ s3UriFrom: fromPrep });

/** The namespace's jobs: ProcessingJob prep (output train at `uri`) in `state`, or none. */
function jobs(state?: string, uri = 's3://b/prep/train'): UpstreamJobs {
  const prep = {
    spec: { processingOutputConfig: { outputs: [{ outputName: 'train', s3Output: { s3Uri: uri } }] } },
    status: {
      processingJobName: 'ns-prep',
      processingJobStatus: state,
      ...(state === 'Completed' && { outputs: [{ outputName: 'train', s3Uri: uri }] }),
    },
  };
  return {
    trainingJob: () => undefined,
    processingJob: (name) => (name === 'prep' && state !== undefined ? (prep as never) : undefined),
    transformJob: () => undefined,
  };
}

const recorded = [
  {
    kind: 'ProcessingJob',
    name: 'prep',
    output: 'train',
    uri: 's3://b/prep/train/train.csv',
    jobName: 'ns-prep',
  },
];

describe('followedDataset', () => {
  it("resolves the dataset to its Completed job's output, with what it read", () => {
    expect(followedDataset(referring, jobs('Completed'), [])).toEqual({
      type: 'ready',
      spec: spec({ s3Uri: 's3://b/prep/train/train.csv' }),
      inputs: recorded,
    });
  });

  it('follows a job that completed with another output URI', () => {
    const followed = followedDataset(referring, jobs('Completed', 's3://b/prep/v2'), recorded);
    expect(followed).toMatchObject({
      spec: { baseline: { fromDataset: { s3Uri: 's3://b/prep/v2/train.csv' } } },
      inputs: [{ uri: 's3://b/prep/v2/train.csv' }],
    });
  });

  it.each([['InProgress'], ['Failed'], [undefined]])(
    'keeps the URI resolved last while its job is %s again',
    (state) => {
      expect(followedDataset(referring, jobs(state), recorded)).toEqual({
        type: 'ready',
        spec: spec({ s3Uri: 's3://b/prep/train/train.csv' }),
      });
    },
  );

  it('waits for a job it never read, and rejects one that failed', () => {
    expect(followedDataset(referring, jobs('InProgress'), [])).toEqual({
      type: 'waiting',
      message: 'waiting for ProcessingJob prep (InProgress) to complete',
    });
    const other = [{ ...recorded[0]!, name: 'other' }];
    expect(followedDataset(referring, jobs('Failed'), other)).toEqual({
      type: 'invalid',
      message: 'ProcessingJob prep is Failed: it will produce no output train',
    });
  });

  it('leaves a dataset given by s3Uri as it is', () => {
    const plain = spec({ s3Uri: 's3://b/data.csv' });
    expect(followedDataset(plain, jobs(), recorded)).toEqual({ type: 'ready', spec: plain, inputs: [] });
  });
});

describe('the baselining job of a dataset from another job', () => {
  const nameOf = (s: MonitoringScheduleSpec) => baselinePlan(s, 'ns-mon', 'us-east-1', [])?.request;

  it('is named after the URI resolved, as if it were given, and reads it', () => {
    const resolved = followedDataset(referring, jobs('Completed'), []);
    const request = resolved.type === 'ready' ? nameOf(resolved.spec) : undefined;
    const given = nameOf(spec({ s3Uri: 's3://b/prep/train/train.csv' }));
    expect(request?.ProcessingJobName).toBe(given?.ProcessingJobName);
    expect(request?.ProcessingInputs?.[0]?.S3Input?.S3Uri).toBe('s3://b/prep/train/train.csv');
    const moved = followedDataset(referring, jobs('Completed', 's3://b/prep/v2'), []);
    expect(moved.type === 'ready' && nameOf(moved.spec)?.ProcessingJobName).not.toBe(
      given?.ProcessingJobName,
    );
  });

  it('is never planned before the dataset is resolved', () => {
    expect(() => nameOf(referring)).toThrow('resolved');
  });
});
