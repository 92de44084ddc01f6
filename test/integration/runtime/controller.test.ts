import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestNamespace } from '../support/cluster.js';
import {
  defineController,
  done,
  findCondition,
  ReconcileError,
  requeueAfter,
  startOperator,
} from '../../../src/runtime/index.js';
import type { Condition, Operator } from '../../../src/runtime/index.js';
import {
  apiserverWritesFor,
  eventsFor,
  installTestCrd,
  kubeConfigFrom,
  Objects,
  sample,
  testKind,
  testLogger,
  waitFor,
} from './support.js';
import type { Widget } from './support.js';

const Widget = testKind('Widget');
const Gadget = testKind('Gadget');
const kc = kubeConfigFrom(process.env.KUBECONFIG);
let namespace: string;
let widgets: Objects;
let gadgets: Objects;
let operator: Operator;
const reconciles = new Map<string, number>();
/** The counts the reconciles of the `count` widget read from its status. */
const counted: number[] = [];
const COUNT_TO = 20;
const finalized: string[] = [];

const count = (name: string): number => reconciles.get(name) ?? 0;
/** Reconciling and Stalled as [status, reason, observedGeneration]. */
const kstatus = (w: Widget | undefined): unknown[][] =>
  ['Reconciling', 'Stalled'].map((type) => {
    const c = findCondition(conditions(w), type);
    return [c?.status, c?.reason, c?.observedGeneration];
  });
const synced = async (name: string, generation: number): Promise<Widget> =>
  waitFor(async () => {
    const current = await widgets.get(name);
    return findCondition(conditions(current), 'Synced')?.observedGeneration === generation
      ? current
      : undefined;
  });
/** Reconciles of objects in `hold` mode wait here until the test releases them, one by one. */
const held = new Map<string, (() => void)[]>();
const hold = (name: string): Promise<void> =>
  new Promise((resolve) => held.set(name, [...(held.get(name) ?? []), resolve]));
async function release(name: string): Promise<void> {
  const waiting = await waitFor(() => (held.get(name)?.length ? held.get(name) : undefined));
  waiting.shift()?.();
}
const conditions = (w: Widget | undefined): Condition[] =>
  (w?.status?.conditions as Condition[] | undefined) ?? [];

const controller = defineController<Widget>({
  kind: Widget,
  references: [{ kind: Gadget, names: (w) => (w.spec.gadget ? [w.spec.gadget] : []) }],
  async reconcile(ctx, w) {
    const name = w.metadata?.name ?? '';
    reconciles.set(name, count(name) + 1);
    if (w.spec.mode === 'holdThenFail') {
      await hold(name);
      throw new ReconcileError('terminal', 'InvalidSpec', 'size must be even');
    }
    if (w.spec.mode === 'holdThenReady') {
      await hold(name);
      ctx.status.setCondition('Ready', 'True', 'Completed', 'ready');
      return done;
    }
    if (w.spec.mode === 'holdAroundFlush') {
      await hold(name);
      ctx.status.set({ phase: 'flushed' });
      await ctx.status.flush();
      ctx.status.setCondition('Ready', 'True', 'Completed');
      return done;
    }
    if (w.spec.mode === 'count') {
      // Each reconcile follows the previous one at once: it must see what that one wrote.
      const seen = typeof w.status?.count === 'number' ? w.status.count : 0;
      counted.push(seen);
      if (seen >= COUNT_TO) return done;
      ctx.status.set({ count: seen + 1 });
      return requeueAfter(0);
    }
    if (w.spec.gadget && ctx.cache.get(Gadget, w.metadata?.namespace ?? '', w.spec.gadget)?.status?.broken)
      throw new ReconcileError('terminal', 'InvalidSpec', `gadget ${w.spec.gadget} is broken`);
    if (w.spec.mode === 'terminal') throw new ReconcileError('terminal', 'InvalidSpec', 'size must be even');
    if (w.spec.mode === 'transient')
      throw new ReconcileError('transient', 'SageMakerUnavailable', 'backend down');
    if (w.spec.gadget) {
      const gadget = ctx.cache.get(Gadget, w.metadata?.namespace ?? '', w.spec.gadget);
      if (gadget?.status?.ready !== true) {
        ctx.status.setCondition(
          'Ready',
          'False',
          'WaitingForReference',
          `gadget ${w.spec.gadget} is not ready`,
        );
        return done;
      }
    }
    ctx.status.set({ size: w.spec.size });
    ctx.status.setCondition('Ready', 'True', 'Completed');
    ctx.events.normal('Completed', `size ${String(w.spec.size)}`);
    return done;
  },
  finalize(ctx, w) {
    finalized.push(w.metadata?.name ?? '');
    ctx.log.info('cleaning up');
    return done;
  },
});

beforeAll(async () => {
  await installTestCrd(kc, Widget);
  await installTestCrd(kc, Gadget);
  namespace = await createTestNamespace(kc, 'runtime-ctl');
  widgets = new Objects(kc, Widget, namespace);
  gadgets = new Objects(kc, Gadget, namespace);
  operator = await startOperator({
    controllers: [controller],
    kubeConfig: kc,
    log: testLogger(),
    namespaces: [namespace],
    metricsAddr: '127.0.0.1:0',
    healthAddr: '127.0.0.1:0',
    driftIntervalMs: 300,
    timings: { transientThreshold: 3 },
    specChangeReasons: new Set(['InvalidSpec']),
    terminalReasons: new Set(['InvalidSpec']),
  });
  await operator.waitForSync();
});

afterAll(async () => {
  await operator.stop();
});

describe('controller loop', () => {
  it('reads its own writes: a reconcile right after another works from what that one wrote, not an older cached copy', async () => {
    await widgets.create('counter', { mode: 'count' });
    await waitFor(async () => (await widgets.get('counter'))?.status?.count === COUNT_TO);
    await waitFor(() => counted.at(-1) === COUNT_TO);
    expect(counted).toEqual(Array.from({ length: COUNT_TO + 1 }, (_, i) => i));
  });

  it('reconciles a new object: finalizer first, then status with Synced, Ready and observedGeneration', async () => {
    await widgets.create('basic', { size: 3 });
    const w = await synced('basic', 1);
    expect(w.status?.observedGeneration).toBe(1);
    expect(w.metadata?.finalizers).toEqual(['test.mlops.dev/finalizer']);
    expect(w.status?.size).toBe(3);
    expect(findCondition(conditions(w), 'Synced')).toMatchObject({
      status: 'True',
      reason: 'ReconcileSuccess',
      observedGeneration: 1,
    });
    expect(findCondition(conditions(w), 'Ready')).toMatchObject({ status: 'True', reason: 'Completed' });
    expect(kstatus(w)).toEqual([
      ['False', 'Current', 1],
      ['False', 'Current', 1],
    ]);

    await widgets.setSpec('basic', { size: 4 });
    const updated = await synced('basic', 2);
    expect(updated.status?.observedGeneration).toBe(2);
    expect(updated.status?.size).toBe(4);
    expect(kstatus(updated)).toEqual([
      ['False', 'Current', 2],
      ['False', 'Current', 2],
    ]);
    // The Ready condition stayed True, so its transition time did not move.
    expect(findCondition(conditions(updated), 'Ready')?.lastTransitionTime).toBe(
      findCondition(conditions(w), 'Ready')?.lastTransitionTime,
    );
  });

  it('writes status at once on the first reconcile: observedGeneration and Reconciling=True', async () => {
    await widgets.create('fresh', { size: 1, mode: 'holdThenReady' });
    await waitFor(() => held.get('fresh')?.length === 1); // the controller's reconcile has started
    const first = await widgets.get('fresh');
    expect(first?.metadata?.finalizers).toEqual(['test.mlops.dev/finalizer']);
    expect(first?.status?.observedGeneration).toBe(1);
    expect(findCondition(conditions(first), 'Reconciling')).toMatchObject({
      status: 'True',
      reason: 'Progressing',
      message: 'reconciling generation 1',
      observedGeneration: 1,
    });
    expect(findCondition(conditions(first), 'Stalled')?.status).toBe('False');
    expect(findCondition(conditions(first), 'Synced')).toBeUndefined();
    await release('fresh');
    const ready = await synced('fresh', 1);
    expect(findCondition(conditions(ready), 'Reconciling')).toMatchObject({
      status: 'False',
      reason: 'Current',
      message: 'ready',
    });
  });

  it('costs zero writes at rest, through many drift re-checks', async () => {
    await widgets.create('quiet', { size: 1 });
    await synced('quiet', 1);
    await sleep(500); // let the event of the first status write settle
    const metricsUrl = `http://${operator.metricsAddress ?? ''}/metrics`;
    const ownWrites = async (): Promise<number> =>
      sample(
        await (await fetch(metricsUrl)).text(),
        'operator_kubernetes_writes_total{kind="Widget",write="status"}',
      ) ?? 0;
    const before = {
      server: await apiserverWritesFor(kc, Widget.plural),
      own: await ownWrites(),
      reconciles: count('quiet'),
    };
    await sleep(2500);
    expect(count('quiet') - before.reconciles).toBeGreaterThanOrEqual(4); // drift checks ran every ~300 ms
    expect(await ownWrites()).toBe(before.own);
    expect(await apiserverWritesFor(kc, Widget.plural)).toBe(before.server);
  });

  it('reports a terminal error once and does not retry it until the spec changes', async () => {
    await widgets.create('broken', { size: 1, mode: 'terminal' });
    const w = await waitFor(async () => {
      const current = await widgets.get('broken');
      return findCondition(conditions(current), 'Synced')?.status === 'False' ? current : undefined;
    });
    expect(findCondition(conditions(w), 'Synced')).toMatchObject({
      reason: 'InvalidSpec',
      message: 'size must be even',
      observedGeneration: 1,
    });
    expect(w.status?.observedGeneration).toBe(1);
    expect(findCondition(conditions(w), 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'InvalidSpec',
      message: 'size must be even',
      observedGeneration: 1,
    });
    expect(findCondition(conditions(w), 'Reconciling')).toMatchObject({
      status: 'False',
      reason: 'InvalidSpec',
    });
    const attempts = count('broken');
    await sleep(1200);
    expect(count('broken')).toBe(attempts);
    const warnings = await waitFor(async () =>
      (await eventsFor(kc, namespace, 'broken')).filter((e) => e.type === 'Warning'),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      reason: 'InvalidSpec',
      note: 'size must be even',
      reportingController: 'operator',
    });

    await widgets.setSpec('broken', { size: 2 });
    const fixed = await synced('broken', 2);
    expect(findCondition(conditions(fixed), 'Synced')?.status).toBe('True');
    expect(kstatus(fixed)).toEqual([
      ['False', 'Current', 2],
      ['False', 'Current', 2],
    ]);
    // Stalled flipped back: its transition time moved; Reconciling stayed False, so its time did not.
    expect(findCondition(conditions(fixed), 'Reconciling')?.lastTransitionTime).toBe(
      findCondition(conditions(w), 'Reconciling')?.lastTransitionTime,
    );
  });

  it('retries transient errors with backoff, turns Synced False after three, and aggregates repeated events', async () => {
    await widgets.create('flaky', { size: 1, mode: 'transient' });
    const w = await waitFor(async () => {
      const current = await widgets.get('flaky');
      return findCondition(conditions(current), 'Synced')?.reason === 'SageMakerUnavailable'
        ? current
        : undefined;
    });
    expect(count('flaky')).toBeGreaterThanOrEqual(3);
    expect(findCondition(conditions(w), 'Synced')?.message).toBe('backend down');
    // Retried, not stalled: kstatus keeps reading it as in progress.
    expect(kstatus(w)).toEqual([
      ['True', 'SageMakerUnavailable', 1],
      ['False', 'SageMakerUnavailable', 1],
    ]);
    // Backoff doubles from 5 ms: a few more attempts happen quickly, each repeat of the warning goes into one series.
    await waitFor(() => count('flaky') >= 6);
    const events = await waitFor(async () => {
      const list = (await eventsFor(kc, namespace, 'flaky')).filter(
        (e) => e.reason === 'SageMakerUnavailable',
      );
      return list.length === 1 && (list[0]?.series?.count ?? 0) >= 2 ? list : undefined;
    });
    expect(events[0]?.type).toBe('Warning');
    expect(String(events[0]?.eventTime)).toMatch(/\.\d{6}Z$/);
  });

  it('runs finalize on delete and removes the finalizer; with Retain it skips cleanup', async () => {
    await widgets.create('doomed', { size: 1 });
    await widgets.create('kept', { size: 1, deletionPolicy: 'Retain' });
    await waitFor(async () => (await widgets.get('doomed'))?.metadata?.finalizers?.length === 1);
    await waitFor(async () => (await widgets.get('kept'))?.metadata?.finalizers?.length === 1);
    await widgets.delete('doomed');
    await widgets.delete('kept');
    await waitFor(async () => !(await widgets.get('doomed')) && !(await widgets.get('kept')));
    expect(finalized).toContain('doomed');
    expect(finalized).not.toContain('kept');
  });

  it('requeues referrers when a referenced object changes, status included', async () => {
    await gadgets.create('g1', {});
    await widgets.create('user', { size: 5, gadget: 'g1' });
    const waiting = await waitFor(async () => {
      const current = await widgets.get('user');
      return findCondition(conditions(current), 'Ready')?.reason === 'WaitingForReference'
        ? current
        : undefined;
    });
    expect(kstatus(waiting)[0]).toEqual(['True', 'WaitingForReference', 1]);
    await gadgets.setStatus('g1', { ready: true });
    const w = await waitFor(async () => {
      const current = await widgets.get('user');
      return findCondition(conditions(current), 'Ready')?.status === 'True' ? current : undefined;
    });
    expect(w.status?.size).toBe(5);
  });

  it('reconciles a spec edit that lands while the failing reconcile runs', async () => {
    await widgets.create('edited', { size: 1, mode: 'holdThenFail' });
    await waitFor(() => held.get('edited')?.length === 1);
    await widgets.setSpec('edited', { size: 2 }); // generation 2, while generation 1 is still failing
    await release('edited');
    const w = await waitFor(async () => {
      const current = await widgets.get('edited');
      return findCondition(conditions(current), 'Synced')?.status === 'True' ? current : undefined;
    });
    expect(w.status?.observedGeneration).toBe(2);
    expect(w.status?.size).toBe(2);
  });

  it('reconciles a referrer that failed terminally when the object it refers to is fixed', async () => {
    await gadgets.create('g-broken', {});
    await gadgets.setStatus('g-broken', { broken: true });
    await widgets.create('referrer', { size: 7, gadget: 'g-broken' });
    await waitFor(
      async () =>
        findCondition(conditions(await widgets.get('referrer')), 'Synced')?.reason === 'InvalidSpec',
    );
    await gadgets.setStatus('g-broken', { broken: false, ready: true });
    const w = await waitFor(async () => {
      const current = await widgets.get('referrer');
      return findCondition(conditions(current), 'Ready')?.status === 'True' ? current : undefined;
    });
    expect(findCondition(conditions(w), 'Synced')?.status).toBe('True');
    expect(w.metadata?.generation).toBe(1);
  });

  it('never claims a generation in status that the reconcile did not work on', async () => {
    await widgets.create('claims', { size: 1, mode: 'holdAroundFlush' });
    await waitFor(() => held.get('claims')?.length === 1);
    // Generation 2 lands while generation 1 is reconciled; its flush re-reads onto generation 2.
    await widgets.setSpec('claims', { size: 2, mode: 'holdAroundFlush' });
    await release('claims');
    const first = await waitFor(async () => {
      const current = await widgets.get('claims');
      return findCondition(conditions(current), 'Synced') ? current : undefined;
    });
    expect(first.metadata?.generation).toBe(2);
    expect(first.status?.observedGeneration).toBe(1);
    expect(findCondition(conditions(first), 'Ready')?.observedGeneration).toBe(1);
    expect(findCondition(conditions(first), 'Synced')?.observedGeneration).toBe(1);
    await release('claims'); // the reconcile of generation 2
    const second = await waitFor(async () => {
      const current = await widgets.get('claims');
      return current?.status?.observedGeneration === 2 ? current : undefined;
    });
    expect(findCondition(conditions(second), 'Ready')?.observedGeneration).toBe(2);
  });
});
