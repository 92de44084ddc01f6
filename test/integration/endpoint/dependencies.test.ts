import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeTransformJobCommand } from '@aws-sdk/client-sagemaker';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { TransformJobSpec, TransformJobStatus } from '../../../src/crds/transform-job.js';
import { withTimings } from '../support/jobs.js';
import { condition, OperatorHarness } from '../support/operator.js';
import {
  batchInput,
  existingModel,
  PLURAL as TRANSFORMS,
  transformJobSpec,
} from '../transform-job/support.js';
import { endpointCreates, endpointSpec, IMAGE, inService, PLURAL, type Endpoint } from './support.js';

/* An Endpoint that waits for another object (dependsOn) before it creates anything. */

let h: OperatorHarness;
let input: string;

beforeAll(async () => {
  h = await OperatorHarness.start('epdep');
  await existingModel(h, 'batch-model');
  input = await batchInput(h, 'scores');
});
afterAll(async () => {
  await h.stop();
});

const sagemakerName = (name: string): string => `${h.namespace}-${name}`;
const waitingFor = (o: Endpoint | undefined): boolean =>
  condition(o, 'Ready')?.reason === 'WaitingForReference';

describe('an Endpoint that depends on a TransformJob', () => {
  it('creates nothing until the TransformJob has completed, then serves; once created, it is never held back', async () => {
    await h.create(PLURAL, 'Endpoint', 'served', {
      ...endpointSpec(h),
      dependsOn: [{ kind: 'TransformJob', name: 'score' }],
    } satisfies EndpointSpec);
    const waiting = await h.waitFor<EndpointSpec, EndpointStatus>(PLURAL, 'served', waitingFor);
    expect(condition(waiting, 'Ready')?.message).toBe('waiting for TransformJob score (not found)');
    expect(condition(waiting, 'Reconciling')).toMatchObject({
      status: 'True',
      reason: 'WaitingForReference',
    });

    // The transform runs for 2 s, long enough to see the endpoint still waiting while it does.
    await withTimings(h, { transformRunning: 2_000 }, { transformRunning: 300 }, async () => {
      await h.create(TRANSFORMS, 'TransformJob', 'score', transformJobSpec(h, input, 'score'));
      await h.waitFor<TransformJobSpec, TransformJobStatus>(
        TRANSFORMS,
        'score',
        (o) => o?.status?.transformJobStatus === 'InProgress',
      );
    });
    const whileRunning = await h.get<EndpointSpec, EndpointStatus>(PLURAL, 'served');
    expect(condition(whileRunning, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'WaitingForReference',
    });
    expect(condition(whileRunning, 'Ready')?.message).toMatch(/^waiting for TransformJob score /);
    const endpointName = sagemakerName('served');
    expect(await endpointCreates(h, endpointName)).toEqual([]);

    const served = await h.waitFor<EndpointSpec, EndpointStatus>(PLURAL, 'served', inService(), 60_000);
    const transform = await h.cloud.sagemaker.send(
      new DescribeTransformJobCommand({ TransformJobName: sagemakerName('score') }),
    );
    expect(transform.TransformJobStatus).toBe('Completed');
    const completedAt = transform.TransformEndTime?.getTime() ?? Infinity;
    const creates = await endpointCreates(h, endpointName);
    expect(creates.map((c) => c.operation)).toEqual([
      'CreateModel',
      'CreateEndpointConfig',
      'CreateEndpoint',
    ]);
    for (const call of creates) expect(call.time).toBeGreaterThanOrEqual(completedAt);

    // What it depended on is gone: the endpoint still follows its spec (a new weight).
    await h.delete(TRANSFORMS, 'score');
    await h.waitFor(TRANSFORMS, 'score', (o) => o === undefined);
    await h.patchSpec(PLURAL, 'served', { ...endpointSpec(h, {}, IMAGE, 2) });
    const scaled = await h.waitFor<EndpointSpec, EndpointStatus>(
      PLURAL,
      'served',
      (o) => inService()(o) && o?.status?.observedGeneration === (served?.metadata.generation ?? 0) + 1,
      60_000,
    );
    expect(scaled?.status?.endpointArn).toBe(served?.status?.endpointArn);
    expect(condition(scaled, 'Ready')).toMatchObject({ status: 'True', reason: 'InService' });
  });

  it('stalls, naming the TransformJob, when the job it depends on failed', async () => {
    await h.cloud.emulator.control.steer({
      kind: 'TransformJob',
      name: sagemakerName('broken'),
      outcome: 'Failed',
      failureReason: 'ClientError: the input has no rows',
    });
    await h.create(PLURAL, 'Endpoint', 'unserved', {
      ...endpointSpec(h),
      dependsOn: [{ kind: 'TransformJob', name: 'broken' }],
    } satisfies EndpointSpec);
    await h.create(TRANSFORMS, 'TransformJob', 'broken', transformJobSpec(h, input, 'broken'));

    const stalled = await h.waitFor<EndpointSpec, EndpointStatus>(
      PLURAL,
      'unserved',
      (o) => condition(o, 'Stalled')?.status === 'True',
    );
    const message = 'TransformJob broken failed: ClientError: the input has no rows';
    expect(condition(stalled, 'Stalled')).toMatchObject({ reason: 'InvalidSpec', message });
    expect(condition(stalled, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec', message });
    expect(stalled?.status?.endpointArn).toBeUndefined();
    expect(await endpointCreates(h, sagemakerName('unserved'))).toEqual([]);
  });
});
