import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import { inService } from '../endpoint/support.js';
import { GROUP, VERSION } from '../../../src/crds/index.js';
import { customObjects } from '../support/cluster.js';
import { assumeRoleWithPolicy } from '../support/iam.js';
import { loadExamples, type Manifest } from '../support/examples.js';
import { eventsAbout, OperatorHarness } from '../support/operator.js';
import { exists, invoke, PLURAL, targets, until, waitReady } from './support.js';

let h: OperatorHarness;
let examples: Map<string, Manifest[]>;

const BUCKET = 'my-sagemaker-bucket';
const PREFIX = 'housing/models/';

beforeAll(async () => {
  h = await OperatorHarness.start('mms-ex');
  await h.cloud.s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  examples = await loadExamples('multi-model');
});
afterAll(async () => {
  await h.stop();
});

const PLURALS: Record<string, string> = {
  TrainingJob: 'trainingjobs',
  Endpoint: 'endpoints',
  MultiModelSet: PLURAL,
};

/** Creates the file's objects, with their labels (the selector reads them), under their own or another name. */
async function apply(file: string, only?: { name: string; as: string }): Promise<void> {
  for (const m of examples.get(file) ?? []) {
    if (only && m.metadata.name !== only.name) continue;
    const metadata = { ...m.metadata, name: only?.as ?? m.metadata.name, namespace: h.namespace };
    await customObjects(h.kc).createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: h.namespace,
      plural: PLURALS[m.kind] ?? '',
      body: { ...m, metadata },
    });
  }
}

describe('the multi-model example (one Linear Learner model per city behind a pipeline)', () => {
  it('serves every city trained, and one more city once its job completes', async () => {
    expect([...examples.keys()]).toEqual([
      'add-city.yaml',
      'endpoint.yaml',
      'multi-model-set.yaml',
      'training-jobs.yaml',
    ]);
    await apply('training-jobs.yaml');
    await apply('endpoint.yaml');
    await apply('multi-model-set.yaml');
    const endpoint = await h.waitFor<EndpointSpec, EndpointStatus>('endpoints', 'housing', inService());
    const set = await h.waitFor(
      PLURAL,
      'housing-models',
      (o) => (o?.status as { models?: { ready: number } } | undefined)?.models?.ready === 3,
    );
    expect(set?.status).toMatchObject({ endpointName: endpoint?.status?.endpointName });
    await waitReady(h, 'housing-models');
    const cities = (await targets(h, 'housing-models')) ?? {};
    expect(Object.keys(cities).sort()).toEqual(['Chicago_IL', 'LosAngeles_CA', 'NewYork_NY']);

    // The pipeline's MultiModel container loads the city's model from the prefix.
    const answer = await invoke(h, endpoint?.status?.endpointName ?? '', cities.Chicago_IL ?? '');
    expect(answer.modelData).toBe(`s3://${BUCKET}/${PREFIX}${cities.Chicago_IL ?? ''}`);

    await apply('add-city.yaml');
    await until(async () => (await targets(h, 'housing-models'))?.Houston_TX !== undefined);
    const houston = (await targets(h, 'housing-models'))?.Houston_TX ?? '';
    expect(await exists(h, `${PREFIX}${houston}`, BUCKET)).toBe(true);
    const ready = await waitReady(h, 'housing-models');
    expect(ready.status?.models).toMatchObject({ desired: 4, ready: 4 });
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

  it('serves a retrained city from a new key, and deletes the old one after the grace period', async () => {
    const before = (await targets(h, 'housing-models'))?.NewYork_NY ?? '';
    await apply('training-jobs.yaml', { name: 'housing-newyork-ny', as: 'housing-newyork-ny-2' });
    await until(async () => {
      const now = (await targets(h, 'housing-models'))?.NewYork_NY;
      return now !== undefined && now !== before;
    });
    // The old key is there while the new one is in place, then goes.
    expect(await exists(h, `${PREFIX}${before}`, BUCKET)).toBe(true);
    await until(async () => !(await exists(h, `${PREFIX}${before}`, BUCKET)));
    const reasons = (await eventsAbout(h, 'housing-models')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['ModelAdded', 'ModelUpdated']));
  });
});
