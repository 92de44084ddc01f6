import { describe, expect, it } from '@jest/globals';
import { ResourceInUse } from '@aws-sdk/client-sagemaker';
import { classifyError } from '../../../src/controllers/common/errors.js';
import { SPEC_CHANGE_REASONS, isReason } from '../../../src/controllers/common/reasons.js';
import { meta, unmodeled } from '../aws/sdk-errors.js';

const samples = [
  unmodeled('ThrottlingException', 'Rate exceeded'),
  unmodeled('InternalFailure', 'boom', 500),
  unmodeled('ValidationException', 'Cannot update in-progress endpoint "arn:..."'),
  unmodeled('ValidationException', 'Cannot create already existing endpoint "arn:..."'),
  new ResourceInUse({ message: 'job is running', ...meta }),
  unmodeled('ResourceLimitExceeded', 'limit'),
  unmodeled('ValidationException', 'Could not find model "arn:..."'),
  unmodeled('AccessDeniedException', 'not authorized'),
  unmodeled('AccessDeniedException', 'Only existing customers can access the service.'),
  unmodeled('ValidationException', '1 validation error detected'),
];

describe('classifyError', () => {
  it('maps every AWS class onto a known reason, keeping the message', () => {
    for (const err of samples) {
      const found = classifyError(err);
      expect(found?.message).toContain(err.message);
      expect(isReason(found?.reason ?? '')).toBe(true);
    }
  });

  it('pairs a reason that waits for a spec change only with a class the loop does not retry', () => {
    for (const err of samples) {
      const found = classifyError(err);
      if (SPEC_CHANGE_REASONS.has(found?.reason ?? ''))
        expect(['terminal', 'alreadyExists']).toContain(found?.errorClass);
    }
  });

  it('does not retry a service closed to the account: terminal AccessDenied, unlike an IAM denial', () => {
    const closed = unmodeled('AccessDeniedException', 'Model Monitor is no longer open to new customers.');
    expect(classifyError(closed)).toMatchObject({ errorClass: 'terminal', reason: 'AccessDenied' });
    expect(classifyError(unmodeled('AccessDeniedException', 'not authorized'))).toMatchObject({
      errorClass: 'accessDenied',
    });
  });

  it('treats a not-found that escaped a reconcile as an invalid spec, not as absent', () => {
    expect(classifyError(unmodeled('ValidationException', 'Could not find model "arn:..."'))).toMatchObject({
      errorClass: 'terminal',
      reason: 'InvalidSpec',
    });
  });

  it('treats a name taken outside a create as busy: looked at again at the polling interval', () => {
    expect(classifyError(new ResourceInUse({ message: 'job is running', ...meta }))).toMatchObject({
      errorClass: 'inProgress',
      reason: 'InProgress',
    });
  });

  it('leaves errors that did not come from AWS to the loop', () => {
    expect(classifyError(new TypeError('x is undefined'))).toBeUndefined();
  });
});
