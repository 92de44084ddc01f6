import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { ProcessingJobSpec, ProcessingJobStatus } from '../../../src/crds/processing-job.js';
import type { TransformJobSpec, TransformJobStatus } from '../../../src/crds/transform-job.js';
import { endpointSpec } from '../endpoint/support.js';
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

describe('the train -> transform -> deploy chain', () => {
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
