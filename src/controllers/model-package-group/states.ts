import type { ConditionValue } from '../common/conditions.js';

/** Ready for a group in a SageMaker status: Registered once Completed. */
export function groupConditions(name: string, state: string | undefined): ConditionValue {
  switch (state) {
    case 'Completed':
      return { status: 'True', reason: 'Registered', message: `model package group ${name} is Completed` };
    case 'Failed':
      return { status: 'False', reason: 'CreateFailed', message: `model package group ${name} is Failed` };
    case 'Deleting':
    case 'DeleteFailed':
      return {
        status: 'False',
        reason: 'Deleting',
        message: `model package group ${name} is ${state}: deleted outside the operator, it is created again once gone`,
      };
    default:
      return {
        status: 'False',
        reason: 'Creating',
        message: `model package group ${name} is ${state ?? 'being created'}`,
      };
  }
}

/** Ready while a deleted group waits for its versions to go. */
export function holdsVersionsCondition(name: string, count: number, more: boolean): ConditionValue {
  const versions = `${count}${more ? '+' : ''} version${count === 1 && !more ? '' : 's'}`;
  return {
    status: 'False',
    reason: 'Deleting',
    message: `model package group ${name} holds ${versions}: SageMaker deletes a group only once it is empty; delete the ModelPackages in it (deletionPolicy Delete) or set deletionPolicy: Retain on this object`,
  };
}
