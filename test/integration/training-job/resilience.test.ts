import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteTrainingJobCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { role } from '../../emulator/test-harness.js';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  condition,
  eventsAbout,
  OperatorHarness,
  SHUTDOWN_TIMEOUT_MS,
  SLOW_RETRY_MS,
  CLOUD_CONSISTENCY,
} from '../support/operator.js';
import { interceptOnce, loseCreateAnswerUntilRetried } from '../support/intercept.js';
import { foreignTrainingJob } from './support.js';

const PLURAL = 'trainingjobs';
let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('tj-resilience');
});
afterAll(async () => {
  await h.stop();
});

function spec(): TrainingJobSpec {
  return {
    roleArn: role,
    algorithmSpecification: { trainingImage: 'img:1', trainingInputMode: 'File' },
    outputDataConfig: { s3OutputPath: `s3://${h.cloud.bucket}/output` },
    resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
  };
}

const completed = (o: { status?: TrainingJobStatus } | undefined): boolean =>
  o?.status?.trainingJobStatus === 'Completed';
const jobName = (name: string): string => `${h.namespace}-${name}`;

async function calls(resource: string, operation: string, outcome?: string): Promise<number> {
  const { calls: found } = await h.cloud.emulator.control.calls({ resource, operation });
  return found.filter((c) => outcome === undefined || c.outcome === outcome).length;
}

interface Stack {
  add(middleware: unknown, options: { step: string; name: string }): void;
}

describe('TrainingJob resilience', () => {
  it('makes no second create when the operator dies right after the create call', async () => {
    // CreateTrainingJob reaches SageMaker, but its answer never reaches the operator: the process
    // "dies" (is stopped, and the call then fails) before it can write anything else.
    let die: (err: Error) => void = () => undefined;
    const dead = new Promise<never>((_, reject) => {
      die = reject;
    });
    (h.operatorAws.sagemaker().middlewareStack as unknown as Stack).add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: unknown) => {
          const result = await next(args);
          if (context.commandName === 'CreateTrainingJobCommand') await dead;
          return result;
        },
      { step: 'initialize', name: 'dieAfterCreate' },
    );
    await h.create(PLURAL, 'TrainingJob', 'crash', spec());
    const name = jobName('crash');
    const deadline = Date.now() + 10_000;
    while ((await calls(name, 'CreateTrainingJob')) === 0 && Date.now() < deadline) await sleep(20);

    const stopped = h.stopOperator();
    await sleep(SHUTDOWN_TIMEOUT_MS + 200);
    die(new Error('the process died'));
    await stopped;
    expect(
      (await h.get<TrainingJobSpec, TrainingJobStatus>(PLURAL, 'crash'))?.status?.trainingJobArn,
    ).toBeUndefined();

    await h.startOperator();
    await h.waitFor<TrainingJobSpec, TrainingJobStatus>(PLURAL, 'crash', completed);
    expect(await calls(name, 'CreateTrainingJob')).toBe(1);
  });

  it('carries on with its own job when its create landed unanswered and describe does not see it yet', async () => {
    // The create lands but its answer is lost, and SageMaker's reads do not show the new job until the
    // operator has tried again: the retry is told the name is taken, and must find its own job.
    const name = jobName('lost-answer');
    const restore = loseCreateAnswerUntilRetried(
      h,
      'CreateTrainingJobCommand',
      'DescribeTrainingJobCommand',
      'Requested resource not found.',
    );
    try {
      await h.create(PLURAL, 'TrainingJob', 'lost-answer', spec());
      const job = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(PLURAL, 'lost-answer', completed);
      expect(await calls(name, 'CreateTrainingJob', 'ok')).toBe(1);
      expect(await calls(name, 'CreateTrainingJob', 'ResourceInUse')).toBeGreaterThan(0);
      expect(condition(job, 'Synced')).toMatchObject({ status: 'True' });
      expect(job?.status?.trainingJobArn).toContain(`training-job/${name}`);
    } finally {
      restore();
      await h.cloud.emulator.control.configure({ consistency: CLOUD_CONSISTENCY });
    }
  });

  it('reports AlreadyExists when a job of someone else takes the name just before its create', async () => {
    const name = jobName('raced');
    let foreignArn: string | undefined;
    const restore = interceptOnce(h, 'CreateTrainingJobCommand', async (next) => {
      ({ TrainingJobArn: foreignArn } = await foreignTrainingJob(h, name));
      return next();
    });
    // The other job stays invisible to describe for 300 ms: several polls, and sweeps, in which the
    // operator must wait for it (up to --poll-interval-max, 400 ms here) rather than call create again.
    await h.cloud.emulator.control.configure({ consistency: { describeAfterCreate: 300 } });
    try {
      await h.create(PLURAL, 'TrainingJob', 'raced', spec());
      const job = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
        PLURAL,
        'raced',
        (o) => condition(o, 'Synced')?.status === 'False',
      );
      expect(condition(job, 'Synced')).toMatchObject({ reason: 'AlreadyExists' });
      expect(condition(job, 'Ready')).toMatchObject({ status: 'False', reason: 'AlreadyExists' });
      expect(job?.status?.trainingJobArn).toBeUndefined();
      expect(await calls(name, 'CreateTrainingJob', 'ResourceInUse')).toBe(1);
      const { Tags } = await h.cloud.sagemaker.send(new ListTagsCommand({ ResourceArn: foreignArn }));
      expect(Tags).toEqual([{ Key: 'owner', Value: 'someone-else' }]);
    } finally {
      restore();
    }
  });

  it('says what a delete waits for while the job is stopping', async () => {
    await h.cloud.emulator.control.configure({
      timings: { trainingTraining: 5_000, trainingStopping: 3_000 },
    });
    try {
      await h.create(PLURAL, 'TrainingJob', 'slow-stop', spec());
      await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
        PLURAL,
        'slow-stop',
        (o) => o?.status?.secondaryStatus === 'Training',
      );
      await h.delete(PLURAL, 'slow-stop');
      const stopping = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
        PLURAL,
        'slow-stop',
        (o) => condition(o, 'Ready')?.message.includes('waiting while it is Stopping') === true,
      );
      expect(condition(stopping, 'Ready')).toMatchObject({ status: 'False', reason: 'Deleting' });
      expect(stopping?.status?.trainingJobStatus).toBe('Stopping');
      await h.waitFor(PLURAL, 'slow-stop', (o) => o === undefined);
      expect(await calls(jobName('slow-stop'), 'DeleteTrainingJob', 'ok')).toBe(1);
    } finally {
      await h.cloud.emulator.control.configure({ timings: { trainingTraining: 100, trainingStopping: 100 } });
    }
  });

  it('retries throttling and server errors until they pass', async () => {
    await h.cloud.emulator.control.configure({
      rateLimits: { DescribeTrainingJob: { ratePerSecond: 20, burst: 5 } },
      faults: [
        {
          kind: 'error',
          operation: 'CreateTrainingJob',
          rate: 1,
          status: 500,
          code: 'InternalFailure',
          count: 4,
        },
      ],
    });
    try {
      const names = Array.from({ length: 5 }, (_, i) => `flaky-${i}`);
      for (const name of names) await h.create(PLURAL, 'TrainingJob', name, spec());
      for (const name of names)
        await h.waitFor<TrainingJobSpec, TrainingJobStatus>(PLURAL, name, completed, 60_000);
      const all = await h.cloud.emulator.control.calls({ operation: 'CreateTrainingJob' });
      expect(all.calls.filter((c) => c.outcome === 'InternalFailure')).toHaveLength(4);
      for (const name of names) expect(await calls(jobName(name), 'CreateTrainingJob', 'ok')).toBe(1);
    } finally {
      await h.cloud.emulator.control.configure({ rateLimits: {}, faults: [] });
    }
  });

  it('reports QuotaExceeded, retries slowly, and carries on once the quota allows', async () => {
    await h.cloud.emulator.control.configure({ limits: { concurrentTrainingJobs: 0 } });
    await h.create(PLURAL, 'TrainingJob', 'over-quota', spec());
    const job = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      PLURAL,
      'over-quota',
      (o) => condition(o, 'Synced')?.reason === 'QuotaExceeded',
    );
    expect(condition(job, 'Synced')?.message).toContain('ResourceLimitExceeded');
    expect(
      (await eventsAbout(h, 'over-quota')).some((e) => e.type === 'Warning' && e.reason === 'QuotaExceeded'),
    ).toBe(true);
    await sleep(SLOW_RETRY_MS / 2);
    expect(await calls(jobName('over-quota'), 'CreateTrainingJob')).toBe(1);

    await h.cloud.emulator.control.configure({ limits: {} });
    await h.waitFor<TrainingJobSpec, TrainingJobStatus>(PLURAL, 'over-quota', completed, 30_000);
  });

  it('reports a finished job deleted outside the operator as DeletedOutOfBand and does not re-run it', async () => {
    await h.create(PLURAL, 'TrainingJob', 'vanishes', spec());
    await h.waitFor<TrainingJobSpec, TrainingJobStatus>(PLURAL, 'vanishes', completed);
    const name = jobName('vanishes');
    // Deleting lasts 3 s: the restarted operator (describing every object once, as the check of
    // finished jobs at the safety interval would) finds it Deleting and must then notice it is gone,
    // which no List shows.
    await h.cloud.emulator.control.configure({ timings: { trainingDeleting: 3_000 } });
    try {
      await h.cloud.sagemaker.send(new DeleteTrainingJobCommand({ TrainingJobName: name }));
      await h.stopOperator();
      await h.startOperator();
      await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
        PLURAL,
        'vanishes',
        (o) => o?.status?.trainingJobStatus === 'Deleting',
      );
    } finally {
      await h.cloud.emulator.control.configure({ timings: { trainingDeleting: 100 } });
    }
    const job = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      PLURAL,
      'vanishes',
      (o) => condition(o, 'Ready')?.reason === 'DeletedOutOfBand',
    );
    expect(condition(job, 'Ready')?.message).toContain('deleted outside the operator');
    expect(await calls(name, 'CreateTrainingJob')).toBe(1);
  });

  it('runs 100 jobs applied at once to completion', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `many-${i}`);
    await Promise.all(names.map((name) => h.create(PLURAL, 'TrainingJob', name, spec())));
    for (const name of names)
      await h.waitFor<TrainingJobSpec, TrainingJobStatus>(PLURAL, name, completed, 90_000);
    const { calls: creates } = await h.cloud.emulator.control.calls({ operation: 'CreateTrainingJob' });
    expect(creates.filter((c) => c.resource?.startsWith(jobName('many-')))).toHaveLength(100);
  });
});
