import { describe, expect, it } from '@jest/globals';
import {
  awaitsSpecChange,
  DEFAULT_TIMINGS,
  errorPolicy,
  needsReconcile,
} from '../../../src/runtime/policy.js';
import type { ErrorClass } from '../../../src/runtime/errors.js';
import type { KubeObject } from '../../../src/runtime/kinds.js';

const c = (errorClass: ErrorClass, retryAfterMs?: number) => ({
  errorClass,
  reason: 'R',
  message: 'm',
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});

describe('errorPolicy', () => {
  it('maps each class to its requeue, condition and event behaviour (docs/architecture.md, errors)', () => {
    expect(errorPolicy(c('transient'), 0)).toEqual({
      requeue: 'backoff',
      reportSynced: false,
      warningEvent: false,
      terminal: false,
    });
    expect(errorPolicy(c('transient'), 2)).toEqual({
      requeue: 'backoff',
      reportSynced: true,
      warningEvent: true,
      terminal: false,
    });
    expect(errorPolicy(c('throttled'), 0)).toMatchObject({
      requeue: 'backoff',
      reportSynced: true,
      warningEvent: false,
    });
    expect(errorPolicy(c('inProgress'), 0)).toEqual({
      requeue: DEFAULT_TIMINGS.pollIntervalMs,
      reportSynced: false,
      warningEvent: false,
      terminal: false,
    });
    for (const slow of ['quota', 'accessDenied'] as const) {
      expect(errorPolicy(c(slow), 0)).toMatchObject({
        requeue: DEFAULT_TIMINGS.slowRetryMs,
        reportSynced: true,
        warningEvent: true,
      });
    }
    for (const terminal of ['terminal', 'alreadyExists'] as const) {
      expect(errorPolicy(c(terminal), 0)).toEqual({
        requeue: 'none',
        reportSynced: true,
        warningEvent: true,
        terminal: true,
      });
    }
    expect(errorPolicy(c('notFound'), 0)).toMatchObject({ requeue: 'backoff', reportSynced: true });
  });

  it('lets the classification override the delay', () => {
    expect(errorPolicy(c('inProgress', 1234), 0).requeue).toBe(1234);
    expect(errorPolicy(c('quota', 60_000), 0).requeue).toBe(60_000);
  });
});

describe('needsReconcile', () => {
  const obj = (meta: Record<string, unknown>, status?: unknown): KubeObject => ({
    metadata: { name: 'a', uid: 'u', generation: 1, ...meta },
    status,
  });

  it('ignores status-only and resourceVersion-only changes', () => {
    expect(
      needsReconcile({
        type: 'updated',
        old: obj({ resourceVersion: '1' }),
        obj: obj({ resourceVersion: '2' }, { x: 1 }),
      }),
    ).toBe(false);
    expect(
      needsReconcile({ type: 'updated', old: obj({ finalizers: [] }), obj: obj({ finalizers: ['f'] }) }),
    ).toBe(false);
  });

  it('reacts to spec, deletion, labels, annotations, adds and deletes', () => {
    expect(needsReconcile({ type: 'updated', old: obj({}), obj: obj({ generation: 2 }) })).toBe(true);
    expect(
      needsReconcile({
        type: 'updated',
        old: obj({}),
        obj: obj({ deletionTimestamp: '2026-01-01T00:00:00Z' }),
      }),
    ).toBe(true);
    expect(needsReconcile({ type: 'updated', old: obj({}), obj: obj({ labels: { a: 'b' } }) })).toBe(true);
    expect(
      needsReconcile({
        type: 'updated',
        old: obj({ annotations: { a: '1' } }),
        obj: obj({ annotations: { a: '2' } }),
      }),
    ).toBe(true);
    expect(needsReconcile({ type: 'added', obj: obj({}) })).toBe(true);
    expect(needsReconcile({ type: 'deleted', obj: obj({}) })).toBe(true);
  });
});

describe('awaitsSpecChange', () => {
  const reasons = new Set(['InvalidSpec']);
  const synced = (reason: string, observedGeneration: number, status = 'False') => ({
    type: 'Synced',
    status,
    reason,
    message: '',
    lastTransitionTime: '2026-01-01T00:00:00Z',
    observedGeneration,
  });
  const object = (generation: number, observedGeneration: number, condition: object) => ({
    metadata: { generation },
    status: { observedGeneration, conditions: [condition] },
  });

  it('holds for the generation whose reconcile ended with a reason that waits for a spec change', () => {
    expect(awaitsSpecChange(object(2, 2, synced('InvalidSpec', 2)), reasons)).toBe(true);
  });

  it('lets a newer generation, another reason or a success through', () => {
    expect(awaitsSpecChange(object(3, 2, synced('InvalidSpec', 2)), reasons)).toBe(false);
    expect(awaitsSpecChange(object(2, 2, synced('Throttled', 2)), reasons)).toBe(false);
    expect(awaitsSpecChange(object(2, 2, synced('ReconcileSuccess', 2, 'True')), reasons)).toBe(false);
    expect(awaitsSpecChange(object(2, 2, synced('InvalidSpec', 1)), reasons)).toBe(false);
    expect(awaitsSpecChange({ metadata: { generation: 1 } }, reasons)).toBe(false);
  });
});
