import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type {
  CreateModelInput,
  CreateProcessingJobRequest,
  CreateTrainingJobRequest,
  CreateTransformJobRequest,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import type { TransformJobSpec, TransformJobStatus } from '../../../src/crds/transform-job.js';
import type { MultiModelSetSpec, MultiModelSetStatus } from '../../../src/crds/multi-model-set.js';
import { targets } from '../multi-model-set/support.js';
import { assumeRoleWithPolicy } from '../support/iam.js';
import { requestsTo } from '../support/jobs.js';
import { kubectl } from '../support/kubectl.js';
import { OperatorHarness } from '../support/operator.js';

/*
 * examples/workflows/multi-model-pipeline/ applied as a user would: the raw data and the scripts
 * uploaded, one `kubectl apply -f` of the folder, `kubectl wait` on the MultiModelSet and the
 * endpoint; then every city predicted through the inference pipeline by its TargetModel, the
 * per-city IAM policy tried, and what reached SageMaker read create by create.
 */

const FOLDER = 'examples/workflows/multi-model-pipeline/';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUCKET = 'my-sagemaker-bucket';
const S3 = `s3://${BUCKET}/housing`;
const SKLEARN = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
const LINEAR_LEARNER = '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1';
const CITIES = {
  NewYork_NY: 'newyork-ny',
  LosAngeles_CA: 'losangeles-ca',
  Chicago_IL: 'chicago-il',
  Houston_TX: 'houston-tx',
};
const SCRIPT = {
  SAGEMAKER_PROGRAM: 'sklearn_preprocessor.py',
  SAGEMAKER_SUBMIT_DIRECTORY: `${S3}/code/sourcedir.tar.gz`,
};

/** Raw houses as code/generate_houses.py writes them: eight features, the price last. */
const RAW = ['1976,3114.2,4,2.0,0.72,0,n,n,332936', '1982,3335.4,4,1.5,1.31,0,y,n,407457'];
/** What code/split.py writes from the preprocessed rows: the price, then the ten features. */
const SPLIT = '371167,-1.27,-0.10,0.23,-0.91,-1.06,-1.34,0,1,0,1\n';

let h: OperatorHarness;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'multi-model-pipeline-'));
  h = await OperatorHarness.start('wf-mme');
  await h.cloud.s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  // Training fails on an empty channel, a transform on an empty input and a model on missing
  // artifacts, as in SageMaker.
  await h.cloud.emulator.control.configure({ s3Checks: { inputsExist: true } });
});
afterAll(async () => {
  await h.stop();
  await rm(scratch, { recursive: true, force: true });
});

const sagemakerName = (name: string): string => `${h.namespace}-${name}`;

async function upload(key: string, body: string | Buffer): Promise<void> {
  await h.cloud.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `housing/${key}`, Body: body }));
}

/** FEATURE_DIM of the preprocessor script, from its feature lists, by Python's own parser. */
async function preprocessorOutputWidth(): Promise<number> {
  const program = [
    'import ast, sys',
    'values = {n.targets[0].id: ast.literal_eval(n.value) for n in ast.parse(open(sys.argv[1]).read()).body',
    '          if isinstance(n, ast.Assign) and n.targets[0].id in ("NUMERIC_FEATURES", "CATEGORICAL_FEATURES")}',
    'print(len(values["NUMERIC_FEATURES"]) + sum(len(v) for v in values["CATEGORICAL_FEATURES"].values()))',
  ].join('\n');
  const script = join(ROOT, FOLDER, 'code/sklearn_preprocessor.py');
  const { stdout } = await promisify(execFile)('python3', ['-c', program, script]);
  return Number(stdout.trim());
}

describe('the multi-model pipeline (preprocessor, per-city Linear Learner models, one inference pipeline)', () => {
  it('fits the preprocessor, trains every city on its output, and serves each city through the pipeline', async () => {
    // What the README has the user do first: the raw data and the two scripts, uploaded.
    for (const city of Object.keys(CITIES)) await upload(`raw/train/${city}.csv`, `${RAW.join('\n')}\n`);
    const code = join(ROOT, FOLDER, 'code');
    await promisify(execFile)('tar', [
      'czf',
      join(scratch, 'sourcedir.tar.gz'),
      '-C',
      code,
      'sklearn_preprocessor.py',
    ]);
    await upload('code/sourcedir.tar.gz', await readFile(join(scratch, 'sourcedir.tar.gz')));
    await upload('code/split.py', await readFile(join(code, 'split.py')));
    // Each split job writes its two channels, as code/split.py does.
    for (const name of Object.values(CITIES)) {
      await h.cloud.emulator.control.steer({
        kind: 'ProcessingJob',
        name: sagemakerName(`housing-split-${name}`),
        outcome: 'Completed',
        outputs: { train: { 'train.csv': SPLIT }, validation: { 'validation.csv': SPLIT } },
      });
    }

    await kubectl(h.namespace, ['apply', '-f', FOLDER]);
    await kubectl(h.namespace, ['wait', 'smmms/housing-models', '--for=condition=Ready', '--timeout=180s']);
    await kubectl(h.namespace, ['wait', 'smep/housing', '--for=condition=Ready', '--timeout=60s']);

    const set = await h.get<MultiModelSetSpec, MultiModelSetStatus>('multimodelsets', 'housing-models');
    expect(set?.status?.models).toEqual({ desired: 4, ready: 4, failed: 0, pending: 0, summary: '4/4' });
    const preprocessor = await h.get<TrainingJobSpec, TrainingJobStatus>(
      'trainingjobs',
      'housing-preprocessor',
    );
    const fitted = preprocessor?.status?.modelArtifacts?.s3ModelArtifacts;
    expect(fitted).toBe(`${S3}/preprocessor/${sagemakerName('housing-preprocessor')}/output/model.tar.gz`);

    // Every city answers through the pipeline, from its own model under the MultiModel prefix.
    const endpoint = await h.get<EndpointSpec, EndpointStatus>('endpoints', 'housing');
    const endpointName = endpoint?.status?.endpointName ?? '';
    const cities = (await targets(h, 'housing-models')) ?? {};
    expect(Object.keys(cities).sort()).toEqual(Object.keys(CITIES).sort());
    const predict = async (city: string, runtime = h.cloud.runtime) => {
      const answer = await runtime.send(
        new InvokeEndpointCommand({
          EndpointName: endpointName,
          TargetModel: cities[city],
          ContentType: 'text/csv',
          Body: Buffer.from(RAW[0]!.split(',').slice(0, -1).join(',')),
        }),
      );
      return JSON.parse(Buffer.from(answer.Body).toString()) as Record<string, unknown>;
    };
    for (const city of Object.keys(CITIES)) {
      expect(cities[city]).toMatch(new RegExp(`^${city}/`));
      expect(await predict(city)).toMatchObject({
        targetModel: cities[city],
        modelData: `${S3}/multi_model_artifacts/${cities[city]}`,
        model: endpoint?.status?.modelNames?.[0],
      });
    }

    // The folder's IAM policy lets its holder predict for New York only.
    const policy = JSON.parse(
      await readFile(join(ROOT, FOLDER, 'iam/invoke-new-york-only.json'), 'utf8'),
    ) as { Statement: { Resource: string }[] };
    // The policy names the endpoint of namespace default; this test's namespace is another.
    expect(policy.Statement[0]?.Resource).toBe(
      'arn:aws:sagemaker:us-east-1:123456789012:endpoint/default-housing',
    );
    policy.Statement[0]!.Resource = `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${endpointName}`;
    const session = await assumeRoleWithPolicy('new-york-app', policy);
    const app = new SageMakerRuntimeClient({
      endpoint: h.cloud.emulator.endpoint,
      region: 'us-east-1',
      credentials: session.credentials,
    });
    try {
      expect(await predict('NewYork_NY', app)).toMatchObject({ targetModel: cities.NewYork_NY });
      await expect(predict('Chicago_IL', app)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    } finally {
      app.destroy();
    }

    // 1. The preprocessor, fitted on every city's raw data.
    const [fit] = await requestsTo<CreateTrainingJobRequest>(
      h,
      sagemakerName('housing-preprocessor'),
      'CreateTrainingJob',
    );
    expect(fit).toMatchObject({
      AlgorithmSpecification: { TrainingImage: SKLEARN },
      HyperParameters: {
        sagemaker_program: SCRIPT.SAGEMAKER_PROGRAM,
        sagemaker_submit_directory: SCRIPT.SAGEMAKER_SUBMIT_DIRECTORY,
      },
    });
    expect(fit?.InputDataConfig?.map((c) => c.DataSource?.S3DataSource?.S3Uri)).toEqual([`${S3}/raw/train/`]);

    const featureDim = await preprocessorOutputWidth();
    expect(featureDim).toBe(10);
    for (const [city, name] of Object.entries(CITIES)) {
      // 2. The city's raw data through the fitted preprocessor.
      const transform = await h.get<TransformJobSpec, TransformJobStatus>(
        'transformjobs',
        `housing-preprocess-${name}`,
      );
      const [model] = await requestsTo<CreateModelInput>(
        h,
        transform?.status?.modelName ?? '',
        'CreateModel',
      );
      expect(model?.PrimaryContainer).toMatchObject({
        Image: SKLEARN,
        ModelDataUrl: fitted,
        Environment: SCRIPT,
      });
      const [batch] = await requestsTo<CreateTransformJobRequest>(
        h,
        sagemakerName(`housing-preprocess-${name}`),
        'CreateTransformJob',
      );
      expect(batch).toMatchObject({
        TransformInput: {
          ContentType: 'text/csv',
          SplitType: 'Line',
          DataSource: { S3DataSource: { S3Uri: `${S3}/raw/train/${city}.csv` } },
        },
        TransformOutput: {
          S3OutputPath: `${S3}/preprocessed/${city}`,
          Accept: 'text/csv',
          AssembleWith: 'Line',
        },
      });

      // 3. Its output split into the two channels.
      const [split] = await requestsTo<CreateProcessingJobRequest>(
        h,
        sagemakerName(`housing-split-${name}`),
        'CreateProcessingJob',
      );
      expect(split?.ProcessingInputs?.map((i) => [i.InputName, i.S3Input?.S3Uri])).toEqual([
        ['preprocessed', `${S3}/preprocessed/${city}`],
        ['code', `${S3}/code/split.py`],
      ]);

      // 4. Linear Learner on them, as wide as the preprocessor's output.
      const [training] = await requestsTo<CreateTrainingJobRequest>(
        h,
        sagemakerName(`housing-${name}`),
        'CreateTrainingJob',
      );
      expect(training?.AlgorithmSpecification?.TrainingImage).toBe(LINEAR_LEARNER);
      expect(training?.HyperParameters).toMatchObject({
        feature_dim: String(featureDim),
        predictor_type: 'regressor',
      });
      expect(
        training?.InputDataConfig?.map((c) => [
          c.ChannelName,
          c.ContentType,
          c.DataSource?.S3DataSource?.S3Uri,
        ]),
      ).toEqual([
        ['train', 'text/csv;label_size=1', `${S3}/split/${city}/train`],
        ['validation', 'text/csv;label_size=1', `${S3}/split/${city}/validation`],
      ]);
    }

    // 5. The inference pipeline: the fitted preprocessor, then Linear Learner in MultiModel mode.
    const [pipeline] = await requestsTo<CreateModelInput>(
      h,
      endpoint?.status?.modelNames?.[0] ?? '',
      'CreateModel',
    );
    expect(pipeline?.InferenceExecutionConfig).toEqual({ Mode: 'Serial' });
    expect(pipeline?.Containers).toEqual([
      expect.objectContaining({
        Image: SKLEARN,
        ModelDataUrl: fitted,
        Environment: { ...SCRIPT, SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: 'text/csv' },
      }),
      expect.objectContaining({
        Image: LINEAR_LEARNER,
        Mode: 'MultiModel',
        ModelDataUrl: `${S3}/multi_model_artifacts/`,
      }),
    ]);
  });
});
