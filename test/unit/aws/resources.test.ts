import { describe, expect, it } from '@jest/globals';
import { ResourceInUse, type SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { createOrFind, describeOrAbsent } from '../../../src/aws/resources.js';
import { meta, unmodeled } from './sdk-errors.js';

const validation = (message: string): SageMakerServiceException => unmodeled('ValidationException', message);
const notFound = validation('Requested resource not found');

describe('describeOrAbsent', () => {
  it('answers undefined for not found and rethrows anything else', async () => {
    expect(await describeOrAbsent(Promise.resolve({ Name: 'x' }))).toEqual({ Name: 'x' });
    expect(await describeOrAbsent<object>(Promise.reject(notFound))).toBeUndefined();
    const denied = unmodeled('AccessDeniedException', 'no');
    await expect(describeOrAbsent(Promise.reject(denied))).rejects.toBe(denied);
  });
});

describe('createOrFind', () => {
  const described = { Arn: 'arn:x' };

  it('answers the create when SageMaker accepts it, without a describe', async () => {
    let describes = 0;
    const outcome = await createOrFind(
      () => Promise.resolve({ Arn: 'arn:new' }),
      () => {
        describes += 1;
        return Promise.resolve(described);
      },
    );
    expect(outcome).toEqual({ type: 'created', answer: { Arn: 'arn:new' } });
    expect(describes).toBe(0);
  });

  it.each([
    ['ResourceInUse', new ResourceInUse({ message: 'Training job names must be unique', ...meta })],
    ['already existing', validation('Cannot create already existing endpoint "arn:x".')],
  ])('describes the resource when a create is answered %s', async (_, err) => {
    const outcome = await createOrFind(
      () => Promise.reject(err),
      () => Promise.resolve(described),
    );
    expect(outcome).toEqual({ type: 'nameTaken', existing: described });
  });

  it('reports a taken name that no describe sees yet', async () => {
    const outcome = await createOrFind(
      () => Promise.reject(validation('Cannot create already existing endpoint "arn:x".')),
      () => Promise.reject(notFound),
    );
    expect(outcome).toEqual({ type: 'nameTaken', existing: undefined });
  });

  it('rethrows any other error of the create', async () => {
    const invalid = validation('1 validation error detected');
    await expect(
      createOrFind(
        () => Promise.reject(invalid),
        () => Promise.resolve(described),
      ),
    ).rejects.toBe(invalid);
  });
});
