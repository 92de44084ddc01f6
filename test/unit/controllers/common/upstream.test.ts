import { describe, expect, it } from '@jest/globals';
import {
  resolveUpstream,
  resolveUriSources,
  trainingJobArtifacts,
  uriSources,
  type Upstream,
  type UpstreamJobs,
} from '../../../../src/controllers/common/upstream.js';
import type { CreateModelPackageCommandInput } from '@aws-sdk/client-sagemaker';
import { createProcessingJobRequest } from '../../../../src/controllers/processing-job/request.js';
import { toRequest } from '../../../../src/controllers/common/sagemaker-shape.js';
import type { ModelPackageSpec } from '../../../../src/crds/model-package.js';
import type { ProcessingJobSpec } from '../../../../src/crds/processing-job.js';
import { CreateModelPackageInput } from '../../../../src/crds/shapes/sagemaker.generated.js';

const job = (state: string | undefined, uri?: string, found = true): Upstream => ({
  kind: 'ProcessingJob',
  name: 'prepare',
  output: 'train',
  found,
  state,
  uri,
  jobName: 'ns-prepare',
  produces: 'output train',
});

describe('resolveUpstream', () => {
  it('gives the URIs in order once every job has Completed, and what was read of each', () => {
    expect(resolveUpstream([job('Completed', 's3://b/a'), job('Completed', 's3://b/b')])).toEqual({
      type: 'ready',
      uris: ['s3://b/a', 's3://b/b'],
      inputs: [
        { kind: 'ProcessingJob', name: 'prepare', output: 'train', uri: 's3://b/a', jobName: 'ns-prepare' },
        { kind: 'ProcessingJob', name: 'prepare', output: 'train', uri: 's3://b/b', jobName: 'ns-prepare' },
      ],
    });
  });

  it('waits for jobs missing, not started or running, naming each', () => {
    expect(resolveUpstream([job(undefined, undefined, false), job(undefined), job('InProgress')])).toEqual({
      type: 'waiting',
      message:
        'waiting for ProcessingJob prepare (not found), ProcessingJob prepare (not started), ProcessingJob prepare (InProgress) to complete',
    });
  });

  it('waits for a Completed job whose URI its status does not show yet', () => {
    expect(resolveUpstream([job('Completed')])).toMatchObject({ type: 'waiting' });
  });

  it.each(['Failed', 'Stopped'])('rejects a %s job, naming it and what it will not produce', (state) => {
    expect(resolveUpstream([job('Completed', 's3://b/a'), job(state)])).toEqual({
      type: 'invalid',
      message: `ProcessingJob prepare is ${state}: it will produce no output train`,
    });
  });

  it('rejects a reference that can never be satisfied, with its problem', () => {
    expect(resolveUpstream([{ ...job('Completed', 's3://b/a'), problem: 'no such output' }])).toEqual({
      type: 'invalid',
      message: 'no such output',
    });
  });
});

describe('trainingJobArtifacts', () => {
  it("reads a TrainingJob object's state and artifacts", () => {
    expect(
      trainingJobArtifacts('train', {
        trainingJobName: 'ns-train',
        trainingJobStatus: 'Completed',
        modelArtifacts: { s3ModelArtifacts: 's3://b/model.tar.gz' },
      }),
    ).toEqual({
      kind: 'TrainingJob',
      name: 'train',
      output: 'ModelArtifacts',
      found: true,
      state: 'Completed',
      uri: 's3://b/model.tar.gz',
      jobName: 'ns-train',
      produces: 'model artifacts',
    });
    expect(trainingJobArtifacts('train', undefined)).toMatchObject({ found: false, state: undefined });
  });
});

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
        s3UriFrom: { processingJobRef: { name: 'prepare', outputName: 'test' }, path: 'part-0.csv' },
        s3DataType: 'S3Prefix',
      },
    },
    {
      inputName: 'debug',
      s3Input: {
        s3UriFrom: { trainingJobRef: { name: 'train', output: 'OutputPath' }, path: 'debug-output/' },
        s3DataType: 'S3Prefix',
      },
    },
    {
      inputName: 'scored',
      s3Input: { s3UriFrom: { transformJobRef: { name: 'score' } }, s3DataType: 'S3Prefix' },
    },
  ],
};

type ProcessingUpstream = NonNullable<ReturnType<UpstreamJobs['processingJob']>>;

const prepare = (status?: ProcessingUpstream['status']): ProcessingUpstream => ({
  spec: {
    processingOutputConfig: {
      outputs: [{ outputName: 'test', s3Output: { s3Uri: 's3://b/t', s3UploadMode: 'EndOfJob' } }],
    },
  },
  status,
});

const jobs = (processing: ProcessingUpstream | undefined): UpstreamJobs => ({
  trainingJob: (name) =>
    name === 'train'
      ? {
          spec: { outputDataConfig: { s3OutputPath: 's3://b/out/' } },
          status: {
            trainingJobName: 'ns-train',
            trainingJobStatus: 'Completed',
            modelArtifacts: { s3ModelArtifacts: 's3://b/out/ns-train/output/model.tar.gz' },
          },
        }
      : undefined,
  processingJob: (name) => (name === 'prepare' ? processing : undefined),
  transformJob: (name) =>
    name === 'score'
      ? {
          status: {
            transformJobName: 'ns-score',
            transformJobStatus: 'Completed',
            outputPath: 's3://b/scored',
          },
        }
      : undefined,
});

const completed = prepare({
  processingJobName: 'ns-prepare',
  processingJobStatus: 'Completed',
  outputs: [{ outputName: 'test', s3Uri: 's3://b/t' }],
});

describe('resolveUriSources', () => {
  it('finds every s3UriFrom in a spec, in order', () => {
    expect(uriSources(spec).map((s) => Object.keys(s)[0])).toEqual([
      'trainingJobRef',
      'processingJobRef',
      'trainingJobRef',
      'transformJobRef',
    ]);
  });

  it('resolves each kind of source, with its sub-path, and the request carries only SageMaker members', () => {
    const resolution = resolveUriSources(spec, jobs(completed));
    if (resolution.type !== 'ready') throw new Error(`not ready: ${resolution.type}`);
    const request = createProcessingJobRequest(resolution.spec, 'ns-job', []);
    expect(request.ProcessingInputs?.map((input) => input.S3Input?.S3Uri)).toEqual([
      's3://b/code',
      's3://b/out/ns-train/output/model.tar.gz',
      's3://b/t/part-0.csv',
      's3://b/out/ns-train/debug-output/',
      's3://b/scored',
    ]);
    expect(request.ProcessingInputs?.[1]).toEqual({
      InputName: 'model',
      S3Input: { S3Uri: 's3://b/out/ns-train/output/model.tar.gz', S3DataType: 'S3Prefix', LocalPath: '/m' },
    });
    expect(resolution.inputs).toEqual([
      {
        kind: 'TrainingJob',
        name: 'train',
        output: 'ModelArtifacts',
        uri: 's3://b/out/ns-train/output/model.tar.gz',
        jobName: 'ns-train',
      },
      {
        kind: 'ProcessingJob',
        name: 'prepare',
        output: 'test',
        uri: 's3://b/t/part-0.csv',
        jobName: 'ns-prepare',
      },
      {
        kind: 'TrainingJob',
        name: 'train',
        output: 'OutputPath',
        uri: 's3://b/out/ns-train/debug-output/',
        jobName: 'ns-train',
      },
      {
        kind: 'TransformJob',
        name: 'score',
        output: 'OutputPath',
        uri: 's3://b/scored',
        jobName: 'ns-score',
      },
    ]);
  });

  it('waits for a ProcessingJob still running or not there', () => {
    expect(resolveUriSources(spec, jobs(prepare({ processingJobStatus: 'InProgress' })))).toEqual({
      type: 'waiting',
      message: 'waiting for ProcessingJob prepare (InProgress) to complete',
    });
    expect(resolveUriSources(spec, jobs(undefined))).toMatchObject({ type: 'waiting' });
  });

  it('rejects an output the referenced job does not declare', () => {
    const other: ProcessingUpstream = { spec: { processingOutputConfig: { outputs: [] } } };
    expect(resolveUriSources(spec, jobs(other))).toEqual({
      type: 'invalid',
      message: 'ProcessingJob prepare has no output named test',
    });
  });

  it("resolves a model container's modelDataFrom to its modelDataUrl, and records the artifacts read", () => {
    const models = {
      models: [{ primaryContainer: { image: 'img', modelDataFrom: { trainingJobRef: { name: 'train' } } } }],
    };
    expect(resolveUriSources(models, jobs(undefined))).toEqual({
      type: 'ready',
      spec: {
        models: [
          { primaryContainer: { image: 'img', modelDataUrl: 's3://b/out/ns-train/output/model.tar.gz' } },
        ],
      },
      inputs: [
        {
          kind: 'TrainingJob',
          name: 'train',
          output: 'ModelArtifacts',
          uri: 's3://b/out/ns-train/output/model.tar.gz',
          jobName: 'ns-train',
        },
      ],
    });
  });

  it("resolves a model version's metrics and drift baselines, sent as S3Uri", () => {
    const evaluation = { processingJobRef: { name: 'prepare', outputName: 'test' } };
    const version: ModelPackageSpec = {
      modelPackageGroupName: 'churn',
      modelMetrics: {
        modelQuality: {
          statistics: {
            contentType: 'application/json',
            s3UriFrom: { ...evaluation, path: 'evaluation.json' },
          },
        },
        bias: {
          report: {
            contentType: 'application/json',
            s3UriFrom: { trainingJobRef: { name: 'train', output: 'OutputPath' }, path: 'bias.json' },
          },
        },
      },
      driftCheckBaselines: {
        modelQuality: {
          constraints: {
            contentType: 'application/json',
            s3UriFrom: { ...evaluation, path: 'constraints.json' },
          },
        },
      },
    };
    const resolution = resolveUriSources(version, jobs(completed));
    if (resolution.type !== 'ready') throw new Error(`not ready: ${resolution.type}`);
    const request = toRequest(CreateModelPackageInput, resolution.spec) as CreateModelPackageCommandInput;
    expect(request.ModelMetrics).toEqual({
      ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 's3://b/t/evaluation.json' } },
      Bias: { Report: { ContentType: 'application/json', S3Uri: 's3://b/out/ns-train/bias.json' } },
    });
    expect(request.DriftCheckBaselines).toEqual({
      ModelQuality: { Constraints: { ContentType: 'application/json', S3Uri: 's3://b/t/constraints.json' } },
    });
  });

  it('needs nothing for a spec that names its URIs', () => {
    const plain = { ...spec, processingInputs: spec.processingInputs?.slice(0, 1) };
    expect(resolveUriSources(plain, jobs(undefined))).toEqual({ type: 'ready', spec: plain, inputs: [] });
  });
});
