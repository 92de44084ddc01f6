import { Type, type Static } from '@sinclair/typebox';
import { commonSpecFields, commonSpecRules, commonStatusFields, explicitNameField } from './common.js';
import { AGE_COLUMN, COMMON_COLUMNS, type KindDefinition } from './kind.js';

export const MonitoringScheduleSpec = Type.Object(
  {
    ...commonSpecFields('monitoringScheduleName', 'monitoring schedule'),
    monitoringScheduleName: explicitNameField('monitoring schedule'),
  },
  {
    description: 'A SageMaker Model Monitor schedule with its job definition.',
    'x-kubernetes-validations': commonSpecRules('monitoringScheduleName'),
  },
);
export type MonitoringScheduleSpec = Static<typeof MonitoringScheduleSpec>;

export const MonitoringScheduleStatus = Type.Object(commonStatusFields(), {
  description: 'What the operator observed of the monitoring schedule.',
});
export type MonitoringScheduleStatus = Static<typeof MonitoringScheduleStatus>;

export const monitoringSchedule: KindDefinition<
  typeof MonitoringScheduleSpec,
  typeof MonitoringScheduleStatus
> = {
  kind: 'MonitoringSchedule',
  plural: 'monitoringschedules',
  singular: 'monitoringschedule',
  shortNames: ['smmon'],
  description:
    'A SageMaker Model Monitor schedule: data quality, model quality, bias or explainability checks of an endpoint.',
  spec: MonitoringScheduleSpec,
  status: MonitoringScheduleStatus,
  printerColumns: [...COMMON_COLUMNS, AGE_COLUMN],
};
