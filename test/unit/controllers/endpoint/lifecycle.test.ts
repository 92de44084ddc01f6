import type { DescribeEndpointOutput } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from '@jest/globals';
import {
  deletingCondition,
  nextPollMs,
  divergenceCause,
  nextStep,
  observeApplied,
  readyCondition,
  retiredResources,
  transitionEvent,
} from '../../../../src/controllers/endpoint/lifecycle.js';
import { endpointPlan } from '../../../../src/controllers/endpoint/plan.js';
import { artifacts, spec } from './fixtures.js';

const plan = endpointPlan(spec, 'ns-churn', artifacts, []);
const desired = plan.endpointConfig.EndpointConfigName ?? '';
const applied = { endpointConfigName: desired, generation: 2, capacities: plan.capacities };

function endpoint(
  EndpointStatus: DescribeEndpointOutput['EndpointStatus'],
  more: Partial<DescribeEndpointOutput> = {},
) {
  return {
    EndpointName: 'ns-churn',
    EndpointStatus,
    EndpointConfigName: desired,
    ...more,
  } as DescribeEndpointOutput;
}

describe('nextStep', () => {
  it.each(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting', 'OutOfService'] as const)(
    'waits, without error, while the endpoint is %s on its way to the planned config',
    (status) => {
      const elsewhere = endpoint(status, { EndpointConfigName: 'ns-churn-old' });
      expect(nextStep(elsewhere, plan, applied, 3)).toEqual({ type: 'wait' });
    },
  );

  it('waits out SageMaker maintenance of an endpoint that serves the plan, as in service', () => {
    expect(nextStep(endpoint('SystemUpdating'), plan, applied, 2)).toEqual({ type: 'maintenance' });
    const before = { ...applied, capacities: applied.capacities.map((c) => ({ ...c, weight: 0.3 })) };
    expect(nextStep(endpoint('SystemUpdating'), plan, before, 3)).toEqual({ type: 'wait' });
  });

  it('reports a failed create for its generation and re-creates it for a new one', () => {
    const failed = endpoint('Failed', { FailureReason: 'health check failed' });
    expect(nextStep(failed, plan, applied, 2)).toEqual({ type: 'failed', reason: 'health check failed' });
    expect(nextStep(failed, plan, applied, 3)).toEqual({ type: 'recreate' });
    const otherVersion = { ...applied, endpointConfigName: 'ns-churn-failed-version' };
    expect(nextStep(failed, plan, otherVersion, 2)).toEqual({ type: 'recreate' });
  });

  describe('after an update of this generation, InService on another config', () => {
    const sent = { ...applied, seenInProgress: false, seenSettled: false };
    const onOld = (more: Partial<DescribeEndpointOutput> = {}) =>
      endpoint('InService', { EndpointConfigName: 'ns-churn-old', ...more });

    it('does not retry an update SageMaker rolled back with a reason; a new generation does', () => {
      const seen = { ...sent, seenInProgress: true };
      const rolledBack = onOld({ FailureReason: 'alarm fired' });
      expect(nextStep(rolledBack, plan, seen, 2)).toEqual({ type: 'updateFailed', reason: 'alarm fired' });
      expect(nextStep(rolledBack, plan, seen, 3)).toEqual({ type: 'updateEndpoint' });
    });

    it('tries another planned config of the same generation (a newly approved model version) after a rollback', () => {
      const failedVersion = { ...sent, endpointConfigName: 'ns-churn-failed-version', seenInProgress: true };
      const rolledBack = onOld({ FailureReason: 'health check failed' });
      expect(nextStep(rolledBack, plan, failedVersion, 2)).toEqual({ type: 'updateEndpoint' });
      // Back on the config the plan wants (the failed version rejected): nothing to update.
      expect(nextStep(endpoint('InService'), plan, failedVersion, 2)).toEqual({ type: 'inSync' });
    });

    it('does not retry an update rolled back without a reason, and says so', () => {
      const step = nextStep(onOld(), plan, { ...sent, seenInProgress: true }, 2);
      expect(step).toEqual({
        type: 'updateFailed',
        reason: `SageMaker rolled the update of endpoint ns-churn to ${desired} back without giving a reason; it serves ns-churn-old`,
      });
    });

    it('waits while describes do not show the update yet, even with a reason left from an earlier failure', () => {
      expect(nextStep(onOld(), plan, sent, 2)).toEqual({ type: 'wait' });
      expect(nextStep(onOld({ FailureReason: 'an older failure' }), plan, sent, 2)).toEqual({ type: 'wait' });
    });

    it('puts back a config switched outside the operator after ours had settled', () => {
      const settled = { ...sent, seenInProgress: true, seenSettled: true };
      expect(nextStep(onOld(), plan, settled, 2)).toEqual({ type: 'updateEndpoint' });
    });

    it('judges a record without progress flags (an older operator) by FailureReason alone', () => {
      expect(nextStep(onOld({ FailureReason: 'alarm' }), plan, applied, 2).type).toBe('updateFailed');
      expect(nextStep(onOld(), plan, applied, 2)).toEqual({ type: 'updateEndpoint' });
    });
  });

  it('treats UpdateRollbackFailed as a failed update', () => {
    expect(nextStep(endpoint('UpdateRollbackFailed'), plan, applied, 3).type).toBe('updateFailed');
  });

  it('updates to the planned config after a spec change', () => {
    const elsewhere = endpoint('InService', { EndpointConfigName: 'someone-elses' });
    expect(nextStep(elsewhere, plan, applied, 3)).toEqual({ type: 'updateEndpoint' });
    expect(
      nextStep(endpoint('InService', { EndpointConfigName: 'ns-churn-old' }), plan, undefined, 1),
    ).toEqual({
      type: 'updateEndpoint',
    });
  });

  it('changes weights and capacities in place when only they changed', () => {
    const before = { ...applied, capacities: applied.capacities.map((c) => ({ ...c, weight: 0.3 })) };
    expect(nextStep(endpoint('InService'), plan, before, 3)).toEqual({ type: 'updateWeightsAndCapacities' });
  });

  it('is in sync on the planned config with the applied capacities', () => {
    expect(nextStep(endpoint('InService'), plan, applied, 2)).toEqual({ type: 'inSync' });
  });
});

describe('observeApplied', () => {
  const sentAt = new Date('2026-01-01T10:00:00.000Z');
  const sent = {
    ...applied,
    endpointConfigName: desired,
    endpointModifiedTime: sentAt.toISOString(),
    seenInProgress: false,
    seenSettled: false,
  };
  const old = { EndpointConfigName: 'ns-churn-old' };

  it('marks the request in progress when SageMaker is seen acting on it', () => {
    for (const status of ['Creating', 'Updating', 'RollingBack'] as const)
      expect(observeApplied(sent, endpoint(status, old))).toEqual({ ...sent, seenInProgress: true });
  });

  it('marks it in progress when the endpoint was modified after the request was sent', () => {
    const later = endpoint('InService', { ...old, LastModifiedTime: new Date(sentAt.getTime() + 1) });
    expect(observeApplied(sent, later)?.seenInProgress).toBe(true);
  });

  it('takes a describe from before the request for what it is', () => {
    const stale = endpoint('InService', { ...old, LastModifiedTime: sentAt });
    expect(observeApplied(sent, stale)).toBe(sent);
  });

  it('marks it settled once InService on its config, and never takes a flag back', () => {
    const settled = observeApplied(sent, endpoint('InService'));
    expect(settled).toEqual({ ...sent, seenInProgress: true, seenSettled: true });
    expect(observeApplied(settled, endpoint('Updating', old))).toBe(settled);
  });

  it('leaves nothing recorded as it is', () => {
    expect(observeApplied(undefined, endpoint('InService'))).toBeUndefined();
  });
});

describe('divergenceCause', () => {
  const onOld = endpoint('InService', { EndpointConfigName: 'ns-churn-old' });

  it('tells a rollback from a later switch and from a describe that lags', () => {
    expect(divergenceCause(onOld, { ...applied, seenInProgress: true, seenSettled: false })).toBe(
      'rolledBack',
    );
    expect(divergenceCause(onOld, { ...applied, seenInProgress: true, seenSettled: true })).toBe(
      'switchedAfterwards',
    );
    expect(divergenceCause(onOld, { ...applied, seenInProgress: false, seenSettled: false })).toBe(
      'notVisibleYet',
    );
  });
});

describe('readyCondition', () => {
  it('is True only in sync, and says why otherwise', () => {
    const inService = endpoint('InService');
    expect(readyCondition(inService, plan, { type: 'inSync' })).toEqual({
      status: 'True',
      reason: 'InService',
      message: `endpoint ns-churn is InService on ${desired}`,
    });
    expect(readyCondition(endpoint('Creating'), plan, { type: 'wait' }).reason).toBe('Creating');
    expect(readyCondition(endpoint('Failed'), plan, { type: 'recreate' }).reason).toBe('Creating');
    expect(readyCondition(endpoint('Updating'), plan, { type: 'wait' }).reason).toBe('Updating');
    expect(readyCondition(endpoint('SystemUpdating'), plan, { type: 'maintenance' })).toEqual({
      status: 'True',
      reason: 'InService',
      message: `endpoint ns-churn is SystemUpdating (maintenance by SageMaker) and serves ${desired}`,
    });
    expect(readyCondition(inService, plan, { type: 'updateFailed', reason: 'alarm' })).toEqual({
      status: 'False',
      reason: 'UpdateFailed',
      message: 'alarm',
    });
    expect(readyCondition(endpoint('Failed'), plan, { type: 'failed', reason: 'boom' }).reason).toBe(
      'Failed',
    );
  });
});

describe('retiredResources', () => {
  const created = {
    endpointConfigNames: ['ns-churn-old', desired],
    modelNames: ['ns-churn-current-old', ...plan.models.map((m) => m.ModelName ?? '')],
  };

  it('lets the old config and models go once the endpoint is InService on the new config', () => {
    expect(retiredResources(endpoint('InService'), plan, created)).toEqual({
      endpointConfigNames: ['ns-churn-old'],
      modelNames: ['ns-churn-current-old'],
    });
  });

  it.each([
    ['while updating', endpoint('Updating', { EndpointConfigName: 'ns-churn-old' })],
    [
      'after a failed update',
      endpoint('InService', { EndpointConfigName: 'ns-churn-old', FailureReason: 'x' }),
    ],
  ])('keeps everything %s', (_, observed) => {
    expect(retiredResources(observed, plan, created)).toEqual({ endpointConfigNames: [], modelNames: [] });
  });
});

describe('nextPollMs', () => {
  it('polls as long as the current state has lasted, within the bounds', () => {
    const now = new Date('2026-01-01T00:10:00Z');
    const polling = { minMs: 5_000, maxMs: 60_000, finishedMs: 3_600_000 };
    const since = (iso: string) => endpoint('Updating', { LastModifiedTime: new Date(iso) });
    expect(nextPollMs(since('2026-01-01T00:09:58Z'), now, polling)).toBe(5_000);
    expect(nextPollMs(since('2026-01-01T00:09:40Z'), now, polling)).toBe(20_000);
    expect(nextPollMs(since('2026-01-01T00:00:00Z'), now, polling)).toBe(60_000);
  });
});

describe('transitionEvent', () => {
  it('says nothing while the state stays the same', () => {
    expect(transitionEvent('InService', endpoint('InService'), { type: 'inSync' })).toBeUndefined();
  });

  it('leaves a failed create or update to the Warning of the terminal error that ends the reconcile', () => {
    expect(transitionEvent('Creating', endpoint('Failed'), { type: 'failed', reason: 'x' })).toBeUndefined();
    expect(
      transitionEvent('Updating', endpoint('InService'), { type: 'updateFailed', reason: 'x' }),
    ).toBeUndefined();
  });

  it('announces arrival InService, the end of a create or an update', () => {
    expect(transitionEvent('Updating', endpoint('InService'), { type: 'inSync' })).toEqual({
      type: 'Normal',
      reason: 'InService',
    });
    expect(transitionEvent('InService', endpoint('Updating'), { type: 'wait' })).toBeUndefined();
  });
});

describe('deletingCondition', () => {
  it('says what the delete waits for while SageMaker refuses it', () => {
    expect(deletingCondition(endpoint('Creating'))).toEqual({
      status: 'False',
      reason: 'Deleting',
      message: 'deleting endpoint ns-churn: waiting while it is Creating',
    });
    expect(deletingCondition(endpoint('Deleting')).message).toBe(
      'deleting endpoint ns-churn: waiting while it is Deleting',
    );
    expect(deletingCondition(endpoint('InService')).message).toBe('deleting endpoint ns-churn');
  });
});
