import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  ListTagsCommand,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import type { EndpointSpec, EndpointStatus } from '../../../src/crds/endpoint.js';
import type { TrainingJobSpec } from '../../../src/crds/training-job.js';
import { role } from '../../emulator/test-harness.js';
import { interceptOnce, loseCreateAnswerUntilRetried } from '../support/intercept.js';
import {
  CLOUD_CONSISTENCY,
  condition,
  OperatorHarness,
  PHASE_SECONDS,
  SHUTDOWN_TIMEOUT_MS,
} from '../support/operator.js';
import { callsTo, createInService, endpointSpec, IMAGE, inService, PLURAL, until } from './support.js';

let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('ep-resilience');
});
afterAll(async () => {
  await h.stop();
});

const endpointName = (name: string): string => `${h.namespace}-${name}`;
const count = async (resource: string, operation: string): Promise<number> =>
  (await callsTo(h, resource, operation)).filter((c) => c.outcome === 'ok').length;

interface Stack {
  add(middleware: unknown, options: { step: string; name: string }): void;
  remove(name: string): boolean;
}

/** An endpoint, its config and its model, made outside the operator and tagged by someone else. */
async function foreignEndpoint(name: string) {
  const tags = [{ Key: 'owner', Value: 'someone-else' }];
  await h.cloud.sagemaker.send(
    new CreateModelCommand({
      ModelName: `${name}-m`,
      ExecutionRoleArn: role,
      PrimaryContainer: { Image: IMAGE },
      Tags: tags,
    }),
  );
  await h.cloud.sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: `${name}-c`,
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: `${name}-m`,
          InstanceType: 'ml.m5.xlarge',
          InitialInstanceCount: 1,
        },
      ],
      Tags: tags,
    }),
  );
  return h.cloud.sagemaker.send(
    new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: `${name}-c`, Tags: tags }),
  );
}

describe('Endpoint resilience', () => {
  it('resumes without duplicates when the operator dies between the config and the endpoint', async () => {
    // CreateEndpointConfig reaches SageMaker, but the operator "dies" before it creates the endpoint.
    let die: (err: Error) => void = () => undefined;
    const dead = new Promise<never>((_, reject) => {
      die = reject;
    });
    const stack = h.operatorAws.sagemaker().middlewareStack as unknown as Stack;
    stack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: unknown) => {
          const result = await next(args);
          if (context.commandName === 'CreateEndpointConfigCommand') await dead;
          return result;
        },
      { step: 'initialize', name: 'dieAfterConfig' },
    );
    await h.create(PLURAL, 'Endpoint', 'crash', endpointSpec(h));
    const name = endpointName('crash');
    await until(async () => (await callsTo(h, undefined, 'CreateEndpointConfig')).length > 0);
    const stopped = h.stopOperator();
    await sleep(SHUTDOWN_TIMEOUT_MS + 200);
    die(new Error('the process died'));
    await stopped;
    const recorded = await h.get<EndpointSpec, EndpointStatus>(PLURAL, 'crash');
    const config = recorded?.status?.createdEndpointConfigNames?.[0] ?? '';
    const model = recorded?.status?.createdModelNames?.[0] ?? '';
    expect(await count(name, 'CreateEndpoint')).toBe(0);

    await h.startOperator();
    await h.waitFor<EndpointSpec, EndpointStatus>(PLURAL, 'crash', inService());
    expect(await count(config, 'CreateEndpointConfig')).toBe(1);
    expect(await count(model, 'CreateModel')).toBe(1);
    expect(await count(name, 'CreateEndpoint')).toBe(1);
  });

  it('adopts an existing endpoint when asked to, and leaves a foreign one alone otherwise', async () => {
    const adopted = await foreignEndpoint('hand-made');
    await foreignEndpoint('not-ours');

    await h.create(
      PLURAL,
      'Endpoint',
      'adopter',
      endpointSpec(h, { endpointName: 'hand-made', adoptExisting: true }),
    );
    await h.create(PLURAL, 'Endpoint', 'intruder', endpointSpec(h, { endpointName: 'not-ours' }));

    const ep = await h.waitFor<EndpointSpec, EndpointStatus>(PLURAL, 'adopter', (o) =>
      inService('hand-made-c')(o),
    );
    expect(ep?.status?.endpointArn).toBe(adopted.EndpointArn);
    const tags = await h.cloud.sagemaker.send(new ListTagsCommand({ ResourceArn: adopted.EndpointArn }));
    expect(tags.Tags).toEqual(
      expect.arrayContaining([{ Key: 'mlops.dev/owner', Value: `Endpoint/${h.namespace}/adopter` }]),
    );
    expect(await count('hand-made', 'CreateEndpoint')).toBe(1);

    const intruder = await h.waitFor<EndpointSpec, EndpointStatus>(
      PLURAL,
      'intruder',
      (o) => condition(o, 'Synced')?.status === 'False',
    );
    expect(condition(intruder, 'Synced')).toMatchObject({ reason: 'AlreadyExists' });
    expect(await count('not-ours', 'UpdateEndpoint')).toBe(0);
    expect(await count('not-ours', 'AddTags')).toBe(0);
  });

  it('carries on with its own endpoint when its create landed unanswered and describe does not see it yet', async () => {
    // CreateEndpoint lands but its answer is lost, and SageMaker's reads do not show what was just
    // created until the operator has tried again: the retry is told the name is taken and must find
    // its own endpoint.
    const name = endpointName('lost-answer');
    const restore = loseCreateAnswerUntilRetried(
      h,
      'CreateEndpointCommand',
      'DescribeEndpointCommand',
      `Could not find endpoint "${name}".`,
    );
    try {
      await h.create(PLURAL, 'Endpoint', 'lost-answer', endpointSpec(h));
      const ep = await h.waitFor<EndpointSpec, EndpointStatus>(PLURAL, 'lost-answer', inService());
      const calls = await callsTo(h, name, 'CreateEndpoint');
      expect(calls.filter((c) => c.outcome === 'ok')).toHaveLength(1);
      expect(calls.filter((c) => c.outcome === 'ValidationException').length).toBeGreaterThan(0);
      expect(condition(ep, 'Synced')).toMatchObject({ status: 'True' });
      expect(await count(ep?.status?.endpointConfigName ?? '', 'CreateEndpointConfig')).toBe(1);
      expect(await count(ep?.status?.modelNames?.[0] ?? '', 'CreateModel')).toBe(1);
    } finally {
      restore();
    }
  });

  it("reports AlreadyExists when someone else's endpoint takes the name, and still deletes its own configs and models", async () => {
    const name = endpointName('raced');
    const restore = interceptOnce(h, 'CreateEndpointCommand', async (call) => {
      await foreignEndpoint(name);
      return call();
    });
    // The other endpoint stays invisible to describe for 300 ms: several polls, in which the operator
    // must wait for it (up to --poll-interval-max, 400 ms here) rather than call create again.
    await h.cloud.emulator.control.configure({ consistency: { describeAfterCreate: 300 } });
    try {
      await h.create(PLURAL, 'Endpoint', 'raced', endpointSpec(h));
      const ep = await h.waitFor<EndpointSpec, EndpointStatus>(
        PLURAL,
        'raced',
        (o) => condition(o, 'Synced')?.status === 'False',
      );
      expect(condition(ep, 'Synced')).toMatchObject({ reason: 'AlreadyExists' });
      // Someone else's create, then ours: refused once, not once per poll.
      const creates = await callsTo(h, name, 'CreateEndpoint');
      expect(creates.map((c) => c.outcome)).toEqual(['ok', 'ValidationException']);
      const config = ep?.status?.createdEndpointConfigNames?.[0] ?? '';
      const model = ep?.status?.createdModelNames?.[0] ?? '';
      expect(await count(config, 'CreateEndpointConfig')).toBe(1);
      expect(await count(model, 'CreateModel')).toBe(1);

      await h.delete(PLURAL, 'raced');
      await h.waitFor(PLURAL, 'raced', (o) => o === undefined);
      expect(await count(config, 'DeleteEndpointConfig')).toBe(1);
      expect(await count(model, 'DeleteModel')).toBe(1);
      expect(await callsTo(h, name, 'DeleteEndpoint')).toHaveLength(0);
      expect(await callsTo(h, name, 'AddTags')).toHaveLength(0);
      const foreign = await h.cloud.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
      expect(foreign.EndpointConfigName).toBe(`${name}-c`);
    } finally {
      restore();
      await h.cloud.emulator.control.configure({ consistency: CLOUD_CONSISTENCY });
    }
  });

  it('says what a delete waits for while the endpoint is being created', async () => {
    await h.cloud.emulator.control.configure({ timings: { endpointCreating: 3_000 } });
    try {
      await h.create(PLURAL, 'Endpoint', 'slow-create', endpointSpec(h));
      await h.waitFor<EndpointSpec, EndpointStatus>(
        PLURAL,
        'slow-create',
        (o) => o?.status?.endpointStatus === 'Creating',
      );
      await h.delete(PLURAL, 'slow-create');
      const waiting = await h.waitFor<EndpointSpec, EndpointStatus>(
        PLURAL,
        'slow-create',
        (o) => condition(o, 'Ready')?.reason === 'Deleting',
      );
      expect(condition(waiting, 'Ready')).toMatchObject({
        status: 'False',
        message: `deleting endpoint ${endpointName('slow-create')}: waiting while it is Creating`,
      });
      await h.waitFor(PLURAL, 'slow-create', (o) => o === undefined);
      expect(await count(endpointName('slow-create'), 'DeleteEndpoint')).toBe(1);
    } finally {
      await h.cloud.emulator.control.configure({ timings: { endpointCreating: 100 } });
    }
  });

  it('reports a failed TrainingJob reference as InvalidSpec naming the job', async () => {
    const job = endpointName('bad-train');
    await h.cloud.emulator.control.steer({ kind: 'TrainingJob', name: job, outcome: 'Failed' });
    const training: TrainingJobSpec = {
      roleArn: role,
      algorithmSpecification: { trainingImage: IMAGE, trainingInputMode: 'File' },
      outputDataConfig: { s3OutputPath: `s3://${h.cloud.bucket}/output` },
      resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
    };
    await h.create('trainingjobs', 'TrainingJob', 'bad-train', training);
    const spec = endpointSpec(h);
    spec.models = [
      {
        ...spec.models[0]!,
        primaryContainer: { image: IMAGE, modelDataFrom: { trainingJobRef: { name: 'bad-train' } } },
      },
    ];
    await h.create(PLURAL, 'Endpoint', 'bad-ref', spec);
    const ep = await h.waitFor<EndpointSpec, EndpointStatus>(
      PLURAL,
      'bad-ref',
      (o) => condition(o, 'Synced')?.reason === 'InvalidSpec',
    );
    expect(condition(ep, 'Synced')?.message).toContain('TrainingJob bad-train is Failed');
    expect(await callsTo(h, endpointName('bad-ref'), 'CreateEndpoint')).toHaveLength(0);
  });

  it('waits while the endpoint is Updating and applies a second change afterwards', async () => {
    await h.create(PLURAL, 'Endpoint', 'busy', endpointSpec(h));
    await h.waitFor<EndpointSpec, EndpointStatus>(PLURAL, 'busy', inService());
    const name = endpointName('busy');
    // The first update lasts 3,000 SageMaker seconds (3 s): long enough to be seen Updating under load.
    await h.cloud.emulator.control.configure({ timings: { endpointUpdating: 3_000 } });
    try {
      await h.patchSpec(PLURAL, 'busy', endpointSpec(h, {}, `${IMAGE}-v2`));
      await h.waitFor<EndpointSpec, EndpointStatus>(
        PLURAL,
        'busy',
        (o) => o?.status?.endpointStatus === 'Updating',
      );
    } finally {
      await h.cloud.emulator.control.configure({ timings: { endpointUpdating: PHASE_SECONDS } });
    }
    await h.patchSpec(PLURAL, 'busy', endpointSpec(h, {}, `${IMAGE}-v3`));
    const ep = await h.waitFor<EndpointSpec, EndpointStatus>(
      PLURAL,
      'busy',
      (o) => inService()(o) && o?.status?.observedGeneration === 3,
    );
    expect(ep?.status?.createdEndpointConfigNames).toEqual([ep?.status?.endpointConfigName]);
    const updates = await callsTo(h, name, 'UpdateEndpoint');
    expect(updates.filter((c) => c.outcome !== 'ok')).toHaveLength(0);
    expect(updates.length).toBeLessThanOrEqual(2);
  });

  it('deletes a failed endpoint and creates it again when the spec changes, not before', async () => {
    const name = endpointName('broken');
    const reason =
      'The primary container for production variant AllTraffic did not pass the ping health check.';
    await h.cloud.emulator.control.steer({
      kind: 'Endpoint',
      name,
      on: 'create',
      outcome: 'Failed',
      failureReason: reason,
    });
    await h.create(PLURAL, 'Endpoint', 'broken', endpointSpec(h));
    const failed = await h.waitFor<EndpointSpec, EndpointStatus>(
      PLURAL,
      'broken',
      (o) => condition(o, 'Synced')?.reason === 'CreateFailed',
    );
    expect(failed?.status).toMatchObject({ endpointStatus: 'Failed', failureReason: reason });
    expect(condition(failed, 'Ready')).toMatchObject({ status: 'False', reason: 'Failed' });
    await sleep(1000);
    expect(await count(name, 'DeleteEndpoint')).toBe(0);

    await h.cloud.emulator.control.steer({ kind: 'Endpoint', name, on: 'create', outcome: 'Succeeded' });
    await h.patchSpec(PLURAL, 'broken', endpointSpec(h, {}, `${IMAGE}-fixed`));
    await h.waitFor<EndpointSpec, EndpointStatus>(PLURAL, 'broken', inService());
    expect(await count(name, 'DeleteEndpoint')).toBe(1);
    expect(await count(name, 'CreateEndpoint')).toBe(2);
  });

  it('puts back tags edited outside the operator at the next drift check', async () => {
    const ep = await createInService(h, 'retagged', { ...endpointSpec(h), tags: { team: 'ml' } });
    const arn = ep?.status?.endpointArn ?? '';
    await h.cloud.sagemaker.send(
      new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'team', Value: 'other' }] }),
    );
    await h.cloud.sagemaker.send(
      new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'extra', Value: 'x' }] }),
    );
    await h.stopOperator();
    await h.startOperator(300);
    try {
      await until(async () => {
        const { Tags } = await h.cloud.sagemaker.send(new ListTagsCommand({ ResourceArn: arn }));
        const user = (Tags ?? []).filter((t) => !t.Key?.startsWith('mlops.dev/'));
        return user.length === 1 && user[0]?.Key === 'team' && user[0].Value === 'ml';
      });
    } finally {
      await h.stopOperator();
      await h.startOperator();
    }
  });

  it('puts back an endpoint switched to another config outside the operator', async () => {
    const ep = await createInService(h, 'switched', endpointSpec(h));
    const name = endpointName('switched');
    const planned = ep?.status?.endpointConfigName ?? '';
    await h.cloud.sagemaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: `${name}-by-hand`,
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: ep?.status?.modelNames?.[0],
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 1,
          },
        ],
      }),
    );
    // A short drift interval, so that the operator looks at the endpoint again without any change.
    await h.stopOperator();
    await h.startOperator(300);
    try {
      await h.cloud.sagemaker.send(
        new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: `${name}-by-hand` }),
      );
      await until(async () => (await count(name, 'UpdateEndpoint')) === 2);
      const back = await h.waitFor<EndpointSpec, EndpointStatus>(
        PLURAL,
        'switched',
        (o) => inService()(o) && o?.status?.endpointConfigName === planned,
      );
      expect(back?.status?.createdEndpointConfigNames).toEqual([planned]);
    } finally {
      await h.stopOperator();
      await h.startOperator();
    }
  });

  it('does not take a describe that lags behind its UpdateEndpoint for a rollback', async () => {
    const ep = await createInService(h, 'lagging', endpointSpec(h));
    const name = endpointName('lagging');
    const first = ep?.status?.endpointConfigName ?? '';
    await h.cloud.emulator.control.steer({ kind: 'Endpoint', name, on: 'update', outcome: 'Failed' });
    await h.patchSpec(PLURAL, 'lagging', endpointSpec(h, {}, `${IMAGE}-broken`));
    await h.waitFor<EndpointSpec, EndpointStatus>(
      PLURAL,
      'lagging',
      (o) => condition(o, 'Synced')?.reason === 'UpdateFailed',
    );
    await h.cloud.emulator.control.steer({ kind: 'Endpoint', name, on: 'update', outcome: 'Succeeded' });
    // The first describe after the next UpdateEndpoint answers what SageMaker showed before it:
    // InService on the old config, with the FailureReason of the update that failed.
    let restoreDescribe = (): void => undefined;
    const restoreUpdate = interceptOnce(h, 'UpdateEndpointCommand', async (call) => {
      const before = await h.cloud.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
      const answer = await call();
      restoreDescribe = interceptOnce(h, 'DescribeEndpointCommand', () =>
        Promise.resolve({ output: before }),
      );
      return answer;
    });
    try {
      await h.patchSpec(PLURAL, 'lagging', endpointSpec(h, {}, `${IMAGE}-fixed`));
      const fixed = await h.waitFor<EndpointSpec, EndpointStatus>(
        PLURAL,
        'lagging',
        (o) => inService(first)(o) && o?.status?.observedGeneration === 3,
      );
      expect(condition(fixed, 'Synced')).toMatchObject({ status: 'True' });
      const updates = await callsTo(h, name, 'UpdateEndpoint');
      expect(updates.map((c) => c.outcome)).toEqual(['ok', 'ok']);
    } finally {
      restoreUpdate();
      restoreDescribe();
    }
  });

  it('waits out SageMaker maintenance (SystemUpdating) Ready, and applies a change made meanwhile afterwards', async () => {
    const ep = await createInService(h, 'maintained', endpointSpec(h));
    const name = endpointName('maintained');
    const planned = ep?.status?.endpointConfigName ?? '';
    // Long enough for the operator to look at the endpoint a few times while SageMaker maintains it.
    await h.cloud.emulator.control.configure({ timings: { endpointSystemUpdating: 3000 } });
    // A short drift interval, so that the operator looks at the endpoint again without any change.
    await h.stopOperator();
    await h.startOperator(300);
    try {
      await h.cloud.emulator.control.steer({ kind: 'EndpointMaintenance', name });
      const maintained = await h.waitFor<EndpointSpec, EndpointStatus>(
        PLURAL,
        'maintained',
        (o) => o?.status?.endpointStatus === 'SystemUpdating',
      );
      expect(condition(maintained, 'Ready')).toMatchObject({ status: 'True', reason: 'InService' });
      expect(condition(maintained, 'Ready')?.message).toContain('SystemUpdating');

      await h.patchSpec(PLURAL, 'maintained', endpointSpec(h, {}, `${IMAGE}-during-maintenance`));
      const waiting = await h.waitFor<EndpointSpec, EndpointStatus>(
        PLURAL,
        'maintained',
        (o) => o?.status?.observedGeneration === 2 && condition(o, 'Ready')?.reason === 'Updating',
      );
      expect(waiting?.status?.endpointStatus).toBe('SystemUpdating');
      const back = await h.waitFor<EndpointSpec, EndpointStatus>(
        PLURAL,
        'maintained',
        (o) => inService(planned)(o) && o?.status?.observedGeneration === 2,
      );
      expect(condition(back, 'Synced')).toMatchObject({ status: 'True' });
      const updates = await callsTo(h, name, 'UpdateEndpoint');
      expect(updates.map((c) => c.outcome)).toEqual(['ok']);
    } finally {
      await h.cloud.emulator.control.configure({ timings: { endpointSystemUpdating: 300 } });
      await h.stopOperator();
      await h.startOperator();
    }
  });
});
