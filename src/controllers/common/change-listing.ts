import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { ManagedObject } from '../../crds/kind.js';
import type { ManagedKind } from './managed-resource.js';

/*
 * How a kind lists what SageMaker changed: its List call, filtered by LastModifiedTime, read as
 * names and times for the sweeps (kind-sweeps.ts).
 */

/** A resource as a List call reports it: enough to tell whether it changed since the last sweep. */
export interface ListedResource<S = unknown> {
  name: string;
  lastModifiedTime: Date | undefined;
  /** The List call's summary of it, which may tell the change without a describe. */
  summary: S;
  /** What is remembered between sweeps when a name lists several resources (a schedule's executions). */
  key?: string;
}

export interface ListedPage<S = unknown> {
  resources: ListedResource<S>[];
  nextToken: string | undefined;
}

/** How a kind finds its resources modified after a time: one page of its List call, 100 at most. */
export interface ChangeListing<S = unknown> extends Omit<ManagedKind, 'arnField'> {
  listModifiedAfter(
    sagemaker: SageMakerClient,
    after: Date,
    nextToken: string | undefined,
    cancel: { abortSignal: AbortSignal },
  ): Promise<ListedPage<S>>;
  /** What the sweeps list, in logs; default: the kind's resources. */
  readonly label?: string;
  /**
   * For resources that change without the operator's doing (a schedule's executions): whether the
   * object expects a change now, which makes its identity's and region's sweeps run every
   * `activeIntervalMs` (at least the sweep interval) instead of the transition rule's.
   */
  expectsChange?(obj: ManagedObject, now: number): boolean;
  readonly activeIntervalMs?: number;
}

/** The filter and paging of a sweep's List call: modified after `after`, 100 a page. */
export function modifiedAfter(after: Date, nextToken: string | undefined) {
  return { LastModifiedTimeAfter: after, NextToken: nextToken, MaxResults: 100 };
}

/** A List answer's summaries as a sweep reads them: names and LastModifiedTimes. */
export function listedPage<S extends { LastModifiedTime?: Date | undefined }>(
  summaries: S[] | undefined,
  nameOf: (summary: S) => string | undefined,
  nextToken: string | undefined,
): ListedPage<S> {
  return {
    resources: (summaries ?? []).map((s) => ({
      name: nameOf(s) ?? '',
      lastModifiedTime: s.LastModifiedTime,
      summary: s,
    })),
    nextToken,
  };
}
