import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { startControlPlane } from '../../rig/index.js';
import type { ControlPlane } from '../../rig/index.js';
import { Informer } from '../../../src/runtime/informer.js';
import type { InformerOptions, RestartReason } from '../../../src/runtime/informer.js';
import { RestartBackoff } from '../../../src/runtime/backoff.js';
import { proxiedKubeConfig, type FaultyProxy } from './proxy.js';
import { installTestCrd, Objects, testKind, testLogger, waitFor } from './support.js';
import type { Widget } from './support.js';

// These tests break the control plane, so they get a private one.
const Watched = testKind('Watched');
let cp: ControlPlane;
let admin: KubeConfig;
let proxy: FaultyProxy;
let throughProxy: KubeConfig;
const informers: Informer<Widget>[] = [];
let nsCounter = 0;

beforeAll(async () => {
  cp = await startControlPlane();
  admin = cp.kubeConfig();
  await installTestCrd(admin, Watched);
  ({ proxy, kc: throughProxy } = await proxiedKubeConfig(admin));
}, 120_000);

afterEach(async () => {
  await Promise.all(informers.splice(0).map((i) => i.stop()));
  proxy.refuse(false);
});

afterAll(async () => {
  await proxy.stop();
  await cp.stop();
});

interface Probe {
  informer: Informer<Widget>;
  objects: Objects;
  restarts: RestartReason[];
  lists: number;
  watches: number;
}

async function probe(options: Partial<InformerOptions> = {}): Promise<Probe> {
  const namespace = `watch-${++nsCounter}`;
  await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  const result: Probe = {
    informer: undefined as never,
    objects: new Objects(admin, Watched, namespace),
    restarts: [],
    lists: 0,
    watches: 0,
  };
  result.informer = new Informer<Widget>({
    kc: throughProxy,
    kind: Watched,
    namespace,
    log: testLogger(),
    // Fast retries keep the test short; the production default is 0.8 s → 5 s.
    backoff: new RestartBackoff({ baseMs: 100, maxMs: 1000 }),
    observer: {
      listed: () => {
        result.lists++;
      },
      watching: () => {
        result.watches++;
      },
      restarted: (reason) => void result.restarts.push(reason),
    },
    ...options,
  });
  informers.push(result.informer);
  result.informer.start();
  await waitFor(() => result.watches > 0);
  return result;
}

/** The delay a warning line of the informer announces before its next try. */
const retryInMs = (line: string): number | undefined =>
  (JSON.parse(line) as { retryInMs?: number }).retryInMs;

const seen = (p: Probe, name: string): boolean =>
  p.informer.get(`${p.objects.namespace}/${name}`) !== undefined;

describe('informer recovery against a real apiserver', () => {
  it('resumes from its resourceVersion, without relisting, when the server ends a watch', async () => {
    const p = await probe({ watchTimeoutSeconds: [1, 1] });
    await sleep(2500);
    await p.objects.create('after-timeouts', { size: 1 });
    await waitFor(() => seen(p, 'after-timeouts'));
    expect(p.restarts.filter((r) => r === 'closed').length).toBeGreaterThanOrEqual(2);
    expect(p.lists).toBe(1);
  });

  it('reconnects after the connection is dropped', async () => {
    const p = await probe();
    proxy.dropAll();
    await p.objects.create('after-drop', { size: 1 });
    await waitFor(() => seen(p, 'after-drop'));
    expect(p.restarts.length).toBeGreaterThanOrEqual(1);
  });

  it('restarts a stream that went silent (half-open connection) via the inactivity watchdog', async () => {
    const p = await probe({ inactivityTimeoutMs: 1500 });
    proxy.freezeAll();
    await p.objects.create('after-freeze', { size: 1 });
    await waitFor(() => seen(p, 'after-freeze'), 10_000);
    expect(p.restarts).toContain('stalled');
  });

  it('keeps retrying with backoff while the apiserver restarts, then catches up', async () => {
    const p = await probe();
    await p.objects.create('before-restart', { size: 1 });
    await waitFor(() => seen(p, 'before-restart'));
    await cp.restartApiserver();
    await p.objects.create('after-restart', { size: 1 });
    await waitFor(() => seen(p, 'after-restart'), 30_000);
    expect(p.restarts.length).toBeGreaterThanOrEqual(1);
  });

  it('after a 20 s outage waits at most 5 s to reconnect, and starts from the base delay once connected', async () => {
    const retries: number[] = [];
    const log = pino(
      { level: 'warn' },
      {
        write: (line: string) => {
          const delay = retryInMs(line);
          if (delay !== undefined) retries.push(delay);
        },
      },
    );
    const p = await probe({ backoff: undefined, log });
    proxy.refuse(true);
    proxy.dropAll();
    await sleep(20_000); // the outage
    proxy.refuse(false);
    await p.objects.create('after-outage', { size: 1 });
    await waitFor(() => seen(p, 'after-outage'), 10_000);
    const duringOutage = retries.splice(0);
    expect(duringOutage.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...duringOutage)).toBeLessThanOrEqual(5_000);

    proxy.refuse(true);
    proxy.dropAll();
    await waitFor(() => retries.length > 0);
    proxy.refuse(false);
    expect(retries[0]).toBeLessThanOrEqual(1_600);
  }, 60_000);

  it('relists on 410 Gone after compaction and reports what changed meanwhile, deletions included', async () => {
    const p = await probe();
    await p.objects.create('stays', { size: 1 });
    await p.objects.create('goes', { size: 1 });
    await waitFor(() => seen(p, 'stays') && seen(p, 'goes'));
    const deleted: string[] = [];
    p.informer.onEvent((e) => {
      if (e.type === 'deleted') deleted.push(e.obj.metadata?.name ?? '');
    });
    const listsBefore = p.lists;

    proxy.refuse(true); // the informer is cut off while things change
    await p.objects.delete('goes');
    await p.objects.setSpec('stays', { size: 2 });
    await p.objects.create('new', { size: 1 });
    // A restarted apiserver has an empty watch cache and etcd has forgotten old revisions: the
    // informer's resourceVersion is now too old.
    await cp.restartApiserver();
    await cp.compactEtcd();
    proxy.refuse(false);

    await waitFor(() => seen(p, 'new') && !seen(p, 'goes'), 30_000);
    expect(p.restarts).toContain('expired');
    expect(p.lists).toBeGreaterThan(listsBefore);
    expect(deleted).toEqual(['goes']);
    expect(p.informer.get(`${p.objects.namespace}/stays`)?.spec.size).toBe(2);
  });
});
