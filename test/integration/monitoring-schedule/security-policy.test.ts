import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeProcessingJobCommand } from '@aws-sdk/client-sagemaker';
import type {
  MonitoringScheduleSpec,
  MonitoringScheduleStatus,
} from '../../../src/crds/monitoring-schedule.js';
import { callsTo } from '../endpoint/support.js';
import { applyPolicy } from '../security-policy/support.js';
import { condition, eventsAbout, OperatorHarness } from '../support/operator.js';
import { PLURAL, scheduleSpec, type Schedule } from './support.js';

/*
 * The baselining job a MonitoringSchedule runs is a processing job the operator derives from the
 * job definition: it carries the definition's output and volume KMS keys, network config and
 * stopping condition, and the operator checks it, as sent, against the namespace's SecurityPolicy.
 */

let h: OperatorHarness;

beforeAll(async () => {
  h = await OperatorHarness.start('mon-policy');
  // In the operator's cache before any schedule is reconciled: its caches sync before it starts.
  await h.stopOperator();
  await applyPolicy(h.kc, h.namespace, 'team', {
    requireOutputKmsKey: true,
    allowedOutputKmsKeys: ['alias/output'],
    requireVolumeKmsKey: true,
    allowedVolumeKmsKeys: ['alias/volume'],
    maxRuntimeInSeconds: 1800,
    requireVpc: true,
    allowedSubnets: ['subnet-a'],
    allowedSecurityGroupIds: ['sg-a'],
  });
  await h.startOperator();
});
afterAll(async () => {
  await h.stop();
});

interface Settings {
  outputKey?: string;
  maxRuntime?: number;
  subnet?: string;
}

/** A schedule baselined from a dataset, whose definition satisfies the policy unless `settings` say otherwise. */
function spec({ outputKey = 'alias/output', maxRuntime = 1800, subnet = 'subnet-a' }: Settings = {}) {
  const plain = scheduleSpec(h);
  const definition = plain.dataQualityJobDefinition!;
  return {
    ...plain,
    baseline: {
      fromDataset: {
        s3Uri: `s3://${h.cloud.bucket}/training/train.csv`,
        datasetFormat: { csv: { header: true } },
      },
    },
    dataQualityJobDefinition: {
      ...definition,
      dataQualityJobOutputConfig: { ...definition.dataQualityJobOutputConfig, kmsKeyId: outputKey },
      jobResources: {
        clusterConfig: { ...definition.jobResources.clusterConfig, volumeKmsKeyId: 'alias/volume' },
      },
      networkConfig: { vpcConfig: { subnets: [subnet], securityGroupIds: ['sg-a'] } },
      stoppingCondition: { maxRuntimeInSeconds: maxRuntime },
    },
  };
}

const waitFor = (name: string, check: (o: Schedule | undefined) => boolean, timeoutMs?: number) =>
  h.waitFor<MonitoringScheduleSpec, MonitoringScheduleStatus>(PLURAL, name, check, timeoutMs);

/** The creates that reached SageMaker for the object's resources (all named after its schedule). */
/** The create calls made for the object `name`; `landed`: only those SageMaker accepted. */
async function createsOf(name: string, landed = false): Promise<string[]> {
  return (await callsTo(h))
    .filter(
      (call) =>
        call.operation.startsWith('Create') &&
        call.resource?.startsWith(`${h.namespace}-${name}`) &&
        (!landed || call.outcome === 'ok'),
    )
    .map((call) => call.operation);
}

describe("a schedule's baselining job under a SecurityPolicy", () => {
  it.each([
    [
      'output KMS key',
      'output-key',
      { outputKey: 'alias/other' },
      'CreateProcessingJob.ProcessingOutputConfig.KmsKeyId must use a KMS key that SecurityPolicy team allows in allowedOutputKmsKeys: alias/output',
    ],
    [
      'max runtime',
      'max-runtime',
      { maxRuntime: 3600 },
      'CreateProcessingJob.StoppingCondition.MaxRuntimeInSeconds must be set to at most 1800: SecurityPolicy team sets maxRuntimeInSeconds',
    ],
    [
      'VPC',
      'vpc',
      { subnet: 'subnet-z' },
      'CreateProcessingJob.NetworkConfig.VpcConfig.Subnets must use subnets that SecurityPolicy team allows in allowedSubnets: subnet-a',
    ],
  ] as const)(
    'is held back when it breaks the %s rule: PolicyViolation, one Warning, no create',
    async (_, name, settings, message) => {
      await h.create(PLURAL, 'MonitoringSchedule', name, spec(settings));
      const held = await waitFor(name, (o) => condition(o, 'Synced')?.reason === 'PolicyViolation');
      expect(condition(held, 'Synced')).toMatchObject({ status: 'False', message });
      expect(condition(held, 'Ready')).toMatchObject({ status: 'False', reason: 'PolicyViolation', message });
      expect(condition(held, 'Stalled')).toMatchObject({ status: 'True', reason: 'PolicyViolation' });
      const events = (await eventsAbout(h, name)).filter((e) => e.reason === 'PolicyViolation');
      expect(events).toEqual([{ reason: 'PolicyViolation', note: message, type: 'Warning', count: 1 }]);
      expect(await createsOf(name)).toEqual([]);
    },
  );

  it("runs with the definition's keys, network and time limit when they comply, and the schedule follows", async () => {
    await h.create(PLURAL, 'MonitoringSchedule', 'compliant', spec());
    const obj = await waitFor(
      'compliant',
      (o) => o?.status?.monitoringScheduleStatus === 'Scheduled' && condition(o, 'Ready')?.status === 'True',
      30_000,
    );
    const job = await h.cloud.sagemaker.send(
      new DescribeProcessingJobCommand({ ProcessingJobName: obj?.status?.baseline?.jobName }),
    );
    expect(job).toMatchObject({
      ProcessingOutputConfig: { KmsKeyId: 'alias/output' },
      ProcessingResources: { ClusterConfig: { VolumeKmsKeyId: 'alias/volume' } },
      NetworkConfig: { VpcConfig: { Subnets: ['subnet-a'], SecurityGroupIds: ['sg-a'] } },
      StoppingCondition: { MaxRuntimeInSeconds: 1800 },
    });
    // A create repeated while an earlier one was not visible yet is answered "already exists": one each lands.
    expect(await createsOf('compliant', true)).toEqual([
      'CreateProcessingJob',
      'CreateDataQualityJobDefinition',
      'CreateMonitoringSchedule',
    ]);
  });
});
