import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventsV1Api } from '@kubernetes/client-node';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import { GROUP, VERSION } from '../../../src/crds/index.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { createInService, endpointSpec, IMAGE, inService, PLURAL as ENDPOINTS } from '../endpoint/support.js';
import { getJson } from '../support/cluster.js';
import { condition, OperatorHarness } from '../support/operator.js';
import { trainingJobSpec } from '../training-job/support.js';

/*
 * What `kubectl get` shows of objects in the states users ask about: the apiserver's Table response
 * (what kubectl asks for and prints), and the Warning events `kubectl describe` and `kubectl events`
 * list, counting the repeats the recorder folds into an event's series.
 */

const TRAINING_JOBS = 'trainingjobs';
let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('kubectl');
});
afterAll(async () => {
  await h.stop();
});

const sageMakerName = (name: string): string => `${h.namespace}-${name}`;

interface Table {
  columnDefinitions: { name: string }[];
  rows: { cells: unknown[] }[];
}

/** The row `kubectl get <plural> <name>` prints, by column name. */
async function row(plural: string, name: string): Promise<Record<string, unknown>> {
  const table = (await getJson(
    h.kc,
    `/apis/${GROUP}/${VERSION}/namespaces/${h.namespace}/${plural}/${name}`,
    'application/json;as=Table;v=v1;g=meta.k8s.io',
  )) as Table;
  const cells = table.rows[0]?.cells ?? [];
  return Object.fromEntries(table.columnDefinitions.map((c, i) => [c.name, cells[i]]));
}

interface Warning {
  reason: string;
  note: string;
  /** How often it was recorded: 1, or the count of its series. */
  count: number;
}

async function warningsAbout(name: string): Promise<Warning[]> {
  const list = await h.kc.makeApiClient(EventsV1Api).listNamespacedEvent({
    namespace: h.namespace,
    fieldSelector: `regarding.name=${name},type=Warning`,
  });
  return list.items.map((e) => ({
    reason: e.reason ?? '',
    note: e.note ?? '',
    count: e.series?.count ?? 1,
  }));
}

async function until<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  let last = await read();
  while (!check(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await read();
  }
  return last;
}

describe('kubectl get and events', () => {
  it('shows a TrainingJob SageMaker rejected as not ready for InvalidSpec, with one Warning', async () => {
    await h.create(
      TRAINING_JOBS,
      'TrainingJob',
      'rejected',
      trainingJobSpec(h, {
        roleArn: 'arn:aws:iam::999999999999:role/in-another-account',
      }),
    );
    await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      TRAINING_JOBS,
      'rejected',
      (o) => condition(o, 'Synced')?.status === 'False',
    );
    expect(await row(TRAINING_JOBS, 'rejected')).toMatchObject({
      Name: 'rejected',
      Ready: 'False',
      Synced: 'False',
      Reason: 'InvalidSpec',
    });
    const warnings = await until(
      'the Warning event',
      () => warningsAbout('rejected'),
      (w) => w.length > 0,
    );
    expect(warnings).toEqual([
      {
        reason: 'InvalidSpec',
        note: expect.stringContaining('ValidationException') as unknown as string,
        count: 1,
      },
    ]);
  });

  it('shows a completed TrainingJob as ready with its SageMaker states', async () => {
    await h.create(TRAINING_JOBS, 'TrainingJob', 'done', trainingJobSpec(h));
    await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      TRAINING_JOBS,
      'done',
      (o) => condition(o, 'Ready')?.status === 'True',
    );
    expect(await row(TRAINING_JOBS, 'done')).toMatchObject({
      Ready: 'True',
      Synced: 'True',
      Reason: 'Completed',
      Status: 'Completed',
      'Secondary-Status': 'Completed',
    });
  });

  it('shows an Endpoint waiting for its TrainingJob, then serving its artifacts', async () => {
    const spec = endpointSpec(h);
    spec.models = [
      {
        ...spec.models[0]!,
        primaryContainer: { image: IMAGE, modelDataFrom: { trainingJobRef: { name: 'later' } } },
      },
    ];
    await h.create(ENDPOINTS, 'Endpoint', 'waiting', spec);
    await h.waitFor<EndpointSpec, EndpointStatus>(
      ENDPOINTS,
      'waiting',
      (o) => condition(o, 'Ready')?.reason === 'WaitingForReference',
    );
    expect(await row(ENDPOINTS, 'waiting')).toMatchObject({
      Ready: 'False',
      Synced: 'True',
      Reason: 'WaitingForReference',
      Status: null,
    });

    await h.create(TRAINING_JOBS, 'TrainingJob', 'later', trainingJobSpec(h));
    const ep = await h.waitFor<EndpointSpec, EndpointStatus>(ENDPOINTS, 'waiting', inService());
    expect(await row(ENDPOINTS, 'waiting')).toMatchObject({
      Ready: 'True',
      Synced: 'True',
      Reason: 'InService',
      Status: 'InService',
      Config: ep?.status?.endpointConfigName,
    });
  });

  it('shows a failed Endpoint create as failed, with one Warning for it', async () => {
    const name = sageMakerName('broken');
    const failureReason =
      'The primary container for production variant AllTraffic did not pass the ping health check.';
    await h.cloud.emulator.control.steer({
      kind: 'Endpoint',
      name,
      on: 'create',
      outcome: 'Failed',
      failureReason,
    });
    await h.create(ENDPOINTS, 'Endpoint', 'broken', endpointSpec(h));
    await h.waitFor<EndpointSpec, EndpointStatus>(
      ENDPOINTS,
      'broken',
      (o) => condition(o, 'Synced')?.reason === 'CreateFailed',
    );
    expect(await row(ENDPOINTS, 'broken')).toMatchObject({
      Ready: 'False',
      Synced: 'False',
      Reason: 'Failed',
      Status: 'Failed',
    });

    // Fixed by a new generation: by the time it serves, every event of the failure is written.
    await h.cloud.emulator.control.steer({ kind: 'Endpoint', name, on: 'create', outcome: 'Succeeded' });
    await h.patchSpec(ENDPOINTS, 'broken', endpointSpec(h, {}, `${IMAGE}-fixed`));
    await h.waitFor<EndpointSpec, EndpointStatus>(ENDPOINTS, 'broken', inService());
    expect(await warningsAbout('broken')).toEqual([
      { reason: 'CreateFailed', note: failureReason, count: 1 },
    ]);
  });

  it('shows an Endpoint whose update failed as failed on its old config, with one Warning for it', async () => {
    const ep = await createInService(h, 'rolled-back', endpointSpec(h));
    const name = sageMakerName('rolled-back');
    const oldConfig = ep?.status?.endpointConfigName;
    await h.cloud.emulator.control.steer({ kind: 'Endpoint', name, on: 'update', outcome: 'Failed' });
    // Slow enough that the operator sees the endpoint Updating before it is back InService.
    await h.cloud.emulator.control.configure({ timings: { endpointUpdating: 1_000 } });
    let failed;
    try {
      await h.patchSpec(ENDPOINTS, 'rolled-back', endpointSpec(h, {}, `${IMAGE}-broken`));
      await h.waitFor<EndpointSpec, EndpointStatus>(
        ENDPOINTS,
        'rolled-back',
        (o) => o?.status?.endpointStatus === 'Updating',
      );
      failed = await h.waitFor<EndpointSpec, EndpointStatus>(
        ENDPOINTS,
        'rolled-back',
        (o) => condition(o, 'Synced')?.reason === 'UpdateFailed',
      );
    } finally {
      await h.cloud.emulator.control.configure({ timings: { endpointUpdating: 100 } });
    }
    expect(await row(ENDPOINTS, 'rolled-back')).toMatchObject({
      Ready: 'False',
      Synced: 'False',
      Reason: 'UpdateFailed',
      Status: 'InService',
      Config: oldConfig,
    });

    await h.cloud.emulator.control.steer({ kind: 'Endpoint', name, on: 'update', outcome: 'Succeeded' });
    await h.patchSpec(ENDPOINTS, 'rolled-back', endpointSpec(h, {}, `${IMAGE}-fixed`));
    await h.waitFor<EndpointSpec, EndpointStatus>(ENDPOINTS, 'rolled-back', (o) => inService(oldConfig)(o));
    expect(await warningsAbout('rolled-back')).toEqual([
      { reason: 'UpdateFailed', note: condition(failed, 'Synced')?.message, count: 1 },
    ]);
  });
});
