import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListEndpointsCommand, ListTrainingJobsCommand } from '@aws-sdk/client-sagemaker';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import { endpointSpec } from '../endpoint/support.js';
import { OperatorHarness } from '../support/operator.js';
import { trainingJobSpec } from '../training-job/support.js';

/*
 * Describes lag behind creates. An object deleted right after its create was answered, while
 * SageMaker still says "not found", must not be let go: the resource appears a moment later and
 * nothing would ever delete it (a running training job costs money; an endpoint bills by the hour).
 */
let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('invisible');
  // New resources stay invisible to describes for 2 s (SageMaker seconds × 0.001): within
  // --poll-interval-max, the longest a deletion waits for a resource created but never seen (minutes
  // in production; 4 s here, as deletion timestamps have whole seconds).
  h.limits.timings = { pollIntervalMaxMs: 4_000 };
  await h.restartOperator();
  await h.cloud.emulator.control.configure({ consistency: { describeAfterCreate: 2_000, createDelay: 0 } });
});
afterAll(async () => {
  await h.stop();
});

describe('an object deleted while its new resource is not visible yet', () => {
  it('TrainingJob: the job is stopped and deleted once it shows up', async () => {
    await h.create('trainingjobs', 'TrainingJob', 'gone-early', trainingJobSpec(h));
    await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      'trainingjobs',
      'gone-early',
      (o) => o?.status?.trainingJobArn !== undefined,
    );
    await h.delete('trainingjobs', 'gone-early');
    await h.waitFor('trainingjobs', 'gone-early', (o) => o === undefined);
    const left = await h.cloud.sagemaker.send(new ListTrainingJobsCommand({ NameContains: 'gone-early' }));
    expect(left.TrainingJobSummaries ?? []).toEqual([]);
  });

  it('Endpoint: the endpoint is deleted once it shows up', async () => {
    await h.create('endpoints', 'Endpoint', 'gone-early', endpointSpec(h));
    await h.waitFor<EndpointSpec, EndpointStatus>(
      'endpoints',
      'gone-early',
      (o) => o?.status?.endpointArn !== undefined,
    );
    await h.delete('endpoints', 'gone-early');
    await h.waitFor('endpoints', 'gone-early', (o) => o === undefined);
    const left = await h.cloud.sagemaker.send(new ListEndpointsCommand({ NameContains: 'gone-early' }));
    expect(left.Endpoints ?? []).toEqual([]);
  });
});
