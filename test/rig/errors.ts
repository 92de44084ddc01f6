/** A rig failure with one message that names what is missing and how to provide it. */
export class RigError extends Error {
  override name = 'RigError';
}
