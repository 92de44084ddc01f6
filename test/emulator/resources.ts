import type { ApiError } from './errors.js';
import type { Live } from './lifecycle.js';

/** What every emulated resource has: identity, tags, times and its planned transitions. */
export interface Resource extends Live {
  name: string;
  arn: string;
  tags: Map<string, string>;
  creationTime: number;
  lastModifiedTime: number;
  /** Epoch seconds before which Describe* answers not found (eventually consistent reads). */
  visibleAt?: number;
}

export interface AccountScope {
  partition: string;
  region: string;
  account: string;
}

/**
 * SageMaker lower-cases the name part of ARNs (reference §6.6), so clients must not derive names
 * from them; the emulator does the same to surface code that does.
 */
export const arnOf = (scope: AccountScope, type: string, name: string): string =>
  `arn:${scope.partition}:sagemaker:${scope.region}:${scope.account}:${type}/${name.toLowerCase()}`;

/** One kind of resource, keyed case-insensitively (names are unique regardless of case). */
export class Registry<R extends Resource> {
  private readonly byName = new Map<string, R>();

  constructor(
    readonly arnType: string,
    private readonly scope: AccountScope,
    private readonly notFound: (name: string, arn: string) => ApiError,
  ) {}

  arn(name: string): string {
    return arnOf(this.scope, this.arnType, name);
  }

  get(name: string): R | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** The kind's own "not found" error for a name. */
  missing(name: string): ApiError {
    return this.notFound(name, this.arn(name));
  }

  /** The resource, or the kind's own "not found" error. */
  require(name: string): R {
    const found = this.get(name);
    if (!found) throw this.missing(name);
    return found;
  }

  add(resource: R): void {
    this.byName.set(resource.name.toLowerCase(), resource);
  }

  delete(resource: R): void {
    if (this.byName.get(resource.name.toLowerCase()) === resource)
      this.byName.delete(resource.name.toLowerCase());
  }

  values(): IterableIterator<R> {
    return this.byName.values();
  }

  get size(): number {
    return this.byName.size;
  }

  clear(): void {
    this.byName.clear();
  }
}

export const newResource = (name: string, arn: string, now: number): Resource => ({
  name,
  arn,
  tags: new Map(),
  creationTime: now,
  lastModifiedTime: now,
  pending: [],
});
