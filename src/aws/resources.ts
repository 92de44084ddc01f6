import { isNameTaken, isNotFound } from './errors.js';

/** The result of a describe, or undefined when SageMaker says the resource does not exist. */
export async function describeOrAbsent<T>(describe: Promise<T>): Promise<T | undefined> {
  try {
    return await describe;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * What a create call came to:
 * - `created`: SageMaker accepted it;
 * - `nameTaken`: the name is taken (ResourceInUse, "Cannot create already existing …"), and
 *   `existing` is what a describe then found. It is undefined when the describe does not see the
 *   resource yet (reads are eventually consistent; a resource we just deleted may still hold its
 *   name): it exists, but whose it is cannot be told yet.
 */
export type CreateOutcome<C, D> =
  | { readonly type: 'created'; readonly answer: C }
  | { readonly type: 'nameTaken'; readonly existing: D | undefined };

/**
 * Calls `create`; when it answers that the name is taken, describes the resource instead. Made
 * here, where the call is known to be a create, because ResourceInUse means "name taken" only as
 * the answer to a create (to a delete it means "busy").
 */
export async function createOrFind<C, D>(
  create: () => Promise<C>,
  describe: () => Promise<D>,
): Promise<CreateOutcome<C, D>> {
  try {
    return { type: 'created', answer: await create() };
  } catch (err) {
    if (!isNameTaken(err)) throw err;
    return { type: 'nameTaken', existing: await describeOrAbsent(describe()) };
  }
}
