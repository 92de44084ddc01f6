import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import {
  ListTagsCommand,
  paginateListEndpointConfigs,
  paginateListEndpoints,
  paginateListModels,
  paginateListTrainingJobs,
} from '@aws-sdk/client-sagemaker';
import { TAG_UID } from '../../../src/aws/tags.js';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import { GROUP, VERSION } from '../../../src/crds/index.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import type { CallRecord, InFlightCall } from '../../emulator/index.js';
import { role, scale, startHarness, type Harness } from '../../emulator/test-harness.js';
import { createTestNamespace, customObjects } from '../support/cluster.js';
import { condition, type KubeObjectOf } from '../support/operator.js';
import { spawnOperator, type Replica } from './replica.js';
import { kubeConfigFrom, waitFor } from './support.js';

/*
 * docs/architecture.md, tags and ownership (crash safety): the operator, as its own process, is killed with SIGKILL while its
 * create calls are in flight, against a SageMaker whose creates land late (they still land after
 * the caller is gone) and whose describes do not see a new resource for a while. The next process
 * meets resources it cannot see yet and whose creates it never saw answered. It must carry on:
 * exactly one successful create per resource, nothing left in SageMaker that no object owns, no
 * object wedged at Synced=False AlreadyExists, and a clean delete afterwards.
 *
 * Two kills: the first while training jobs and models are being created (the first create of
 * every object), the second while the next process creates endpoint configs or endpoints (creates
 * that follow other creates in the same reconcile).
 */

const kc = kubeConfigFrom(process.env.KUBECONFIG);
const TRAINING_JOBS = 'trainingjobs';
const ENDPOINTS = 'endpoints';
const JOB_COUNT = 10;
const ENDPOINT_COUNT = 3;

/** Real milliseconds a create waits before SageMaker executes and answers it. */
const CREATE_DELAY_MS = 1_500;
/**
 * Real milliseconds a new resource stays invisible to Describe* after its create is executed: longer
 * than a new operator process takes to start, so the next process meets the killed one's creates
 * as names taken by resources it cannot see yet.
 */
const INVISIBLE_MS = 6_000;

const CREATES = ['CreateTrainingJob', 'CreateModel', 'CreateEndpointConfig', 'CreateEndpoint'] as const;
type CreateOperation = (typeof CREATES)[number];

type TrainingJob = KubeObjectOf<TrainingJobSpec, TrainingJobStatus>;
type Endpoint = KubeObjectOf<EndpointSpec, EndpointStatus>;

const children: ChildProcess[] = [];
let namespace: string;
let cloud: Harness;

function replica(): Replica {
  const started = spawnOperator(cloud.emulator.endpoint, namespace, [
    '--poll-interval-min=100ms',
    '--poll-interval-max=500ms',
  ]);
  children.push(started.child);
  return started;
}

/** SIGKILL: no shutdown, no status write, the sockets of its pending calls simply close. */
async function kill9(r: Replica): Promise<void> {
  r.child.kill('SIGKILL');
  await r.exited;
}

async function createObject(plural: string, kind: string, name: string, spec: object): Promise<void> {
  await customObjects(kc).createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural,
    body: { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name, namespace }, spec },
  });
}

async function deleteObject(plural: string, name: string): Promise<void> {
  await customObjects(kc).deleteNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural,
    name,
  });
}

async function list<T>(plural: string): Promise<T[]> {
  const listed = (await customObjects(kc).listNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural,
  })) as { items: T[] };
  return listed.items;
}

const jobSpec = (): TrainingJobSpec => ({
  roleArn: role,
  algorithmSpecification: {
    trainingImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1',
    trainingInputMode: 'File',
  },
  outputDataConfig: { s3OutputPath: `s3://${cloud.bucket}/output` },
  resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
});

const endpointSpec = (): EndpointSpec => ({
  models: [
    {
      modelName: 'model',
      primaryContainer: {
        image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1',
        modelDataUrl: `s3://${cloud.bucket}/model/model.tar.gz`,
      },
      executionRoleArn: role,
    },
  ],
  productionVariants: [
    { variantName: 'AllTraffic', modelName: 'model', instanceType: 'ml.m5.xlarge', initialInstanceCount: 1 },
  ],
});

const createsIn = (calls: InFlightCall[]): InFlightCall[] =>
  calls.filter((c) => (CREATES as readonly string[]).includes(c.operation));

const summary = (calls: InFlightCall[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const c of calls) counts[c.operation] = (counts[c.operation] ?? 0) + 1;
  return counts;
};

const wedged = (o: {
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
}) => condition(o, 'Synced')?.status === 'False' && condition(o, 'Synced')?.reason === 'AlreadyExists';

const jobDone = (j: TrainingJob): boolean =>
  j.status?.trainingJobStatus === 'Completed' && condition(j, 'Ready')?.status === 'True';
const endpointDone = (e: Endpoint): boolean =>
  e.status?.endpointStatus === 'InService' && condition(e, 'Ready')?.status === 'True';

/** Every resource of each family SageMaker lists now. */
async function sagemakerInventory(): Promise<Record<CreateOperation, { name: string; arn: string }[]>> {
  const client = { client: cloud.sagemaker, pageSize: 100 };
  const jobs: { name: string; arn: string }[] = [];
  for await (const page of paginateListTrainingJobs(client, {}))
    for (const s of page.TrainingJobSummaries ?? [])
      jobs.push({ name: s.TrainingJobName!, arn: s.TrainingJobArn! });
  const models: { name: string; arn: string }[] = [];
  for await (const page of paginateListModels(client, {}))
    for (const s of page.Models ?? []) models.push({ name: s.ModelName!, arn: s.ModelArn! });
  const configs: { name: string; arn: string }[] = [];
  for await (const page of paginateListEndpointConfigs(client, {}))
    for (const s of page.EndpointConfigs ?? [])
      configs.push({ name: s.EndpointConfigName!, arn: s.EndpointConfigArn! });
  const endpoints: { name: string; arn: string }[] = [];
  for await (const page of paginateListEndpoints(client, {}))
    for (const s of page.Endpoints ?? []) endpoints.push({ name: s.EndpointName!, arn: s.EndpointArn! });
  return {
    CreateTrainingJob: jobs,
    CreateModel: models,
    CreateEndpointConfig: configs,
    CreateEndpoint: endpoints,
  };
}

const sorted = (names: Iterable<string>): string[] => [...names].sort();

beforeAll(async () => {
  namespace = await createTestNamespace(kc, 'crash');
  cloud = await startHarness();
  await cloud.emulator.control.configure({
    consistency: {
      createDelay: CREATE_DELAY_MS / 1000 / scale,
      describeAfterCreate: INVISIBLE_MS / 1000 / scale,
    },
  });
});

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await cloud.stop();
});

describe('an operator killed (kill -9) while its creates are in flight', () => {
  it('is succeeded by one that creates nothing twice, leaks nothing, wedges nothing and deletes everything', async () => {
    const control = cloud.emulator.control;
    const jobNames = Array.from({ length: JOB_COUNT }, (_, i) => `job-${String(i + 1)}`);
    const endpointNames = Array.from({ length: ENDPOINT_COUNT }, (_, i) => `ep-${String(i + 1)}`);

    // 1. First process: killed while training jobs and models are being created.
    const first = replica();
    for (const name of jobNames) await createObject(TRAINING_JOBS, 'TrainingJob', name, jobSpec());
    for (const name of endpointNames) await createObject(ENDPOINTS, 'Endpoint', name, endpointSpec());
    const atFirstKill = await waitFor(
      async () => {
        const pending = createsIn(await control.inFlight());
        const ops = new Set(pending.map((c) => c.operation));
        return ops.has('CreateTrainingJob') && ops.has('CreateModel') ? pending : undefined;
      },
      40_000,
      'CreateTrainingJob and CreateModel calls in flight from the first process',
    );
    await kill9(first);

    // 2. Second process: killed while it creates an endpoint config or an endpoint.
    const secondStarted = Date.now();
    const second = replica();
    const atSecondKill = await waitFor(
      async () => {
        const pending = createsIn(await control.inFlight());
        const own = pending.filter((c) => c.time >= secondStarted);
        return own.some((c) => c.operation === 'CreateEndpointConfig' || c.operation === 'CreateEndpoint')
          ? pending
          : undefined;
      },
      40_000,
      'CreateEndpointConfig or CreateEndpoint in flight from the second process',
    );
    await kill9(second);

    // 3. Third process: everything converges. AlreadyExists is terminal (someone else's resource,
    // and there is none here): an object wedged on it ends the wait at once.
    replica();
    const wedgedSeen = new Set<string>();
    const describeObject = (o: TrainingJob | Endpoint): string =>
      `${o.kind}/${o.metadata.name} Synced=${JSON.stringify(condition(o, 'Synced'))} Ready=${JSON.stringify(condition(o, 'Ready'))}`;
    const settled = await waitFor(
      async () => {
        const jobs = await list<TrainingJob>(TRAINING_JOBS);
        const endpoints = await list<Endpoint>(ENDPOINTS);
        for (const o of [...jobs, ...endpoints])
          if (wedged(o)) wedgedSeen.add(`${o.kind}/${o.metadata.name}`);
        const complete = jobs.length === JOB_COUNT && endpoints.length === ENDPOINT_COUNT;
        const done =
          jobs.every((j) => jobDone(j) || wedged(j)) && endpoints.every((e) => endpointDone(e) || wedged(e));
        return complete && done
          ? { wedged: [...jobs, ...endpoints].filter(wedged).map(describeObject) }
          : undefined;
      },
      45_000,
      'every TrainingJob Completed and every Endpoint Ready after the restarts',
    ).catch(async (err: unknown) => {
      const objects = [...(await list<TrainingJob>(TRAINING_JOBS)), ...(await list<Endpoint>(ENDPOINTS))];
      const pending = objects.filter((o) => condition(o, 'Ready')?.status !== 'True').map(describeObject);
      throw new Error(
        `${String(pending.length)} of ${String(objects.length)} objects not ready: ${pending.join('; ')}`,
        {
          cause: err,
        },
      );
    });
    expect({ wedgedAtTheEnd: settled.wedged }).toEqual({ wedgedAtTheEnd: [] });

    const jobs = await list<TrainingJob>(TRAINING_JOBS);
    const endpoints = await list<Endpoint>(ENDPOINTS);
    const objects = [...jobs, ...endpoints];

    // What the objects say they own, per create operation.
    const owned: Record<CreateOperation, string[]> = {
      CreateTrainingJob: sorted(jobs.map((j) => j.status?.trainingJobName ?? `(none: ${j.metadata.name})`)),
      CreateModel: sorted(endpoints.flatMap((e) => e.status?.modelNames ?? [`(none: ${e.metadata.name})`])),
      CreateEndpointConfig: sorted(
        endpoints.map((e) => e.status?.endpointConfigName ?? `(none: ${e.metadata.name})`),
      ),
      CreateEndpoint: sorted(endpoints.map((e) => e.status?.endpointName ?? `(none: ${e.metadata.name})`)),
    };

    // The call log: successful creates per resource, and creates answered "name taken".
    const { calls } = await control.calls();
    const createCalls = calls.filter(
      (c): c is CallRecord & { operation: CreateOperation; resource: string } =>
        (CREATES as readonly string[]).includes(c.operation),
    );
    const okCreates = createCalls.filter((c) => c.outcome === 'ok');
    const key = (c: { operation: string; resource?: string | undefined }): string =>
      `${c.operation} ${c.resource ?? '(no name)'}`;
    const perResource = new Map<string, number>();
    for (const c of okCreates) perResource.set(key(c), (perResource.get(key(c)) ?? 0) + 1);
    const duplicates = [...perResource].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${String(n)}`);
    const createdByOperation = Object.fromEntries(
      CREATES.map((op) => [
        op,
        sorted(new Set(okCreates.filter((c) => c.operation === op).map((c) => c.resource))),
      ]),
    ) as Record<CreateOperation, string[]>;
    // "Name taken": ResourceInUse for a training job, ValidationException "Cannot create already existing" for hosting.
    const nameTaken = createCalls.filter(
      (c) => c.outcome === 'ResourceInUse' || c.outcome === 'ValidationException',
    );
    const otherFailures = createCalls.filter((c) => c.outcome !== 'ok' && !nameTaken.includes(c));

    // SageMaker's inventory: anything listed that no object records, or whose uid tag names no object, leaked.
    const inventory = await sagemakerInventory();
    const uids = new Set(objects.map((o) => o.metadata.uid));
    const leaks: string[] = [];
    for (const op of CREATES) {
      for (const r of inventory[op]) {
        const tags = (await cloud.sagemaker.send(new ListTagsCommand({ ResourceArn: r.arn }))).Tags ?? [];
        const uid = tags.find((t) => t.Key === TAG_UID)?.Value;
        if (!owned[op].includes(r.name) || uid === undefined || !uids.has(uid)) {
          leaks.push(`${op.replace(/^Create/, '')} ${r.name} (uid tag ${uid ?? 'none'})`);
        }
      }
    }
    const listed = Object.fromEntries(CREATES.map((op) => [op, sorted(inventory[op].map((r) => r.name))]));

    const figures = {
      inFlightAtFirstKill: summary(atFirstKill),
      inFlightAtSecondKill: summary(atSecondKill),
      successfulCreates: Object.fromEntries(CREATES.map((op) => [op, createdByOperation[op].length])),
      createsAnsweredNameTaken: summary(nameTaken),
      createsFailedOtherwise: summary(otherFailures),
      duplicates: duplicates.length,
      leaks: leaks.length,
      wedgedSeen: wedgedSeen.size,
    };

    // The next processes did meet resources they could not see yet (else this test proves little).
    expect({ createsAnsweredNameTaken: nameTaken.length }).not.toEqual({ createsAnsweredNameTaken: 0 });
    // Every create whose answer a kill lost landed, once and once only.
    const lostAnswersNotLandedOnce = [...atFirstKill, ...atSecondKill]
      .filter((c) => perResource.get(key(c)) !== 1)
      .map((c) => `${key(c)}: ${String(perResource.get(key(c)) ?? 0)} successful`);
    expect({ lostAnswersNotLandedOnce, of: atFirstKill.length + atSecondKill.length }).toEqual({
      lostAnswersNotLandedOnce: [],
      of: atFirstKill.length + atSecondKill.length,
    });
    // Exactly one successful create per resource, and for exactly the resources the objects own.
    expect({ duplicates }).toEqual({ duplicates: [] });
    expect({ successfulCreates: figures.successfulCreates }).toEqual({
      successfulCreates: {
        CreateTrainingJob: JOB_COUNT,
        CreateModel: ENDPOINT_COUNT,
        CreateEndpointConfig: ENDPOINT_COUNT,
        CreateEndpoint: ENDPOINT_COUNT,
      },
    });
    expect({ created: createdByOperation }).toEqual({ created: owned });
    // No leaks: SageMaker holds exactly what the objects own, each tagged with its owner's uid.
    expect({ leaks }).toEqual({ leaks: [] });
    expect({ listed }).toEqual({ listed: owned });
    // No wedged object, now or on the way; every object Synced=True.
    expect({ wedgedSeen: sorted(wedgedSeen) }).toEqual({ wedgedSeen: [] });
    const notSynced = objects
      .filter((o) => condition(o, 'Synced')?.status !== 'True')
      .map((o) => `${o.kind}/${o.metadata.name}: ${JSON.stringify(condition(o, 'Synced'))}`);
    expect({ notSynced, of: objects.length }).toEqual({ notSynced: [], of: JOB_COUNT + ENDPOINT_COUNT });

    // 4. Delete every object: everything the operator created in SageMaker goes with it.
    for (const name of jobNames) await deleteObject(TRAINING_JOBS, name);
    for (const name of endpointNames) await deleteObject(ENDPOINTS, name);
    await waitFor(
      async () =>
        (await list<TrainingJob>(TRAINING_JOBS)).length === 0 &&
        (await list<Endpoint>(ENDPOINTS)).length === 0,
      30_000,
      'every object to be deleted',
    );
    // A delete may still be running in SageMaker (Deleting) when the finalizer goes.
    const leftover = async (): Promise<string[]> => {
      const left = await sagemakerInventory();
      return CREATES.flatMap((op) => left[op].map((r) => `${op.replace(/^Create/, '')} ${r.name}`));
    };
    await waitFor(async () => (await leftover()).length === 0, 10_000, 'SageMaker to hold nothing').catch(
      () => undefined,
    );
    const created = okCreates.length;
    expect({ remainingAfterDelete: await leftover(), of: created }).toEqual({
      remainingAfterDelete: [],
      of: created,
    });
  }, 90_000);
});
