import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MultiModelSetSpec, MultiModelSetStatus } from '../../../src/crds/multi-model-set.js';
import type { ProcessingJobSpec, ProcessingJobStatus } from '../../../src/crds/processing-job.js';
import { phaseSeconds, role } from '../../emulator/test-harness.js';
import { withTimings } from '../support/jobs.js';
import { condition, eventsAbout, OperatorHarness } from '../support/operator.js';
import {
  PLURAL,
  prefixOf,
  putArtifact,
  s3UriOf,
  targets,
  until,
  waitReady,
  type MultiModelSet,
} from './support.js';

let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('mms-pre');
});
afterAll(async () => {
  await h.stop();
});

const sageMakerName = (name: string) => `${h.namespace}-${name}`;

/** A ProcessingJob that packages a model: its output `model` under `packaged/<name>/`. */
function packaging(name: string): ProcessingJobSpec {
  return {
    roleArn: role,
    appSpecification: { imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/package:1' },
    processingResources: {
      clusterConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
    },
    processingOutputConfig: {
      outputs: [
        {
          outputName: 'model',
          s3Output: {
            s3Uri: `s3://${h.cloud.bucket}/packaged/${name}`,
            localPath: '/opt/ml/processing/model',
            s3UploadMode: 'EndOfJob',
          },
        },
      ],
    },
    stoppingCondition: { maxRuntimeInSeconds: 3600 },
  };
}

/** The job `name` writes `model.tar.gz` with `content` into its output, or fails. */
async function steer(name: string, outcome: 'Completed' | 'Failed', content = ''): Promise<void> {
  await h.cloud.emulator.control.steer({
    kind: 'ProcessingJob',
    name: sageMakerName(name),
    outcome,
    ...(outcome === 'Completed' && { outputs: { model: { 'model.tar.gz': content } } }),
    ...(outcome === 'Failed' && { failureReason: 'AlgorithmError: nothing to package' }),
  });
}

const fromJob = (name: string) => ({
  processingJobRef: { name, outputName: 'model' },
  path: 'model.tar.gz',
});

const waitForSet = (name: string, check: (o: MultiModelSet | undefined) => boolean, timeoutMs?: number) =>
  h.waitFor<MultiModelSetSpec, MultiModelSetStatus>(PLURAL, name, check, timeoutMs);

describe('MultiModelSet prerequisites', () => {
  it("serves a model from a ProcessingJob's output once the job has Completed, the others meanwhile", async () => {
    const prefix = prefixOf(h, 'packaged');
    await putArtifact(h, 'sources/listed.tar.gz', 'listed v1');
    await steer('package', 'Completed', 'packaged model v1');
    await h.create(PLURAL, 'MultiModelSet', 'packaged', {
      modelDataPrefix: s3UriOf(h, prefix),
      models: [
        { name: 'listed', s3Uri: s3UriOf(h, 'sources/listed.tar.gz') },
        { name: 'packaged', s3UriFrom: fromJob('package') },
      ],
    } satisfies MultiModelSetSpec);
    const pending = (o: MultiModelSet | undefined) =>
      o?.status?.models?.ready === 1 && o.status.models.pending === 1;
    const before = await waitForSet('packaged', pending);
    expect(condition(before, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'WaitingForReference',
      message: '1 of 2 model(s) in place; waiting for ProcessingJob package to complete',
    });
    expect(Object.keys((await targets(h, 'packaged')) ?? {})).toEqual(['listed']);

    // The job runs long enough (5 s) for the set to be seen waiting on it while it runs.
    await withTimings(h, { processingRunning: 5000 }, { processingRunning: phaseSeconds }, async () => {
      await h.create('processingjobs', 'ProcessingJob', 'package', packaging('package'));
      await h.waitFor<ProcessingJobSpec, ProcessingJobStatus>(
        'processingjobs',
        'package',
        (o) => o?.status?.processingJobStatus === 'InProgress',
      );
    });
    expect(pending(await h.get(PLURAL, 'packaged'))).toBe(true);
    expect(Object.keys((await targets(h, 'packaged')) ?? {})).toEqual(['listed']);

    const served = await waitReady(h, 'packaged');
    expect(served.status?.models).toMatchObject({ desired: 2, ready: 2, pending: 0, failed: 0 });
    const map = (await targets(h, 'packaged')) ?? {};
    expect(Object.keys(map).sort()).toEqual(['listed', 'packaged']);
    expect(map.packaged).toMatch(/^packaged\/[0-9a-f]{32}\.tar\.gz$/);
    expect(await h.cloud.read(`${prefix}${map.packaged ?? ''}`)).toBe('packaged model v1');
    expect(served.status?.inputs).toEqual([
      {
        kind: 'ProcessingJob',
        name: 'package',
        output: 'model',
        uri: s3UriOf(h, 'packaged/package/model.tar.gz'),
        jobName: sageMakerName('package'),
      },
    ]);
  });

  it('serves the new content of a job applied again under the same output', async () => {
    const prefix = prefixOf(h, 'rerun');
    await steer('repack', 'Completed', 'repacked v1');
    await h.create('processingjobs', 'ProcessingJob', 'repack', packaging('repack'));
    await h.create(PLURAL, 'MultiModelSet', 'rerun', {
      modelDataPrefix: s3UriOf(h, prefix),
      models: [{ name: 'repacked', s3UriFrom: fromJob('repack') }],
    } satisfies MultiModelSetSpec);
    await waitReady(h, 'rerun');
    const first = (await targets(h, 'rerun'))?.repacked ?? '';
    expect(await h.cloud.read(`${prefix}${first}`)).toBe('repacked v1');

    await steer('repack', 'Completed', 'repacked v2');
    await h.delete('processingjobs', 'repack');
    await h.waitFor('processingjobs', 'repack', (o) => o === undefined);
    await h.create('processingjobs', 'ProcessingJob', 'repack', packaging('repack'));
    await until(async () => ((await targets(h, 'rerun'))?.repacked ?? first) !== first);
    const second = (await targets(h, 'rerun'))?.repacked ?? '';
    expect(await h.cloud.read(`${prefix}${second}`)).toBe('repacked v2');
    await waitReady(h, 'rerun');
  });

  it('reports a model whose job failed, with one Warning, and serves the others', async () => {
    const prefix = prefixOf(h, 'broken');
    await putArtifact(h, 'sources/healthy.tar.gz', 'healthy');
    await steer('broken-package', 'Failed');
    await h.create('processingjobs', 'ProcessingJob', 'broken-package', packaging('broken-package'));
    await h.create(PLURAL, 'MultiModelSet', 'broken', {
      modelDataPrefix: s3UriOf(h, prefix),
      models: [
        { name: 'healthy', s3Uri: s3UriOf(h, 'sources/healthy.tar.gz') },
        { name: 'broken', s3UriFrom: fromJob('broken-package') },
      ],
    } satisfies MultiModelSetSpec);
    const set = await waitForSet('broken', (o) => (o?.status?.failedModels ?? []).length > 0);
    expect(set?.status?.failedModels).toEqual([
      {
        name: 'broken',
        reason: 'ProcessingJobFailed',
        message: `ProcessingJob broken-package Failed: AlgorithmError: nothing to package`,
      },
    ]);
    const ready = await waitReady(h, 'broken');
    expect(condition(ready, 'Ready')?.reason).toBe('ModelsInPlace');
    expect(Object.keys((await targets(h, 'broken')) ?? {})).toEqual(['healthy']);
    await until(async () =>
      (await eventsAbout(h, 'broken')).some((e) => e.type === 'Warning' && e.reason === 'ModelFailed'),
    );
    const warnings = (await eventsAbout(h, 'broken')).filter((e) => e.reason === 'ModelFailed');
    expect(warnings).toHaveLength(1);
  });

  it('copies nothing and writes no ConfigMap until what it depends on is Ready', async () => {
    const prefix = prefixOf(h, 'held');
    await putArtifact(h, 'sources/held.tar.gz', 'held');
    await h.create(PLURAL, 'MultiModelSet', 'held', {
      modelDataPrefix: s3UriOf(h, prefix),
      models: [{ name: 'held', s3Uri: s3UriOf(h, 'sources/held.tar.gz') }],
      dependsOn: [{ kind: 'ProcessingJob', name: 'release' }],
    } satisfies MultiModelSetSpec);
    const held = await waitForSet('held', (o) => condition(o, 'Ready')?.reason === 'WaitingForReference');
    expect(condition(held, 'Ready')?.message).toBe('waiting for ProcessingJob release (not found)');
    expect(held?.status?.modelDataPrefix).toBeUndefined();
    expect(await targets(h, 'held')).toBeUndefined();
    expect(await h.cloud.keys(prefix)).toEqual([]);

    await h.create('processingjobs', 'ProcessingJob', 'release', packaging('release'));
    await waitReady(h, 'held');
    expect(Object.keys((await targets(h, 'held')) ?? {})).toEqual(['held']);
    expect(await h.cloud.keys(prefix)).toHaveLength(1);
  });
});
