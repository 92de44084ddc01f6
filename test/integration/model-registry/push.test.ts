/*
 * Approvals made in the registry reach the operator through the push channel: the emulator publishes
 * "SageMaker Model Package State Change" events (also on approval changes), the operator consumes
 * them and looks at the versions of the group the event names, and the Endpoints that follow the group
 * list it again. At rest the per-group sweeps run only at the drift interval (10 minutes here), so a
 * status that follows within seconds came by push.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { StateChangeQueue } from '../../../src/aws/state-change-events.js';
import type {
  ModelPackageGroupSpec,
  ModelPackageGroupStatus,
} from '../../../src/crds/model-package-group.js';
import type { ModelPackageSpec, ModelPackageStatus } from '../../../src/crds/model-package.js';
import { condition, OperatorHarness, TEST_TIMINGS } from '../support/operator.js';
import { approve, followingSpec, registerVersion, registryGroup, waitServing } from './support.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const QUEUE_TIMINGS = { waitTimeSeconds: 1, minBackoffMs: 200, maxBackoffMs: 1_000 };

let h: OperatorHarness;
let sqs: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  h = await OperatorHarness.start('mr-push');
  const endpoint = process.env.RIG_S3_ENDPOINT!;
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials });
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `registry-${randomUUID()}` }))).QueueUrl!;
  await h.cloud.emulator.control.configure({ events: { queueUrl, sqsEndpoint: endpoint } });
  await h.stopOperator();
  const queue = new StateChangeQueue(sqs, queueUrl, pino({ level: 'silent' }), QUEUE_TIMINGS);
  await h.startOperator(undefined, undefined, queue);
});
afterAll(async () => {
  await h.cloud.emulator.control.configure({ events: null });
  await h.stop();
  await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  sqs.destroy();
});

const ready = (o: { status?: { conditions?: { type: string; status: string }[] } } | undefined): boolean =>
  condition(o as never, 'Ready')?.status === 'True';

describe('a model version with a push channel', () => {
  it('shows an approval made in the registry from its pushed event', async () => {
    expect(TEST_TIMINGS.driftIntervalMs).toBeGreaterThanOrEqual(600_000);
    await h.create('modelpackagegroups', 'ModelPackageGroup', 'pushed', {});
    await h.waitFor<ModelPackageGroupSpec, ModelPackageGroupStatus>('modelpackagegroups', 'pushed', ready);
    await h.create('modelpackages', 'ModelPackage', 'pushed-v1', {
      groupRef: { name: 'pushed' },
      inferenceSpecification: {
        containers: [{ image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1' }],
      },
    });
    const version = await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
      'modelpackages',
      'pushed-v1',
      (o) => ready(o) && condition(o, 'Reconciling')?.status === 'False',
    );
    const arn = version!.status!.modelPackageArn!;
    await h.cloud.sagemaker.send(
      new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved' }),
    );
    await h.waitFor<ModelPackageSpec, ModelPackageStatus>(
      'modelpackages',
      'pushed-v1',
      (o) => o?.status?.modelApprovalStatus === 'Approved',
      10_000,
    );
    const published = (await h.cloud.emulator.control.events()).recent.filter(
      (e) => e.detailType === 'SageMaker Model Package State Change',
    );
    expect(published.map((e) => e.outcome)).not.toContain('failed');
    expect(published.length).toBeGreaterThanOrEqual(3);
  });

  it('rolls an Endpoint that follows a group to a version approved in the registry, from its pushed event', async () => {
    const group = await registryGroup(h, 'pushed-outside');
    await registerVersion(h, group, 'v1', true);
    await h.create(
      'endpoints',
      'Endpoint',
      'pushed',
      followingSpec({ modelPackageFrom: { groupName: group, approvalStatus: 'Approved' } }),
    );
    await waitServing(h, 'pushed', 1);
    // Version 2 has no ModelPackage object: only the event names its group.
    const v2 = await registerVersion(h, group, 'v2');
    await approve(h, v2, 'Approved');
    const rolled = await waitServing(h, 'pushed', 2);
    expect(rolled?.status?.modelPackages?.[0]?.modelPackageArn).toBe(v2);
  });
});
