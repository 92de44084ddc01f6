import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { MultiModelSetSpec, MultiModelSetStatus } from '../../../src/crds/multi-model-set.js';
import { createInService } from '../endpoint/support.js';
import { condition, eventsAbout, OperatorHarness, REGION } from '../support/operator.js';
import {
  countCalls,
  exists,
  invoke,
  multiModelEndpoint,
  PLURAL,
  prefixOf,
  putArtifact,
  s3UriOf,
  tagsOf,
  targets,
  until,
  waitReady,
} from './support.js';

let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('mms');
});
afterAll(async () => {
  await h.stop();
});

describe('MultiModelSet', () => {
  it('copies each model to <name>/<version>.tar.gz, tagged as ours, and the endpoint serves it', async () => {
    const prefix = prefixOf(h, 'serve');
    await putArtifact(h, 'sources/NewYork_NY.tar.gz', 'new york v1');
    await putArtifact(h, 'sources/Chicago_IL.tar.gz', 'chicago v1');
    const endpoint = await createInService(h, 'serve-endpoint', multiModelEndpoint(h, prefix));
    await h.create(PLURAL, 'MultiModelSet', 'serve', {
      endpointRef: { name: 'serve-endpoint' },
      models: [
        { name: 'NewYork_NY', s3Uri: s3UriOf(h, 'sources/NewYork_NY.tar.gz') },
        { name: 'Chicago_IL', s3Uri: s3UriOf(h, 'sources/Chicago_IL.tar.gz') },
      ],
      tags: { team: 'pricing' },
    } satisfies MultiModelSetSpec);
    const set = await waitReady(h, 'serve');

    expect(set.status).toMatchObject({
      endpointName: endpoint?.status?.endpointName,
      modelDataPrefix: `s3://${h.cloud.bucket}/${prefix}`,
      models: { desired: 2, ready: 2, failed: 0, pending: 0, summary: '2/2' },
      targetModelPattern: '<name>/<version>.tar.gz',
      targetsConfigMap: 'serve-targets',
    });
    expect(condition(set, 'Ready')).toMatchObject({ reason: 'ModelsInPlace' });
    const map = (await targets(h, 'serve')) ?? {};
    expect(Object.keys(map).sort()).toEqual(['Chicago_IL', 'NewYork_NY']);
    expect(map.NewYork_NY).toMatch(/^NewYork_NY\/[0-9a-f]{32}\.tar\.gz$/);
    expect(await h.cloud.keys(prefix)).toEqual(
      [`${prefix}${map.Chicago_IL ?? ''}`, `${prefix}${map.NewYork_NY ?? ''}`].sort(),
    );
    expect(await h.cloud.read(`${prefix}${map.NewYork_NY ?? ''}`)).toBe('new york v1');
    expect(await tagsOf(h, `${prefix}${map.NewYork_NY ?? ''}`)).toEqual({
      'mlops.dev/managed-by': 'sagemaker-operator',
      'mlops.dev/cluster': 'rig',
      'mlops.dev/owner': `MultiModelSet/${h.namespace}/serve`,
      'mlops.dev/uid': set.metadata.uid,
      team: 'pricing',
    });

    const answer = await invoke(h, endpoint?.status?.endpointName ?? '', map.NewYork_NY ?? '');
    expect(answer.modelData).toBe(`s3://${h.cloud.bucket}/${prefix}${map.NewYork_NY ?? ''}`);
    expect((await eventsAbout(h, 'serve')).map((e) => e.reason)).toContain('ModelAdded');
  });

  it('puts new spec.tags on the artifacts in place', async () => {
    const prefix = prefixOf(h, 'retag');
    await putArtifact(h, 'sources/retag.tar.gz', 'retag');
    await h.create(PLURAL, 'MultiModelSet', 'retag', {
      modelDataPrefix: `s3://${h.cloud.bucket}/${prefix}`,
      models: [{ name: 'retag', s3Uri: s3UriOf(h, 'sources/retag.tar.gz') }],
      tags: { team: 'pricing' },
    } satisfies MultiModelSetSpec);
    await waitReady(h, 'retag');
    const key = `${prefix}${(await targets(h, 'retag'))?.retag ?? ''}`;
    await h.patchSpec(PLURAL, 'retag', { tags: { team: null, stage: 'prod' } });
    await until(async () => (await tagsOf(h, key)).stage === 'prod');
    const tags = await tagsOf(h, key);
    expect(tags.team).toBeUndefined();
    expect(tags['mlops.dev/owner']).toBe(`MultiModelSet/${h.namespace}/retag`);
  });

  it('waits for its Endpoint to exist', async () => {
    const prefix = prefixOf(h, 'later');
    await putArtifact(h, 'sources/later.tar.gz', 'later');
    await h.create(PLURAL, 'MultiModelSet', 'later', {
      endpointRef: { name: 'later-endpoint' },
      models: [{ name: 'later', s3Uri: s3UriOf(h, 'sources/later.tar.gz') }],
    } satisfies MultiModelSetSpec);
    await h.waitFor<MultiModelSetSpec, MultiModelSetStatus>(
      PLURAL,
      'later',
      (o) => condition(o, 'Ready')?.reason === 'WaitingForReference',
    );
    await h.create('endpoints', 'Endpoint', 'later-endpoint', multiModelEndpoint(h, prefix));
    await waitReady(h, 'later');
    expect(await h.cloud.keys(prefix)).toHaveLength(1);
  });

  it('copies an updated source to a new key and deletes the old one after the grace period', async () => {
    const prefix = prefixOf(h, 'update');
    await putArtifact(h, 'sources/update-v1.tar.gz', 'v1');
    await putArtifact(h, 'sources/update-v2.tar.gz', 'v2');
    const spec = (source: string): MultiModelSetSpec => ({
      modelDataPrefix: `s3://${h.cloud.bucket}/${prefix}`,
      models: [{ name: 'Houston_TX', s3Uri: s3UriOf(h, source) }],
    });
    await h.create(PLURAL, 'MultiModelSet', 'update', spec('sources/update-v1.tar.gz'));
    await waitReady(h, 'update');
    const oldKey = `${prefix}${(await targets(h, 'update'))?.Houston_TX ?? ''}`;

    await h.patchSpec(PLURAL, 'update', spec('sources/update-v2.tar.gz'));
    let newKey = '';
    await until(async () => {
      newKey = `${prefix}${(await targets(h, 'update'))?.Houston_TX ?? ''}`;
      return newKey !== oldKey;
    });
    // Callers that still hold the old TargetModel keep working during the grace period.
    expect(await exists(h, oldKey)).toBe(true);
    expect(await h.cloud.read(newKey)).toBe('v2');
    await until(async () => !(await exists(h, oldKey)));
    expect(await h.cloud.keys(prefix)).toEqual([newKey]);
    expect((await eventsAbout(h, 'update')).map((e) => e.reason)).toContain('ModelUpdated');
  });

  it("deletes a removed model's artifacts and never touches objects it did not write", async () => {
    const prefix = prefixOf(h, 'remove');
    await putArtifact(h, 'sources/keep.tar.gz', 'keep');
    await putArtifact(h, 'sources/drop.tar.gz', 'drop');
    // Someone else's objects under the prefix, one of them shaped like the operator's keys.
    const foreign = [
      `${prefix}readme.txt`,
      `${prefix}drop/manual.tar.gz`,
      `${prefix}drop/0123456789abcdef0123456789abcdef.tar.gz`,
    ];
    for (const key of foreign) await putArtifact(h, key, 'not the operator');
    const model = (name: string) => ({ name, s3Uri: s3UriOf(h, `sources/${name}.tar.gz`) });
    await h.create(PLURAL, 'MultiModelSet', 'remove', {
      modelDataPrefix: `s3://${h.cloud.bucket}/${prefix}`,
      models: [model('keep'), model('drop')],
    } satisfies MultiModelSetSpec);
    await waitReady(h, 'remove');
    const dropKey = `${prefix}${(await targets(h, 'remove'))?.drop ?? ''}`;

    await h.patchSpec(PLURAL, 'remove', { models: [model('keep')] });
    await until(async () => !(await exists(h, dropKey)));
    const set = await waitReady(h, 'remove');
    expect(set.status?.models).toMatchObject({ desired: 1, ready: 1 });
    expect(Object.keys((await targets(h, 'remove')) ?? {})).toEqual(['keep']);
    for (const key of foreign) expect(await exists(h, key)).toBe(true);
    expect((await eventsAbout(h, 'remove')).map((e) => e.reason)).toContain('ModelRemoved');

    // Deletion (Delete) removes what the set wrote, and its ConfigMap; the foreign objects stay.
    await h.delete(PLURAL, 'remove');
    await h.waitFor(PLURAL, 'remove', (o) => o === undefined);
    expect((await h.cloud.keys(prefix)).sort()).toEqual([...foreign].sort());
    expect(await targets(h, 'remove')).toBeUndefined();
  });

  it('isolates a failing source: the others are served, the failure is reported and retried', async () => {
    const prefix = prefixOf(h, 'failing');
    await putArtifact(h, 'sources/fine.tar.gz', 'fine');
    await h.create(PLURAL, 'MultiModelSet', 'failing', {
      modelDataPrefix: `s3://${h.cloud.bucket}/${prefix}`,
      models: [
        { name: 'fine', s3Uri: s3UriOf(h, 'sources/fine.tar.gz') },
        { name: 'missing', s3Uri: s3UriOf(h, 'sources/not-yet.tar.gz') },
      ],
    } satisfies MultiModelSetSpec);
    const failing = await h.waitFor<MultiModelSetSpec, MultiModelSetStatus>(
      PLURAL,
      'failing',
      (o) => condition(o, 'Ready')?.reason === 'ModelsFailed' && o?.status?.models?.ready === 1,
    );
    expect(failing?.status?.models).toMatchObject({ desired: 2, ready: 1, failed: 1 });
    expect(failing?.status?.failedModels).toEqual([
      {
        name: 'missing',
        reason: 'SourceNotFound',
        message: `the artifact ${s3UriOf(h, 'sources/not-yet.tar.gz')} does not exist`,
      },
    ]);
    expect(Object.keys((await targets(h, 'failing')) ?? {})).toEqual(['fine']);
    const events = await eventsAbout(h, 'failing');
    expect(events.filter((e) => e.reason === 'ModelFailed')).toEqual([
      expect.objectContaining({ type: 'Warning', note: expect.stringContaining('missing') as unknown }),
    ]);

    await putArtifact(h, 'sources/not-yet.tar.gz', 'arrived');
    const set = await waitReady(h, 'failing');
    expect(set.status?.failedModels).toEqual([]);
    expect(Object.keys((await targets(h, 'failing')) ?? {}).sort()).toEqual(['fine', 'missing']);
  });

  it('leaves a ConfigMap of its name that someone else wrote alone', async () => {
    const prefix = prefixOf(h, 'clash');
    await putArtifact(h, 'sources/clash.tar.gz', 'clash');
    const core = h.kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: h.namespace,
      body: { metadata: { name: 'clash-targets' }, data: { mine: 'not the operator' } },
    });
    await h.create(PLURAL, 'MultiModelSet', 'clash', {
      modelDataPrefix: `s3://${h.cloud.bucket}/${prefix}`,
      models: [{ name: 'clash', s3Uri: s3UriOf(h, 'sources/clash.tar.gz') }],
    } satisfies MultiModelSetSpec);
    const set = await h.waitFor<MultiModelSetSpec, MultiModelSetStatus>(
      PLURAL,
      'clash',
      (o) => condition(o, 'Synced')?.reason === 'AlreadyExists',
    );
    expect(condition(set, 'Synced')?.message).toContain('ConfigMap clash-targets already exists');
    expect(await targets(h, 'clash')).toEqual({ mine: 'not the operator' });
    await h.delete(PLURAL, 'clash');
    await h.waitFor(PLURAL, 'clash', (o) => o === undefined);
    expect(await targets(h, 'clash')).toEqual({ mine: 'not the operator' });
  });

  it('leaves artifacts and ConfigMap behind under Retain', async () => {
    const prefix = prefixOf(h, 'retain');
    await putArtifact(h, 'sources/retained.tar.gz', 'retained');
    await h.create(PLURAL, 'MultiModelSet', 'retain', {
      modelDataPrefix: `s3://${h.cloud.bucket}/${prefix}`,
      models: [{ name: 'retained', s3Uri: s3UriOf(h, 'sources/retained.tar.gz') }],
      deletionPolicy: 'Retain',
    } satisfies MultiModelSetSpec);
    await waitReady(h, 'retain');
    const keys = await h.cloud.keys(prefix);
    await h.delete(PLURAL, 'retain');
    await h.waitFor(PLURAL, 'retain', (o) => o === undefined);
    expect(await h.cloud.keys(prefix)).toEqual(keys);
    expect(Object.keys((await targets(h, 'retain')) ?? {})).toEqual(['retained']);
  });

  it('costs no S3 call at rest, and re-copies what was deleted out of band at the drift interval', async () => {
    const prefix = prefixOf(h, 'rest');
    await putArtifact(h, 'sources/rest.tar.gz', 'rest');
    await h.create(PLURAL, 'MultiModelSet', 'rest', {
      modelDataPrefix: `s3://${h.cloud.bucket}/${prefix}`,
      models: [{ name: 'rest', s3Uri: s3UriOf(h, 'sources/rest.tar.gz') }],
    } satisfies MultiModelSetSpec);
    await waitReady(h, 'rest');
    const key = `${prefix}${(await targets(h, 'rest'))?.rest ?? ''}`;
    const s3Calls = countCalls(h.operatorAws.s3({ region: REGION }));
    await h.cloud.s3.send(new DeleteObjectCommand({ Bucket: h.cloud.bucket, Key: key }));
    // Reconciles before the drift interval (10 minutes here) work from the remembered listing.
    const waiting = { name: 'later', trainingJobRef: { name: 'not-yet' } };
    await h.patchSpec(PLURAL, 'rest', {
      models: [{ name: 'rest', s3Uri: s3UriOf(h, 'sources/rest.tar.gz') }, waiting],
    });
    await h.waitFor<MultiModelSetSpec, MultiModelSetStatus>(
      PLURAL,
      'rest',
      (o) => condition(o, 'Ready')?.reason === 'WaitingForReference' && o?.status?.observedGeneration === 2,
    );
    await h.patchSpec(PLURAL, 'rest', {
      models: [{ name: 'rest', s3Uri: s3UriOf(h, 'sources/rest.tar.gz') }],
    });
    await waitReady(h, 'rest');
    expect(s3Calls.count()).toBe(0);

    // With a drift interval of 1.5 s the prefix is listed again and the copy put back.
    await h.stopOperator();
    await h.startOperator(1_500);
    await until(() => exists(h, key));
    await waitReady(h, 'rest');
    await h.cloud.s3.send(new DeleteObjectCommand({ Bucket: h.cloud.bucket, Key: key }));
    await until(() => exists(h, key));
    expect(await h.cloud.read(key)).toBe('rest');
    await until(async () =>
      (await eventsAbout(h, 'rest')).some(
        (e) => e.reason === 'ModelAdded' && e.note.startsWith('copied again 1 model(s)'),
      ),
    );
  });

  it('restores its targets ConfigMap, edited or deleted by hand, at the drift interval', async () => {
    await h.stopOperator();
    await h.startOperator(1_000);
    const prefix = prefixOf(h, 'restore');
    await putArtifact(h, 'sources/restore-a.tar.gz', 'a');
    await putArtifact(h, 'sources/restore-b.tar.gz', 'b');
    await h.create(PLURAL, 'MultiModelSet', 'restore', {
      modelDataPrefix: `s3://${h.cloud.bucket}/${prefix}`,
      models: [
        { name: 'a', s3Uri: s3UriOf(h, 'sources/restore-a.tar.gz') },
        { name: 'b', s3Uri: s3UriOf(h, 'sources/restore-b.tar.gz') },
      ],
    } satisfies MultiModelSetSpec);
    await waitReady(h, 'restore');
    const written = await targets(h, 'restore');
    const restored = async (): Promise<boolean> =>
      JSON.stringify(await targets(h, 'restore')) === JSON.stringify(written);
    const core = h.kc.makeApiClient(CoreV1Api);

    // As `kubectl edit` leaves it: one value changed, one key gone, one key added.
    await core.patchNamespacedConfigMap(
      {
        name: 'restore-targets',
        namespace: h.namespace,
        fieldManager: 'kubectl-edit',
        body: { data: { a: 'a/edited.tar.gz', b: null, mine: 'added by hand' } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(await restored()).toBe(false);
    await until(restored);

    await core.deleteNamespacedConfigMap({ name: 'restore-targets', namespace: h.namespace });
    await until(restored);
    const configMap = await core.readNamespacedConfigMap({ name: 'restore-targets', namespace: h.namespace });
    // Deletion removes the ConfigMap it wrote last, by uid.
    const set = await h.waitFor<MultiModelSetSpec, MultiModelSetStatus>(
      PLURAL,
      'restore',
      (o) => o?.status?.targetsConfigMapUid === configMap.metadata?.uid,
    );
    expect(condition(set, 'Ready')?.status).toBe('True');
    await h.delete(PLURAL, 'restore');
    await h.waitFor(PLURAL, 'restore', (o) => o === undefined);
    expect(await targets(h, 'restore')).toBeUndefined();
  });
});
