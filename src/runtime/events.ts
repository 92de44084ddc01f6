import { randomBytes } from 'node:crypto';
import { EventsV1Api, PatchStrategy, setHeaderOptions, V1MicroTime } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { isNotFoundError } from './api-errors.js';
import type { KubeObject } from './kinds.js';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const MAX_TRACKED = 4096;
/** A repeat after this long starts a new Event (the apiserver expires events after 1 h by default). */
const SERIES_WINDOW_MS = 30 * 60_000;
const MAX_NOTE = 1024;

/** Event names are DNS subdomains: at most 253 characters, alphanumeric at both ends of each label. */
const MAX_EVENT_NAME = 253;

/**
 * `<object name>.<time><random>`, like client-go's recorder, with the object name cut short when
 * the whole would pass 253 characters (object names may be 253 long themselves) and no `.` or `-`
 * left before the separator. The time and random parts keep it unique.
 */
export function eventName(objectName: string, now: number, random: string): string {
  const suffix = `.${now.toString(16)}${random}`;
  const head = objectName.slice(0, MAX_EVENT_NAME - suffix.length).replace(/[.-]+$/, '');
  return `${head || 'object'}${suffix}`;
}

export type EventType = 'Normal' | 'Warning';

/** What reconcile functions use to emit events about their object. */
export interface EventSink {
  normal(reason: string, note: string, action?: string): void;
  warning(reason: string, note: string, action?: string): void;
}

export interface EventRecorderOptions {
  readonly kc: KubeConfig;
  readonly reportingController: string;
  readonly reportingInstance: string;
  readonly log: Logger;
  readonly onWrite?: (kind: string) => void;
}

interface Seen {
  namespace: string;
  name: string;
  count: number;
  lastAt: number;
}

/**
 * events.k8s.io/v1 recorder. A repeat of the same event (same object, type, reason, action and note)
 * updates the existing Event's series instead of creating another object. Recording is best effort:
 * it never throws into a reconcile, and calls are serialised per event so series counts stay exact.
 */
export class EventRecorder {
  private readonly api: EventsV1Api;
  private readonly seen = new Map<string, Seen>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly options: EventRecorderOptions) {
    this.api = options.kc.makeApiClient(EventsV1Api);
  }

  /** An EventSink bound to one object. */
  sink(regarding: KubeObject): EventSink {
    return {
      normal: (reason, note, action) => {
        this.record(regarding, 'Normal', reason, note, action);
      },
      warning: (reason, note, action) => {
        this.record(regarding, 'Warning', reason, note, action);
      },
    };
  }

  record(regarding: KubeObject, type: EventType, reason: string, note: string, action = 'Reconcile'): void {
    const trimmed = note.length > MAX_NOTE ? `${note.slice(0, MAX_NOTE - 3)}...` : note;
    const key = [regarding.metadata?.uid, type, reason, action, trimmed].join('\u0000');
    const previous = this.pending.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => this.write(key, regarding, type, reason, trimmed, action))
      .catch((err: unknown) => {
        this.options.log.warn({ err, reason }, 'could not record event');
      })
      .finally(() => {
        if (this.pending.get(key) === next) this.pending.delete(key);
      });
    this.pending.set(key, next);
  }

  /** Resolves when every event recorded so far has been written (or has failed). */
  async flush(): Promise<void> {
    await Promise.all(this.pending.values());
  }

  private async write(
    key: string,
    regarding: KubeObject,
    type: EventType,
    reason: string,
    note: string,
    action: string,
  ): Promise<void> {
    const now = Date.now();
    const seen = this.seen.get(key);
    if (seen && now - seen.lastAt < SERIES_WINDOW_MS) {
      seen.count++;
      seen.lastAt = now;
      this.touch(key, seen);
      try {
        await this.api.patchNamespacedEvent(
          {
            name: seen.name,
            namespace: seen.namespace,
            body: { series: { count: seen.count, lastObservedTime: new V1MicroTime(now) } },
          },
          MERGE_PATCH,
        );
        this.options.onWrite?.(regarding.kind ?? '');
        return;
      } catch (err) {
        if (!isNotFoundError(err)) throw err;
      }
    }
    const namespace = regarding.metadata?.namespace ?? 'default';
    const name = eventName(regarding.metadata?.name ?? 'object', now, randomBytes(2).toString('hex'));
    await this.api.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name, namespace },
        eventTime: new V1MicroTime(now),
        reportingController: this.options.reportingController,
        reportingInstance: this.options.reportingInstance,
        action,
        reason,
        type,
        note,
        regarding: {
          apiVersion: regarding.apiVersion,
          kind: regarding.kind,
          name: regarding.metadata?.name,
          namespace,
          uid: regarding.metadata?.uid,
          resourceVersion: regarding.metadata?.resourceVersion,
        },
      },
    });
    this.options.onWrite?.(regarding.kind ?? '');
    this.touch(key, { namespace, name, count: 1, lastAt: now });
  }

  private touch(key: string, seen: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, seen);
    if (this.seen.size > MAX_TRACKED) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}
