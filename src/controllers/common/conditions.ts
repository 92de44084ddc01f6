import type { ConditionStatus } from '../../runtime/index.js';

/** A condition as a controller decides it; the runtime adds type, time and generation. */
export interface ConditionValue {
  status: ConditionStatus;
  reason: string;
  message: string;
}
