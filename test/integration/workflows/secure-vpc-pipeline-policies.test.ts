import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import * as sagemaker from '@aws-sdk/client-sagemaker';
import type { CreateModelInput, Tag } from '@aws-sdk/client-sagemaker';
import type { TSchema } from '@sinclair/typebox';
import { modelContent } from '../../../src/controllers/common/models.js';
import { toRequest } from '../../../src/controllers/common/sagemaker-shape.js';
import { createEndpointRequest, endpointPlan } from '../../../src/controllers/endpoint/plan.js';
import {
  baselinePlan,
  definitionRequest,
  monitorImage,
  scheduleConfig,
} from '../../../src/controllers/monitoring-schedule/plan.js';
import { createProcessingJobRequest } from '../../../src/controllers/processing-job/request.js';
import { createTrainingJobRequest } from '../../../src/controllers/training-job/request.js';
import { createTransformJobRequest } from '../../../src/controllers/transform-job/request.js';
import type { EndpointSpec } from '../../../src/crds/endpoint.js';
import { ALL_KINDS, GROUP, VERSION } from '../../../src/crds/index.js';
import type { MonitoringScheduleSpec } from '../../../src/crds/monitoring-schedule.js';
import { policySites, sitePath, type PolicyRule, type PolicySite } from '../../../src/crds/policy-sites.js';
import type { ProcessingJobSpec } from '../../../src/crds/processing-job.js';
import {
  CreateModelPackageGroupInput,
  CreateModelPackageInput,
} from '../../../src/crds/shapes/sagemaker.generated.js';
import type { TrainingJobSpec } from '../../../src/crds/training-job.js';
import type { TransformJobSpec } from '../../../src/crds/transform-job.js';
import { startHarness, type Harness } from '../../emulator/test-harness.js';
import { Admission, applyPolicy, eventually } from '../security-policy/support.js';
import { createTestNamespace, customObjects, testKubeConfig } from '../support/cluster.js';
import { loadExamples, type Manifest } from '../support/examples.js';
import { assumeRoleWithPolicy, type RoleSession } from '../support/iam.js';

/*
 * The two policies of examples/workflows/secure-vpc-pipeline/ say the same thing: for every kind
 * the pipeline uses (and TransformJob and MonitoringSchedule, whose creates carry the same keys), a
 * manifest is admitted by the folder's SecurityPolicy exactly when IAM, holding the folder's
 * iam/namespace-role-policy.json, lets the namespace's role make the creates the operator sends for
 * it. Each kind has a compliant manifest (the folder's own where it has one), and for every place
 * its schema holds a security member (src/crds/policy-sites.ts, the table the admission policy is
 * generated from) the variants that drop or change it. Admission is asked with a server-side dry
 * run; IAM by sending the requests the operator's own builders make from the spec straight to the
 * emulator, signed with the role's credentials. One apiserver, one emulator, no operator.
 */

const FOLDER = 'workflows/secure-vpc-pipeline';
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY = 'arn:aws:kms:us-east-1:123456789012:key/ffffffff-ffff-ffff-ffff-ffffffffffff';
const SUBNETS = ['subnet-0a338babaa635e3e6'];
const SECURITY_GROUPS = ['sg-09d0ae98a2abd26f5'];
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerPipelineExecutionRole';
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3';
const ARTIFACTS = 's3://my-model-bucket/abalone/training/abalone-train/output/model.tar.gz';
const TAGS: Tag[] = [{ Key: 'project', Value: 'secure-pipelines' }];

type Json = Record<string, unknown>;
type Path = (string | number)[];

let cloud: Harness;
let session: RoleSession;
let client: sagemaker.SageMakerClient;
let admission: Admission;
let namespace: string;
let manifests: Manifest[];
const kc = testKubeConfig();

beforeAll(async () => {
  const folder = await loadExamples(FOLDER);
  manifests = [...folder.values()].flat();
  const policy = JSON.parse(
    await readFile(
      new URL(`../../../examples/${FOLDER}/iam/namespace-role-policy.json`, import.meta.url),
      'utf8',
    ),
  ) as object;
  cloud = await startHarness();
  session = await assumeRoleWithPolicy('secure-vpc-pipeline', policy);
  client = new sagemaker.SageMakerClient({
    endpoint: cloud.emulator.endpoint,
    region: 'us-east-1',
    credentials: session.credentials,
  });
  admission = await Admission.install(kc, 'Allow');
  namespace = await createTestNamespace(kc, 'secure-vpc-policies');
  await admission.cover(namespace);
  const securityPolicy = manifests.find((m) => m.kind === 'SecurityPolicy')!;
  await applyPolicy(kc, namespace, securityPolicy.metadata.name, securityPolicy.spec);
});
afterAll(async () => {
  client.destroy();
  await admission.uninstall();
  await cloud.stop();
});

const folderSpec = (kind: string): Json => structuredClone(manifests.find((m) => m.kind === kind)!.spec);

const VPC = { subnets: SUBNETS, securityGroupIds: SECURITY_GROUPS };

/** Compliant manifests of the two kinds the folder does not use, written as the folder's are. */
const transformJob = (): Json => ({
  model: {
    primaryContainer: { image: IMAGE, modelDataFrom: { trainingJobRef: { name: 'abalone-train' } } },
    executionRoleArn: ROLE,
    vpcConfig: VPC,
    enableNetworkIsolation: true,
  },
  transformInput: {
    dataSource: {
      s3DataSource: {
        s3DataType: 'S3Prefix',
        s3UriFrom: { processingJobRef: { name: 'abalone-preprocess', outputName: 'test' } },
      },
    },
    contentType: 'text/csv',
  },
  transformOutput: { s3OutputPath: 's3://my-data-bucket/abalone/scored', kmsKeyId: KEY },
  transformResources: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeKmsKeyId: KEY },
});

const monitoringSchedule = (): Json => ({
  monitoringType: 'DataQuality',
  endpointRef: { name: 'abalone' },
  schedule: { scheduleExpression: 'cron(0 * ? * * *)' },
  baseline: {
    fromDataset: {
      s3UriFrom: { processingJobRef: { name: 'abalone-preprocess', outputName: 'train' } },
      datasetFormat: { csv: { header: false } },
    },
  },
  dataQualityJobDefinition: {
    dataQualityAppSpecification: {},
    dataQualityJobInput: {},
    dataQualityJobOutputConfig: {
      monitoringOutputs: [
        {
          s3Output: {
            s3Uri: 's3://my-data-bucket/abalone/monitoring',
            localPath: '/opt/ml/processing/output',
          },
        },
      ],
      kmsKeyId: KEY,
    },
    jobResources: {
      clusterConfig: {
        instanceType: 'ml.m5.xlarge',
        instanceCount: 1,
        volumeSizeInGB: 20,
        volumeKmsKeyId: KEY,
      },
    },
    networkConfig: {
      enableNetworkIsolation: true,
      enableInterContainerTrafficEncryption: true,
      vpcConfig: VPC,
    },
    roleArn: ROLE,
  },
});

/** References resolved as the operator resolves them once their upstreams completed. */
function resolved(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolved);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Json).flatMap(([key, v]): [string, unknown][] => {
    if (key === 's3UriFrom') {
      const path = (v as { path?: string }).path;
      return [['s3Uri', `s3://my-data-bucket/abalone/resolved/${path ?? ''}`]];
    }
    if (key === 'modelDataFrom') return [['modelDataUrl', ARTIFACTS]];
    return [[key, resolved(v)]];
  });
  return Object.fromEntries(entries);
}

interface Create {
  operation: string;
  input: Json;
}

/**
 * What the compliant manifests created, for the kinds that refer to them: the group a version is
 * registered into, the version the endpoint serves, the endpoint the schedule monitors.
 */
interface Registry {
  group: string;
  version?: string;
  endpoint?: string;
}
const registry: Registry = { group: '' };

/** The creates the operator sends for an object of `kind` named `name` (its SageMaker name), in order. */
function createsOf(kind: string, name: string, raw: Json): Create[] {
  const spec = resolved(raw) as Json;
  const as = (operation: string, input: unknown): Create => ({ operation, input: input as Json });
  switch (kind) {
    case 'ProcessingJob':
      return [as('CreateProcessingJob', createProcessingJobRequest(spec as ProcessingJobSpec, name, TAGS))];
    case 'TrainingJob':
      return [as('CreateTrainingJob', createTrainingJobRequest(spec as TrainingJobSpec, name, TAGS))];
    case 'ModelPackageGroup':
      return [
        as('CreateModelPackageGroup', {
          ...(toRequest(CreateModelPackageGroupInput, spec) as Json),
          ModelPackageGroupName: name,
          Tags: TAGS,
        }),
      ];
    case 'ModelPackage': {
      const request = toRequest(CreateModelPackageInput, spec) as sagemaker.CreateModelPackageInput;
      return [
        as('CreateModelPackage', {
          ...request,
          ModelPackageGroupName: registry.group,
          InferenceSpecification: {
            ...request.InferenceSpecification,
            Containers: [{ Image: IMAGE, ModelDataUrl: ARTIFACTS }],
          },
        }),
      ];
    }
    case 'Endpoint': {
      const packages = new Map([['ModelPackageGroup/abalone', registry.version ?? '']]);
      const plan = endpointPlan(spec as EndpointSpec, name, new Map(), TAGS, packages);
      const config = plan.endpointConfig.EndpointConfigName ?? '';
      return [
        ...plan.models.map((model) => as('CreateModel', model)),
        as('CreateEndpointConfig', plan.endpointConfig),
        as('CreateEndpoint', createEndpointRequest(spec as EndpointSpec, name, config, TAGS)),
      ];
    }
    case 'TransformJob': {
      const job = spec as TransformJobSpec;
      const model: CreateModelInput = {
        ...modelContent(job.model!, new Map()),
        ModelName: `${name}-model`,
        Tags: TAGS,
      };
      return [
        as('CreateModel', model),
        as('CreateTransformJob', createTransformJobRequest(job, name, `${name}-model`, TAGS)),
      ];
    }
    case 'MonitoringSchedule': {
      const schedule = spec as MonitoringScheduleSpec;
      const baseline = baselinePlan(schedule, name, 'us-east-1', TAGS);
      const definition = definitionRequest(
        schedule,
        name,
        name,
        registry.endpoint,
        monitorImage(schedule, 'us-east-1') ?? '',
        baseline ?? {},
        TAGS,
      );
      return [
        ...(baseline ? [as('CreateProcessingJob', baseline.request)] : []),
        as('CreateDataQualityJobDefinition', definition),
        as('CreateMonitoringSchedule', {
          MonitoringScheduleName: name,
          MonitoringScheduleConfig: scheduleConfig(schedule, definition.JobDefinitionName),
          Tags: TAGS,
        }),
      ];
    }
    default:
      throw new Error(`no creates known for ${kind}`);
  }
}

type Command = new (input: Json) => Parameters<sagemaker.SageMakerClient['send']>[0];

/** Sends the creates as the namespace's role; the operations IAM denied, and the answers of the others. */
async function underIam(
  creates: Create[],
  as = client,
): Promise<{ denied: string[]; answers: Json[]; failed: string[] }> {
  const denied: string[] = [];
  const failed: string[] = [];
  const answers: Json[] = [];
  for (const { operation, input } of creates) {
    const command = (sagemaker as unknown as Record<string, Command>)[`${operation}Command`]!;
    try {
      answers.push((await as.send(new command(input))) as unknown as Json);
    } catch (err) {
      const { name, message } = err as Error;
      if (name === 'AccessDeniedException') denied.push(operation);
      else failed.push(`${operation}: ${name}: ${message}`);
    }
  }
  return { denied, answers, failed };
}

const PLURALS = new Map(ALL_KINDS.map((k) => [k.kind, k.plural]));

/** Whether the apiserver admits the manifest under the folder's SecurityPolicy (a server-side dry run). */
async function admitted(
  kind: string,
  name: string,
  spec: Json,
): Promise<{ admitted: boolean; message?: string }> {
  try {
    await customObjects(kc).createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: PLURALS.get(kind)!,
      body: { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name, namespace }, spec },
      dryRun: 'All',
    });
    return { admitted: true };
  } catch (err) {
    const { code, body } = err as { code?: number; body?: string };
    if (code === 422)
      return { admitted: false, message: (JSON.parse(body ?? '{}') as { message?: string }).message };
    throw err;
  }
}

function get(value: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (v, step) => (typeof v === 'object' && v !== null ? (v as Json)[step] : undefined),
    value,
  );
}

function changed(spec: Json, path: Path, value: unknown): Json {
  const result = structuredClone(spec);
  const parent = get(result, path.slice(0, -1)) as Json;
  const last = path.at(-1)!;
  if (value === undefined) Reflect.deleteProperty(parent, last);
  else parent[last] = value;
  return result;
}

/** Where in `spec` a site's member is set: one path per list item on the way. */
function placesOf(spec: Json, site: PolicySite): Path[] {
  let bases: Path[] = [[]];
  for (const list of site.lists) {
    bases = bases.flatMap((base) => {
      const items = get(spec, [...base, ...list]);
      return Array.isArray(items) ? items.map((_, i) => [...base, ...list, i]) : [];
    });
  }
  return bases
    .map((base) => [...base, ...site.scope, ...site.member])
    .filter((path) => get(spec, path) !== undefined);
}

/** The ways to break a member of each rule the folder's SecurityPolicy sets: drop it, or change it. */
const BREAKS: Partial<Record<PolicyRule, [string, (current: unknown) => unknown][]>> = {
  vpc: [
    ['without it (requireVpc)', () => undefined],
    [
      'in another subnet (allowedSubnets)',
      (c) => ({ ...(c as Json), subnets: ['subnet-0ffffffffffffffff'] }),
    ],
    [
      'with another security group (allowedSecurityGroupIds)',
      (c) => ({ ...(c as Json), securityGroupIds: ['sg-0ffffffffffffffff'] }),
    ],
  ],
  networkIsolation: [
    ['without it (requireNetworkIsolation)', () => undefined],
    ['false (requireNetworkIsolation)', () => false],
  ],
  interContainerTrafficEncryption: [
    ['without it (requireInterContainerTrafficEncryption)', () => undefined],
    ['false (requireInterContainerTrafficEncryption)', () => false],
  ],
  volumeKmsKey: [
    ['without it (requireVolumeKmsKey)', () => undefined],
    ['another key (allowedVolumeKmsKeys)', () => OTHER_KEY],
  ],
  outputKmsKey: [
    ['without it (requireOutputKmsKey)', () => undefined],
    ['another key (allowedOutputKmsKeys)', () => OTHER_KEY],
  ],
};

interface Row {
  kind: string;
  variant: string;
  spec: Json;
}

const COMPLIANT: [string, () => Json][] = [
  ['ModelPackageGroup', () => folderSpec('ModelPackageGroup')],
  ['ModelPackage', () => folderSpec('ModelPackage')],
  ['ProcessingJob', () => folderSpec('ProcessingJob')],
  ['TrainingJob', () => folderSpec('TrainingJob')],
  ['Endpoint', () => folderSpec('Endpoint')],
  ['TransformJob', transformJob],
  ['MonitoringSchedule', monitoringSchedule],
];

/** Each kind's compliant manifest, then every variant that breaks one member of it. */
function rows(): Row[] {
  return COMPLIANT.flatMap(([kind, compliant]) => {
    const spec = compliant();
    const schema = ALL_KINDS.find((k) => k.kind === kind)!.spec as TSchema;
    const variants = policySites(schema).flatMap((site) =>
      placesOf(spec, site).flatMap((path) =>
        (BREAKS[site.rule] ?? []).map(([how, value]): Row => ({
          kind,
          variant: `${sitePath(site)} ${how}`,
          spec: changed(spec, path, value(get(spec, path))),
        })),
      ),
    );
    return [{ kind, variant: 'compliant', spec }, ...variants];
  });
}

interface Verdict {
  kind: string;
  variant: string;
  admitted: boolean;
  allowed: boolean;
  denied: string[];
}

describe("the secure VPC pipeline's SecurityPolicy and its role's IAM policy", () => {
  it('admit exactly the manifests whose creates IAM allows, kind by kind and member by member', async () => {
    // The apiserver loads the policy's params through an informer: wait until it is in force.
    await eventually(async () => {
      expect(
        (await admitted('TrainingJob', 'probe', changed(folderSpec('TrainingJob'), ['vpcConfig'], undefined)))
          .admitted,
      ).toBe(false);
    });
    const verdicts: Verdict[] = [];
    for (const [i, row] of rows().entries()) {
      const name = `pol-${row.kind.toLowerCase()}-${String(i)}`;
      const admission = await admitted(row.kind, name, row.spec);
      const iam = await underIam(createsOf(row.kind, name, row.spec));
      if (row.variant === 'compliant') {
        // Everything the compliant manifests ask for is created, so later kinds can build on it.
        expect({ kind: row.kind, failed: iam.failed, denied: iam.denied }).toEqual({
          kind: row.kind,
          failed: [],
          denied: [],
        });
        if (row.kind === 'ModelPackageGroup') registry.group = name;
        if (row.kind === 'ModelPackage') registry.version = iam.answers[0]?.ModelPackageArn as string;
        if (row.kind === 'Endpoint') registry.endpoint = name;
      } else {
        expect({ variant: `${row.kind} ${row.variant}`, message: admission.message }).toEqual({
          variant: `${row.kind} ${row.variant}`,
          message: expect.stringContaining('SecurityPolicy secure-vpc-pipeline'),
        });
      }
      verdicts.push({
        kind: row.kind,
        variant: row.variant,
        admitted: admission.admitted,
        allowed: iam.denied.length === 0,
        denied: iam.denied,
      });
    }
    expect(verdicts.filter((v) => v.admitted !== v.allowed)).toEqual([]);
    const compliant = verdicts.filter((v) => v.variant === 'compliant');
    expect(compliant.map((v) => [v.kind, v.admitted, v.allowed])).toEqual(
      COMPLIANT.map(([kind]) => [kind, true, true]),
    );
    expect(verdicts.filter((v) => v.variant !== 'compliant' && (v.admitted || v.allowed))).toEqual([]);
    // Every kind whose requests carry a security member has variants; the registry's have none.
    const broken = (kind: string) => verdicts.filter((v) => v.kind === kind && v.variant !== 'compliant');
    expect(Object.fromEntries(COMPLIANT.map(([kind]) => [kind, broken(kind).length]))).toMatchObject({
      ModelPackageGroup: 0,
      ModelPackage: 0,
    });
    for (const kind of ['ProcessingJob', 'TrainingJob', 'Endpoint', 'TransformJob', 'MonitoringSchedule'])
      expect(broken(kind).length).toBeGreaterThan(0);
    // Where IAM denies, it is on the request that carries the member.
    expect(
      Object.fromEntries(verdicts.filter((v) => v.kind === 'Endpoint').map((v) => [v.variant, v.denied])),
    ).toEqual({
      compliant: [],
      'models[].vpcConfig without it (requireVpc)': ['CreateModel'],
      'models[].vpcConfig in another subnet (allowedSubnets)': ['CreateModel'],
      'models[].vpcConfig with another security group (allowedSecurityGroupIds)': ['CreateModel'],
      'models[].enableNetworkIsolation without it (requireNetworkIsolation)': ['CreateModel'],
      'models[].enableNetworkIsolation false (requireNetworkIsolation)': ['CreateModel'],
      'kmsKeyId without it (requireVolumeKmsKey)': ['CreateEndpointConfig'],
      'kmsKeyId another key (allowedVolumeKmsKeys)': ['CreateEndpointConfig'],
    });
  });

  it("is needed: the workflow's own NetworkIsolation statement denies the compliant manifests' creates that have no such key", async () => {
    // Deny sagemaker:Create* if StringNotEqualsIfExists sagemaker:NetworkIsolation "true": IfExists
    // holds when the key is missing, so every create that cannot carry the key is denied.
    const seed = JSON.parse(
      await readFile(new URL('../../emulator/fixtures/secure-vpc-policies.json', import.meta.url), 'utf8'),
    ) as { requireNetworkIsolation: object };
    const original = await assumeRoleWithPolicy(
      'secure-vpc-workflow',
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sagemaker:*', Resource: '*' }] },
      [seed.requireNetworkIsolation],
    );
    const asOriginal = new sagemaker.SageMakerClient({
      endpoint: cloud.emulator.endpoint,
      region: 'us-east-1',
      credentials: original.credentials,
    });
    try {
      const denied: Record<string, string[]> = {};
      for (const [kind, compliant] of COMPLIANT) {
        const creates = createsOf(kind, `workflow-${kind.toLowerCase()}`, compliant());
        denied[kind] = (await underIam(creates, asOriginal)).denied;
      }
      expect(denied).toEqual({
        ModelPackageGroup: ['CreateModelPackageGroup'],
        ModelPackage: ['CreateModelPackage'],
        ProcessingJob: [],
        TrainingJob: [],
        Endpoint: ['CreateEndpointConfig', 'CreateEndpoint'],
        TransformJob: ['CreateTransformJob'],
        MonitoringSchedule: ['CreateMonitoringSchedule'],
      });
    } finally {
      asOriginal.destroy();
    }
  });

  it('judge apart the manifests docs/security.md names, and the workaround it gives is both admitted and allowed', async () => {
    const processing = folderSpec('ProcessingJob');
    const endpoint = folderSpec('Endpoint');
    const version = folderSpec('ModelPackage');
    const cases: [string, string, Json][] = [
      ['ProcessingJob', 'writing nothing', changed(processing, ['processingOutputConfig'], undefined)],
      [
        'ProcessingJob',
        'writing nothing, with the output key',
        changed(processing, ['processingOutputConfig'], { outputs: [], kmsKeyId: KEY }),
      ],
      [
        'Endpoint',
        'capturing data without an output key',
        changed(endpoint, ['dataCaptureConfig'], {
          initialSamplingPercentage: 100,
          destinationS3Uri: 's3://my-data-bucket/abalone/capture',
          captureOptions: [{ captureMode: 'Input' }],
        }),
      ],
      [
        'ModelPackage',
        'validated without a volume key',
        changed(version, ['validationSpecification'], {
          validationRole: ROLE,
          validationProfiles: [
            {
              profileName: 'test-set',
              transformJobDefinition: {
                transformInput: {
                  dataSource: {
                    s3DataSource: { s3DataType: 'S3Prefix', s3Uri: 's3://my-data-bucket/abalone/test' },
                  },
                },
                transformOutput: { s3OutputPath: 's3://my-data-bucket/abalone/validation', kmsKeyId: KEY },
                transformResources: { instanceType: 'ml.m5.xlarge', instanceCount: 1 },
              },
            },
          ],
        }),
      ],
    ];
    const verdicts: Record<string, [boolean, boolean]> = {};
    for (const [i, [kind, label, spec]] of cases.entries()) {
      const name = `apart-${kind.toLowerCase()}-${String(i)}`;
      const iam = await underIam(createsOf(kind, name, spec));
      const admission = await admitted(kind, name, spec);
      // A refusal is the SecurityPolicy's, not the schema's.
      if (!admission.admitted) expect(admission.message).toContain('SecurityPolicy secure-vpc-pipeline sets');
      verdicts[`${kind} ${label}`] = [admission.admitted, iam.denied.length === 0];
    }
    // [admitted by the SecurityPolicy, allowed by IAM]
    expect(verdicts).toEqual({
      'ProcessingJob writing nothing': [true, false],
      'ProcessingJob writing nothing, with the output key': [true, true],
      'Endpoint capturing data without an output key': [false, true],
      'ModelPackage validated without a volume key': [false, true],
    });
  });
});
