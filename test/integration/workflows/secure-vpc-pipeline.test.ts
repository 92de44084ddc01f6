import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  CreateModelPackageInput,
  CreateProcessingJobRequest,
  CreateTrainingJobRequest,
} from '@aws-sdk/client-sagemaker';
import type { ModelPackageSpec, ModelPackageStatus } from '../../../src/crds/model-package.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { requestsTo } from '../support/jobs.js';
import { kubectl } from '../support/kubectl.js';
import { condition, OperatorHarness } from '../support/operator.js';

/*
 * examples/workflows/secure-vpc-pipeline/ applied as a user would: one `kubectl apply -f` of the
 * folder, one `kubectl wait` on the registered version; then what reached SageMaker.
 */

const FOLDER = 'examples/workflows/secure-vpc-pipeline/';
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const SUBNETS = ['subnet-0a338babaa635e3e6'];
const SECURITY_GROUPS = ['sg-09d0ae98a2abd26f5'];

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let h: OperatorHarness;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'secure-vpc-runs-'));
  h = await OperatorHarness.start('secure-vpc');
  for (const bucket of ['my-data-bucket', 'my-model-bucket'])
    await h.cloud.s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
});
afterAll(async () => {
  await h.stop();
  await rm(scratch, { recursive: true, force: true });
});

const sagemakerName = (name: string): string => `${h.namespace}-${name}`;

describe('the secure VPC pipeline (preprocess, train, evaluate, register if good enough)', () => {
  it('registers and approves the model its evaluation found good enough, every step private and encrypted', async () => {
    await h.cloud.emulator.control.steer({
      kind: 'ProcessingJob',
      name: sagemakerName('abalone-evaluate'),
      outcome: 'Completed',
      outputs: { evaluation: { 'evaluation.json': '{"regression_metrics":{"mse":{"value":4.6}}}' } },
    });
    await kubectl(h.namespace, ['apply', '-f', FOLDER]);
    await kubectl(h.namespace, ['wait', 'smmp/abalone-v1', '--for=condition=Ready', '--timeout=120s']);

    const [training] = await requestsTo<CreateTrainingJobRequest>(
      h,
      sagemakerName('abalone-train'),
      'CreateTrainingJob',
    );
    expect(training?.InputDataConfig?.map((c) => [c.ChannelName, c.DataSource?.S3DataSource?.S3Uri])).toEqual(
      [
        ['train', 's3://my-data-bucket/abalone/processed/train'],
        ['validation', 's3://my-data-bucket/abalone/processed/validation'],
      ],
    );
    expect(training).toMatchObject({
      VpcConfig: { Subnets: SUBNETS, SecurityGroupIds: SECURITY_GROUPS },
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: true,
      OutputDataConfig: { KmsKeyId: KEY },
      ResourceConfig: { VolumeKmsKeyId: KEY },
    });

    const trained = await h.get<TrainingJobSpec, TrainingJobStatus>('trainingjobs', 'abalone-train');
    const artifacts = trained?.status?.modelArtifacts?.s3ModelArtifacts;
    for (const step of ['abalone-preprocess', 'abalone-evaluate']) {
      const [request] = await requestsTo<CreateProcessingJobRequest>(
        h,
        sagemakerName(step),
        'CreateProcessingJob',
      );
      expect(request).toMatchObject({
        NetworkConfig: {
          EnableInterContainerTrafficEncryption: true,
          VpcConfig: { Subnets: SUBNETS, SecurityGroupIds: SECURITY_GROUPS },
        },
        ProcessingOutputConfig: { KmsKeyId: KEY },
        ProcessingResources: { ClusterConfig: { VolumeKmsKeyId: KEY } },
      });
    }
    const [evaluate] = await requestsTo<CreateProcessingJobRequest>(
      h,
      sagemakerName('abalone-evaluate'),
      'CreateProcessingJob',
    );
    expect(evaluate?.ProcessingInputs?.map((i) => [i.InputName, i.S3Input?.S3Uri])).toEqual([
      ['model', artifacts],
      ['test', 's3://my-data-bucket/abalone/processed/test'],
      ['code', 's3://my-data-bucket/abalone/code/evaluate.py'],
    ]);

    const version = await h.get<ModelPackageSpec, ModelPackageStatus>('modelpackages', 'abalone-v1');
    const [registered] = await requestsTo<CreateModelPackageInput>(
      h,
      sagemakerName('abalone'),
      'CreateModelPackage',
    );
    expect(registered?.ModelMetrics?.ModelQuality?.Statistics).toEqual({
      ContentType: 'application/json',
      S3Uri: 's3://my-data-bucket/abalone/evaluation/evaluation.json',
    });
    expect(condition(version, 'Ready')).toMatchObject({ status: 'True' });
    expect(version?.status?.gates).toEqual([
      {
        source: 'ProcessingJob abalone-evaluate, evaluation.json',
        path: 'regression_metrics.mse.value',
        value: '4.6',
        condition: '4.6 <= 6',
        met: true,
        jobName: sagemakerName('abalone-evaluate'),
      },
    ]);
    expect(version?.status?.inputs).toEqual([
      expect.objectContaining({ kind: 'ProcessingJob', name: 'abalone-evaluate', output: 'evaluation' }),
    ]);
  });

  it('runs twice side by side under kustomize name suffixes, each run reading only its own upstreams', async () => {
    // The folder as a kustomize base, the component beside it, and two runs, as docs/re-runs.md lays them out.
    const files = (await readdir(join(ROOT, FOLDER))).filter((f) => f.endsWith('.yaml'));
    await mkdir(join(scratch, 'pipeline'));
    for (const file of files) await cp(join(ROOT, FOLDER, file), join(scratch, 'pipeline', file));
    await writeFile(join(scratch, 'pipeline', 'kustomization.yaml'), `resources: [${files.join(', ')}]\n`);
    await cp(join(ROOT, 'deploy/kustomize/references'), join(scratch, 'references'), { recursive: true });
    const runs = { 'run-a': 7.21, 'run-b': 4.6 };
    for (const [run, mse] of Object.entries(runs)) {
      await mkdir(join(scratch, run));
      await writeFile(
        join(scratch, run, 'kustomization.yaml'),
        `resources: [../pipeline]\ncomponents: [../references]\nnameSuffix: -${run}\n`,
      );
      await h.cloud.emulator.control.steer({
        kind: 'ProcessingJob',
        name: sagemakerName(`abalone-evaluate-${run}`),
        outcome: 'Completed',
        outputs: {
          evaluation: { 'evaluation.json': JSON.stringify({ regression_metrics: { mse: { value: mse } } }) },
        },
      });
      const rendered = await kubectl(h.namespace, ['kustomize', join(scratch, run)]);
      await writeFile(join(scratch, `${run}.yaml`), rendered);
      await kubectl(h.namespace, ['apply', '-f', join(scratch, `${run}.yaml`)]);
    }

    await kubectl(h.namespace, ['wait', 'smmp/abalone-v1-run-b', '--for=condition=Ready', '--timeout=120s']);
    await kubectl(h.namespace, [
      'wait',
      'smmp/abalone-v1-run-a',
      '--for=condition=Stalled',
      '--timeout=120s',
    ]);
    const held = await h.get<ModelPackageSpec, ModelPackageStatus>('modelpackages', 'abalone-v1-run-a');
    expect(condition(held, 'Ready')).toMatchObject({
      reason: 'GateNotMet',
      message:
        'regression_metrics.mse.value is 7.21, not <= 6 (ProcessingJob abalone-evaluate-run-a, evaluation.json)',
    });

    for (const run of Object.keys(runs)) {
      const trained = await h.get<TrainingJobSpec, TrainingJobStatus>('trainingjobs', `abalone-train-${run}`);
      expect(trained?.status?.inputs?.map((i) => [i.name, i.jobName])).toEqual([
        [`abalone-preprocess-${run}`, sagemakerName(`abalone-preprocess-${run}`)],
        [`abalone-preprocess-${run}`, sagemakerName(`abalone-preprocess-${run}`)],
      ]);
      const [evaluate] = await requestsTo<CreateProcessingJobRequest>(
        h,
        sagemakerName(`abalone-evaluate-${run}`),
        'CreateProcessingJob',
      );
      expect(evaluate?.ProcessingInputs?.[0]?.S3Input?.S3Uri).toBe(
        trained?.status?.modelArtifacts?.s3ModelArtifacts,
      );
      expect(evaluate?.ProcessingInputs?.[0]?.S3Input?.S3Uri).toContain(
        sagemakerName(`abalone-train-${run}`),
      );
    }
    const registered = await h.get<ModelPackageSpec, ModelPackageStatus>('modelpackages', 'abalone-v1-run-b');
    expect(registered?.status?.gates?.[0]).toMatchObject({
      met: true,
      jobName: sagemakerName('abalone-evaluate-run-b'),
    });
    expect(await requestsTo(h, sagemakerName('abalone-run-a'), 'CreateModelPackage')).toEqual([]);
  });
});
