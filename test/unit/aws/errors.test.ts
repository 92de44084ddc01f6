import { describe, expect, it } from '@jest/globals';
import { ResourceInUse, ResourceLimitExceeded, ResourceNotFound } from '@aws-sdk/client-sagemaker';
import { classifyAwsError, isNameTaken, isNotFound, isPreconditionFailed } from '../../../src/aws/errors.js';
import { meta, unmodeled } from './sdk-errors.js';

describe('classifyAwsError', () => {
  it.each([
    ['Requested resource not found', 'DescribeTrainingJob'],
    ['Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/x".', 'DescribeEndpoint'],
    [
      'Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/x".',
      'DescribeEndpointConfig',
    ],
    ['Could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/x".', 'DescribeModel'],
    ['Could not find requested job with name x', 'DescribeTransformJob'],
    [
      'ModelPackageGroup arn:aws:sagemaker:us-east-1:123456789012:model-package-group/x does not exist.',
      'DescribeModelPackageGroup',
    ],
    [
      'ModelPackage arn:aws:sagemaker:us-east-1:123456789012:model-package/x/3 does not exist.',
      'DescribeModelPackage',
    ],
  ])('treats ValidationException "%s" as not found', (message) => {
    expect(classifyAwsError(unmodeled('ValidationException', message))).toMatchObject({
      errorClass: 'notFound',
    });
  });

  it('treats the modeled ResourceNotFound as not found, by name', () => {
    const err = new ResourceNotFound({ message: 'Monitoring schedule x does not exist', ...meta });
    expect(isNotFound(err)).toBe(true);
    // A plain object with the same name is classified the same way: matching is on name, not class.
    expect(isNotFound({ name: 'ResourceNotFound', message: 'gone', ...meta })).toBe(true);
  });

  it('treats other validation errors as terminal invalid spec, keeping the message', () => {
    const err = unmodeled(
      'ValidationException',
      "1 validation error detected: Value 'a_b' at 'trainingJobName' failed to satisfy constraint",
    );
    expect(classifyAwsError(err)).toEqual({
      errorClass: 'invalid',
      message:
        "ValidationException: 1 validation error detected: Value 'a_b' at 'trainingJobName' failed to satisfy constraint",
    });
  });

  it('recognises throttling by name and by HTTP 429', () => {
    expect(classifyAwsError(unmodeled('ThrottlingException', 'Rate exceeded'))).toMatchObject({
      errorClass: 'throttled',
    });
    expect(classifyAwsError(unmodeled('SomethingElse', 'slow down', 429))).toMatchObject({
      errorClass: 'throttled',
    });
  });

  it('maps state conflicts to busy', () => {
    for (const message of [
      'Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/x".',
      'Monitoring schedule in status Pending cannot be updated',
      'The request was rejected because the training job is in status Completed.',
    ]) {
      expect(classifyAwsError(unmodeled('ValidationException', message))).toMatchObject({
        errorClass: 'busy',
      });
    }
  });

  it('tells "already existing" from ResourceInUse, which only the caller can read', () => {
    const existing = unmodeled('ValidationException', 'Cannot create already existing endpoint "arn:..."');
    expect(classifyAwsError(existing)).toMatchObject({ errorClass: 'alreadyExists' });
    const inUse = new ResourceInUse({ message: 'Training job names must be unique', ...meta });
    expect(classifyAwsError(inUse)).toMatchObject({ errorClass: 'resourceInUse' });
    // Both mean "the name is taken" when they answer a create.
    expect(isNameTaken(existing)).toBe(true);
    expect(isNameTaken(inUse)).toBe(true);
    expect(isNameTaken(unmodeled('ValidationException', 'Requested resource not found'))).toBe(false);
    const group = unmodeled(
      'ValidationException',
      'Model Package Group already exists: arn:aws:sagemaker:us-east-1:123456789012:model-package-group/x',
    );
    expect(isNameTaken(group)).toBe(true);
  });

  it('does not read any "does not exist" as not found: a KMS key or a role in a create is a spec error', () => {
    const key = unmodeled(
      'ValidationException',
      'KMS key arn:aws:kms:us-east-1:123456789012:key/x does not exist.',
    );
    expect(classifyAwsError(key)).toMatchObject({ errorClass: 'invalid' });
  });

  it('maps quota, access and server errors', () => {
    expect(classifyAwsError(new ResourceLimitExceeded({ message: 'limit', ...meta }))).toMatchObject({
      errorClass: 'quota',
    });
    expect(classifyAwsError(unmodeled('AccessDeniedException', 'not authorized'))).toMatchObject({
      errorClass: 'accessDenied',
    });
    const closed = 'Amazon SageMaker Model Monitor is no longer open to new customers.';
    expect(classifyAwsError(unmodeled('AccessDeniedException', closed))).toMatchObject({
      errorClass: 'closedToAccount',
      message: `AccessDeniedException: ${closed}`,
    });
    expect(classifyAwsError(unmodeled('InternalFailure', 'boom', 500))).toMatchObject({
      errorClass: 'transient',
    });
    expect(classifyAwsError(unmodeled('Whatever', 'bad gateway', 502))).toMatchObject({
      errorClass: 'transient',
    });
    const network = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(classifyAwsError(network)).toMatchObject({ errorClass: 'transient' });
  });

  it('leaves errors that did not come from AWS to the caller', () => {
    expect(classifyAwsError(new TypeError('x is undefined'))).toBeUndefined();
    expect(classifyAwsError('string')).toBeUndefined();
  });
});

describe('isPreconditionFailed', () => {
  it('tells a condition S3 found false from other refusals', () => {
    expect(
      isPreconditionFailed(
        unmodeled('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412),
      ),
    ).toBe(true);
    expect(isPreconditionFailed(unmodeled('Unknown', '', 412))).toBe(true);
    expect(isPreconditionFailed(unmodeled('AccessDenied', 'Access Denied', 403))).toBe(false);
    expect(isPreconditionFailed(new Error('socket hang up'))).toBe(false);
  });
});
