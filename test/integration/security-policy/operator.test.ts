import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { role } from '../../emulator/test-harness.js';
import { endpointSpec } from '../endpoint/support.js';
import { trainingJobSpec } from '../training-job/support.js';
import { condition, eventsAbout, OperatorHarness } from '../support/operator.js';
import { Admission, applyPolicy, eventually } from './support.js';

/*
 * The operator's re-check before any create: objects admitted under a SecurityPolicy that was
 * tightened before the operator created them are held back (PolicyViolation, one event, no
 * SageMaker create), and created once the policy allows them again. The namespace is under the
 * chart's admission policy too, so the operator's own writes (finalizer, status) pass it.
 */

let h: OperatorHarness;
let admission: Admission;

/** Each object, and the member of its first create request that the tightened policy requires. */
const OBJECTS = [
  { plural: 'trainingjobs', kind: 'TrainingJob', name: 'train', member: 'CreateTrainingJob.VpcConfig' },
  {
    plural: 'processingjobs',
    kind: 'ProcessingJob',
    name: 'process',
    member: 'CreateProcessingJob.NetworkConfig.VpcConfig',
  },
  { plural: 'endpoints', kind: 'Endpoint', name: 'serve', member: 'CreateModel.VpcConfig' },
] as const;

interface Conditions {
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

const CREATE = {
  TrainingJob: 'CreateTrainingJob',
  ProcessingJob: 'CreateProcessingJob',
  Endpoint: 'CreateEndpoint',
} as const;

const createCalls = async (): Promise<string[]> =>
  (await h.cloud.emulator.control.calls({})).calls
    .filter((call) => call.operation.startsWith('Create'))
    .map((call) => `${call.operation} ${call.resource ?? ''}`);

beforeAll(async () => {
  h = await OperatorHarness.start('sp-operator');
  admission = await Admission.install(h.kc, 'Allow');
  await admission.cover(h.namespace);
  await h.stopOperator();
  // Admitted under a policy that asks for nothing...
  await applyPolicy(h.kc, h.namespace, 'team', {});
  const specs = {
    TrainingJob: trainingJobSpec(h),
    ProcessingJob: {
      roleArn: role,
      appSpecification: { imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/sklearn:1' },
      processingResources: {
        clusterConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 5 },
      },
    },
    Endpoint: endpointSpec(h),
  };
  for (const { plural, kind, name } of OBJECTS) await h.create(plural, kind, name, specs[kind]);
  // ...which is tightened before the operator gets to them.
  await applyPolicy(h.kc, h.namespace, 'team', { requireVpc: true });
  await h.startOperator();
});

afterAll(async () => {
  await h.stop();
  await admission.uninstall();
});

describe('objects admitted before their SecurityPolicy was tightened', () => {
  it.each(OBJECTS)(
    'a $kind is held back: Ready and Synced False PolicyViolation naming the request member and the rule, one Warning event',
    async ({ plural, name, member }) => {
      const message = `${member} is required: SecurityPolicy team sets requireVpc`;
      const held = await h.waitFor<object, Conditions>(
        plural,
        name,
        (o) => condition(o, 'Synced')?.reason === 'PolicyViolation',
      );
      expect(condition(held, 'Synced')).toMatchObject({ status: 'False', message });
      expect(condition(held, 'Ready')).toMatchObject({ status: 'False', reason: 'PolicyViolation', message });
      expect(condition(held, 'Stalled')).toMatchObject({ status: 'True', reason: 'PolicyViolation' });
      const events = (await eventsAbout(h, name)).filter((e) => e.reason === 'PolicyViolation');
      expect(events).toEqual([{ reason: 'PolicyViolation', note: message, type: 'Warning', count: 1 }]);
    },
  );

  it('calls no SageMaker create for any of them', async () => {
    for (const { plural, name } of OBJECTS)
      await h.waitFor<object, Conditions>(
        plural,
        name,
        (o) => condition(o, 'Synced')?.reason === 'PolicyViolation',
      );
    expect(await createCalls()).toEqual([]);
  });

  it('creates them once the policy is relaxed, each once', async () => {
    await applyPolicy(h.kc, h.namespace, 'team', { requireVpc: false });
    const expected = OBJECTS.map(({ kind, name }) => `${CREATE[kind]} ${h.namespace}-${name}`);
    await eventually(async () => {
      const calls = await createCalls();
      for (const call of expected) expect(calls).toContain(call);
    });
    for (const { plural, name } of OBJECTS)
      await h.waitFor<object, Conditions>(
        plural,
        name,
        (o) => condition(o, 'Ready')?.reason !== 'PolicyViolation',
      );
    const calls = await createCalls();
    for (const call of expected) expect(calls.filter((c) => c === call)).toHaveLength(1);
  });
});
