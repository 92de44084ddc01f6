import { describe, expect, it } from '@jest/globals';
import {
  CreateTrainingJobCommand,
  DeleteTrainingJobCommand,
  DescribeTrainingJobCommand,
  StopTrainingJobCommand,
  type CreateTrainingJobRequest,
  type DescribeTrainingJobResponse,
} from '@aws-sdk/client-sagemaker';
import { ownershipTags } from '../../../../src/aws/tags.js';
import { classifyError } from '../../../../src/controllers/common/errors.js';
import { underSecurityPolicies } from '../../../../src/controllers/common/security-policies.js';
import {
  jobLifecycle,
  type JobKind,
  type JobObject,
} from '../../../../src/controllers/common/job-lifecycle.js';
import { ManagedJob, type JobCalls } from '../../../../src/controllers/common/managed-job.js';
import { ManagedResource } from '../../../../src/controllers/common/managed-resource.js';
import {
  awaitChange,
  type KubeObject,
  done,
  ReconcileError,
  requeueAfter,
  type ReconcileResult,
} from '../../../../src/runtime/index.js';
import {
  ACCOUNT,
  FakeSageMaker,
  jobArn,
  NAMESPACE,
  operatorOptions,
  reconcileContext,
  sageMakerError,
  type RecordedEvent,
} from './fake-reconcile.js';

/*
 * The job lifecycle every job kind stands on, case by case: what it asks SageMaker, in which order,
 * what status and events it leaves, and how the reconcile ends. The kind is the smallest job kind
 * there can be, so that what is tested is the skeleton.
 */

interface Status {
  trainingJobName?: string;
  trainingJobArn?: string;
  trainingJobStatus?: string;
  region?: string;
  accountId?: string;
  conditions?: { type: string; status: string; reason: string; message: string }[];
}
type Spec = { adoptExisting?: boolean; tags?: Record<string, string> };

const jobs: JobKind<Spec, Status, DescribeTrainingJobResponse> = {
  kind: 'TrainingJob',
  label: 'training job',
  nameField: 'trainingJobName',
  arnField: 'trainingJobArn',
  stateField: 'trainingJobStatus',
  describe: (sagemaker, name, cancel) =>
    sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }), cancel),
  create: async (sagemaker, _spec, name, tags, cancel) =>
    (
      await sagemaker.send(
        new CreateTrainingJobCommand({ TrainingJobName: name, Tags: tags } as CreateTrainingJobRequest),
        cancel,
      )
    ).TrainingJobArn,
  stop: (sagemaker, name, cancel) =>
    sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: name }), cancel),
  delete: (sagemaker, name, cancel) =>
    sagemaker.send(new DeleteTrainingJobCommand({ TrainingJobName: name }), cancel),
  listModifiedAfter: () => Promise.reject(new Error('no sweeps in these cases')),
  view: (d) => ({
    name: d.TrainingJobName ?? '',
    arn: d.TrainingJobArn,
    state: d.TrainingJobStatus,
    stateSince: undefined,
  }),
  observedStatus: (d) => ({ trainingJobArn: d.TrainingJobArn, trainingJobStatus: d.TrainingJobStatus }),
};

const NAME = `${NAMESPACE}-train`;
const UID = 'uid-1';
const OWNER = { kind: 'TrainingJob', namespace: NAMESPACE, name: 'train', uid: UID, clusterName: 'unit' };
const OURS = ownershipTags(OWNER);
const SOMEONE_ELSES = [{ Key: 'owner', Value: 'someone-else' }];

function object(status: Status = {}, spec: Spec = {}, deleting = false): JobObject<Spec> {
  return {
    metadata: {
      name: 'train',
      namespace: NAMESPACE,
      uid: UID,
      generation: 1,
      ...(deleting && { deletionTimestamp: new Date().toISOString() }),
    },
    spec,
    status,
  };
}

/** Status of a job this object created and has seen. */
const created = (state = 'InProgress', extra: Status = {}): Status => ({
  trainingJobName: NAME,
  trainingJobArn: jobArn(NAME),
  trainingJobStatus: state,
  region: 'us-east-1',
  accountId: ACCOUNT,
  ...extra,
});

interface Run {
  result?: ReconcileResult;
  error?: unknown;
  status: Status;
  events: RecordedEvent[];
  calls: string[];
}

async function run(
  sagemaker: FakeSageMaker,
  obj: JobObject<Spec>,
  how: 'reconcile' | 'finalize' = 'reconcile',
  account?: () => string,
  objects: KubeObject[] = [],
): Promise<Run> {
  const events: RecordedEvent[] = [];
  const ctx = reconcileContext<Status>(obj, { events, objects });
  const lifecycle = jobLifecycle<JobObject<Spec>, Spec, Status, DescribeTrainingJobResponse, unknown>(
    jobs,
    operatorOptions(sagemaker, account),
  );
  const outcome: Partial<Run> = {};
  try {
    outcome.result = await underSecurityPolicies(ctx, obj, () => lifecycle[how](ctx, obj));
  } catch (err) {
    outcome.error = err;
  }
  await ctx.status.flush();
  return {
    ...outcome,
    status: ctx.stored().status ?? {},
    events,
    calls: [...sagemaker.calls],
  };
}

/** How the controller loop classifies what a reconcile threw. */
const classificationOf = (err: unknown) => (err instanceof ReconcileError ? err : classifyError(err));

const ready = (status: Status) => status.conditions?.find((c) => c.type === 'Ready');

function withJob(state: string, tags = OURS, extra: Partial<{ invisibleFor: number }> = {}): FakeSageMaker {
  const sagemaker = new FakeSageMaker();
  sagemaker.jobs.set(NAME, { arn: jobArn(NAME), status: state, tags: [...tags], ...extra });
  return sagemaker;
}

describe('the job lifecycle: reconcile', () => {
  it('records the name before it creates, creates once, and records the ARN', async () => {
    const sagemaker = new FakeSageMaker();
    const { result, status, events, calls } = await run(sagemaker, object());
    expect(calls).toEqual([`DescribeTrainingJob ${NAME}`, `CreateTrainingJob ${NAME}`]);
    expect(status).toMatchObject({ trainingJobName: NAME, trainingJobArn: jobArn(NAME), accountId: ACCOUNT });
    expect(ready(status)).toMatchObject({ status: 'False', reason: 'Creating' });
    expect(events).toEqual([{ type: 'Normal', reason: 'Creating', note: `created training job ${NAME}` }]);
    expect(result).toEqual(requeueAfter(1_000));
    expect(sagemaker.jobs.get(NAME)?.tags).toEqual(expect.arrayContaining(OURS));
  });

  it('mirrors a job it created without claiming it again', async () => {
    const sagemaker = withJob('Completed');
    const { status, calls, events } = await run(
      sagemaker,
      object({ ...created('InProgress'), conditions: [] }),
    );
    expect(calls).toEqual([`DescribeTrainingJob ${NAME}`, `ListTags ${jobArn(NAME)}`]);
    expect(status.trainingJobStatus).toBe('Completed');
    expect(ready(status)).toMatchObject({ status: 'True' });
    expect(events.map((e) => e.reason)).toEqual([ready(status)?.reason]);
  });

  const cases: {
    name: string;
    sagemaker: () => FakeSageMaker;
    status?: Status;
    spec?: Spec;
    account?: () => string;
    objects?: KubeObject[];
    expected: {
      calls: string[];
      ready?: { status: string; reason: string };
      error?: { errorClass: string; reason: string };
      result?: ReconcileResult;
      events?: string[];
      tags?: (typeof OURS)[number][];
    };
  }[] = [
    {
      name: 'carries on with its own job when the create landed but its answer was lost',
      sagemaker: () => withJob('InProgress'),
      status: { trainingJobName: NAME },
      expected: {
        calls: [`DescribeTrainingJob ${NAME}`, `ListTags ${jobArn(NAME)}`],
        ready: { status: 'False', reason: 'InProgress' },
      },
    },
    {
      name: 'finds its own job when the name is taken but describe did not show it first',
      sagemaker: () => withJob('InProgress', OURS, { invisibleFor: 1 }),
      expected: {
        calls: [
          `DescribeTrainingJob ${NAME}`,
          `CreateTrainingJob ${NAME}`,
          `DescribeTrainingJob ${NAME}`,
          `ListTags ${jobArn(NAME)}`,
        ],
        ready: { status: 'False', reason: 'InProgress' },
      },
    },
    {
      name: 'waits, without creating again, while a taken name cannot be described yet',
      sagemaker: () => withJob('InProgress', OURS, { invisibleFor: 2 }),
      expected: {
        calls: [`DescribeTrainingJob ${NAME}`, `CreateTrainingJob ${NAME}`, `DescribeTrainingJob ${NAME}`],
        result: requeueAfter(1_000),
      },
    },
    {
      name: 'waits, without creating again, while its own create is not visible yet',
      sagemaker: () => new FakeSageMaker(),
      status: { trainingJobName: NAME, trainingJobArn: jobArn(NAME), accountId: ACCOUNT },
      expected: { calls: [`DescribeTrainingJob ${NAME}`], result: requeueAfter(1_000) },
    },
    {
      name: "leaves someone else's job alone: AlreadyExists, terminal",
      sagemaker: () => withJob('InProgress', SOMEONE_ELSES),
      expected: {
        calls: [`DescribeTrainingJob ${NAME}`, `ListTags ${jobArn(NAME)}`],
        ready: { status: 'False', reason: 'AlreadyExists' },
        error: { errorClass: 'terminal', reason: 'AlreadyExists' },
        tags: SOMEONE_ELSES,
      },
    },
    {
      name: "adopts someone else's job when asked to, and tags it",
      sagemaker: () => withJob('InProgress', SOMEONE_ELSES),
      spec: { adoptExisting: true },
      expected: {
        // The object's tags are the truth once it is adopted: the old ones go.
        calls: [
          `DescribeTrainingJob ${NAME}`,
          `ListTags ${jobArn(NAME)}`,
          `AddTags ${jobArn(NAME)}`,
          `DeleteTags ${jobArn(NAME)}`,
        ],
        ready: { status: 'False', reason: 'InProgress' },
        events: ['Adopted', 'InProgress'],
        tags: OURS,
      },
    },
    {
      name: 'reports a job deleted outside the operator once, and does not run it again',
      sagemaker: () => new FakeSageMaker(),
      status: created('InProgress'),
      expected: {
        calls: [`DescribeTrainingJob ${NAME}`],
        ready: { status: 'False', reason: 'DeletedOutOfBand' },
        result: awaitChange,
        events: ['DeletedOutOfBand'],
      },
    },
    {
      name: 'does nothing in another account once it created something: IdentityChanged',
      sagemaker: () => withJob('InProgress'),
      status: created('InProgress'),
      account: () => '210987654321',
      expected: { calls: [], error: { errorClass: 'terminal', reason: 'IdentityChanged' } },
    },
    {
      name: 'follows the namespace to another account while it has created nothing',
      sagemaker: () => new FakeSageMaker(),
      status: { trainingJobName: NAME, region: 'us-east-1', accountId: ACCOUNT },
      account: () => '210987654321',
      expected: {
        calls: [`DescribeTrainingJob ${NAME}`, `CreateTrainingJob ${NAME}`],
        ready: { status: 'False', reason: 'Creating' },
      },
    },
    {
      name: 'a create SageMaker refuses as invalid: Ready says why, terminal',
      sagemaker: () => {
        const s = new FakeSageMaker();
        s.fail('CreateTrainingJob', sageMakerError('ValidationException', 'RoleArn is not valid.'));
        return s;
      },
      expected: {
        calls: [`DescribeTrainingJob ${NAME}`, `CreateTrainingJob ${NAME}`],
        ready: { status: 'False', reason: 'InvalidSpec' },
        error: { errorClass: 'terminal', reason: 'InvalidSpec' },
      },
    },
    {
      name: 'a create denied by IAM: Ready says AccessDenied, retried slowly',
      sagemaker: () => {
        const s = new FakeSageMaker();
        s.fail('CreateTrainingJob', sageMakerError('AccessDeniedException', 'not authorized', 403));
        return s;
      },
      expected: {
        calls: [`DescribeTrainingJob ${NAME}`, `CreateTrainingJob ${NAME}`],
        ready: { status: 'False', reason: 'AccessDenied' },
        error: { errorClass: 'accessDenied', reason: 'AccessDenied' },
      },
    },
    {
      name: 'a create over quota: Ready says QuotaExceeded',
      sagemaker: () => {
        const s = new FakeSageMaker();
        s.fail('CreateTrainingJob', sageMakerError('ResourceLimitExceeded', 'limit of 4 reached'));
        return s;
      },
      expected: {
        calls: [`DescribeTrainingJob ${NAME}`, `CreateTrainingJob ${NAME}`],
        ready: { status: 'False', reason: 'QuotaExceeded' },
        error: { errorClass: 'quota', reason: 'QuotaExceeded' },
      },
    },
    {
      name: "a create that breaks the namespace's SecurityPolicy is not sent: PolicyViolation, terminal",
      sagemaker: () => new FakeSageMaker(),
      objects: [
        {
          apiVersion: 'sagemaker.mlops.dev/v1alpha1',
          kind: 'SecurityPolicy',
          metadata: { name: 'isolated', namespace: NAMESPACE },
          spec: { requireNetworkIsolation: true },
        },
      ],
      expected: {
        calls: [`DescribeTrainingJob ${NAME}`],
        ready: { status: 'False', reason: 'PolicyViolation' },
        error: { errorClass: 'terminal', reason: 'PolicyViolation' },
      },
    },
    {
      name: 'a throttled create is retried, and Ready is not marked failed',
      sagemaker: () => {
        const s = new FakeSageMaker();
        s.fail('CreateTrainingJob', sageMakerError('ThrottlingException', 'Rate exceeded'));
        return s;
      },
      expected: {
        calls: [`DescribeTrainingJob ${NAME}`, `CreateTrainingJob ${NAME}`],
        error: { errorClass: 'throttled', reason: 'Throttled' },
      },
    },
    {
      name: 'a describe that fails with a 5xx ends the reconcile before any create',
      sagemaker: () => {
        const s = new FakeSageMaker();
        s.fail('DescribeTrainingJob', sageMakerError('InternalFailure', 'try again', 500));
        return s;
      },
      expected: {
        calls: [`DescribeTrainingJob ${NAME}`],
        error: { errorClass: 'transient', reason: 'SageMakerUnavailable' },
      },
    },
  ];

  it.each(cases)('$name', async ({ sagemaker: make, status, spec, account, objects, expected }) => {
    const sagemaker = make();
    const outcome = await run(sagemaker, object(status, spec), 'reconcile', account, objects);
    expect(outcome.calls).toEqual(expected.calls);
    if (expected.ready) expect(ready(outcome.status)).toMatchObject(expected.ready);
    else expect(['Creating', 'InProgress', undefined]).toContain(ready(outcome.status)?.reason);
    if (expected.error) {
      expect(outcome.error).toBeInstanceOf(Error);
      expect(classificationOf(outcome.error)).toMatchObject(expected.error);
    } else {
      expect(outcome.error).toBeUndefined();
    }
    if (expected.result) expect(outcome.result).toEqual(expected.result);
    if (expected.events) expect(outcome.events.map((e) => e.reason)).toEqual(expected.events);
    if (expected.tags) expect(sagemaker.jobs.get(NAME)?.tags).toEqual(expected.tags);
    expect(sagemaker.count('CreateTrainingJob')).toBeLessThanOrEqual(1);
  });

  it('does not call create again while a name taken by an invisible job waits to show', async () => {
    const sagemaker = withJob('InProgress', OURS, { invisibleFor: 10 });
    const options = operatorOptions(sagemaker);
    const lifecycle = jobLifecycle<JobObject<Spec>, Spec, Status, DescribeTrainingJobResponse, unknown>(
      jobs,
      options,
    );
    for (let i = 0; i < 3; i++) {
      const ctx = reconcileContext<Status>(object());
      await underSecurityPolicies(ctx, object(), () => lifecycle.reconcile(ctx, object()));
    }
    expect(sagemaker.count('CreateTrainingJob')).toBe(1);
    // The first reconcile describes before and after its create; each later one describes once.
    expect(sagemaker.count('DescribeTrainingJob')).toBe(4);
  });

  it('the reconcile after a lost create answer finds the job, and never creates twice', async () => {
    const sagemaker = new FakeSageMaker();
    sagemaker.loseCreateAnswers = 1;
    const first = await run(sagemaker, object());
    expect(first.error).toMatchObject({ code: 'ECONNRESET' });
    const second = await run(sagemaker, object(first.status));
    expect(second.error).toBeUndefined();
    expect(sagemaker.count('CreateTrainingJob')).toBe(1);
    expect(second.status.trainingJobArn).toBe(jobArn(NAME));
  });

  it('a ReconcileError is what the loop gets for a terminal refusal', async () => {
    const outcome = await run(withJob('InProgress', SOMEONE_ELSES), object());
    expect(outcome.error).toBeInstanceOf(ReconcileError);
  });
});

describe('the job lifecycle: deletion', () => {
  const cases: {
    name: string;
    sagemaker: () => FakeSageMaker;
    status: Status;
    expected: { calls: string[]; result: ReconcileResult; events?: string[]; state?: string | undefined };
  }[] = [
    {
      name: 'nothing recorded: nothing to ask',
      sagemaker: () => withJob('InProgress'),
      status: {},
      expected: { calls: [], result: done },
    },
    {
      name: 'a running job is stopped first',
      sagemaker: () => withJob('InProgress'),
      status: created('InProgress'),
      expected: {
        calls: [`DescribeTrainingJob ${NAME}`, `ListTags ${jobArn(NAME)}`, `StopTrainingJob ${NAME}`],
        result: requeueAfter(1_000),
        events: ['Stopping'],
        state: 'Stopping',
      },
    },
    {
      name: 'a finished job is deleted',
      sagemaker: () => withJob('Completed'),
      status: created('Completed'),
      expected: {
        calls: [`DescribeTrainingJob ${NAME}`, `ListTags ${jobArn(NAME)}`, `DeleteTrainingJob ${NAME}`],
        result: requeueAfter(1_000),
        events: ['Deleting'],
        state: undefined,
      },
    },
    {
      name: "someone else's job is left alone",
      sagemaker: () => withJob('InProgress', SOMEONE_ELSES),
      status: created('InProgress'),
      expected: {
        calls: [`DescribeTrainingJob ${NAME}`, `ListTags ${jobArn(NAME)}`],
        result: done,
        state: 'InProgress',
      },
    },
    {
      name: 'a job that is gone lets the object go',
      sagemaker: () => new FakeSageMaker(),
      status: created('Completed'),
      expected: { calls: [`DescribeTrainingJob ${NAME}`], result: done },
    },
    {
      name: 'a job created but not seen yet is waited for, not forgotten',
      sagemaker: () => new FakeSageMaker(),
      status: { trainingJobName: NAME, trainingJobArn: jobArn(NAME), accountId: ACCOUNT },
      expected: { calls: [`DescribeTrainingJob ${NAME}`], result: requeueAfter(1_000) },
    },
  ];

  it.each(cases)('$name', async ({ sagemaker: make, status, expected }) => {
    const sagemaker = make();
    const outcome = await run(sagemaker, object(status, {}, true), 'finalize');
    expect(outcome.error).toBeUndefined();
    expect(outcome.calls).toEqual(expected.calls);
    expect(outcome.result).toEqual(expected.result);
    if (expected.events) expect(outcome.events.map((e) => e.reason)).toEqual(expected.events);
    if ('state' in expected) expect(sagemaker.jobs.get(NAME)?.status).toBe(expected.state);
  });

  it('a stopping job is waited for, then deleted once stopped', async () => {
    const sagemaker = withJob('Stopping');
    const waiting = await run(sagemaker, object(created('Stopping'), {}, true), 'finalize');
    expect(waiting.calls).toEqual([`DescribeTrainingJob ${NAME}`, `ListTags ${jobArn(NAME)}`]);
    expect(waiting.result).toMatchObject({ type: 'requeueAfter' });
    sagemaker.jobs.get(NAME)!.status = 'Stopped';
    const deleting = await run(sagemaker, object(waiting.status, {}, true), 'finalize');
    expect(deleting.calls.at(-1)).toBe(`DeleteTrainingJob ${NAME}`);
    expect(sagemaker.jobs.has(NAME)).toBe(false);
  });
});

describe('ManagedJob: one job by name, for an object that is not itself the job', () => {
  // A job of another name than the object's, which SageMaker keeps once finished (as a schedule's
  // baselining job): the calls without delete.
  const OTHER = `${NAME}-baseline`;
  const { delete: _kept, ...kept } = jobs;
  const keptJobs: JobCalls<DescribeTrainingJobResponse> = { ...kept, label: 'baselining job' };

  function managed(sagemaker: FakeSageMaker, status: Status, events: RecordedEvent[] = []) {
    const obj = object(status, {}, true);
    const ctx = reconcileContext<Status>(obj, { events });
    const options = operatorOptions(sagemaker);
    const resource = new ManagedResource(ctx, obj, options, jobs);
    return new ManagedJob(ctx, resource, keptJobs, options.polling, OTHER);
  }

  function withOther(state: string, tags = OURS): FakeSageMaker {
    const sagemaker = new FakeSageMaker();
    sagemaker.jobs.set(OTHER, { arn: jobArn(OTHER), status: state, tags: [...tags] });
    return sagemaker;
  }

  it('finds the job by its own name, and claims it only when status does not show it created', async () => {
    const sagemaker = withOther('InProgress');
    const job = managed(sagemaker, { ...created(), observedGeneration: 1 } as Status);
    expect(job.view((await job.find(jobArn(OTHER)))!)).toMatchObject({ name: OTHER, state: 'InProgress' });
    expect(sagemaker.calls).toEqual([`DescribeTrainingJob ${OTHER}`]);
    await job.find(undefined);
    expect(sagemaker.calls.slice(1)).toEqual([`DescribeTrainingJob ${OTHER}`, `ListTags ${jobArn(OTHER)}`]);
  });

  it('stops a running job of ours, with a Stopping event, and looks again shortly', async () => {
    const sagemaker = withOther('InProgress');
    const events: RecordedEvent[] = [];
    const job = managed(sagemaker, created(), events);
    const removal = await job.removal({ arn: jobArn(OTHER), state: 'InProgress' });
    expect(removal).toMatchObject({ type: 'present', step: 'stop' });
    if (removal.type !== 'present' || removal.step === 'keep') throw new Error('not a step');
    expect(await job.remove(removal.job, removal.step)).toBe(1_000);
    expect(sagemaker.jobs.get(OTHER)?.status).toBe('Stopping');
    expect(events).toMatchObject([{ type: 'Normal', reason: 'Stopping' }]);
    expect(events[0]?.note).toContain(`baselining job ${OTHER}`);
  });

  it.each([
    ['a finished job is kept when its calls cannot delete it', () => withOther('Completed'), 'present'],
    ["someone else's job is left alone", () => withOther('InProgress', SOMEONE_ELSES), 'notOurs'],
    ['a job that is gone is gone', () => new FakeSageMaker(), 'gone'],
  ] as const)('%s', async (_, make, type) => {
    const sagemaker = make();
    const removal = await managed(sagemaker, created()).removal({ state: 'InProgress' });
    expect(removal.type).toBe(type);
    if (removal.type === 'present') expect(removal.step).toBe('keep');
    expect(sagemaker.calls.filter((c) => /^(Stop|Delete)TrainingJob/.test(c))).toEqual([]);
  });

  it('does not believe a job absent while its create may still appear', async () => {
    const job = managed(new FakeSageMaker(), created());
    expect(job.mayStillAppear({ arn: jobArn(OTHER) })).toBe(true);
    expect(await job.removal({ arn: jobArn(OTHER) })).toEqual({ type: 'notVisible' });
    expect(job.mayStillAppear({ arn: jobArn(OTHER), state: 'InProgress' })).toBe(false);
  });

  it('creates once: a refused create says why in Ready, through attemptCreate', async () => {
    const sagemaker = new FakeSageMaker();
    sagemaker.fail('CreateTrainingJob', sageMakerError('ValidationException', 'RoleArn is not valid.'));
    const obj = object();
    const ctx = reconcileContext<Status>(obj);
    const options = operatorOptions(sagemaker);
    const job = new ManagedJob(
      ctx,
      new ManagedResource(ctx, obj, options, jobs),
      keptJobs,
      options.polling,
      OTHER,
    );
    const create = () =>
      underSecurityPolicies(ctx, obj, () =>
        job.create(() =>
          jobs.create(sagemaker.client, {}, OTHER, OURS, { abortSignal: ctx.signal }, undefined),
        ),
      );
    await expect(create()).rejects.toThrow('RoleArn is not valid.');
    await ctx.status.flush();
    expect(ready(ctx.stored().status as Status)).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(await create()).toEqual({ type: 'created', answer: jobArn(OTHER) });
  });
});
