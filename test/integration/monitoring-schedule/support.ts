import type {
  MonitoringScheduleSpec,
  MonitoringScheduleStatus,
} from '../../../src/crds/monitoring-schedule.js';
import { role } from '../../emulator/test-harness.js';
import type { KubeObjectOf, OperatorHarness } from '../support/operator.js';

export type Schedule = KubeObjectOf<MonitoringScheduleSpec, MonitoringScheduleStatus>;
export const PLURAL = 'monitoringschedules';
export const HOURLY = 'cron(0 * ? * * *)';

/** An hourly DataQuality schedule of an endpoint outside the namespace, reporting to the rig's bucket. */
export function scheduleSpec(
  h: OperatorHarness,
  overrides: Partial<MonitoringScheduleSpec> = {},
  instanceType = 'ml.m5.xlarge',
): MonitoringScheduleSpec {
  return {
    monitoringType: 'DataQuality',
    endpointName: 'outside-endpoint',
    schedule: { scheduleExpression: HOURLY },
    dataQualityJobDefinition: {
      dataQualityAppSpecification: {},
      dataQualityJobInput: {},
      dataQualityJobOutputConfig: {
        monitoringOutputs: [
          { s3Output: { s3Uri: `s3://${h.cloud.bucket}/reports`, localPath: '/opt/ml/processing/output' } },
        ],
      },
      jobResources: { clusterConfig: { instanceType, instanceCount: 1, volumeSizeInGB: 20 } },
      roleArn: role,
    },
    ...overrides,
  } as MonitoringScheduleSpec;
}
