import { createHash } from 'node:crypto';

/**
 * The digest SageMaker resolves an image's tag to. The emulator has no registry: the digest is
 * derived from the image path, so one image always resolves to the same digest.
 */
export const imageDigest = (image: string): string =>
  `sha256:${createHash('sha256').update(image).digest('hex')}`;
