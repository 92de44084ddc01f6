/*
 * Change detection: the operator learns what changed in SageMaker from one List call per
 * kind and region, describes only what changed, and still describes each resource at the safety
 * interval in case a List missed something.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateTrainingJobCommand, StopTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { ROLE_ANNOTATION } from '../../../src/controllers/common/identity.js';
import { phaseSeconds, role } from '../../emulator/test-harness.js';
import { MINIMAL_SPECS } from '../support/minimal-specs.js';
import { createIn, waitIn } from '../support/namespaced.js';
import { condition, OperatorHarness, TEST_TIMINGS } from '../support/operator.js';
import { trainingJobSpec } from '../training-job/support.js';

const PLURAL = 'trainingjobs';
let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('sweeps');
});
afterAll(async () => {
  await h.stop();
});

const jobName = (name: string): string => `${h.namespace}-${name}`;

async function describesSince(time: number, resource?: string): Promise<string[]> {
  const { calls } = await h.cloud.emulator.control.calls({ operation: 'DescribeTrainingJob', resource });
  return calls.filter((c) => c.time >= time).map((c) => c.resource ?? '');
}

async function training(names: string[]): Promise<void> {
  for (const name of names) await h.create(PLURAL, 'TrainingJob', name, trainingJobSpec(h));
  for (const name of names)
    await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      PLURAL,
      name,
      (o) => o?.status?.secondaryStatus === 'Training',
    );
}

async function withSettings<T>(
  patch: Parameters<typeof h.cloud.emulator.control.configure>[0],
  run: () => Promise<T>,
) {
  await h.cloud.emulator.control.configure(patch);
  try {
    return await run();
  } finally {
    await h.cloud.emulator.control.configure({
      timings: { trainingDownloading: phaseSeconds, trainingTraining: 100, trainingUploading: phaseSeconds },
      faults: [],
    });
  }
}

describe('change detection by sweeps', () => {
  it('notices a change made outside the operator and describes only the changed resource', async () => {
    await withSettings({ timings: { trainingTraining: 10_000_000 } }, async () => {
      const names = ['steady-0', 'steady-1', 'steady-2', 'changed'];
      await training(names);
      const since = Date.now();
      await h.cloud.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: jobName('changed') }));
      await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
        PLURAL,
        'changed',
        (o) => o?.status?.trainingJobStatus === 'Stopped',
      );
      const described = await describesSince(since);
      expect(described.filter((name) => name !== jobName('changed'))).toEqual([]);
      // Stopping, then Stopped: one describe per change the sweeps saw.
      expect(described.length).toBeGreaterThanOrEqual(1);
      expect(described.length).toBeLessThanOrEqual(3);
    });
  });

  it("follows a running job's progress from the List summaries, describing it only when created and when finished", async () => {
    // Each phase lasts several sweeps, so that each is seen.
    const phase = phaseSeconds / 2;
    const timings = { trainingDownloading: phase, trainingTraining: phase, trainingUploading: phase };
    await withSettings({ timings }, async () => {
      const seen: string[] = [];
      await h.create(PLURAL, 'TrainingJob', 'progress', trainingJobSpec(h));
      await h.waitFor<TrainingJobSpec, TrainingJobStatus>(PLURAL, 'progress', (o) => {
        const secondary = o?.status?.secondaryStatus;
        if (secondary !== undefined && seen.at(-1) !== secondary) seen.push(secondary);
        return o?.status?.trainingJobStatus === 'Completed';
      });
      expect(seen).toEqual(expect.arrayContaining(['Downloading', 'Training', 'Uploading', 'Completed']));
      const { calls } = await h.cloud.emulator.control.calls({
        operation: 'DescribeTrainingJob',
        resource: jobName('progress'),
      });
      // Not found before the create, found after it, then found Completed: not once per phase.
      expect(calls.filter((c) => c.outcome === 'ok').length).toBeLessThanOrEqual(2);
      const job = await h.get<TrainingJobSpec, TrainingJobStatus>(PLURAL, 'progress');
      expect(job?.status?.modelArtifacts?.s3ModelArtifacts).toMatch(/model\.tar\.gz$/);
    });
  });

  it('pages through more than 100 changed resources, and foreign ones cost no describe', async () => {
    await withSettings({ timings: { trainingTraining: 10_000_000 } }, async () => {
      const foreign = Array.from({ length: 120 }, (_, i) => `foreign-${String(i)}`);
      for (const name of foreign)
        await h.cloud.sagemaker.send(
          new CreateTrainingJobCommand({
            TrainingJobName: name,
            RoleArn: role,
            AlgorithmSpecification: { TrainingImage: 'img:1', TrainingInputMode: 'File' },
            OutputDataConfig: { S3OutputPath: `s3://${h.cloud.bucket}/foreign` },
            ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 5 },
          }),
        );
      const since = Date.now();
      // Created after the foreign jobs: in CreationTime order its changes come after the first page.
      await training(['last-created']);
      await h.cloud.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: jobName('last-created') }));
      await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
        PLURAL,
        'last-created',
        (o) => o?.status?.trainingJobStatus === 'Stopped',
      );
      expect((await describesSince(since)).filter((name) => name.startsWith('foreign-'))).toEqual([]);
      for (const name of foreign)
        await h.cloud.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: name }));
    });
  });

  it('still notices a change when every List fails: a changing resource is described at the drift interval', async () => {
    await h.stopOperator();
    await h.startOperator(1_500);
    await withSettings(
      {
        timings: { trainingTraining: 3_000 },
        faults: [
          { kind: 'error', operation: 'ListTrainingJobs', rate: 1, status: 500, code: 'InternalFailure' },
        ],
      },
      async () => {
        const since = Date.now();
        await h.create(PLURAL, 'TrainingJob', 'unlisted', trainingJobSpec(h));
        await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
          PLURAL,
          'unlisted',
          (o) => o?.status?.trainingJobStatus === 'Completed',
          30_000,
        );
        const { calls } = await h.cloud.emulator.control.calls({ operation: 'ListTrainingJobs' });
        const sweeps = calls.filter((c) => c.time >= since);
        expect(sweeps.length).toBeGreaterThan(0);
        expect(sweeps.filter((c) => c.outcome === 'ok')).toEqual([]);
      },
    );
  });

  it('keeps no sweep at the fast pace for an object that waits for a reference', async () => {
    // Its own identity, so that its sweeps are told apart from those of the jobs above.
    const namespace = await h.addNamespace('waiting', {
      [ROLE_ANNOTATION]: 'arn:aws:iam::333333333333:role/waiting',
    });
    const principal = `arn:aws:sts::333333333333:assumed-role/waiting/${namespace}`;
    const spec = {
      ...MINIMAL_SPECS.ProcessingJob,
      processingInputs: [
        {
          inputName: 'features',
          s3Input: {
            s3UriFrom: { processingJobRef: { name: 'not-there-yet', outputName: 'train' } },
            localPath: '/opt/ml/processing/input',
            s3DataType: 'S3Prefix',
          },
        },
      ],
    };
    await createIn(h.kc, namespace, 'processingjobs', 'ProcessingJob', 'waits', spec);
    await waitIn<Parameters<typeof condition>[0]>(
      h.kc,
      namespace,
      'processingjobs',
      'waits',
      (job) => condition(job, 'Reconciling')?.reason === 'WaitingForReference',
    );
    const window = 1_000;
    const from = Date.now();
    await new Promise((resolve) => setTimeout(resolve, window)); // a measurement window, not a sync
    const { calls } = await h.cloud.emulator.control.calls({ operation: 'ListProcessingJobs' });
    const swept = calls.filter((c) => c.principal === principal && c.time >= from && c.time < from + window);
    console.info(`ListProcessingJobs per second for an object waiting for a reference: ${swept.length}`);
    // At the sweep interval (100 ms) the window would hold about ten; at the drift interval, none.
    expect(TEST_TIMINGS.sweepIntervalMs).toBeLessThanOrEqual(100);
    expect(swept.length).toBeLessThanOrEqual(1);
  });
});
