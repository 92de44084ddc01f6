import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DeleteTagsCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointsCommand,
  ListModelsCommand,
  ListTagsCommand,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { describe, expect, it } from '@jest/globals';
import { arn, errorOf, failure, harnessForFile, phaseSeconds, role, until } from './test-harness.js';

const h = harnessForFile({ resetEach: true });

async function model(name: string): Promise<void> {
  await h.sagemaker.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: role,
      PrimaryContainer: { Image: 'xgb:1', ModelDataUrl: `s3://${h.bucket}/${name}/model.tar.gz` },
    }),
  );
}

async function config(name: string, modelName: string, instances = 1): Promise<void> {
  await h.sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: modelName,
          InstanceType: 'ml.m5.large',
          InitialInstanceCount: instances,
        },
      ],
    }),
  );
}

const describeEndpoint = (name: string) =>
  h.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
const inService = (name: string) =>
  until(
    () => describeEndpoint(name),
    (d) => d.EndpointStatus === 'InService',
  );

async function servingModel(endpointName: string): Promise<string> {
  const response = await h.runtime.send(
    new InvokeEndpointCommand({ EndpointName: endpointName, Body: Buffer.from('1') }),
  );
  return (JSON.parse(Buffer.from(response.Body).toString()) as { model: string }).model;
}

async function endpoint(name: string): Promise<void> {
  await model(`${name}-m1`);
  await config(`${name}-c1`, `${name}-m1`);
  await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: `${name}-c1` }));
  await inService(name);
}

describe('models and endpoint configs', () => {
  it('creates, describes, lists and deletes with SageMaker texts for duplicates and unknown names', async () => {
    await model('m-a');
    const described = await h.sagemaker.send(new DescribeModelCommand({ ModelName: 'm-a' }));
    expect(described).toMatchObject({
      ModelName: 'm-a',
      ModelArn: arn('model', 'm-a'),
      ExecutionRoleArn: role,
    });
    expect(await failure(model('m-a'))).toMatchObject({
      name: 'ValidationException',
      message: `Cannot create already existing model "${arn('model', 'm-a')}".`,
    });
    expect(await failure(config('c-a', 'm-missing'))).toMatchObject({
      name: 'ValidationException',
      message: `Could not find model "${arn('model', 'm-missing')}".`,
    });
    await config('c-a', 'm-a');
    expect(await failure(config('c-a', 'm-a'))).toMatchObject({
      message: `Cannot create already existing endpoint configuration "${arn('endpoint-config', 'c-a')}".`,
    });
    const listed = await h.sagemaker.send(new ListModelsCommand({}));
    expect(listed.Models?.map((m) => m.ModelName)).toEqual(['m-a']);
    await h.sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'c-a' }));
    expect(
      await failure(h.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'c-a' }))),
    ).toMatchObject({ message: `Could not find endpoint configuration "${arn('endpoint-config', 'c-a')}".` });
    await h.sagemaker.send(new DeleteModelCommand({ ModelName: 'm-a' }));
    expect(await failure(h.sagemaker.send(new DeleteModelCommand({ ModelName: 'm-a' })))).toMatchObject({
      message: `Could not find model "${arn('model', 'm-a')}".`,
    });
  });

  it('lower-cases the name in ARNs', async () => {
    await model('Mixed-Case');
    const described = await h.sagemaker.send(new DescribeModelCommand({ ModelName: 'Mixed-Case' }));
    expect(described.ModelName).toBe('Mixed-Case');
    expect(described.ModelArn).toBe(arn('model', 'mixed-case'));
  });
});

describe('endpoints', () => {
  it('goes Creating → InService and rejects changes while in progress', async () => {
    // Long enough for three calls to land while it is Creating, on a loaded machine too.
    await h.emulator.control.configure({ timings: { endpointCreating: phaseSeconds * 20 } });
    await model('m1');
    await config('c1', 'm1');
    expect(
      await failure(
        h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'c-none' })),
      ),
    ).toMatchObject({
      message: `Could not find endpoint configuration "${arn('endpoint-config', 'c-none')}".`,
    });
    await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'c1' }));
    const creating = await describeEndpoint('ep');
    expect(creating).toMatchObject({ EndpointStatus: 'Creating', EndpointConfigName: 'c1' });
    expect(creating.PendingDeploymentSummary?.EndpointConfigName).toBe('c1');
    const inProgress = `Cannot update in-progress endpoint "${arn('endpoint', 'ep')}".`;
    expect(await failure(h.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'ep' })))).toMatchObject({
      name: 'ValidationException',
      message: inProgress,
    });
    expect(
      await failure(
        h.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'c1' })),
      ),
    ).toMatchObject({ message: inProgress });
    const ready = await inService('ep');
    expect(ready.ProductionVariants?.[0]).toMatchObject({
      VariantName: 'AllTraffic',
      CurrentWeight: 1,
      CurrentInstanceCount: 1,
      DeployedImages: [expect.objectContaining({ SpecifiedImage: 'xgb:1' })],
    });
    expect(ready.PendingDeploymentSummary).toBeUndefined();
    expect(
      await failure(
        h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'EP', EndpointConfigName: 'c1' })),
      ),
    ).toMatchObject({ message: `Cannot create already existing endpoint "${arn('endpoint', 'ep')}".` });
  });

  it('fails a steered creation; Failed endpoints can only be deleted', async () => {
    await h.emulator.control.steer({ kind: 'Endpoint', name: 'ep-fail', on: 'create', outcome: 'Failed' });
    await model('m1');
    await config('c1', 'm1');
    await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'ep-fail', EndpointConfigName: 'c1' }));
    const failed = await until(
      () => describeEndpoint('ep-fail'),
      (d) => d.EndpointStatus !== 'Creating',
    );
    expect(failed.EndpointStatus).toBe('Failed');
    expect(failed.FailureReason).toContain('did not pass the ping health check');
    expect(
      await failure(
        h.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'ep-fail', EndpointConfigName: 'c1' })),
      ),
    ).toMatchObject({ name: 'ValidationException' });
    await h.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'ep-fail' }));
    expect((await describeEndpoint('ep-fail')).EndpointStatus).toBe('Deleting');
    await until(
      () => errorOf(describeEndpoint('ep-fail')),
      (e) => e?.message === `Could not find endpoint "${arn('endpoint', 'ep-fail')}".`,
    );
  });

  it('updates: the old config serves and is reported until the switch', async () => {
    await endpoint('ep');
    await model('m2');
    await config('c2', 'm2', 3);
    await h.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'c2' }));
    const updating = await describeEndpoint('ep');
    expect(updating).toMatchObject({ EndpointStatus: 'Updating', EndpointConfigName: 'ep-c1' });
    expect(updating.PendingDeploymentSummary?.EndpointConfigName).toBe('c2');
    expect(await servingModel('ep')).toBe('ep-m1');
    const done = await inService('ep');
    expect(done.EndpointConfigName).toBe('c2');
    expect(done.ProductionVariants?.[0]?.CurrentInstanceCount).toBe(3);
    expect(done.FailureReason).toBeUndefined();
    expect(await servingModel('ep')).toBe('m2');
  });

  it('keeps instance counts with RetainAllVariantProperties unless excluded', async () => {
    await endpoint('ep');
    await h.sagemaker.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: 'ep',
        DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 2 }],
      }),
    );
    await inService('ep');
    await model('m2');
    await config('c2', 'm2', 5);
    await h.sagemaker.send(
      new UpdateEndpointCommand({
        EndpointName: 'ep',
        EndpointConfigName: 'c2',
        RetainAllVariantProperties: true,
      }),
    );
    expect((await inService('ep')).ProductionVariants?.[0]?.CurrentInstanceCount).toBe(2);
    await config('c3', 'm2', 4);
    await h.sagemaker.send(
      new UpdateEndpointCommand({
        EndpointName: 'ep',
        EndpointConfigName: 'c3',
        RetainAllVariantProperties: true,
        ExcludeRetainedVariantProperties: [{ VariantPropertyType: 'DesiredInstanceCount' }],
        DeploymentConfig: {
          BlueGreenUpdatePolicy: {
            TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 },
          },
        },
      }),
    );
    const done = await inService('ep');
    expect(done.ProductionVariants?.[0]?.CurrentInstanceCount).toBe(4);
    expect(done.LastDeploymentConfig?.BlueGreenUpdatePolicy?.TrafficRoutingConfiguration?.Type).toBe(
      'ALL_AT_ONCE',
    );
  });

  it('a failed update returns to InService on the old config with FailureReason', async () => {
    await endpoint('ep');
    await h.emulator.control.steer({
      kind: 'Endpoint',
      name: 'ep',
      on: 'update',
      outcome: 'Failed',
      failureReason: 'Image pull failed',
    });
    await model('m2');
    await config('c2', 'm2');
    await h.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'c2' }));
    const back = await inService('ep');
    expect(back).toMatchObject({ EndpointConfigName: 'ep-c1', FailureReason: 'Image pull failed' });
  });

  it('rolls back through RollingBack, or ends in UpdateRollbackFailed', async () => {
    await endpoint('ep');
    await h.emulator.control.steer({ kind: 'Endpoint', name: 'ep', on: 'update', outcome: 'RollingBack' });
    await h.sagemaker.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: 'ep',
        DesiredWeightsAndCapacities: [
          { VariantName: 'AllTraffic', DesiredWeight: 0.5, DesiredInstanceCount: 2 },
        ],
      }),
    );
    const updating = await describeEndpoint('ep');
    expect(updating.EndpointStatus).toBe('Updating');
    expect(updating.ProductionVariants?.[0]).toMatchObject({
      DesiredInstanceCount: 2,
      CurrentInstanceCount: 1,
    });
    await until(
      () => describeEndpoint('ep'),
      (d) => d.EndpointStatus === 'RollingBack',
    );
    const back = await inService('ep');
    expect(back.FailureReason).toBeDefined();
    expect(back.ProductionVariants?.[0]).toMatchObject({ DesiredInstanceCount: 1, CurrentInstanceCount: 1 });

    await h.emulator.control.steer({
      kind: 'Endpoint',
      name: 'ep',
      on: 'update',
      outcome: 'UpdateRollbackFailed',
    });
    await model('m2');
    await config('c2', 'm2');
    await h.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'c2' }));
    await until(
      () => describeEndpoint('ep'),
      (d) => d.EndpointStatus === 'UpdateRollbackFailed',
    );
  });

  it('scales with UpdateEndpointWeightsAndCapacities and rejects unknown variants', async () => {
    await endpoint('ep');
    expect(
      await failure(
        h.sagemaker.send(
          new UpdateEndpointWeightsAndCapacitiesCommand({
            EndpointName: 'ep',
            DesiredWeightsAndCapacities: [{ VariantName: 'Nope', DesiredWeight: 1 }],
          }),
        ),
      ),
    ).toMatchObject({ name: 'ValidationException' });
    await h.sagemaker.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: 'ep',
        DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 3 }],
      }),
    );
    const done = await inService('ep');
    expect(done.EndpointConfigName).toBe('ep-c1');
    expect(done.ProductionVariants?.[0]).toMatchObject({ CurrentInstanceCount: 3, DesiredInstanceCount: 3 });
  });

  it('lists with status filter and answers quotas with ResourceLimitExceeded', async () => {
    await endpoint('ep-a');
    await h.emulator.control.configure({ limits: { endpoints: 2, instancesPerEndpoint: 2 } });
    await model('m-b');
    await config('c-big', 'm-b', 3);
    expect(
      await failure(
        h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'ep-b', EndpointConfigName: 'c-big' })),
      ),
    ).toMatchObject({ name: 'ResourceLimitExceeded' });
    await config('c-b', 'm-b', 1);
    await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'ep-b', EndpointConfigName: 'c-b' }));
    const limited = await failure(
      h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'ep-c', EndpointConfigName: 'c-b' })),
    );
    expect(limited.name).toBe('ResourceLimitExceeded');
    expect(limited.message).toContain("'Number of endpoints' is 2 Endpoints");
    const creating = await h.sagemaker.send(new ListEndpointsCommand({ StatusEquals: 'Creating' }));
    expect(creating.Endpoints?.map((e) => e.EndpointName)).toEqual(['ep-b']);
  });
});

describe('tags', () => {
  it('adds (overwriting), lists and deletes tags by ARN', async () => {
    await h.sagemaker.send(
      new CreateModelCommand({
        ModelName: 'tagged',
        PrimaryContainer: { Image: 'x' },
        Tags: [{ Key: 'a', Value: '1' }],
      }),
    );
    const modelArn = arn('model', 'tagged');
    await h.sagemaker.send(
      new AddTagsCommand({
        ResourceArn: modelArn,
        Tags: [
          { Key: 'a', Value: '2' },
          { Key: 'b', Value: '3' },
        ],
      }),
    );
    expect((await h.sagemaker.send(new ListTagsCommand({ ResourceArn: modelArn }))).Tags).toEqual([
      { Key: 'a', Value: '2' },
      { Key: 'b', Value: '3' },
    ]);
    await h.sagemaker.send(new DeleteTagsCommand({ ResourceArn: modelArn, TagKeys: ['a'] }));
    expect((await h.sagemaker.send(new ListTagsCommand({ ResourceArn: modelArn }))).Tags).toEqual([
      { Key: 'b', Value: '3' },
    ]);
    expect(
      await failure(h.sagemaker.send(new ListTagsCommand({ ResourceArn: arn('endpoint', 'missing') }))),
    ).toMatchObject({ name: 'ValidationException' });
  });
});
