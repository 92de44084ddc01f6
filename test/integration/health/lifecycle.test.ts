/**
 * The health table: live TrainingJobs, Endpoints, TransformJobs, ProcessingJobs, model package
 * groups and versions, driven by the operator through every lifecycle
 * state, read from the apiserver at that state and judged by the real judges of the GitOps tools —
 * kstatus (sigs.k8s.io/cli-utils, what Flux and kpt wait with) and Argo CD (the chart's health.lua
 * in gopher-lua, as Argo CD runs it).
 *
 * Every version of each object is recorded by a watch started from its create, so a state that
 * lasts one status write is still seen, and judged exactly as the apiserver stored it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { DeleteModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import type { EndpointSpec } from '../../../src/crds/endpoint.js';
import { GROUP, VERSION } from '../../../src/crds/index.js';
import { judgeWithArgoCd, judgeWithKstatus } from '../../rig/judges.js';
import { customObjects } from '../support/cluster.js';
import { condition, OperatorHarness } from '../support/operator.js';
import { endpointSpec, IMAGE } from '../endpoint/support.js';
import { trainingJobSpec } from '../training-job/support.js';
import { MINIMAL_SPECS } from '../support/minimal-specs.js';
import { transformFromTraining } from '../transform-job/support.js';

const script = readFileSync(
  new URL('../../../deploy/helm/sagemaker-operator/argocd/health.lua', import.meta.url),
  'utf8',
);

type Kind =
  'TrainingJob' | 'Endpoint' | 'TransformJob' | 'ProcessingJob' | 'ModelPackageGroup' | 'ModelPackage';
type Kstatus = 'Current' | 'InProgress' | 'Failed' | 'Terminating';
type ArgoCd = 'Healthy' | 'Progressing' | 'Degraded';

/** What each judge says of each state: the health table. */
const HEALTH: readonly [Kind, string, Kstatus, ArgoCd][] = [
  // kind          state                                           kstatus        Argo CD
  ['TrainingJob', 'applied, before the operator writes anything', 'Current', 'Progressing'],
  ['TrainingJob', 'new: first status written', 'InProgress', 'Progressing'],
  ['TrainingJob', 'in progress', 'InProgress', 'Progressing'],
  ['TrainingJob', 'completed', 'Current', 'Healthy'],
  ['TrainingJob', 'updating: tags changed, not yet observed', 'InProgress', 'Progressing'],
  ['TrainingJob', 'completed, tags applied', 'Current', 'Healthy'],
  ['TrainingJob', 'failed', 'Failed', 'Degraded'],
  ['TrainingJob', 'stopped by MaxRuntimeExceeded', 'Failed', 'Degraded'],
  ['TrainingJob', 'InvalidSpec (rejected by SageMaker)', 'Failed', 'Degraded'],
  ['TrainingJob', 'deleting while in progress', 'Terminating', 'Progressing'],
  ['Endpoint', 'applied, before the operator writes anything', 'Current', 'Progressing'],
  ['Endpoint', 'new: first status written', 'InProgress', 'Progressing'],
  ['Endpoint', 'in progress: Creating', 'InProgress', 'Progressing'],
  ['Endpoint', 'ready: InService', 'Current', 'Healthy'],
  ['Endpoint', 'updating: spec changed, not yet observed', 'InProgress', 'Progressing'],
  ['Endpoint', 'updating: Updating', 'InProgress', 'Progressing'],
  ['Endpoint', 'ready: InService on the new config', 'Current', 'Healthy'],
  ['Endpoint', 'failed create', 'Failed', 'Degraded'],
  ['Endpoint', 'failed update', 'Failed', 'Degraded'],
  ['Endpoint', 'InvalidSpec (failed TrainingJob reference)', 'Failed', 'Degraded'],
  ['Endpoint', 'deleting', 'Terminating', 'Progressing'],
  ['TransformJob', 'waiting for its TrainingJob', 'InProgress', 'Progressing'],
  ['TransformJob', 'completed', 'Current', 'Healthy'],
  ['TransformJob', 'InvalidSpec (failed TrainingJob reference)', 'Failed', 'Degraded'],
  ['ProcessingJob', 'completed', 'Current', 'Healthy'],
  ['ProcessingJob', 'failed', 'Failed', 'Degraded'],
  ['ModelPackageGroup', 'ready: Completed', 'Current', 'Healthy'],
  ['ModelPackageGroup', 'deleting: waits for its versions', 'Terminating', 'Progressing'],
  ['ModelPackage', 'waiting for its group', 'InProgress', 'Progressing'],
  ['ModelPackage', 'registered', 'Current', 'Healthy'],
  ['ModelPackage', 'approval changed, not yet observed', 'InProgress', 'Progressing'],
  ['ModelPackage', 'approved', 'Current', 'Healthy'],
  ['ModelPackage', 'deleted in the registry', 'Failed', 'Degraded'],
  ['ModelPackage', 'InvalidSpec (failed TrainingJob reference)', 'Failed', 'Degraded'],
];

interface Obj {
  metadata: { name: string; resourceVersion: string; generation: number; deletionTimestamp?: string };
  status?: {
    observedGeneration?: number;
    trainingJobStatus?: string;
    transformJobStatus?: string;
    processingJobStatus?: string;
    endpointStatus?: string;
    endpointConfigName?: string;
    modelPackageArn?: string;
    modelApprovalStatus?: string;
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

const PLURALS: Record<Kind, string> = {
  TrainingJob: 'trainingjobs',
  Endpoint: 'endpoints',
  TransformJob: 'transformjobs',
  ProcessingJob: 'processingjobs',
  ModelPackageGroup: 'modelpackagegroups',
  ModelPackage: 'modelpackages',
};
const WAIT_MS = 30_000;

let h: OperatorHarness;
/** The object read at each state of the table, keyed `kind/state`. */
const seen = new Map<string, Obj>();
const watches: AbortController[] = [];

beforeAll(async () => {
  h = await OperatorHarness.start('health');
  // Phases that last long enough (a second) for the operator's polls to see them, so each is written.
  await h.cloud.emulator.control.configure({
    timings: { trainingTraining: 1000, endpointCreating: 1000, endpointUpdating: 1000 },
  });
});
afterAll(async () => {
  for (const watch of watches) watch.abort();
  await h.stop();
});

function record(kind: Kind, state: string, obj: Obj | undefined): Obj {
  if (!HEALTH.some(([k, s]) => k === kind && s === state))
    throw new Error(`${kind} ${state} is not in HEALTH`);
  if (!obj) throw new Error(`${kind} ${state}: no object`);
  seen.set(`${kind}/${state}`, obj);
  return obj;
}

/** Every version of one object as the apiserver stores it, from its create on. */
class History {
  readonly versions: Obj[] = [];
  deleted = false;
  /** Why the watch ended, if it did before the object was deleted. */
  ended: string | undefined;
  private wake: () => void = () => undefined;

  private constructor(
    readonly kind: Kind,
    readonly name: string,
    readonly created: Obj,
  ) {}

  static async create(kind: Kind, name: string, spec: object): Promise<History> {
    const created = (await customObjects(h.kc).createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: h.namespace,
      plural: PLURALS[kind],
      body: { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name, namespace: h.namespace }, spec },
    })) as Obj;
    const history = new History(kind, name, created);
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${h.namespace}/${PLURALS[kind]}`;
    watches.push(
      await new Watch(h.kc).watch(
        path,
        { fieldSelector: `metadata.name=${name}`, resourceVersion: created.metadata.resourceVersion },
        (type, obj: Obj) => {
          if (type === 'DELETED') history.deleted = true;
          else if (type === 'ADDED' || type === 'MODIFIED') history.versions.push(obj);
          history.wake();
        },
        (err: unknown) => {
          history.ended = err instanceof Error ? err.message : 'the watch closed';
          history.wake();
        },
      ),
    );
    return history;
  }

  /** The first version, from `from` on, that satisfies `check`. */
  first(check: (o: Obj) => boolean, from = 0): Promise<Obj> {
    return this.until(() => this.versions.slice(from).find(check));
  }

  /** Resolves once the object is gone from the apiserver. */
  gone(): Promise<boolean> {
    return this.until(() => this.deleted || undefined);
  }

  /** Waits, woken by each watch event, until `found` returns something. */
  private async until<T>(found: () => T | undefined): Promise<T> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const result = found();
      if (result !== undefined) return result;
      if (Date.now() > deadline || (this.ended !== undefined && !this.deleted)) {
        const last = JSON.stringify(this.versions.at(-1), null, 2);
        const why = this.ended ?? 'timed out';
        throw new Error(`${this.kind} ${this.name}: ${why}; last version seen:\n${last}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async patchSpec(spec: object): Promise<Obj> {
    return (await customObjects(h.kc).patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: h.namespace,
        plural: PLURALS[this.kind],
        name: this.name,
        body: { spec },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Obj;
  }

  async delete(): Promise<void> {
    await h.delete(PLURALS[this.kind], this.name);
  }
}

const jobName = (name: string): string => `${h.namespace}-${name}`;
const cond = (o: Obj, type: string): string | undefined => condition(o, type)?.status;
const reasonOf = (o: Obj, type: string): string | undefined => condition(o, type)?.reason;
const current = (o: Obj): boolean => o.status?.observedGeneration === o.metadata.generation;

describe('reaching each state of the table', () => {
  it('TrainingJob: applied, new, in progress, deleting', async () => {
    const job = await History.create('TrainingJob', 'runs', trainingJobSpec(h));
    record('TrainingJob', 'applied, before the operator writes anything', job.created);
    expect(job.created.status).toBeUndefined();
    record('TrainingJob', 'new: first status written', await job.first((o) => o.status !== undefined));
    const running = await job.first((o) => o.status?.trainingJobStatus === 'InProgress');
    record('TrainingJob', 'in progress', running);
    await job.delete();
    const deleting = await job.first((o) => o.metadata.deletionTimestamp !== undefined);
    expect(deleting.status?.trainingJobStatus).toBe('InProgress');
    record('TrainingJob', 'deleting while in progress', deleting);
    await job.gone();
  });

  it('TrainingJob: completed, tags changed, tags applied', async () => {
    const job = await History.create('TrainingJob', 'done', trainingJobSpec(h, { tags: { team: 'a' } }));
    const done = await job.first((o) => o.status?.trainingJobStatus === 'Completed' && current(o));
    expect(cond(done, 'Ready')).toBe('True');
    record('TrainingJob', 'completed', done);
    const patched = await job.patchSpec({ tags: { team: 'b' } });
    expect(patched.metadata.generation).toBe(2);
    expect(patched.status?.observedGeneration).toBe(1);
    record('TrainingJob', 'updating: tags changed, not yet observed', patched);
    const applied = await job.first(
      (o) => current(o) && cond(o, 'Synced') === 'True' && o.metadata.generation === 2,
    );
    record('TrainingJob', 'completed, tags applied', applied);
  });

  it('TrainingJob: failed', async () => {
    const reason = 'AlgorithmError: the training script exited with code 1';
    await h.cloud.emulator.control.steer({
      kind: 'TrainingJob',
      name: jobName('fails'),
      outcome: 'Failed',
      failureReason: reason,
    });
    const job = await History.create('TrainingJob', 'fails', trainingJobSpec(h));
    const failed = await job.first((o) => o.status?.trainingJobStatus === 'Failed');
    expect(condition(failed, 'Succeeded')).toMatchObject({ status: 'False', message: reason });
    record('TrainingJob', 'failed', failed);
  });

  it('TrainingJob: stopped by MaxRuntimeExceeded', async () => {
    await h.cloud.emulator.control.steer({
      kind: 'TrainingJob',
      name: jobName('too-long'),
      outcome: 'MaxRuntimeExceeded',
    });
    const job = await History.create('TrainingJob', 'too-long', trainingJobSpec(h));
    const stopped = await job.first((o) => o.status?.trainingJobStatus === 'Stopped');
    expect(reasonOf(stopped, 'Succeeded')).toBe('Stopped');
    record('TrainingJob', 'stopped by MaxRuntimeExceeded', stopped);
  });

  it('TrainingJob: InvalidSpec', async () => {
    const job = await History.create(
      'TrainingJob',
      'rejected',
      trainingJobSpec(h, {
        roleArn: 'arn:aws:iam::999999999999:role/in-another-account',
      }),
    );
    const rejected = await job.first((o) => reasonOf(o, 'Synced') === 'InvalidSpec');
    record('TrainingJob', 'InvalidSpec (rejected by SageMaker)', rejected);
  });

  it('Endpoint: applied, new, Creating, InService, updating, Updating, InService again, deleting', async () => {
    const ep = await History.create('Endpoint', 'serves', endpointSpec(h));
    record('Endpoint', 'applied, before the operator writes anything', ep.created);
    expect(ep.created.status).toBeUndefined();
    record('Endpoint', 'new: first status written', await ep.first((o) => o.status !== undefined));
    record(
      'Endpoint',
      'in progress: Creating',
      await ep.first((o) => o.status?.endpointStatus === 'Creating'),
    );
    const inService = (o: Obj): boolean =>
      o.status?.endpointStatus === 'InService' && cond(o, 'Ready') === 'True' && current(o);
    const ready = await ep.first(inService);
    record('Endpoint', 'ready: InService', ready);

    const patched = await ep.patchSpec(endpointSpec(h, {}, `${IMAGE}-v2`));
    expect(patched.status?.observedGeneration).toBe(1);
    record('Endpoint', 'updating: spec changed, not yet observed', patched);
    const after = ep.versions.length;
    const updating = await ep.first((o) => o.status?.endpointStatus === 'Updating', after);
    record('Endpoint', 'updating: Updating', updating);
    const moved = await ep.first(
      (o) => inService(o) && o.status?.endpointConfigName !== ready.status?.endpointConfigName,
      after,
    );
    record('Endpoint', 'ready: InService on the new config', moved);

    await ep.delete();
    record('Endpoint', 'deleting', await ep.first((o) => o.metadata.deletionTimestamp !== undefined));
    await ep.gone();
  });

  it('Endpoint: failed create', async () => {
    const name = jobName('broken');
    await h.cloud.emulator.control.steer({ kind: 'Endpoint', name, on: 'create', outcome: 'Failed' });
    const ep = await History.create('Endpoint', 'broken', endpointSpec(h));
    const failed = await ep.first((o) => reasonOf(o, 'Synced') === 'CreateFailed');
    expect(failed.status?.endpointStatus).toBe('Failed');
    record('Endpoint', 'failed create', failed);
  });

  it('Endpoint: failed update', async () => {
    const name = jobName('update-fails');
    const ep = await History.create('Endpoint', 'update-fails', endpointSpec(h));
    await ep.first((o) => o.status?.endpointStatus === 'InService' && cond(o, 'Ready') === 'True');
    await h.cloud.emulator.control.steer({ kind: 'Endpoint', name, on: 'update', outcome: 'Failed' });
    await ep.patchSpec(endpointSpec(h, {}, `${IMAGE}-broken`));
    const failed = await ep.first((o) => reasonOf(o, 'Synced') === 'UpdateFailed');
    expect(failed.status?.observedGeneration).toBe(2);
    record('Endpoint', 'failed update', failed);
  });

  it('Endpoint: InvalidSpec', async () => {
    await h.cloud.emulator.control.steer({
      kind: 'TrainingJob',
      name: jobName('bad-train'),
      outcome: 'Failed',
    });
    await History.create('TrainingJob', 'bad-train', trainingJobSpec(h));
    const spec: EndpointSpec = endpointSpec(h);
    spec.models = [
      {
        ...spec.models[0]!,
        primaryContainer: { image: IMAGE, modelDataFrom: { trainingJobRef: { name: 'bad-train' } } },
      },
    ];
    const ep = await History.create('Endpoint', 'bad-ref', spec);
    const invalid = await ep.first((o) => reasonOf(o, 'Synced') === 'InvalidSpec');
    record('Endpoint', 'InvalidSpec (failed TrainingJob reference)', invalid);
  });
});

describe('reaching each state of the table: batch jobs', () => {
  it('TransformJob: waiting for its TrainingJob, completed', async () => {
    const spec = transformFromTraining(h, `s3://${h.cloud.bucket}/none`, 'waits', 'upstream');
    const job = await History.create('TransformJob', 'waits', spec);
    const waiting = await job.first((o) => reasonOf(o, 'Ready') === 'WaitingForReference' && current(o));
    record('TransformJob', 'waiting for its TrainingJob', waiting);
    await History.create('TrainingJob', 'upstream', trainingJobSpec(h));
    record(
      'TransformJob',
      'completed',
      await job.first((o) => o.status?.transformJobStatus === 'Completed' && current(o)),
    );
  });

  it('TransformJob: InvalidSpec', async () => {
    await h.cloud.emulator.control.steer({
      kind: 'TrainingJob',
      name: jobName('fails-upstream'),
      outcome: 'Failed',
    });
    await History.create('TrainingJob', 'fails-upstream', trainingJobSpec(h));
    const spec = transformFromTraining(h, `s3://${h.cloud.bucket}/none`, 'bad-ref', 'fails-upstream');
    const job = await History.create('TransformJob', 'bad-ref', spec);
    const invalid = await job.first((o) => reasonOf(o, 'Synced') === 'InvalidSpec');
    record('TransformJob', 'InvalidSpec (failed TrainingJob reference)', invalid);
  });

  it('ProcessingJob: completed, failed', async () => {
    await h.cloud.emulator.control.steer({
      kind: 'ProcessingJob',
      name: jobName('proc-fails'),
      outcome: 'Failed',
    });
    const spec = MINIMAL_SPECS.ProcessingJob ?? {};
    const done = await History.create('ProcessingJob', 'proc-done', spec);
    const failing = await History.create('ProcessingJob', 'proc-fails', spec);
    record(
      'ProcessingJob',
      'completed',
      await done.first((o) => o.status?.processingJobStatus === 'Completed' && current(o)),
    );
    record('ProcessingJob', 'failed', await failing.first((o) => o.status?.processingJobStatus === 'Failed'));
  });
});

describe('reaching each state of the model registry', () => {
  const version = (overrides: object = {}) => ({
    groupRef: { name: 'models' },
    inferenceSpecification: { containers: [{ image: IMAGE }] },
    ...overrides,
  });

  it('ModelPackageGroup and ModelPackage: waiting, registered, approved, deleted in the registry, group deleting', async () => {
    const v1 = await History.create('ModelPackage', 'v1', version());
    const ready = (o: Obj): boolean => cond(o, 'Ready') === 'True' && current(o);
    record(
      'ModelPackage',
      'waiting for its group',
      await v1.first((o) => reasonOf(o, 'Ready') === 'WaitingForReference' && current(o)),
    );
    const group = await History.create('ModelPackageGroup', 'models', {});
    record('ModelPackageGroup', 'ready: Completed', await group.first(ready));
    const registered = await v1.first(ready);
    record('ModelPackage', 'registered', registered);

    const patched = await v1.patchSpec({ modelApprovalStatus: 'Approved' });
    expect(patched.status?.observedGeneration).toBe(1);
    record('ModelPackage', 'approval changed, not yet observed', patched);
    const after = v1.versions.length;
    const approved = await v1.first((o) => ready(o) && o.status?.modelApprovalStatus === 'Approved', after);
    record('ModelPackage', 'approved', approved);

    await group.delete();
    record(
      'ModelPackageGroup',
      'deleting: waits for its versions',
      await group.first(
        (o) => o.metadata.deletionTimestamp !== undefined && reasonOf(o, 'Ready') === 'Deleting',
      ),
    );
    await h.cloud.sagemaker.send(
      new DeleteModelPackageCommand({ ModelPackageName: registered.status?.modelPackageArn }),
    );
    await group.gone();
    // A spec edit makes the operator look: the version is gone from the registry.
    await v1.patchSpec({ approvalDescription: 'looked again' });
    record(
      'ModelPackage',
      'deleted in the registry',
      await v1.first((o) => reasonOf(o, 'Ready') === 'DeletedOutOfBand' && current(o)),
    );
  });

  it('ModelPackage: InvalidSpec', async () => {
    await h.cloud.emulator.control.steer({
      kind: 'TrainingJob',
      name: jobName('bad-model'),
      outcome: 'Failed',
    });
    await History.create('TrainingJob', 'bad-model', trainingJobSpec(h));
    await History.create('ModelPackageGroup', 'bad-models', {});
    const invalid = await History.create('ModelPackage', 'bad-v1', {
      groupRef: { name: 'bad-models' },
      trainingJobRef: { name: 'bad-model' },
    });
    record(
      'ModelPackage',
      'InvalidSpec (failed TrainingJob reference)',
      await invalid.first((o) => reasonOf(o, 'Synced') === 'InvalidSpec'),
    );
  });
});

describe('the health table', () => {
  it.each(HEALTH)('%s %s: kstatus %s, Argo CD %s', async (kind, state, kstatus, argocd) => {
    const obj = seen.get(`${kind}/${state}`);
    if (!obj) throw new Error(`${kind} "${state}" was not reached`);
    const [byKstatus] = await judgeWithKstatus([obj]);
    const [byArgoCd] = await judgeWithArgoCd(script, [obj]);
    expect({ kstatus: byKstatus?.status, argocd: byArgoCd?.status }).toEqual({ kstatus, argocd });
    // A verdict that stops a rollout says why.
    if (kstatus === 'Failed') expect(byKstatus?.message).not.toBe('');
    if (argocd === 'Degraded') expect(byArgoCd?.message).not.toBe('');
  });
});
