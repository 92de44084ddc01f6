import type { ObjectInfo } from '../../aws/s3-artifacts.js';

/**
 * What the controller remembers of one set between reconciles, so that a set at rest costs one
 * listing per drift interval and nothing else. None of it is needed for correctness: after a
 * restart (or on a new leader) the prefix is listed and sources read again, and the keys derived
 * from them are the same, so nothing is copied twice; a retirement's grace period starts again,
 * which only ever makes it longer.
 */
export interface SetMemory {
  readonly prefix: string;
  /** Keys relative to the prefix → ETag, as last listed and since changed by this controller. */
  present: Map<string, string> | undefined;
  /** performance.now() of the last listing. */
  listedAt: number;
  /** Source URI → its ETag and size when last read. */
  readonly sources: Map<string, ObjectInfo>;
  /** Source URI → the revision of the job that wrote it, when it was read (s3UriFrom models). */
  readonly sourceRevisions: Map<string, string>;
  /** Keys found not to be ours: never touched, and not asked about again. */
  readonly foreign: Set<string>;
  /** Stale keys of ours → when they were first found stale (performance.now()). */
  readonly retiredSince: Map<string, number>;
  /** Model → why it failed at the last reconcile (an event is sent when a model starts failing, or fails anew). */
  failing: Map<string, string>;
  /** Model → TargetModel in place at the last reconcile: a copy for one of them is an update. */
  served: ReadonlyMap<string, string>;
  /** The tags every artifact in place carries (sorted `key=value` lines), once known. */
  taggedWith: string | undefined;
}

/** The memories of every set, by uid. */
export class SetMemories {
  private readonly byUid = new Map<string, SetMemory>();

  /** The set's memory for this prefix; a new prefix starts afresh. */
  of(uid: string, prefix: string): SetMemory {
    const known = this.byUid.get(uid);
    if (known?.prefix === prefix) return known;
    const fresh: SetMemory = {
      prefix,
      present: undefined,
      listedAt: 0,
      sources: new Map(),
      sourceRevisions: new Map(),
      foreign: new Set(),
      retiredSince: new Map(),
      failing: new Map(),
      served: new Map(),
      taggedWith: undefined,
    };
    this.byUid.set(uid, fresh);
    return fresh;
  }

  forget(uid: string): void {
    this.byUid.delete(uid);
  }

  /** Forgets sets no longer there (deleted under Retain, which runs no finalizer). */
  forgetAllBut(uids: ReadonlySet<string>): void {
    for (const uid of this.byUid.keys()) if (!uids.has(uid)) this.byUid.delete(uid);
  }
}
