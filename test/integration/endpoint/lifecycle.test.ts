import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import {
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListTagsCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
} from '@aws-sdk/client-sagemaker';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { TrainingJobSpec } from '../../../src/crds/training-job.js';
import { role } from '../../emulator/test-harness.js';
import { loadExamples } from '../support/examples.js';
import { condition, eventsAbout, OperatorHarness } from '../support/operator.js';
import {
  callsTo,
  createInService as createIn,
  endpointSpec,
  IMAGE,
  inService,
  PLURAL,
  until,
} from './support.js';

let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('ep');
});
afterAll(async () => {
  await h.stop();
});

const spec = (overrides: Partial<EndpointSpec> = {}, image = IMAGE, weight = 1): EndpointSpec =>
  endpointSpec(h, overrides, image, weight);
const endpointName = (name: string): string => `${h.namespace}-${name}`;
const calls = (resource?: string, operation?: string) => callsTo(h, resource, operation);
const createInService = (name: string, s: EndpointSpec) => createIn(h, name, s);

async function exists(describe: Promise<unknown>): Promise<boolean> {
  return describe.then(
    () => true,
    () => false,
  );
}

describe('Endpoint', () => {
  it('creates models, config and endpoint, in that order, and reaches InService', async () => {
    const ep = await createInService('happy', spec());
    const name = endpointName('happy');
    expect(ep?.status).toMatchObject({
      endpointName: name,
      endpointArn: `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${name}`,
      invocationUrl: `https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/${name}/invocations`,
      productionVariants: [expect.objectContaining({ variantName: 'AllTraffic', currentInstanceCount: 1 })],
      observedGeneration: 1,
    });
    expect(condition(ep, 'Synced')).toMatchObject({ status: 'True' });
    const config = ep?.status?.endpointConfigName ?? '';
    const model = ep?.status?.modelNames?.[0] ?? '';
    const creates = (await calls()).filter((c) => c.operation.startsWith('Create') && c.outcome === 'ok');
    const order = creates.filter((c) => [model, config, name].includes(c.resource ?? ''));
    expect(order.map((c) => c.operation)).toEqual(['CreateModel', 'CreateEndpointConfig', 'CreateEndpoint']);
    const reasons = (await eventsAbout(h, 'happy')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Creating', 'InService']));

    // At rest: nothing until the drift interval (10 minutes here).
    const atRest = (await calls(name)).length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await calls(name)).toHaveLength(atRest);
  });

  it('moves to a new config on an image change and deletes the old one only once InService', async () => {
    const before = await createInService('image', spec());
    const oldConfig = before?.status?.endpointConfigName ?? '';
    const oldModel = before?.status?.modelNames?.[0] ?? '';
    await h.patchSpec(PLURAL, 'image', spec({}, `${IMAGE}-v2`));
    const after = await h.waitFor<EndpointSpec, EndpointStatus>(
      PLURAL,
      'image',
      (o) => inService(oldConfig)(o) && o?.status?.createdEndpointConfigNames?.length === 1,
    );
    const newConfig = after?.status?.endpointConfigName ?? '';
    expect(newConfig).not.toBe(oldConfig);
    expect(after?.status?.createdEndpointConfigNames).toEqual([newConfig]);
    expect(after?.status?.createdModelNames).toEqual(after?.status?.modelNames);

    const log = await calls();
    const seq = (operation: string, resource: string) =>
      log.find((c) => c.operation === operation && c.resource === resource && c.outcome === 'ok')?.seq ?? -1;
    const name = endpointName('image');
    const update = seq('UpdateEndpoint', name);
    expect(seq('CreateEndpointConfig', newConfig)).toBeLessThan(update);
    expect(update).toBeGreaterThan(0);
    // The Updating phase lasts 100 ms here: nothing old goes before the endpoint has left it.
    const at = (operation: string, resource: string) =>
      log.find((c) => c.operation === operation && c.resource === resource)?.time ?? 0;
    expect(at('DeleteEndpointConfig', oldConfig) - at('UpdateEndpoint', name)).toBeGreaterThanOrEqual(100);
    expect(seq('DeleteEndpointConfig', oldConfig)).toBeGreaterThan(update);
    expect(seq('DeleteModel', oldModel)).toBeGreaterThan(seq('DeleteEndpointConfig', oldConfig));
    expect(log.filter((c) => c.operation === 'UpdateEndpoint' && c.resource === name)).toHaveLength(1);
    await expect(
      h.cloud.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: oldConfig })),
    ).rejects.toThrow(/Could not find/);
  });

  it('changes only weights and instance counts in place, without a new config', async () => {
    const before = await createInService('weights', spec());
    const config = before?.status?.endpointConfigName ?? '';
    await h.patchSpec(PLURAL, 'weights', spec({}, IMAGE, 2));
    const name = endpointName('weights');
    await h.waitFor<EndpointSpec, EndpointStatus>(
      PLURAL,
      'weights',
      (o) => inService()(o) && o?.status?.productionVariants?.[0]?.currentWeight === 2,
    );
    expect(await calls(name, 'UpdateEndpointWeightsAndCapacities')).toHaveLength(1);
    expect(await calls(name, 'UpdateEndpoint')).toHaveLength(0);
    expect(
      (await calls(undefined, 'CreateEndpointConfig')).filter((c) => c.resource?.startsWith(name)),
    ).toEqual([expect.objectContaining({ resource: config })]);
  });

  it('puts spec.tags on the endpoint, its models and its config when they change', async () => {
    const ep = await createInService('tagged', spec({ tags: { team: 'a' } }));
    await h.patchSpec(PLURAL, 'tagged', { tags: { team: 'b' } });
    await h.waitFor<EndpointSpec, EndpointStatus>(
      PLURAL,
      'tagged',
      (o) => o?.status?.observedGeneration === 2 && condition(o, 'Synced')?.status === 'True',
    );
    const model = await h.cloud.sagemaker.send(
      new DescribeModelCommand({ ModelName: ep?.status?.modelNames?.[0] }),
    );
    const config = await h.cloud.sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: ep?.status?.endpointConfigName }),
    );
    for (const arn of [ep?.status?.endpointArn, model.ModelArn, config.EndpointConfigArn]) {
      const { Tags } = await h.cloud.sagemaker.send(new ListTagsCommand({ ResourceArn: arn }));
      expect(Tags).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'b' }]));
    }
  });

  it.each(['Failed', 'RollingBack'] as const)(
    'reports an update that ends %s as UpdateFailed, does not retry it, and applies the next generation',
    async (outcome) => {
      const object = `fails-${outcome.toLowerCase()}`;
      await createInService(object, spec());
      const name = endpointName(object);
      await h.cloud.emulator.control.steer({ kind: 'Endpoint', name, on: 'update', outcome });
      await h.patchSpec(PLURAL, object, spec({}, `${IMAGE}-broken`));
      const ep = await h.waitFor<EndpointSpec, EndpointStatus>(
        PLURAL,
        object,
        (o) => condition(o, 'Synced')?.reason === 'UpdateFailed',
      );
      expect(condition(ep, 'Synced')).toMatchObject({ status: 'False' });
      expect(condition(ep, 'Ready')).toMatchObject({ status: 'False', reason: 'UpdateFailed' });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await calls(name, 'UpdateEndpoint')).toHaveLength(1);
      const warnings = (await eventsAbout(h, object)).filter((e) => e.type === 'Warning');
      expect(warnings.map((e) => e.reason)).toContain('UpdateFailed');

      await h.cloud.emulator.control.steer({ kind: 'Endpoint', name, on: 'update', outcome: 'Succeeded' });
      await h.patchSpec(PLURAL, object, spec({}, `${IMAGE}-fixed`));
      const fixed = await h.waitFor<EndpointSpec, EndpointStatus>(
        PLURAL,
        object,
        (o) => inService(ep?.status?.endpointConfigName)(o) && o?.status?.observedGeneration === 3,
      );
      expect(condition(fixed, 'Synced')).toMatchObject({ status: 'True' });
      expect(await calls(name, 'UpdateEndpoint')).toHaveLength(2);
      expect(fixed?.status?.createdEndpointConfigNames).toEqual([fixed?.status?.endpointConfigName]);
    },
  );

  it.each(['Failed', 'RollingBack'] as const)(
    'reports an update that ends %s without a FailureReason as UpdateFailed, once, and applies the next generation',
    async (outcome) => {
      const object = `silent-${outcome.toLowerCase()}`;
      const before = await createInService(object, spec());
      const oldConfig = before?.status?.endpointConfigName ?? '';
      const name = endpointName(object);
      await h.cloud.emulator.control.steer({
        kind: 'Endpoint',
        name,
        on: 'update',
        outcome,
        withoutFailureReason: true,
      });
      await h.patchSpec(PLURAL, object, spec({}, `${IMAGE}-rolled-back`));
      const ep = await h.waitFor<EndpointSpec, EndpointStatus>(
        PLURAL,
        object,
        (o) => condition(o, 'Synced')?.reason === 'UpdateFailed',
      );
      expect(ep?.status).toMatchObject({ endpointStatus: 'InService', endpointConfigName: oldConfig });
      expect(ep?.status?.failureReason).toBeUndefined();
      expect(condition(ep, 'Ready')).toMatchObject({ status: 'False', reason: 'UpdateFailed' });
      expect(condition(ep, 'Ready')?.message).toContain('rolled the update');
      expect(condition(ep, 'Ready')?.message).toContain('back without giving a reason');
      expect(await calls(name, 'UpdateEndpoint')).toHaveLength(1);

      await h.cloud.emulator.control.steer({ kind: 'Endpoint', name, on: 'update', outcome: 'Succeeded' });
      await h.patchSpec(PLURAL, object, spec({}, `${IMAGE}-fixed`));
      const fixed = await h.waitFor<EndpointSpec, EndpointStatus>(
        PLURAL,
        object,
        (o) => inService(oldConfig)(o) && o?.status?.observedGeneration === 3,
      );
      expect(condition(fixed, 'Synced')).toMatchObject({ status: 'True' });
      expect(await calls(name, 'UpdateEndpoint')).toHaveLength(2);
    },
  );

  it('turns data capture on for an existing endpoint, at the cost of the capacity set outside the spec', async () => {
    const before = await createInService('capture', spec());
    const name = endpointName('capture');
    // Autoscaling's part: two instances where the spec asks for one.
    await h.cloud.sagemaker.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: name,
        DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 2 }],
      }),
    );
    await until(async () => {
      const d = await h.cloud.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
      return d.EndpointStatus === 'InService' && d.ProductionVariants?.[0]?.CurrentInstanceCount === 2;
    });
    const destination = `s3://${h.cloud.bucket}/capture`;
    await h.patchSpec(
      PLURAL,
      'capture',
      spec({
        dataCaptureConfig: {
          initialSamplingPercentage: 100,
          destinationS3Uri: destination,
          captureOptions: [{ captureMode: 'Input' }, { captureMode: 'Output' }],
        },
      }),
    );
    const ep = await h.waitFor<EndpointSpec, EndpointStatus>(
      PLURAL,
      'capture',
      (o) => inService(before?.status?.endpointConfigName)(o) && o?.status?.observedGeneration === 2,
    );
    const described = await h.cloud.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
    expect(described.DataCaptureConfig).toMatchObject({
      EnableCapture: true,
      CaptureStatus: 'Started',
      CurrentSamplingPercentage: 100,
      DestinationS3Uri: destination,
    });
    expect(described.ProductionVariants?.[0]?.CurrentInstanceCount).toBe(1);
    expect(ep?.status?.lastApplied?.capacities).toEqual([
      { variantName: 'AllTraffic', weight: 1, instanceCount: 1 },
    ]);
    expect(await calls(name, 'UpdateEndpoint')).toHaveLength(1);
    const updating = (await eventsAbout(h, 'capture')).filter((e) => e.reason === 'Updating');
    expect(updating.map((e) => e.note)).toEqual([
      expect.stringContaining('without retaining variant properties: its data capture changes'),
    ]);
  });

  it('waits for a referenced TrainingJob, then hosts its artifacts', async () => {
    const training: TrainingJobSpec = {
      roleArn: role,
      algorithmSpecification: { trainingImage: IMAGE, trainingInputMode: 'File' },
      outputDataConfig: { s3OutputPath: `s3://${h.cloud.bucket}/output` },
      resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
      stoppingCondition: { maxRuntimeInSeconds: 3600 },
    };
    const s = spec();
    s.models[0] = {
      ...s.models[0]!,
      primaryContainer: { image: IMAGE, modelDataFrom: { trainingJobRef: { name: 'train' } } },
    };
    await h.create(PLURAL, 'Endpoint', 'chain', s);
    const waiting = await h.waitFor<EndpointSpec, EndpointStatus>(
      PLURAL,
      'chain',
      (o) => condition(o, 'Ready')?.reason === 'WaitingForReference',
    );
    expect(condition(waiting, 'Ready')?.message).toContain('train');
    await h.create('trainingjobs', 'TrainingJob', 'train', training);
    const ep = await h.waitFor<EndpointSpec, EndpointStatus>(PLURAL, 'chain', inService());
    const model = await h.cloud.sagemaker.send(
      new DescribeModelCommand({ ModelName: ep?.status?.modelNames?.[0] }),
    );
    const job = endpointName('train');
    expect(model.PrimaryContainer?.ModelDataUrl).toBe(
      `s3://${h.cloud.bucket}/output/${job}/output/model.tar.gz`,
    );
  });

  it('re-creates an endpoint deleted outside the operator', async () => {
    await createInService('oob', spec());
    const name = endpointName('oob');
    // A short drift interval, so that the operator looks at the endpoint again without any change.
    await h.stopOperator();
    await h.startOperator(300);
    try {
      await h.cloud.sagemaker.send(new DeleteEndpointCommand({ EndpointName: name }));
      await until(async () => (await calls(name, 'CreateEndpoint')).length === 2);
      await h.waitFor<EndpointSpec, EndpointStatus>(PLURAL, 'oob', inService());
      const creates = await calls(name, 'CreateEndpoint');
      expect(creates.filter((c) => c.outcome === 'ok')).toHaveLength(2);
    } finally {
      await h.stopOperator();
      await h.startOperator();
    }
  });

  it('deletes the endpoint, then its configs and models', async () => {
    const ep = await createInService('bye', spec());
    const name = endpointName('bye');
    const config = ep?.status?.endpointConfigName ?? '';
    const model = ep?.status?.modelNames?.[0] ?? '';
    await h.delete(PLURAL, 'bye');
    await h.waitFor(PLURAL, 'bye', (o) => o === undefined);
    expect(await exists(h.cloud.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name })))).toBe(
      false,
    );
    expect(
      await exists(h.cloud.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: config }))),
    ).toBe(false);
    expect(await exists(h.cloud.sagemaker.send(new DescribeModelCommand({ ModelName: model })))).toBe(false);
    const log = await calls();
    const seq = (operation: string, resource: string) =>
      log.find((c) => c.operation === operation && c.resource === resource && c.outcome === 'ok')?.seq ?? -1;
    expect(seq('DeleteEndpoint', name)).toBeLessThan(seq('DeleteEndpointConfig', config));
    expect(seq('DeleteEndpointConfig', config)).toBeLessThan(seq('DeleteModel', model));
  });

  it('leaves everything in SageMaker under deletionPolicy Retain', async () => {
    const ep = await createInService('keep', spec({ deletionPolicy: 'Retain' }));
    const name = endpointName('keep');
    await h.delete(PLURAL, 'keep');
    await h.waitFor(PLURAL, 'keep', (o) => o === undefined);
    expect(await exists(h.cloud.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name })))).toBe(
      true,
    );
    const config = ep?.status?.endpointConfigName ?? '';
    expect(
      await exists(h.cloud.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: config }))),
    ).toBe(true);
    expect(await calls(name, 'DeleteEndpoint')).toHaveLength(0);
  });

  it('applies every hosting example end to end', async () => {
    await h.cloud.s3.send(new CreateBucketCommand({ Bucket: 'my-sagemaker-bucket' })).catch(() => undefined);
    for (const [, manifests] of await loadExamples('training')) {
      for (const m of manifests.filter((x) => x.metadata.name === 'xgboost-kms'))
        await h.create('trainingjobs', 'TrainingJob', m.metadata.name, m.spec);
    }
    const names: string[] = [];
    for (const [, manifests] of await loadExamples('hosting')) {
      for (const manifest of manifests) {
        await h.create(PLURAL, 'Endpoint', manifest.metadata.name, manifest.spec);
        names.push(manifest.metadata.name);
      }
    }
    for (const name of names) await h.waitFor<EndpointSpec, EndpointStatus>(PLURAL, name, inService());
  });
});
