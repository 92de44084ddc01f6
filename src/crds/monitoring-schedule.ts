import type { Static } from '@sinclair/typebox';
import { commonOnlySchemas } from './common.js';
import { AGE_COLUMN, COMMON_COLUMNS, type KindDefinition } from './kind.js';

const schemas = commonOnlySchemas(
  'monitoringScheduleName',
  'monitoring schedule',
  'A SageMaker Model Monitor schedule with its job definition.',
);
export type MonitoringScheduleSpec = Static<typeof schemas.spec>;
export type MonitoringScheduleStatus = Static<typeof schemas.status>;

export const monitoringSchedule: KindDefinition = {
  kind: 'MonitoringSchedule',
  plural: 'monitoringschedules',
  singular: 'monitoringschedule',
  shortNames: ['smmon'],
  description:
    'A SageMaker Model Monitor schedule: data quality, model quality, bias or explainability checks of an endpoint.',
  ...schemas,
  printerColumns: [...COMMON_COLUMNS, AGE_COLUMN],
};
