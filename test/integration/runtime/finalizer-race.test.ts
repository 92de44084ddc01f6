import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Cache } from '../../../src/runtime/cache.js';
import { Controller } from '../../../src/runtime/controller.js';
import { EventRecorder } from '../../../src/runtime/events.js';
import { ActingFence } from '../../../src/runtime/fence.js';
import type { InformerEvent } from '../../../src/runtime/informer.js';
import type { KindDescriptor, KubeObject } from '../../../src/runtime/kinds.js';
import { RuntimeMetrics } from '../../../src/runtime/metrics.js';
import { DEFAULT_TIMINGS } from '../../../src/runtime/policy.js';
import { defineController, done } from '../../../src/runtime/reconciler.js';
import { createTestNamespace } from '../support/cluster.js';
import { installTestCrd, kubeConfigFrom, Objects, testKind, testLogger, waitFor } from './support.js';

/*
 * The informer's view lags behind the apiserver. A reconcile that starts from an old view, adds the
 * finalizer, and finds through that write that the object is being deleted must not go on to
 * create anything: nothing would clean it up.
 */
const Racer = testKind('Racer');
const OUR_FINALIZER = `${Racer.group}/finalizer`;
const OTHER_FINALIZER = `${Racer.group}/keep`;
const kc = kubeConfigFrom(process.env.KUBECONFIG);
let namespace: string;
let racers: Objects;

/** A cache stuck on the snapshots it was given, as an informer is while its watch lags. */
class LaggingCache {
  constructor(private readonly snapshots: KubeObject[]) {}
  on(_kind: KindDescriptor, _handler: (event: InformerEvent<KubeObject>) => void): void {
    // A lagging watch delivers nothing.
  }
  get(_kind: KindDescriptor, ns: string, name: string): KubeObject | undefined {
    return this.snapshots.find((o) => o.metadata?.namespace === ns && o.metadata.name === name);
  }
  list(): KubeObject[] {
    return this.snapshots;
  }
}

beforeAll(async () => {
  await installTestCrd(kc, Racer);
  namespace = await createTestNamespace(kc, 'finalizer-race');
  racers = new Objects(kc, Racer, namespace);
});

afterAll(async () => {
  const api = kc.makeApiClient(CustomObjectsApi);
  await api
    .patchNamespacedCustomObject(
      {
        group: Racer.group,
        version: Racer.version,
        plural: Racer.plural,
        namespace,
        name: 'racing',
        body: { metadata: { finalizers: null } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )
    .catch(() => undefined);
});

describe('a finalizer write that meets a deletion in progress', () => {
  it('does not reconcile the object into new resources', async () => {
    const stale = await racers.create(
      'racing',
      { size: 1 },
      { metadata: { name: 'racing', finalizers: [OTHER_FINALIZER] } },
    );
    // Since that snapshot: our finalizer was added (by an earlier reconcile) and a user deleted it.
    const api = kc.makeApiClient(CustomObjectsApi);
    await api.patchNamespacedCustomObject(
      {
        group: Racer.group,
        version: Racer.version,
        plural: Racer.plural,
        namespace,
        name: 'racing',
        body: { metadata: { finalizers: [OTHER_FINALIZER, OUR_FINALIZER] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await racers.delete('racing');
    await waitFor(async () => Boolean((await racers.get('racing'))?.metadata?.deletionTimestamp));

    const reconciled: string[] = [];
    const finalized: string[] = [];
    const definition = defineController<KubeObject>({
      kind: Racer,
      reconcile(_ctx, obj) {
        reconciled.push(obj.metadata?.name ?? '');
        return done;
      },
      finalize(_ctx, obj) {
        finalized.push(obj.metadata?.name ?? '');
        return done;
      },
    });
    const fence = new ActingFence();
    fence.actAlone();
    const metrics = new RuntimeMetrics();
    const controller = new Controller(definition, {
      kc,
      cache: new LaggingCache([stale]) as unknown as Cache,
      events: new EventRecorder({
        kc,
        reportingController: 'test',
        reportingInstance: 'test',
        log: testLogger(),
      }),
      metrics,
      log: testLogger(),
      classifier: undefined,
      concurrency: 1,
      driftIntervalMs: 600_000,
      defaultDeletionPolicy: 'Delete',
      fieldManager: 'test',
      timings: DEFAULT_TIMINGS,
      fence,
      reconcileTimeoutMs: 10_000,
      specChangeReasons: new Set(),
    });
    controller.start();
    // The reconcile ends when its finalizer write has met the deletion (a 409, then a fresh read).
    await waitFor(async () => {
      const text = await metrics.registry.getSingleMetricAsString('workqueue_work_duration_seconds');
      return /workqueue_work_duration_seconds_count\{name="racer"\} [1-9]/.test(text);
    });
    await controller.stop(1_000);
    expect(reconciled).toEqual([]);
    const current = await racers.get('racing');
    expect(current?.status).toBeUndefined();
  });
});
