import { endpoint } from './endpoint.js';
import { monitoringSchedule } from './monitoring-schedule.js';
import { multiModelSet } from './multi-model-set.js';
import { trainingJob } from './training-job.js';
import { transformJob } from './transform-job.js';
import { processingJob } from './processing-job.js';
import { modelPackageGroup } from './model-package-group.js';
import { modelPackage } from './model-package.js';

export { GROUP, VERSION, CATEGORY, type KindDefinition } from './kind.js';
export { trainingJob, endpoint, monitoringSchedule, multiModelSet };
export { transformJob, processingJob };
export { modelPackageGroup, modelPackage };

export const ALL_KINDS = [
  trainingJob,
  endpoint,
  monitoringSchedule,
  multiModelSet,
  transformJob,
  processingJob,
  modelPackageGroup,
  modelPackage,
] as const;
