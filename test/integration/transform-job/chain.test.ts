import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { DescribeModelCommand } from '@aws-sdk/client-sagemaker';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { ProcessingJobSpec, ProcessingJobStatus } from '../../../src/crds/processing-job.js';
import type { TrainingJobSpec, TrainingJobStatus } from '../../../src/crds/training-job.js';
import type { TransformJobSpec, TransformJobStatus } from '../../../src/crds/transform-job.js';
import { endpointSpec, inService } from '../endpoint/support.js';
import { loadExamples, type Manifest } from '../support/examples.js';
import { condition, OperatorHarness } from '../support/operator.js';
import { trainingJobSpec } from '../training-job/support.js';
import { PLURAL, transformFromTraining } from './support.js';

const PLURALS: Record<string, string> = {
  TrainingJob: 'trainingjobs',
  TransformJob: PLURAL,
  Endpoint: 'endpoints',
  ProcessingJob: 'processingjobs',
};

let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('chain');
  await h.cloud.s3.send(new CreateBucketCommand({ Bucket: 'my-sagemaker-bucket' })).catch(() => undefined);
});
afterAll(async () => {
  await h.stop();
});

async function apply(manifests: Manifest[]): Promise<void> {
  for (const m of manifests) await h.create(PLURALS[m.kind] ?? '', m.kind, m.metadata.name, m.spec);
}

type Conditioned = {
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
};
const waitingOn = (job: string) => (o: Conditioned | undefined) =>
  condition(o, 'Ready')?.reason === 'WaitingForReference' &&
  condition(o, 'Ready')?.message === `waiting for TrainingJob ${job} (InProgress) to complete`;

async function modelDataOf(modelName: string): Promise<string | undefined> {
  const model = await h.cloud.sagemaker.send(new DescribeModelCommand({ ModelName: modelName }));
  return model.PrimaryContainer?.ModelDataUrl;
}

describe('the train -> transform -> deploy chain', () => {
  it('applied at once (examples/chain), converges in order through references', async () => {
    // Training lasts a few seconds, so both referrers are seen waiting for it.
    await h.cloud.emulator.control.configure({ timings: { trainingTraining: 3_000 } });
    const manifests = [...(await loadExamples('chain')).values()].flat();
    expect(manifests.map((m) => m.kind)).toEqual(['TrainingJob', 'TransformJob', 'Endpoint']);
    try {
      // Downstream first: the order of the apply does not matter.
      await apply([...manifests].reverse());
      await h.waitFor(PLURAL, 'abalone', waitingOn('abalone'));
      await h.waitFor(
        'endpoints',
        'abalone',
        (o: Conditioned | undefined) =>
          condition(o, 'Ready')?.message ===
          'waiting for TransformJob abalone to be Succeeded (WaitingForReference)',
      );
    } finally {
      await h.cloud.emulator.control.configure({ timings: { trainingTraining: 100 } });
    }
    expect((await h.cloud.emulator.control.calls({ operation: 'CreateModel' })).calls).toEqual([]);

    const training = await h.waitFor<TrainingJobSpec, TrainingJobStatus>(
      'trainingjobs',
      'abalone',
      (o) => o?.status?.trainingJobStatus === 'Completed',
    );
    const artifacts = training?.status?.modelArtifacts?.s3ModelArtifacts;
    expect(artifacts).toMatch(/model\.tar\.gz$/);
    const transform = await h.waitFor<TransformJobSpec, TransformJobStatus>(
      PLURAL,
      'abalone',
      (o) => o?.status?.transformJobStatus === 'Completed',
    );
    expect(await modelDataOf(transform?.status?.modelName ?? '')).toBe(artifacts);
    const endpoint = await h.waitFor<EndpointSpec, EndpointStatus>('endpoints', 'abalone', inService());
    expect(await modelDataOf(endpoint?.status?.modelNames?.[0] ?? '')).toBe(artifacts);
    // Deployed after the batch transform succeeded, as the workflow does it.
    const transformEnded = Date.parse(transform?.status?.transformEndTime ?? '');
    const endpointCreates = (await h.cloud.emulator.control.calls()).calls.filter(
      (c) =>
        c.operation.startsWith('Create') &&
        c.resource?.startsWith(`${h.namespace}-abalone`) &&
        c.operation !== 'CreateTrainingJob' &&
        c.operation !== 'CreateTransformJob' &&
        c.resource !== transform?.status?.modelName,
    );
    expect(endpointCreates.map((c) => c.operation).sort()).toEqual([
      'CreateEndpoint',
      'CreateEndpointConfig',
      'CreateModel',
    ]);
    for (const call of endpointCreates) expect(call.time).toBeGreaterThanOrEqual(transformEnded);
  });

  it('stalls the transform and the endpoint, naming the training job, when it fails', async () => {
    await h.cloud.emulator.control.steer({
      kind: 'TrainingJob',
      name: `${h.namespace}-bad-train`,
      outcome: 'Failed',
      failureReason: 'AlgorithmError: out of memory',
    });
    const transform = transformFromTraining(h, `s3://${h.cloud.bucket}/none`, 'bad', 'bad-train');
    await h.create(PLURAL, 'TransformJob', 'bad-transform', transform);
    const modelData = transform.model?.primaryContainer;
    const served = endpointSpec(h);
    await h.create('endpoints', 'Endpoint', 'bad-endpoint', {
      ...served,
      models: served.models.map((m) => ({ ...m, primaryContainer: modelData })),
    });
    await h.create('trainingjobs', 'TrainingJob', 'bad-train', trainingJobSpec(h));

    const message = 'TrainingJob bad-train is Failed: it will produce no model artifacts';
    const stalled = (o: Conditioned | undefined) => condition(o, 'Stalled')?.status === 'True';
    const job = await h.waitFor<TransformJobSpec, TransformJobStatus>(PLURAL, 'bad-transform', stalled);
    expect(condition(job, 'Stalled')?.message).toBe(message);
    const ep = await h.waitFor<EndpointSpec, EndpointStatus>('endpoints', 'bad-endpoint', stalled);
    expect(condition(ep, 'Stalled')?.message).toBe(message);
    const creates = await h.cloud.emulator.control.calls({ resource: `${h.namespace}-bad-transform` });
    expect(creates.calls.filter((c) => c.operation.startsWith('Create'))).toEqual([]);
  });

  it('applies the batch examples: the KMS batch transform and the processing job in private subnets', async () => {
    for (const [, manifests] of await loadExamples('training'))
      await apply(manifests.filter((m) => m.metadata.name === 'xgboost-kms'));
    const batch = [...(await loadExamples('batch')).values()].flat();
    expect(batch.map((m) => m.kind).sort()).toEqual(['ProcessingJob', 'TransformJob']);
    await apply(batch);
    await h.waitFor<TransformJobSpec, TransformJobStatus>(
      PLURAL,
      'xgboost-kms-batch',
      (o) => o?.status?.transformJobStatus === 'Completed',
    );
    const processing = await h.waitFor<ProcessingJobSpec, ProcessingJobStatus>(
      'processingjobs',
      'abalone-preprocess',
      (o) => o?.status?.processingJobStatus === 'Completed',
    );
    expect(processing?.status?.outputs?.map((o) => o.outputName)).toEqual(['train', 'validation', 'test']);
  });
});
