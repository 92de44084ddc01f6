import { endpoint } from './endpoint.js';
import { monitoringSchedule } from './monitoring-schedule.js';
import { multiModelSet } from './multi-model-set.js';
import { trainingJob } from './training-job.js';

export { GROUP, VERSION, CATEGORY, type KindDefinition } from './kind.js';
export { trainingJob, endpoint, monitoringSchedule, multiModelSet };

export const ALL_KINDS = [trainingJob, endpoint, monitoringSchedule, multiModelSet] as const;
