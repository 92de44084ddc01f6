import type { DescribeEndpointOutput, DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { ConditionValue } from '../../../src/controllers/common/conditions.js';
import { classifyError } from '../../../src/controllers/common/errors.js';
import { isReason, TERMINAL_REASONS } from '../../../src/controllers/common/reasons.js';
import { nextStep, readyCondition, type EndpointStep } from '../../../src/controllers/endpoint/lifecycle.js';
import { endpointPlan } from '../../../src/controllers/endpoint/plan.js';
import { deletingCondition, jobConditions } from '../../../src/controllers/common/job-states.js';
import { trainingJobView } from '../../../src/controllers/training-job/view.js';
import type { Condition, ConditionUpdate } from '../../../src/runtime/conditions.js';
import { ReconcileError, classify } from '../../../src/runtime/errors.js';
import { kstatusConditions } from '../../../src/runtime/kstatus.js';
import { errorPolicy } from '../../../src/runtime/policy.js';
import { desiredStatus, type StatusChanges } from '../../../src/runtime/status.js';
import { artifacts, spec as endpointSpec } from '../controllers/endpoint/fixtures.js';
import { runHealthCheck, type Health } from './lua-health.js';

/*
 * The Argo CD health script judged on the statuses the operator really writes: conditions decided by
 * the controllers' pure functions (jobConditions, nextStep/readyCondition) or set literally where the
 * controllers set them, Synced added the way the controller loop adds it (ReconcileSuccess after a
 * reconcile that returned; the classification's reason when errorPolicy reports it), all merged into
 * status by the runtime's desiredStatus with the loop's derived kstatus conditions (Reconciling,
 * Stalled), after the status the loop writes at once on the first reconcile.
 */

const script = readFileSync(
  new URL('../../../deploy/helm/sagemaker-operator/argocd/health.lua', import.meta.url),
  'utf8',
);

type Status = Record<string, unknown>;

/** One reconcile of one generation, as far as status is concerned. */
interface Reconcile {
  generation: number;
  /** Top-level fields written by an early flush or at the end (e.g. the name recorded before a create). */
  fields?: Record<string, unknown>;
  /** The conditions the controller set. */
  conditions?: Record<string, ConditionValue>;
  /** What the reconcile threw; none when it returned. */
  error?: unknown;
  /** Failures of this key in a row before this reconcile (the work queue's count). */
  retries?: number;
  /** An early flush: fields only, before the loop adds Synced and observedGeneration. */
  flushOnly?: boolean;
  /** A write during finalize (deletionTimestamp set). */
  deleting?: boolean;
}

const NOW = new Date('2026-11-27T12:00:00Z');

/** The derived conditions, as StatusHelper passes them for the reconciled generation. */
function derive(r: Reconcile): StatusChanges['derive'] {
  return (conditions) =>
    kstatusConditions(
      conditions,
      { generation: r.generation, deleting: r.deleting ?? false },
      TERMINAL_REASONS,
    );
}

/** What src/runtime/controller.ts writes for a reconcile: its first write, then succeeded / failed. */
function afterReconcile(stored: Status, r: Reconcile): Status {
  const current =
    stored.observedGeneration === undefined && !r.deleting
      ? desiredStatus(
          stored,
          { fields: new Map(), conditions: new Map(), observedGeneration: r.generation, derive: derive(r) },
          NOW,
        )
      : stored;
  const conditions = new Map<string, ConditionUpdate>();
  const set = (type: string, c: ConditionValue): void => {
    conditions.set(type, { type, ...c, observedGeneration: r.generation });
  };
  for (const [type, c] of Object.entries(r.conditions ?? {})) set(type, c);
  let observedGeneration: number | undefined;
  if (!r.flushOnly) {
    if (r.error === undefined) {
      set('Synced', { status: 'True', reason: 'ReconcileSuccess', message: '' });
      observedGeneration = r.generation;
    } else {
      const failure = classify(r.error, classifyError);
      if (errorPolicy(failure, r.retries ?? 0).reportSynced) {
        set('Synced', { status: 'False', reason: failure.reason, message: failure.message });
        observedGeneration = r.generation;
      }
    }
  }
  return desiredStatus(
    current,
    {
      fields: new Map(Object.entries(r.fields ?? {})),
      conditions,
      ...(observedGeneration === undefined ? {} : { observedGeneration }),
      derive: derive(r),
    },
    NOW,
  );
}

/** The object after a sequence of reconciles, at `generation` (metadata.generation now). */
function object(kind: string, generation: number, reconciles: Reconcile[]): Record<string, unknown> {
  const status = reconciles.reduce<Status | undefined>((s, r) => afterReconcile(s ?? {}, r), undefined);
  return {
    apiVersion: 'sagemaker.mlops.dev/v1alpha1',
    kind,
    metadata: { name: 'churn', namespace: 'ml', generation, uid: '9d1c2b3a-0000-4000-8000-000000000001' },
    spec: {},
    ...(status === undefined ? {} : { status }),
  };
}

/**
 * kstatus's verdict on a custom resource, by its documented rules (../shared/reference/health-judges.md;
 * the rig runs the real Go library on live objects).
 */
function kstatus(obj: Record<string, unknown>): string {
  const metadata = obj.metadata as { generation?: number; deletionTimestamp?: string };
  const status = obj.status as Status | undefined;
  if (metadata.deletionTimestamp) return 'Terminating';
  if (status?.observedGeneration !== undefined && status.observedGeneration !== metadata.generation)
    return 'InProgress';
  for (const c of (status?.conditions ?? []) as Condition[]) {
    if (c.type === 'Reconciling' && c.status === 'True') return 'InProgress';
    if (c.type === 'Stalled' && c.status === 'True') return 'Failed';
  }
  return 'Current';
}

const KSTATUS_FOR: Record<string, string> = {
  Healthy: 'Current',
  Progressing: 'InProgress',
  Degraded: 'Failed',
};

/**
 * The health verdict, after checking that every reason in the status is one of REASONS and that
 * kstatus agrees with Argo CD on every status the loop wrote.
 */
function health(obj: Record<string, unknown>): Health {
  const conditions = ((obj.status as Status | undefined)?.conditions ?? []) as Condition[];
  for (const c of conditions) expect(isReason(c.reason)).toBe(true);
  const verdict = runHealthCheck(script, obj);
  if (obj.status !== undefined) expect(kstatus(obj)).toBe(KSTATUS_FOR[verdict.status]);
  return verdict;
}

/** An error as the AWS SDK throws it (a ServiceException: name, message, HTTP status). */
function awsError(name: string, message: string, httpStatusCode: number): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode } });
}

describe('TrainingJob health through its lifecycle', () => {
  const G = 1;
  const view = (TrainingJobStatus: string, more: Partial<DescribeTrainingJobResponse> = {}) =>
    trainingJobView({
      TrainingJobName: 'ml-churn',
      TrainingJobStatus,
      ...more,
    } as DescribeTrainingJobResponse);
  const job = (TrainingJobStatus: string, more: Partial<DescribeTrainingJobResponse> = {}): Reconcile => {
    const { ready, succeeded } = jobConditions('training job', view(TrainingJobStatus, more));
    return { generation: G, conditions: { Ready: ready, Succeeded: succeeded } };
  };
  const nameRecorded: Reconcile = { generation: G, fields: { trainingJobName: 'ml-churn' }, flushOnly: true };
  const created: Reconcile = {
    generation: G,
    fields: { trainingJobArn: 'arn:aws:sagemaker:eu-west-1:123456789012:training-job/ml-churn' },
    conditions: {
      Ready: { status: 'False', reason: 'Creating', message: 'created training job ml-churn' },
      Succeeded: { status: 'Unknown', reason: 'Creating', message: 'created training job ml-churn' },
    },
  };

  it('is Progressing before any status and while only the name is recorded', () => {
    expect(health(object('TrainingJob', G, [])).status).toBe('Progressing');
    expect(health(object('TrainingJob', G, [nameRecorded])).status).toBe('Progressing');
  });

  it('is InProgress for kstatus from the first reconcile on, which writes status at once', () => {
    const fresh = object('TrainingJob', G, []);
    expect(kstatus(fresh)).toBe('Current'); // no status: why the loop writes one before anything else
    const named = object('TrainingJob', G, [nameRecorded]);
    expect(named.status).toMatchObject({ observedGeneration: G, trainingJobName: 'ml-churn' });
    expect(kstatus(named)).toBe('InProgress');
    const conditions = (named.status as { conditions: Condition[] }).conditions;
    expect(conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Reconciling', 'True', 'Progressing'],
      ['Stalled', 'False', 'Progressing'],
    ]);
  });

  it('is Current for kstatus only once completed, and Failed when the job failed', () => {
    expect(kstatus(object('TrainingJob', G, [nameRecorded, created]))).toBe('InProgress');
    expect(kstatus(object('TrainingJob', G, [nameRecorded, created, job('Completed')]))).toBe('Current');
    expect(kstatus(object('TrainingJob', G, [nameRecorded, created, job('Failed')]))).toBe('Failed');
  });

  it('is Progressing once created and while it trains or stops', () => {
    expect(health(object('TrainingJob', G, [nameRecorded, created]))).toEqual({
      status: 'Progressing',
      message: 'created training job ml-churn',
    });
    expect(
      health(
        object('TrainingJob', G, [nameRecorded, created, job('InProgress', { SecondaryStatus: 'Training' })]),
      ),
    ).toEqual({ status: 'Progressing', message: 'training job ml-churn is InProgress (Training)' });
    expect(health(object('TrainingJob', G, [nameRecorded, created, job('Stopping')])).status).toBe(
      'Progressing',
    );
  });

  it('is Healthy when completed', () => {
    expect(health(object('TrainingJob', G, [nameRecorded, created, job('Completed')]))).toEqual({
      status: 'Healthy',
      message: 'training job ml-churn is Completed',
    });
  });

  it('is Degraded with the failure reason when the job failed, and when it was stopped', () => {
    const failed = job('Failed', { FailureReason: 'AlgorithmError: exit code 1' });
    expect(health(object('TrainingJob', G, [nameRecorded, created, failed]))).toEqual({
      status: 'Degraded',
      message: 'AlgorithmError: exit code 1',
    });
    expect(health(object('TrainingJob', G, [nameRecorded, created, job('Stopped')])).status).toBe('Degraded');
  });

  it('is Degraded when SageMaker rejects the create (Synced=False InvalidSpec)', () => {
    const rejected: Reconcile = {
      generation: G,
      error: awsError('ValidationException', 'Instance type ml.x9.huge is not supported', 400),
    };
    expect(health(object('TrainingJob', G, [nameRecorded, rejected]))).toEqual({
      status: 'Degraded',
      message: 'ValidationException: Instance type ml.x9.huge is not supported',
    });
  });

  it('is Progressing again once the rejected spec is edited, before the operator reconciles it', () => {
    const rejected: Reconcile = { generation: G, error: awsError('ValidationException', 'bad', 400) };
    expect(health(object('TrainingJob', G + 1, [nameRecorded, rejected])).status).toBe('Progressing');
  });

  it('is Degraded when a job of that name is someone else', () => {
    const message = 'training job ml-churn already exists and is not managed by this TrainingJob';
    const foreign: Reconcile = {
      generation: G,
      conditions: { Ready: { status: 'False', reason: 'AlreadyExists', message } },
      error: new ReconcileError('terminal', 'AlreadyExists', message),
    };
    expect(health(object('TrainingJob', G, [nameRecorded, foreign]))).toEqual({
      status: 'Degraded',
      message,
    });
  });

  it('is Progressing while the job is stopped and deleted with its object', () => {
    const running = view('InProgress', { SecondaryStatus: 'Training' });
    const stopping: Reconcile = {
      generation: G,
      conditions: { Ready: deletingCondition('training job', running, 'stop') },
      flushOnly: true, // the loop adds neither Synced nor observedGeneration while deleting
      deleting: true,
    };
    expect(stopping.conditions?.Ready?.reason).toBe('Deleting');
    const obj = object('TrainingJob', G, [nameRecorded, created, job('InProgress'), stopping]);
    expect(health(obj)).toEqual({
      status: 'Progressing',
      message: 'stopping training job ml-churn before deleting it',
    });
  });

  it('is Degraded when the completed job was deleted outside the operator (Synced stays True)', () => {
    const message = 'training job ml-churn was deleted outside the operator';
    const gone: Reconcile = {
      generation: G,
      conditions: { Ready: { status: 'False', reason: 'DeletedOutOfBand', message } },
    };
    const obj = object('TrainingJob', G, [nameRecorded, created, job('Completed'), gone]);
    expect(health(obj)).toEqual({ status: 'Degraded', message });
  });
});

describe('Endpoint health through its lifecycle', () => {
  const plan = endpointPlan(endpointSpec, 'ml-churn', artifacts, []);
  const planned = plan.endpointConfig.EndpointConfigName ?? '';
  const described = (
    EndpointStatus: DescribeEndpointOutput['EndpointStatus'],
    more: Partial<DescribeEndpointOutput> = {},
  ): DescribeEndpointOutput =>
    ({
      EndpointName: 'ml-churn',
      EndpointStatus,
      EndpointConfigName: planned,
      ...more,
    }) as DescribeEndpointOutput;
  const applied = (generation: number, endpointConfigName = planned) => ({
    endpointConfigName,
    generation,
    capacities: plan.capacities,
  });

  /**
   * A reconcile that describes the endpoint: Ready from nextStep/readyCondition (the controller's
   * mirror), and what the controller throws for the terminal steps.
   */
  function observed(
    generation: number,
    endpoint: DescribeEndpointOutput,
    lastApplied = applied(2),
  ): Reconcile {
    const step: EndpointStep = nextStep(endpoint, plan, lastApplied, generation);
    const ready = readyCondition(endpoint, plan, step);
    const reconcile: Reconcile = { generation, fields: { lastApplied }, conditions: { Ready: ready } };
    if (step.type === 'failed') reconcile.error = new ReconcileError('terminal', 'CreateFailed', step.reason);
    if (step.type === 'updateFailed')
      reconcile.error = new ReconcileError('terminal', 'UpdateFailed', step.reason);
    return reconcile;
  }

  const nameRecorded: Reconcile = { generation: 2, fields: { endpointName: 'ml-churn' }, flushOnly: true };
  const created: Reconcile = {
    generation: 2,
    fields: { lastApplied: applied(2) },
    conditions: { Ready: { status: 'False', reason: 'Creating', message: 'creating endpoint ml-churn' } },
  };
  const inService = observed(2, described('InService'));

  it('is Progressing while it is created', () => {
    expect(health(object('Endpoint', 2, [nameRecorded])).status).toBe('Progressing');
    expect(health(object('Endpoint', 2, [nameRecorded, created])).status).toBe('Progressing');
    const creating = observed(2, described('Creating'));
    expect(creating.conditions?.Ready?.reason).toBe('Creating');
    expect(health(object('Endpoint', 2, [nameRecorded, created, creating])).status).toBe('Progressing');
  });

  it('is Healthy InService on the planned config', () => {
    expect(health(object('Endpoint', 2, [nameRecorded, created, inService]))).toEqual({
      status: 'Healthy',
      message: `endpoint ml-churn is InService on ${planned}`,
    });
  });

  it('is Degraded when the create failed (Ready=False Failed, Synced=False CreateFailed)', () => {
    const failed = observed(
      2,
      described('Failed', { FailureReason: 'health check of variant Current failed' }),
    );
    const obj = object('Endpoint', 2, [nameRecorded, created, failed]);
    const conditions = (obj.status as { conditions: Condition[] }).conditions;
    expect(conditions.find((c) => c.type === 'Synced')).toMatchObject({
      status: 'False',
      reason: 'CreateFailed',
    });
    expect(health(obj)).toEqual({ status: 'Degraded', message: 'health check of variant Current failed' });
  });

  it('is Progressing while a new generation re-creates the failed endpoint', () => {
    const failed = observed(2, described('Failed', { FailureReason: 'health check failed' }));
    const recreate = observed(3, described('Failed', { FailureReason: 'health check failed' }));
    expect(recreate.error).toBeUndefined();
    expect(health(object('Endpoint', 3, [nameRecorded, created, failed])).status).toBe('Progressing');
    expect(health(object('Endpoint', 3, [nameRecorded, created, failed, recreate]))).toMatchObject({
      status: 'Progressing',
    });
  });

  it('is Progressing while it is updated, and Degraded when SageMaker rolled the update back', () => {
    const updating = observed(3, described('Updating', { EndpointConfigName: 'ml-churn-old' }), applied(3));
    expect(health(object('Endpoint', 3, [nameRecorded, created, inService, updating])).status).toBe(
      'Progressing',
    );
    const rolledBack = observed(
      3,
      described('InService', { EndpointConfigName: 'ml-churn-old', FailureReason: 'variant Current failed' }),
      applied(3),
    );
    expect(health(object('Endpoint', 3, [nameRecorded, created, inService, rolledBack]))).toEqual({
      status: 'Degraded',
      message: 'variant Current failed',
    });
  });

  it('is Degraded when the update and its rollback failed', () => {
    const broken = observed(
      3,
      described('UpdateRollbackFailed', { FailureReason: 'rollback failed' }),
      applied(3),
    );
    expect(health(object('Endpoint', 3, [nameRecorded, created, inService, broken]))).toEqual({
      status: 'Degraded',
      message: 'rollback failed',
    });
  });

  it('is Progressing, saying why, while it waits for its TrainingJob; Degraded on an invalid reference', () => {
    const message = 'TrainingJob ml/train-job has not completed';
    const waiting: Reconcile = {
      generation: 2,
      conditions: { Ready: { status: 'False', reason: 'WaitingForReference', message } },
    };
    expect(health(object('Endpoint', 2, [nameRecorded, waiting]))).toEqual({
      status: 'Progressing',
      message,
    });
    const invalidMessage = 'TrainingJob ml/train-job failed; it has no model artifacts';
    const invalid: Reconcile = {
      generation: 2,
      conditions: { Ready: { status: 'False', reason: 'InvalidSpec', message: invalidMessage } },
      error: new ReconcileError('terminal', 'InvalidSpec', invalidMessage),
    };
    expect(health(object('Endpoint', 2, [nameRecorded, invalid]))).toEqual({
      status: 'Degraded',
      message: invalidMessage,
    });
  });

  it('is Degraded on AccessDenied even while the endpoint still serves', () => {
    const denied: Reconcile = {
      generation: 2,
      error: awsError('AccessDeniedException', 'not authorized to perform sagemaker:AddTags', 400),
    };
    expect(health(object('Endpoint', 2, [nameRecorded, created, inService, denied]))).toEqual({
      status: 'Degraded',
      message: 'AccessDeniedException: not authorized to perform sagemaker:AddTags',
    });
  });

  it.each([
    ['ResourceLimitExceeded', 'account-level service limit ml.g5.xlarge for endpoint usage is 0', 400],
    ['ThrottlingException', 'Rate exceeded', 400],
  ])('stays Progressing while retrying after %s', (name, message, httpStatus) => {
    const limited: Reconcile = { generation: 2, error: awsError(name, message, httpStatus) };
    expect(health(object('Endpoint', 2, [nameRecorded, limited]))).toEqual({
      status: 'Progressing',
      message: `${name}: ${message}`,
    });
  });

  it('stays Progressing through a SageMaker outage, and says so after repeated failures', () => {
    const outage = (retries: number): Reconcile => ({
      generation: 2,
      error: awsError('InternalFailure', 'We encountered an internal error', 500),
      retries,
    });
    const first = object('Endpoint', 2, [nameRecorded, created, outage(0)]);
    expect(health(first)).toEqual({ status: 'Progressing', message: 'creating endpoint ml-churn' });
    const third = object('Endpoint', 2, [nameRecorded, created, outage(0), outage(1), outage(2)]);
    expect(health(third)).toEqual({
      status: 'Progressing',
      message: 'InternalFailure: We encountered an internal error',
    });
  });

  it('is Degraded when an endpoint of that name is someone else', () => {
    const message = 'endpoint ml-churn already exists and is not managed by this Endpoint';
    const foreign: Reconcile = {
      generation: 2,
      conditions: { Ready: { status: 'False', reason: 'AlreadyExists', message } },
      error: new ReconcileError('terminal', 'AlreadyExists', message),
    };
    expect(health(object('Endpoint', 2, [nameRecorded, foreign]))).toEqual({ status: 'Degraded', message });
  });
});
