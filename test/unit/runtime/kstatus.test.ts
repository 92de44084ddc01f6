import { describe, expect, it } from '@jest/globals';
import type { Condition, ConditionStatus } from '../../../src/runtime/conditions.js';
import { kstatusConditions } from '../../../src/runtime/kstatus.js';
import { desiredStatus } from '../../../src/runtime/status.js';
import type { StatusChanges } from '../../../src/runtime/status.js';

const TERMINAL = new Set([
  'Failed',
  'Stopped',
  'InvalidSpec',
  'CreateFailed',
  'AccessDenied',
  'DeletedOutOfBand',
]);
const G = 4;

function c(type: string, status: ConditionStatus, reason: string, message = '', generation = G): Condition {
  return {
    type,
    status,
    reason,
    message,
    lastTransitionTime: '2026-11-27T10:00:00Z',
    observedGeneration: generation,
  };
}

/** Reconciling and Stalled as [status, reason, message] pairs, for short expectations. */
function derive(conditions: Condition[], deleting = false, generation: number | undefined = G) {
  const [reconciling, stalled] = kstatusConditions(conditions, { generation, deleting }, TERMINAL);
  expect(reconciling.type).toBe('Reconciling');
  expect(stalled.type).toBe('Stalled');
  expect(reconciling.observedGeneration).toBe(generation);
  expect(stalled.observedGeneration).toBe(generation);
  return {
    reconciling: [reconciling.status, reconciling.reason, reconciling.message],
    stalled: [stalled.status, stalled.reason, stalled.message],
  };
}

const synced = c('Synced', 'True', 'ReconcileSuccess');

describe('kstatusConditions', () => {
  it('is Reconciling (Progressing) when nothing has reported yet', () => {
    expect(derive([])).toEqual({
      reconciling: ['True', 'Progressing', 'reconciling generation 4'],
      stalled: ['False', 'Progressing', 'reconciling generation 4'],
    });
    const [reconciling] = kstatusConditions(undefined, { generation: undefined, deleting: false }, TERMINAL);
    expect(reconciling).toEqual({
      type: 'Reconciling',
      status: 'True',
      reason: 'Progressing',
      message: 'reconciling',
    });
  });

  it.each([
    ['Creating', 'created training job ml-churn'],
    ['InProgress', 'training job ml-churn is InProgress (Training)'],
    ['WaitingForReference', 'TrainingJob ml/train has not completed'],
    ['Updating', 'updating endpoint ml-churn to config cfg-2'],
  ])('is Reconciling with Ready=False %s as its reason', (reason, message) => {
    expect(derive([c('Ready', 'False', reason, message), synced])).toEqual({
      reconciling: ['True', reason, message],
      stalled: ['False', reason, message],
    });
  });

  it('is Reconciling with Ready=Unknown too', () => {
    expect(derive([c('Ready', 'Unknown', 'Creating', 'x')]).reconciling).toEqual(['True', 'Creating', 'x']);
  });

  it.each(['Throttled', 'QuotaExceeded', 'SageMakerUnavailable'])(
    'says why nothing moves: a retried Synced=False %s comes before Ready',
    (reason) => {
      const conditions = [
        c('Ready', 'False', 'Creating', 'creating'),
        c('Synced', 'False', reason, 'slow down'),
      ];
      expect(derive(conditions)).toEqual({
        reconciling: ['True', reason, 'slow down'],
        stalled: ['False', reason, 'slow down'],
      });
    },
  );

  it('is Reconciling, not Current, when a retried error hits a Ready resource', () => {
    const conditions = [
      c('Ready', 'True', 'InService', 'serving'),
      c('Synced', 'False', 'Throttled', 'slow'),
    ];
    expect(derive(conditions).reconciling).toEqual(['True', 'Throttled', 'slow']);
  });

  it('is Current (both False) when Ready=True and the reconcile succeeded', () => {
    const message = 'endpoint ml-churn is InService on cfg-1';
    expect(derive([c('Ready', 'True', 'InService', message), synced])).toEqual({
      reconciling: ['False', 'Current', message],
      stalled: ['False', 'Current', message],
    });
    const job = [
      c('Ready', 'True', 'Completed', 'done'),
      c('Succeeded', 'True', 'Completed', 'done'),
      synced,
    ];
    expect(derive(job).stalled).toEqual(['False', 'Current', 'done']);
  });

  it.each([
    ['Failed', 'AlgorithmError: exit code 1'],
    ['Stopped', 'MaxRuntimeExceeded'],
  ])('is Stalled when Succeeded=False %s, with its reason and message', (reason, message) => {
    const conditions = [
      c('Ready', 'False', reason, 'ready says so'),
      c('Succeeded', 'False', reason, message),
      synced,
    ];
    expect(derive(conditions)).toEqual({
      reconciling: ['False', reason, message],
      stalled: ['True', reason, message],
    });
  });

  it('is Stalled on Succeeded=False even with a reason it does not know as terminal', () => {
    expect(derive([c('Succeeded', 'False', 'Whatever', 'm')]).stalled).toEqual(['True', 'Whatever', 'm']);
  });

  it.each(['InvalidSpec', 'CreateFailed', 'AccessDenied'])(
    'is Stalled when Synced=False %s is about this generation',
    (reason) => {
      const conditions = [c('Ready', 'False', 'Creating', 'creating'), c('Synced', 'False', reason, 'why')];
      expect(derive(conditions).stalled).toEqual(['True', reason, 'why']);
      expect(derive(conditions).reconciling).toEqual(['False', reason, 'why']);
    },
  );

  it('is Stalled on AccessDenied even while Ready=True (a person must fix IAM)', () => {
    const conditions = [
      c('Ready', 'True', 'InService', 'ok'),
      c('Synced', 'False', 'AccessDenied', 'denied'),
    ];
    expect(derive(conditions).stalled).toEqual(['True', 'AccessDenied', 'denied']);
  });

  it.each(['DeletedOutOfBand', 'Failed'])(
    'is Stalled when Ready=False %s although the reconcile succeeded',
    (reason) => {
      expect(derive([c('Ready', 'False', reason, 'gone'), synced]).stalled).toEqual(['True', reason, 'gone']);
    },
  );

  it('prefers Succeeded, then Synced, then Ready as the cause', () => {
    const all = [
      c('Ready', 'False', 'DeletedOutOfBand', 'ready'),
      c('Synced', 'False', 'InvalidSpec', 'synced'),
      c('Succeeded', 'False', 'Failed', 'succeeded'),
    ];
    expect(derive(all).stalled).toEqual(['True', 'Failed', 'succeeded']);
    expect(derive(all.slice(0, 2)).stalled).toEqual(['True', 'InvalidSpec', 'synced']);
  });

  it('does not stall on a non-terminal Ready=False or Synced=False', () => {
    expect(
      derive([c('Ready', 'False', 'Throttled', 'x'), c('Synced', 'False', 'QuotaExceeded', 'q')]).stalled[0],
    ).toBe('False');
  });

  it('ignores verdicts on an older generation: a new spec is neither stalled nor done by them', () => {
    const old = G - 1;
    const failedBefore = [
      c('Ready', 'False', 'Failed', 'failed', old),
      c('Succeeded', 'False', 'Failed', 'failed', old),
      c('Synced', 'False', 'InvalidSpec', 'bad', old),
    ];
    expect(derive(failedBefore)).toEqual({
      reconciling: ['True', 'Progressing', 'reconciling generation 4'],
      stalled: ['False', 'Progressing', 'reconciling generation 4'],
    });
    const readyBefore = [
      c('Ready', 'True', 'InService', 'ok', old),
      c('Synced', 'False', 'Throttled', 'slow'),
    ];
    expect(derive(readyBefore).reconciling).toEqual(['True', 'Throttled', 'slow']);
  });

  it('counts conditions without observedGeneration as current', () => {
    const { observedGeneration: _, ...ready } = c('Ready', 'False', 'Failed', 'm');
    expect(derive([ready]).stalled).toEqual(['True', 'Failed', 'm']);
  });

  it('is Reconciling (Deleting) while the object is deleted, with Ready Deleting message when there is one', () => {
    expect(derive([c('Ready', 'True', 'InService', 'ok'), synced], true)).toEqual({
      reconciling: ['True', 'Deleting', 'the object is being deleted'],
      stalled: ['False', 'Deleting', 'the object is being deleted'],
    });
    const stopping = c('Ready', 'False', 'Deleting', 'stopping training job ml-churn before deleting it');
    expect(derive([stopping], true).reconciling).toEqual([
      'True',
      'Deleting',
      'stopping training job ml-churn before deleting it',
    ]);
    // A failed job stays Stalled while it is deleted (kstatus reads deletionTimestamp first anyway).
    expect(derive([c('Succeeded', 'False', 'Failed', 'f')], true).stalled).toEqual(['True', 'Failed', 'f']);
  });
});

describe('derived conditions in desiredStatus', () => {
  const derived: StatusChanges['derive'] = (conditions) =>
    kstatusConditions(conditions, { generation: G, deleting: false }, TERMINAL);
  const changes = (ready: Condition | undefined, observedGeneration?: number): StatusChanges => ({
    fields: new Map(),
    conditions: new Map(ready ? [['Ready', ready]] : []),
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
    derive: derived,
  });
  const t1 = new Date('2026-11-27T11:00:00Z');
  const t2 = new Date('2026-11-27T12:00:00Z');
  const find = (status: Record<string, unknown>, type: string) =>
    (status.conditions as Condition[]).find((x) => x.type === type);

  it('adds Reconciling and Stalled from the conditions being written', () => {
    const status = desiredStatus({}, changes(c('Ready', 'False', 'Creating', 'creating'), G), t1);
    expect(find(status, 'Reconciling')).toMatchObject({
      status: 'True',
      reason: 'Creating',
      observedGeneration: G,
    });
    expect(find(status, 'Stalled')).toMatchObject({ status: 'False', reason: 'Creating' });
  });

  it('is identical when re-applied to an unchanged object, and moves lastTransitionTime only on flips', () => {
    const ready = c('Ready', 'True', 'InService', 'ok');
    const first = desiredStatus({}, changes(ready, G), t1);
    expect(desiredStatus(first, changes(ready, G), t2)).toEqual(first);
    const failed = desiredStatus(first, changes(c('Ready', 'False', 'Failed', 'broke'), G), t2);
    expect(find(failed, 'Stalled')).toMatchObject({
      status: 'True',
      lastTransitionTime: '2026-11-27T12:00:00Z',
    });
    expect(find(failed, 'Reconciling')).toMatchObject({
      status: 'False',
      reason: 'Failed',
      lastTransitionTime: '2026-11-27T11:00:00Z',
    });
  });

  it('derives nothing when nothing changes', () => {
    expect(desiredStatus({ a: 1 }, changes(undefined), t1)).toEqual({ a: 1 });
  });

  it('writes the first status of a new object: observedGeneration and Reconciling=True', () => {
    const status = desiredStatus({}, changes(undefined, G), t1);
    expect(status.observedGeneration).toBe(G);
    expect(find(status, 'Reconciling')).toMatchObject({ status: 'True', reason: 'Progressing' });
    expect(find(status, 'Ready')).toBeUndefined();
  });
});
