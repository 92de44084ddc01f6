import { endpoint } from './endpoint.js';
import { monitoringSchedule } from './monitoring-schedule.js';
import { multiModelSet } from './multi-model-set.js';
import { trainingJob } from './training-job.js';
import { transformJob } from './transform-job.js';
import { processingJob } from './processing-job.js';
import { modelPackageGroup } from './model-package-group.js';
import { modelPackage } from './model-package.js';
import { securityPolicy } from './security-policy.js';

export {
  GROUP,
  VERSION,
  CATEGORY,
  descriptorOf,
  type KindDefinition,
  type KindObject,
  type ObjectOf,
} from './kind.js';
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

export { securityPolicy };
/** Every CRD of the chart: the SageMaker kinds and the SecurityPolicy that their admission policy reads. */
export const CRD_KINDS = [...ALL_KINDS, securityPolicy] as const;
