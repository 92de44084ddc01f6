import { isNotFound } from '../../aws/errors.js';

/** The result of a describe, or undefined when SageMaker says the resource does not exist. */
export async function orAbsent<T>(describe: Promise<T>): Promise<T | undefined> {
  try {
    return await describe;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
