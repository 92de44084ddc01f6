import { describe, expect, it } from '@jest/globals';
import {
  referencedJobs,
  resolvedInputs,
  type ProcessingJobOutcome,
  type Upstreams,
} from '../../../../src/controllers/processing-job/inputs.js';
import { createProcessingJobRequest } from '../../../../src/controllers/processing-job/request.js';
import type { ProcessingJobSpec } from '../../../../src/crds/processing-job.js';

const spec: ProcessingJobSpec = {
  roleArn: 'arn:aws:iam::123456789012:role/SageMakerRole',
  appSpecification: { imageUri: 'img:1' },
  processingResources: {
    clusterConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
  },
  processingInputs: [
    { inputName: 'code', s3Input: { s3Uri: 's3://b/code', s3DataType: 'S3Prefix' } },
    {
      inputName: 'model',
      s3Input: { s3UriFrom: { trainingJobRef: { name: 'train' } }, s3DataType: 'S3Prefix', localPath: '/m' },
    },
    {
      inputName: 'test',
      s3Input: {
        s3UriFrom: { processingJobRef: { name: 'prepare', outputName: 'test' } },
        s3DataType: 'S3Prefix',
      },
    },
  ],
};

const prepare = (status?: ProcessingJobOutcome['status']): ProcessingJobOutcome => ({
  spec: {
    processingOutputConfig: {
      outputs: [{ outputName: 'test', s3Output: { s3Uri: 's3://b/t', s3UploadMode: 'EndOfJob' } }],
    },
  },
  status,
});

const upstreams = (processing: ProcessingJobOutcome | undefined): Upstreams => ({
  trainingJob: (name) =>
    name === 'train'
      ? { trainingJobStatus: 'Completed', modelArtifacts: { s3ModelArtifacts: 's3://b/model.tar.gz' } }
      : undefined,
  processingJob: (name) => (name === 'prepare' ? processing : undefined),
});

describe('ProcessingJob inputs', () => {
  it('names the jobs its inputs refer to, by kind', () => {
    expect(referencedJobs(spec)).toEqual({ trainingJobs: ['train'], processingJobs: ['prepare'] });
  });

  it('resolves every s3UriFrom to its s3Uri, and the request carries only SageMaker members', () => {
    const done = prepare({
      processingJobStatus: 'Completed',
      outputs: [{ outputName: 'test', s3Uri: 's3://b/t' }],
    });
    const resolution = resolvedInputs(spec, upstreams(done));
    if (resolution.type !== 'ready') throw new Error(`not ready: ${resolution.type}`);
    const request = createProcessingJobRequest(spec, resolution.value, 'ns-job', []);
    expect(request.ProcessingInputs).toEqual([
      { InputName: 'code', S3Input: { S3Uri: 's3://b/code', S3DataType: 'S3Prefix' } },
      {
        InputName: 'model',
        S3Input: { S3Uri: 's3://b/model.tar.gz', S3DataType: 'S3Prefix', LocalPath: '/m' },
      },
      { InputName: 'test', S3Input: { S3Uri: 's3://b/t', S3DataType: 'S3Prefix' } },
    ]);
    expect(request).toMatchObject({ ProcessingJobName: 'ns-job', RoleArn: spec.roleArn });
  });

  it('waits for a ProcessingJob still running or not there', () => {
    expect(resolvedInputs(spec, upstreams(prepare({ processingJobStatus: 'InProgress' })))).toEqual({
      type: 'waiting',
      message: 'waiting for ProcessingJob prepare (InProgress) to complete',
    });
    expect(resolvedInputs(spec, upstreams(undefined))).toMatchObject({ type: 'waiting' });
  });

  it('rejects an output the referenced job does not declare', () => {
    const other: ProcessingJobOutcome = { spec: { processingOutputConfig: { outputs: [] } } };
    expect(resolvedInputs(spec, upstreams(other))).toEqual({
      type: 'invalid',
      message: 'ProcessingJob prepare has no output named test',
    });
  });

  it('needs nothing for inputs that name their URIs', () => {
    const plain = { ...spec, processingInputs: spec.processingInputs?.slice(0, 1) };
    expect(resolvedInputs(plain, upstreams(undefined))).toEqual({
      type: 'ready',
      value: plain.processingInputs,
    });
  });
});
