import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, KubeConfig, V1MicroTime } from '@kubernetes/client-node';
import { createTestNamespace } from '../support/cluster.js';
import { defineController, done, startOperator } from '../../../src/runtime/index.js';
import type { ControllerDefinition, Operator, OperatorOptions } from '../../../src/runtime/index.js';
import { installTestCrd, kubeConfigFrom, Objects, sample, testKind, testLogger, waitFor } from './support.js';
import type { Widget } from './support.js';

const Metered = testKind('Metered');
const Slow = testKind('Slow');
const Led = testKind('Led');
const kc = kubeConfigFrom(process.env.KUBECONFIG);
let namespace: string;
const running: Operator[] = [];

async function operator(
  options: Partial<OperatorOptions> & Pick<OperatorOptions, 'controllers'>,
): Promise<Operator> {
  const started = await startOperator({
    kubeConfig: kc,
    log: testLogger(),
    namespaces: [namespace],
    metricsAddr: '127.0.0.1:0',
    healthAddr: '127.0.0.1:0',
    ...options,
  });
  running.push(started);
  return started;
}

beforeAll(async () => {
  await Promise.all([installTestCrd(kc, Metered), installTestCrd(kc, Slow), installTestCrd(kc, Led)]);
  namespace = await createTestNamespace(kc, 'runtime-op');
});

afterAll(async () => {
  await Promise.all(running.map((o) => o.stop()));
});

describe('metrics and health endpoints', () => {
  it('serve controller-runtime style metrics, process metrics, and health once caches synced', async () => {
    const controller = defineController<Widget>({
      kind: Metered,
      reconcile: (ctx) => {
        ctx.status.setCondition('Ready', 'True', 'Completed');
        return done;
      },
    });
    const op = await operator({ controllers: [controller] });
    await op.waitForSync();
    await new Objects(kc, Metered, namespace).create('m1', { size: 1 });
    const url = `http://${op.metricsAddress ?? ''}/metrics`;
    const text = await waitFor(async () => {
      const body = await (await fetch(url)).text();
      return (sample(body, 'controller_runtime_reconcile_total{controller="metered",result="success"}') ??
        0) >= 1
        ? body
        : undefined;
    });
    for (const series of [
      'controller_runtime_reconcile_time_seconds_count{controller="metered"}',
      'controller_runtime_max_concurrent_reconciles{controller="metered"}',
      'controller_runtime_active_workers{controller="metered"}',
      'workqueue_adds_total{name="metered"}',
      'workqueue_depth{name="metered"}',
      'workqueue_queue_duration_seconds_count{name="metered"}',
      'workqueue_work_duration_seconds_count{name="metered"}',
      'workqueue_unfinished_work_seconds{name="metered"}',
      'operator_list_duration_seconds_count{kind="Metered"}',
      'operator_kubernetes_writes_total{kind="Metered",write="status"}',
    ]) {
      expect({ series, value: sample(text, series) }).toEqual({ series, value: expect.any(Number) });
    }
    expect(sample(text, 'controller_runtime_max_concurrent_reconciles{controller="metered"}')).toBe(4);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);

    const health = `http://${op.healthAddress ?? ''}`;
    expect((await fetch(`${health}/healthz`)).status).toBe(200);
    expect((await fetch(`${health}/readyz`)).status).toBe(200);
  });

  it('is not ready while caches cannot sync', async () => {
    const unreachable = new KubeConfig();
    unreachable.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'u', token: 'x' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const controller = defineController<Widget>({ kind: Metered, reconcile: () => done });
    const op = await operator({ controllers: [controller], kubeConfig: unreachable });
    const health = `http://${op.healthAddress ?? ''}`;
    expect((await fetch(`${health}/healthz`)).status).toBe(200);
    expect((await fetch(`${health}/readyz`)).status).toBe(503);
    expect(op.ready()).toBe(false);
  });
});

describe('graceful shutdown', () => {
  it('lets an in-flight reconcile finish and write its status, and starts no new work', async () => {
    const started: string[] = [];
    const controller = defineController<Widget>({
      kind: Slow,
      async reconcile(ctx, w) {
        started.push(w.metadata?.name ?? '');
        await sleep(1500);
        ctx.status.set({ finished: true });
        return done;
      },
      concurrency: 1,
    });
    const op = await operator({ controllers: [controller], shutdownTimeoutMs: 10_000 });
    await op.waitForSync();
    const slow = new Objects(kc, Slow, namespace);
    await slow.create('first', { size: 1 });
    await waitFor(() => started.includes('first'));
    await slow.create('second', { size: 1 }); // queued behind the busy single worker
    const stopping = Date.now();
    await op.stop();
    expect(Date.now() - stopping).toBeGreaterThan(1000);
    expect((await slow.get('first'))?.status?.finished).toBe(true);
    expect(started).not.toContain('second');
  });

  it('aborts a reconcile that outlives the deadline and refuses its writes', async () => {
    let aborted = false;
    const controller = defineController<Widget>({
      kind: Slow,
      async reconcile(ctx) {
        await sleep(20_000, undefined, { signal: ctx.signal }).catch(() => (aborted = true));
        ctx.status.set({ finished: 'late' });
        return done;
      },
    });
    const op = await operator({ controllers: [controller], shutdownTimeoutMs: 300 });
    await op.waitForSync();
    const slow = new Objects(kc, Slow, namespace);
    await slow.create('stuck', { size: 1 });
    await sleep(300);
    const stopping = Date.now();
    await op.stop();
    expect(Date.now() - stopping).toBeLessThan(3000);
    expect(aborted).toBe(true);
    expect((await slow.get('stuck'))?.status?.finished).toBeUndefined();
  });
});

describe('leader election in one process', () => {
  const timing = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 };
  const reconciledBy: { who: string; name: string }[] = [];
  const controllerFor = (who: string): ControllerDefinition<Widget> =>
    defineController<Widget>({
      kind: Led,
      reconcile: (_ctx, w) => {
        reconciledBy.push({ who, name: w.metadata?.name ?? '' });
        return done;
      },
    });
  const byWho = (name: string): string[] => reconciledBy.filter((r) => r.name === name).map((r) => r.who);

  it('only the leader reconciles; a replica whose lease is taken stops at once; release hands over', async () => {
    const leaseName = `lease-${namespace}`;
    const lease = { namespace, name: leaseName, ...timing };
    const a = await operator({
      controllers: [controllerFor('a')],
      leaderElection: { ...lease, identity: 'a' },
    });
    await waitFor(() => a.isLeader());
    const b = await operator({
      controllers: [controllerFor('b')],
      leaderElection: { ...lease, identity: 'b' },
    });
    await b.waitForSync();
    const led = new Objects(kc, Led, namespace);
    await led.create('one', { size: 1 });
    await waitFor(() => byWho('one').includes('a'));
    expect(b.isLeader()).toBe(false);
    expect(byWho('one')).not.toContain('b');
    const metricsText = await (await fetch(`http://${a.metricsAddress ?? ''}/metrics`)).text();
    expect(sample(metricsText, `leader_election_master_status{name="${leaseName}"}`)).toBe(1);

    // Someone else takes the lease: a must stop leading at its next renewal.
    const leases = kc.makeApiClient(CoordinationV1Api);
    const current = await leases.readNamespacedLease({ name: leaseName, namespace });
    const now = new V1MicroTime();
    await leases.replaceNamespacedLease({
      name: leaseName,
      namespace,
      body: {
        metadata: { name: leaseName, namespace, resourceVersion: current.metadata?.resourceVersion },
        spec: {
          holderIdentity: 'intruder',
          leaseDurationSeconds: 3,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 1,
        },
      },
    });
    await waitFor(() => !a.isLeader(), 2000);
    await led.create('two', { size: 1 });
    await sleep(500);
    expect(byWho('two')).toEqual([]);

    // The intruder never renews; after its lease expires one of a and b leads again.
    await waitFor(() => a.isLeader() || b.isLeader(), 10_000);
    const leader = a.isLeader() ? a : b;
    const standby = leader === a ? b : a;
    await waitFor(() => byWho('two').length > 0);

    const released = Date.now();
    await leader.stop();
    await waitFor(() => standby.isLeader(), 5000);
    expect(Date.now() - released).toBeLessThan(3000); // well under the 3 s lease: the lease was released
    const updated = await leases.readNamespacedLease({ name: leaseName, namespace });
    expect(updated.spec?.holderIdentity).toBe(standby.identity);
  });
});
