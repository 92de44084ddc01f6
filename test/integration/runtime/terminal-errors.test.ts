import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { endpointSpec, IMAGE } from '../endpoint/support.js';
import { condition, OperatorHarness } from '../support/operator.js';
import { trainingJobSpec } from '../training-job/support.js';

/*
 * A terminal error waits for a new generation, and only for that: the gate is read from status, so
 * it survives restarts, and a change of a referenced object always reconciles.
 */
let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('terminal');
});
afterAll(async () => {
  await h.stop();
});

const sagemakerName = (name: string): string => `${h.namespace}-${name}`;

async function callsAbout(name: string): Promise<number> {
  return (await h.cloud.emulator.control.calls({ resource: sagemakerName(name) })).calls.length;
}

describe('terminal errors', () => {
  it('make no SageMaker call for the rejected generation after a restart', async () => {
    // SageMaker refuses to pass a role of another account: InvalidSpec, not retried.
    const spec = trainingJobSpec(h, { roleArn: 'arn:aws:iam::999999999999:role/elsewhere' });
    await h.create('trainingjobs', 'TrainingJob', 'rejected', spec);
    const rejected = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      'trainingjobs',
      'rejected',
      (o) => condition(o, 'Synced')?.reason === 'InvalidSpec',
    );
    expect(condition(rejected, 'Synced')?.message).toContain('ValidationException');
    const before = await callsAbout('rejected');
    expect(before).toBeGreaterThan(0);

    await h.stopOperator();
    await h.startOperator();
    // The restarted operator has worked through every object it found once this one completes.
    await h.create('trainingjobs', 'TrainingJob', 'canary', trainingJobSpec(h));
    await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      'trainingjobs',
      'canary',
      (o) => o?.status?.trainingJobStatus === 'Completed',
    );
    expect(await callsAbout('rejected')).toBe(before);
  });

  it('let an Endpoint whose TrainingJob failed go on once the job is replaced and completes', async () => {
    const job = sagemakerName('train');
    await h.cloud.emulator.control.steer({ kind: 'TrainingJob', name: job, outcome: 'Failed' });
    await h.create('trainingjobs', 'TrainingJob', 'train', trainingJobSpec(h));
    const spec = endpointSpec(h);
    spec.models = [
      {
        ...spec.models[0]!,
        primaryContainer: { image: IMAGE, modelDataFrom: { trainingJobRef: { name: 'train' } } },
      },
    ];
    await h.create('endpoints', 'Endpoint', 'served', spec);
    await h.waitFor<EndpointSpec, EndpointStatus>(
      'endpoints',
      'served',
      (o) => condition(o, 'Synced')?.reason === 'InvalidSpec',
    );

    // Replace the job: the old record is deleted with its object, the new one completes.
    await h.delete('trainingjobs', 'train');
    await h.waitFor('trainingjobs', 'train', (o) => o === undefined);
    await h.cloud.emulator.control.clearSteers();
    await h.create('trainingjobs', 'TrainingJob', 'train', trainingJobSpec(h));
    const served = await h.waitFor<EndpointSpec, EndpointStatus>(
      'endpoints',
      'served',
      (o) => condition(o, 'Ready')?.status === 'True',
    );
    expect(condition(served, 'Synced')?.status).toBe('True');
    expect(served?.metadata.generation).toBe(1);
  });
});
