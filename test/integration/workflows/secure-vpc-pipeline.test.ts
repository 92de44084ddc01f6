import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { DescribeEndpointCommand, DescribeModelCommand } from '@aws-sdk/client-sagemaker';
import type {
  CreateEndpointConfigInput,
  CreateEndpointInput,
  CreateModelInput,
  CreateModelPackageInput,
  CreateProcessingJobRequest,
  CreateTrainingJobRequest,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { ROLE_ANNOTATION } from '../../../src/controllers/common/identity.js';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { ModelPackageSpec, ModelPackageStatus } from '../../../src/crds/model-package.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { Admission } from '../security-policy/support.js';
import { annotateNamespace } from '../support/cluster.js';
import { assumeRoleWithPolicy, type RoleSession } from '../support/iam.js';
import { requestsTo } from '../support/jobs.js';
import { kubectl, startKubectl } from '../support/kubectl.js';
import { condition, OperatorHarness } from '../support/operator.js';

/*
 * examples/workflows/secure-vpc-pipeline/ applied as a user would: one `kubectl apply -f` of the
 * folder, one `kubectl wait` on the registered version and one on the endpoint; then what reached
 * SageMaker. The namespace acts as a role whose only policy is the folder's
 * iam/namespace-role-policy.json (in moto's IAM, evaluated by the emulator on every call), and the
 * chart's admission policy enforces the folder's SecurityPolicy: the pipeline passes both.
 */

const FOLDER = 'examples/workflows/secure-vpc-pipeline/';
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const SUBNETS = ['subnet-0a338babaa635e3e6'];
const SECURITY_GROUPS = ['sg-09d0ae98a2abd26f5'];

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let h: OperatorHarness;
let scratch: string;
let session: RoleSession;
let admission: Admission;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'secure-vpc-runs-'));
  const policy = JSON.parse(
    await readFile(join(ROOT, FOLDER, 'iam/namespace-role-policy.json'), 'utf8'),
  ) as object;
  session = await assumeRoleWithPolicy('secure-vpc-pipeline', policy);
  h = await OperatorHarness.start('secure-vpc');
  await annotateNamespace(h.kc, h.namespace, { [ROLE_ANNOTATION]: session.roleArn });
  admission = await Admission.install(h.kc, 'Allow');
  await admission.cover(h.namespace);
  for (const bucket of ['my-data-bucket', 'my-model-bucket'])
    await h.cloud.s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
});
afterAll(async () => {
  await admission.uninstall();
  await h.stop();
  await rm(scratch, { recursive: true, force: true });
});

const sagemakerName = (name: string): string => `${h.namespace}-${name}`;

/** The role session the operator signs the namespace's calls with (session name: the namespace). */
const principal = (): string => `${session.arn.slice(0, session.arn.lastIndexOf('/'))}/${h.namespace}`;

describe('the secure VPC pipeline (preprocess, train, evaluate, register if good enough, deploy)', () => {
  it('registers and approves the model its evaluation found good enough, every step private and encrypted', async () => {
    await h.cloud.emulator.control.steer({
      kind: 'ProcessingJob',
      name: sagemakerName('abalone-evaluate'),
      outcome: 'Completed',
      outputs: { evaluation: { 'evaluation.json': '{"regression_metrics":{"mse":{"value":4.6}}}' } },
    });
    const applied = await kubectl(h.namespace, ['apply', '-f', FOLDER]);
    // The folder's objects and nothing else: kubectl does not read iam/namespace-role-policy.json.
    expect(applied.trim().split('\n').sort()).toEqual(
      [
        'endpoint.sagemaker.mlops.dev/abalone',
        'modelpackage.sagemaker.mlops.dev/abalone-v1',
        'modelpackagegroup.sagemaker.mlops.dev/abalone',
        'processingjob.sagemaker.mlops.dev/abalone-evaluate',
        'processingjob.sagemaker.mlops.dev/abalone-preprocess',
        'securitypolicy.sagemaker.mlops.dev/secure-vpc-pipeline',
        'trainingjob.sagemaker.mlops.dev/abalone-train',
      ].map((object) => `${object} created`),
    );
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
          EnableNetworkIsolation: true,
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

    // Continuous deployment: the endpoint serves the version the gate approved, privately.
    await kubectl(h.namespace, ['wait', 'smep/abalone', '--for=condition=Ready', '--timeout=120s']);
    const endpoint = await h.get<EndpointSpec, EndpointStatus>('endpoints', 'abalone');
    const versionArn = version?.status?.modelPackageArn;
    expect(endpoint?.status?.modelPackages).toEqual([
      expect.objectContaining({ modelName: 'abalone', modelPackageArn: versionArn }),
    ]);
    const [model] = (await h.cloud.emulator.control.calls({ operation: 'CreateModel' })).calls
      .filter((c) => c.outcome === 'ok')
      .map((c) => c.request as CreateModelInput);
    expect(model).toMatchObject({
      PrimaryContainer: { ModelPackageName: versionArn },
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/SageMakerPipelineExecutionRole',
      VpcConfig: { Subnets: SUBNETS, SecurityGroupIds: SECURITY_GROUPS },
      EnableNetworkIsolation: true,
    });
    const [created] = await requestsTo<CreateEndpointInput>(h, sagemakerName('abalone'), 'CreateEndpoint');
    const [config] = await requestsTo<CreateEndpointConfigInput>(
      h,
      created?.EndpointConfigName ?? '',
      'CreateEndpointConfig',
    );
    expect(config).toMatchObject({
      KmsKeyId: KEY,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: model?.ModelName, InstanceType: 'ml.m5.large' },
      ],
    });
    const serving = await h.cloud.sagemaker.send(
      new DescribeEndpointCommand({ EndpointName: sagemakerName('abalone') }),
    );
    expect(serving).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: created?.EndpointConfigName,
    });
    const described = await h.cloud.sagemaker.send(new DescribeModelCommand({ ModelName: model?.ModelName }));
    expect(described.PrimaryContainer?.ModelDataUrl).toBe(artifacts);
    const answer = await h.cloud.runtime.send(
      new InvokeEndpointCommand({
        EndpointName: sagemakerName('abalone'),
        ContentType: 'text/csv',
        Body: Buffer.from('M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15'),
      }),
    );
    expect(JSON.parse(Buffer.from(answer.Body).toString('utf8'))).toMatchObject({
      endpoint: sagemakerName('abalone'),
      variant: 'AllTraffic',
      modelData: artifacts,
    });

    // The folder's SecurityPolicy is in force: an endpoint that is not isolated is refused at apply time.
    const open = parseDocument(await readFile(join(ROOT, FOLDER, '5-deploy.yaml'), 'utf8'));
    open.setIn(['metadata', 'name'], 'abalone-open');
    open.deleteIn(['spec', 'models', 0, 'enableNetworkIsolation']);
    await writeFile(join(scratch, 'open.yaml'), open.toString());
    const refused = await (
      await startKubectl(h.namespace, ['apply', '-f', join(scratch, 'open.yaml')])
    ).result;
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'spec.models[].enableNetworkIsolation must be true: SecurityPolicy secure-vpc-pipeline sets requireNetworkIsolation',
    );

    // Every create was the namespace's role's, and its IAM policy allowed each one.
    const creates = (await h.cloud.emulator.control.calls()).calls.filter((c) =>
      c.operation.startsWith('Create'),
    );
    expect(creates.map((c) => [c.operation, c.principal, c.outcome]).sort()).toEqual(
      [
        'CreateEndpoint',
        'CreateEndpointConfig',
        'CreateModel',
        'CreateModelPackage',
        'CreateModelPackageGroup',
        'CreateProcessingJob',
        'CreateProcessingJob',
        'CreateTrainingJob',
      ].map((operation) => [operation, principal(), 'ok']),
    );
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

    // Each run deploys its own group: run b's endpoint serves run b's version, run a's has none to serve.
    await kubectl(h.namespace, ['wait', 'smep/abalone-run-b', '--for=condition=Ready', '--timeout=120s']);
    const deployed = await h.get<EndpointSpec, EndpointStatus>('endpoints', 'abalone-run-b');
    expect(deployed?.status?.modelPackages?.map((p) => p.modelPackageArn)).toEqual([
      registered?.status?.modelPackageArn,
    ]);
    const waitingFor = `waiting for an approved version in model package group ${sagemakerName('abalone-run-a')}`;
    const waiting = await h.waitFor<EndpointSpec, EndpointStatus>(
      'endpoints',
      'abalone-run-a',
      (o) => condition(o, 'Ready')?.message === waitingFor,
    );
    expect(condition(waiting, 'Ready')).toMatchObject({ status: 'False', reason: 'WaitingForReference' });
    expect(await requestsTo(h, sagemakerName('abalone-run-a'), 'CreateEndpoint')).toEqual([]);
  });
});
