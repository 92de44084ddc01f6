import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { MultiModelSetSpec, MultiModelSetStatus } from '../../../src/crds/multi-model-set.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { inService } from '../endpoint/support.js';
import { GROUP, VERSION } from '../../../src/crds/index.js';
import { customObjects } from '../support/cluster.js';
import { assumeRoleWithPolicy } from '../support/iam.js';
import { loadExamples, type Manifest } from '../support/examples.js';
import { kubectl, startKubectl } from '../support/kubectl.js';
import { condition, eventsAbout, OperatorHarness } from '../support/operator.js';
import { exists, invoke, PLURAL, targets, until, waitReady } from './support.js';

let h: OperatorHarness;
let examples: Map<string, Manifest[]>;

const BUCKET = 'my-sagemaker-bucket';
const PREFIX = 'housing/models/';
const CITY = 'housing.example.com/city';
const TRAINING_JOBS = 'trainingjobs';

beforeAll(async () => {
  h = await OperatorHarness.start('mms-ex');
  await h.cloud.s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  examples = await loadExamples('multi-model');
});
afterAll(async () => {
  await h.stop();
});

const PLURALS: Record<string, string> = {
  TrainingJob: TRAINING_JOBS,
  Endpoint: 'endpoints',
  MultiModelSet: PLURAL,
};

/** Creates the file's objects, with their labels (the selector reads them), under their own or another name and city. */
async function apply(file: string, only?: { name: string; as: string; city?: string }): Promise<void> {
  for (const m of examples.get(file) ?? []) {
    if (only && m.metadata.name !== only.name) continue;
    const labels = { ...m.metadata.labels, ...(only?.city ? { [CITY]: only.city } : {}) };
    const metadata = { ...m.metadata, labels, name: only?.as ?? m.metadata.name, namespace: h.namespace };
    await customObjects(h.kc).createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: h.namespace,
      plural: PLURALS[m.kind] ?? '',
      body: { ...m, metadata },
    });
  }
}

const jobState = async (name: string): Promise<string | undefined> =>
  (await h.get<TrainingJobSpec, TrainingJobStatus>(TRAINING_JOBS, name))?.status?.trainingJobStatus;

/**
 * Jobs created from now on train for `seconds` of real time (SageMaker time runs 100 times faster
 * instead of 1,000, so the examples' one-hour runtime limit is not reached), or quickly again.
 */
async function trainFor(seconds?: number): Promise<void> {
  await h.cloud.emulator.control.setTimeScale(seconds === undefined ? 0.001 : 0.01);
  await h.cloud.emulator.control.configure({
    timings: { trainingTraining: seconds === undefined ? 100 : seconds * 100 },
  });
}

const CITY_JOBS = ['housing-newyork-ny', 'housing-losangeles-ca', 'housing-chicago-il', 'housing-houston-tx'];

describe('the multi-model example (one Linear Learner model per city behind a pipeline)', () => {
  it('is not Ready while the selected jobs train, and Ready once every city is in place (kubectl apply, kubectl wait)', async () => {
    expect([...examples.keys()]).toEqual([
      'add-city.yaml',
      'endpoint.yaml',
      'multi-model-set.yaml',
      'training-jobs.yaml',
    ]);
    await trainFor(6);
    await kubectl(h.namespace, ['apply', '-f', 'examples/multi-model/']);
    const wait = await startKubectl(h.namespace, [
      'wait',
      '--for=condition=Ready',
      'smmms/housing-models',
      '--timeout=60s',
    ]);
    await until(async () => (await Promise.all(CITY_JOBS.map(jobState))).every((s) => s === 'InProgress'));
    const waiting = await h.waitFor<MultiModelSetSpec, MultiModelSetStatus>(
      PLURAL,
      'housing-models',
      (o) => condition(o, 'Ready')?.reason === 'WaitingForReference' && o?.status?.models?.pending === 4,
    );
    expect(waiting?.status?.models).toEqual({ desired: 4, ready: 0, failed: 0, pending: 4, summary: '0/4' });
    expect(condition(waiting, 'Ready')).toMatchObject({
      status: 'False',
      message: expect.stringContaining('waiting for TrainingJob housing-') as unknown as string,
    });
    // Still training, and kubectl wait has not returned.
    expect(await Promise.all(CITY_JOBS.map(jobState))).toEqual(CITY_JOBS.map(() => 'InProgress'));
    expect(wait.ended()).toBe(false);

    const waited = await wait.result;
    expect(waited).toMatchObject({ code: 0, stdout: expect.stringContaining('condition met') as unknown });
    await trainFor();
    expect(await Promise.all(CITY_JOBS.map(jobState))).toEqual(CITY_JOBS.map(() => 'Completed'));
    const set = await h.get<MultiModelSetSpec, MultiModelSetStatus>(PLURAL, 'housing-models');
    expect(set?.status?.models).toEqual({ desired: 4, ready: 4, failed: 0, pending: 0, summary: '4/4' });
    const cities = (await targets(h, 'housing-models')) ?? {};
    expect(Object.keys(cities).sort()).toEqual(['Chicago_IL', 'Houston_TX', 'LosAngeles_CA', 'NewYork_NY']);
    for (const key of Object.values(cities)) expect(await exists(h, `${PREFIX}${key}`, BUCKET)).toBe(true);

    // The pipeline's MultiModel container loads the city's model from the prefix.
    const endpoint = await h.waitFor<EndpointSpec, EndpointStatus>('endpoints', 'housing', inService());
    expect(set?.status).toMatchObject({ endpointName: endpoint?.status?.endpointName });
    const answer = await invoke(h, endpoint?.status?.endpointName ?? '', cities.Chicago_IL ?? '');
    expect(answer.modelData).toBe(`s3://${BUCKET}/${PREFIX}${cities.Chicago_IL ?? ''}`);
  });

  it("enforces docs/multi-model.md's per-model IAM policy (the emulator evaluates sagemaker:TargetModel)", async () => {
    const docs = await readFile(new URL('../../../docs/multi-model.md', import.meta.url), 'utf8');
    const policy = JSON.parse(/```json\n([\s\S]*?)```/.exec(docs)?.[1] ?? '{}') as {
      Statement: { Resource: string; Condition: { StringLike: Record<string, string[]> } }[];
    };
    expect(policy.Statement[0]?.Condition.StringLike['sagemaker:TargetModel']).toEqual(['NewYork_NY/*']);
    const endpoint =
      (await h.get<EndpointSpec, EndpointStatus>('endpoints', 'housing'))?.status?.endpointName ?? '';
    // The documented policy names the endpoint of namespace default; this test's namespace is another.
    expect(policy.Statement[0]?.Resource).toBe(
      'arn:aws:sagemaker:us-east-1:123456789012:endpoint/default-housing',
    );
    policy.Statement[0]!.Resource = `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${endpoint}`;
    const session = await assumeRoleWithPolicy('new-york-app', policy);
    const app = new SageMakerRuntimeClient({
      endpoint: h.cloud.emulator.endpoint,
      region: 'us-east-1',
      credentials: session.credentials,
    });
    const cities = (await targets(h, 'housing-models')) ?? {};
    expect((await invoke(h, endpoint, cities.NewYork_NY ?? '', app)).targetModel).toBe(cities.NewYork_NY);
    await expect(invoke(h, endpoint, cities.Chicago_IL ?? '', app)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    app.destroy();
  });

  it('keeps serving a city while it is retrained, places new cities meanwhile, then serves the new version', async () => {
    const before = (await targets(h, 'housing-models'))?.NewYork_NY ?? '';
    await trainFor(10);
    await apply('training-jobs.yaml', { name: 'housing-newyork-ny', as: 'housing-newyork-ny-2' });
    await until(async () => (await jobState('housing-newyork-ny-2')) === 'InProgress');
    await trainFor();
    await apply('add-city.yaml', { name: 'housing-houston-tx', as: 'housing-dallas-tx', city: 'Dallas_TX' });
    await until(async () => (await targets(h, 'housing-models'))?.Dallas_TX !== undefined);
    const set = await waitReady(h, 'housing-models');
    expect(set.status?.models).toEqual({ desired: 5, ready: 5, failed: 0, pending: 0, summary: '5/5' });
    // The set saw the retrain (it placed Dallas since) and is Ready while it trains.
    expect(await jobState('housing-newyork-ny-2')).toBe('InProgress');
    expect(
      await kubectl(h.namespace, ['wait', '--for=condition=Ready', 'smmms/housing-models', '--timeout=1s']),
    ).toContain('condition met');
    expect((await targets(h, 'housing-models'))?.NewYork_NY).toBe(before);

    await until(async () => {
      const now = (await targets(h, 'housing-models'))?.NewYork_NY;
      return now !== undefined && now !== before;
    }, 60_000);
    // The old key is there while the new one is in place, then goes.
    expect(await exists(h, `${PREFIX}${before}`, BUCKET)).toBe(true);
    await until(async () => !(await exists(h, `${PREFIX}${before}`, BUCKET)));
    const reasons = (await eventsAbout(h, 'housing-models')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['ModelAdded', 'ModelUpdated']));
  });

  it('names a city whose job failed, with one Warning, and serves the others', async () => {
    await h.cloud.emulator.control.steer({
      kind: 'TrainingJob',
      name: `${h.namespace}-housing-seattle-wa`,
      outcome: 'Failed',
      failureReason: 'AlgorithmError: no rows in the training channel',
    });
    await apply('add-city.yaml', {
      name: 'housing-houston-tx',
      as: 'housing-seattle-wa',
      city: 'Seattle_WA',
    });
    const failed = await h.waitFor<MultiModelSetSpec, MultiModelSetStatus>(
      PLURAL,
      'housing-models',
      (o) => (o?.status?.failedModels ?? []).length > 0,
    );
    expect(failed?.status?.failedModels).toEqual([
      {
        name: 'Seattle_WA',
        reason: 'TrainingJobFailed',
        message: 'TrainingJob housing-seattle-wa Failed: AlgorithmError: no rows in the training channel',
      },
    ]);
    expect(failed?.status?.models).toEqual({ desired: 6, ready: 5, failed: 1, pending: 0, summary: '5/6' });
    expect(condition(failed, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'ModelsInPlace',
      message: expect.stringContaining('Seattle_WA (TrainingJobFailed)') as unknown as string,
    });

    // One more city is placed past the failure, which is not reported again.
    await apply('add-city.yaml', {
      name: 'housing-houston-tx',
      as: 'housing-portland-or',
      city: 'Portland_OR',
    });
    await until(async () => (await targets(h, 'housing-models'))?.Portland_OR !== undefined);
    const set = await waitReady(h, 'housing-models');
    expect(set.status?.models).toMatchObject({ desired: 7, ready: 6, failed: 1 });
    expect(Object.keys((await targets(h, 'housing-models')) ?? {})).not.toContain('Seattle_WA');
    const warnings = (await eventsAbout(h, 'housing-models')).filter((e) => e.type === 'Warning');
    expect(warnings).toEqual([
      expect.objectContaining({
        reason: 'ModelFailed',
        count: 1,
        note: expect.stringContaining('Seattle_WA') as unknown,
      }),
    ]);
  });
});
