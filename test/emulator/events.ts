/**
 * SageMaker's state-change events, as an EventBridge rule delivers them to an SQS queue: on every
 * status change of a training job (and every change of its secondary status), an endpoint, a
 * processing job, a transform job and a hyperparameter tuning job, one SQS message whose body is the EventBridge event JSON.
 *
 * The shapes follow AWS's documentation (EventBridge Events Reference, "Amazon SageMaker AI events";
 * SageMaker Developer Guide, "Events that Amazon SageMaker AI sends to Amazon EventBridge"), the same
 * sources src/aws/state-change-events.ts cites:
 *  - the envelope `version: "0"`, `id`, `detail-type`, `source: "aws.sagemaker"`, `account`,
 *    `time` (ISO 8601 to the second, EventBridge's envelope format), `region`, `resources: [ARN]`;
 *  - `detail` is the resource's Describe* answer at the change, with its tags as a map (`Tags`, in
 *    the training, endpoint and transform examples; the processing example has none);
 *  - timestamps in `detail` are written as each kind's documented example writes them: epoch
 *    milliseconds in a string (training: `"CreationTime": "1583831889050"`), epoch milliseconds as
 *    a number (endpoint, processing: `1592411992203`), ISO 8601 (transform:
 *    `"2018-10-06T12:26:13Z"`);
 *  - an endpoint's `EndpointStatus` is upper snake case (`IN_SERVICE`, `UPDATING`), as in both
 *    documented endpoint examples (DescribeEndpoint says `InService`).
 *
 * Not emitted: "SageMaker Endpoint Deployment State Change" (deployment guardrails' progress; the
 * emulator has no baking or canary steps to report), model packages (not emulated), monitoring
 * schedules (no documented shape), and anything after a resource is gone.
 *
 * Delivery: asynchronous, after the change, in the order of the changes (one batch in flight at a
 * time), after `delayMs` when set. A failed send is counted and the first failure of a run of
 * failures is reported; it never affects the API. Like EventBridge to a standard queue, the
 * emulator does not retry a failed delivery.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { ApiModel, Shape } from './api-model.js';
import type { AccountScope, Resource } from './resources.js';

export interface EventsSettings {
  /** The queue an EventBridge rule for `source: aws.sagemaker` targets. */
  queueUrl: string;
  /** SQS's endpoint (moto's server in the rig, the same one as S3). */
  sqsEndpoint: string;
  /** Real milliseconds between a change and the send of its event (EventBridge's delay); default 0. */
  delayMs?: number;
}

/** The kinds whose state changes are published. */
export type EventKind =
  'TrainingJob' | 'Endpoint' | 'ProcessingJob' | 'TransformJob' | 'ModelPackage' | 'HyperParameterTuningJob';

/** One event as the emulator published it. */
export interface PublishedEvent {
  detailType: string;
  name: string;
  status: string;
  /** SageMaker's clock at the change, epoch ms. */
  changedAt: number;
  /** When the send was answered (or failed), epoch ms; absent while pending. */
  sentAt?: number;
  outcome: 'pending' | 'sent' | 'failed';
}

export interface EventStats {
  /** Events queued for sending since start or the last reset. */
  published: number;
  sent: number;
  failed: number;
  pending: number;
  lastError?: string;
  /** The latest events (at most 1,000), oldest first. */
  recent: PublishedEvent[];
}

type TimeFormat = 'epochMillisString' | 'epochMillis' | 'iso';

interface KindEvents {
  detailType: string;
  describe: string;
  statusField: string;
  times: TimeFormat;
  tags: boolean;
  status?: (status: string) => string;
}

const upperSnake = (status: string): string => status.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

const KINDS: Record<EventKind, KindEvents> = {
  TrainingJob: {
    detailType: 'SageMaker Training Job State Change',
    describe: 'DescribeTrainingJob',
    statusField: 'TrainingJobStatus',
    times: 'epochMillisString',
    tags: true,
  },
  Endpoint: {
    detailType: 'SageMaker Endpoint State Change',
    describe: 'DescribeEndpoint',
    statusField: 'EndpointStatus',
    times: 'epochMillis',
    tags: true,
    status: upperSnake,
  },
  ProcessingJob: {
    detailType: 'SageMaker Processing Job State Change',
    describe: 'DescribeProcessingJob',
    statusField: 'ProcessingJobStatus',
    times: 'epochMillis',
    tags: false,
  },
  TransformJob: {
    detailType: 'SageMaker Transform Job State Change',
    describe: 'DescribeTransformJob',
    statusField: 'TransformJobStatus',
    times: 'iso',
    tags: true,
  },
  // No documented example writes its timestamps: epoch milliseconds, as the other job kinds (unverified).
  HyperParameterTuningJob: {
    detailType: 'SageMaker HyperParameter Tuning Job State Change',
    describe: 'DescribeHyperParameterTuningJob',
    statusField: 'HyperParameterTuningJobStatus',
    times: 'epochMillis',
    tags: true,
  },
  // Also on every approval change: what CI/CD rules on ModelApprovalStatus match.
  ModelPackage: {
    detailType: 'SageMaker Model Package State Change',
    describe: 'DescribeModelPackage',
    statusField: 'ModelPackageStatus',
    times: 'epochMillis',
    tags: false,
  },
};

const MAX_RECENT = 1_000;
/** SendMessageBatch takes at most 10 entries. */
const BATCH = 10;

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Pending {
  settings: EventsSettings;
  body: string;
  dueAt: number;
  record: PublishedEvent;
}

/** Publishes state-change events to the queue in `settings().events`, when set. */
export class StateChangeEvents {
  private readonly queue: Pending[] = [];
  private readonly clients = new Map<string, SQSClient>();
  private stats: Omit<EventStats, 'recent' | 'pending'> = { published: 0, sent: 0, failed: 0 };
  private recent: PublishedEvent[] = [];
  private draining = false;
  private failing = false;
  private abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly outputShapes = new Map<EventKind, string>();

  constructor(
    private readonly model: ApiModel,
    private readonly scope: AccountScope,
    private readonly settings: () => EventsSettings | undefined,
    /** SageMaker's clock, epoch seconds. */
    private readonly now: () => number,
    private readonly report: (error: unknown) => void,
  ) {
    for (const [kind, { describe }] of Object.entries(KINDS) as [EventKind, KindEvents][]) {
      const shape = model.operations[describe]?.output?.shape;
      if (shape) this.outputShapes.set(kind, shape);
    }
  }

  /**
   * A resource's status changed: its event (with `describe()` as it is now) is queued for sending.
   * Does nothing when no queue is set.
   */
  changed(kind: EventKind, resource: Resource, describe: () => unknown): void {
    const settings = this.settings();
    if (!settings) return;
    const rule = KINDS[kind];
    const described = describe() as Record<string, unknown>;
    const detail = this.convertTimes(described, this.outputShapes.get(kind), rule.times) as Record<
      string,
      unknown
    >;
    const raw = described[rule.statusField];
    const status = typeof raw === 'string' ? raw : '';
    const reported = rule.status ? rule.status(status) : status;
    detail[rule.statusField] = reported;
    if (rule.tags) detail.Tags = Object.fromEntries(resource.tags);
    const changedAt = Math.round(this.now() * 1000);
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': rule.detailType,
      source: 'aws.sagemaker',
      account: this.scope.account,
      time: isoSeconds(changedAt),
      region: this.scope.region,
      resources: [resource.arn],
      detail,
    };
    const record: PublishedEvent = {
      detailType: rule.detailType,
      name: resource.name,
      status: reported,
      changedAt,
      outcome: 'pending',
    };
    this.recent.push(record);
    if (this.recent.length > MAX_RECENT) this.recent.splice(0, this.recent.length - MAX_RECENT);
    this.stats.published++;
    this.queue.push({
      settings: { ...settings },
      body: JSON.stringify(event),
      dueAt: Date.now() + (settings.delayMs ?? 0),
      record,
    });
    this.drainSoon();
  }

  eventStats(): EventStats {
    return { ...this.stats, pending: this.queue.length, recent: this.recent.map((r) => ({ ...r })) };
  }

  /** Drops what is not sent yet and forgets the counts (the emulator's reset). */
  reset(): void {
    this.abort.abort();
    this.abort = new AbortController();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.stats = { published: 0, sent: 0, failed: 0 };
    this.recent = [];
    this.failing = false;
  }

  stop(): void {
    this.reset();
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  /** Describe* answers carry epoch seconds; events carry each kind's documented format. */
  private convertTimes(value: unknown, shapeName: string | undefined, format: TimeFormat): unknown {
    if (value === undefined || value === null || shapeName === undefined) return value;
    const shape: Shape | undefined = this.model.shapes[shapeName];
    if (!shape) return value;
    switch (shape.type) {
      case 'timestamp': {
        if (typeof value !== 'number') return value;
        const ms = Math.round(value * 1000);
        if (format === 'iso') return isoSeconds(ms);
        return format === 'epochMillisString' ? String(ms) : ms;
      }
      case 'structure':
        if (typeof value !== 'object' || Array.isArray(value)) return value;
        return Object.fromEntries(
          Object.entries(value as Record<string, unknown>).map(([key, v]) => [
            key,
            this.convertTimes(v, shape.members?.[key]?.shape, format),
          ]),
        );
      case 'list':
        return Array.isArray(value)
          ? value.map((v) => this.convertTimes(v, shape.member?.shape, format))
          : value;
      case 'map':
        if (typeof value !== 'object' || Array.isArray(value)) return value;
        return Object.fromEntries(
          Object.entries(value as Record<string, unknown>).map(([key, v]) => [
            key,
            this.convertTimes(v, shape.value?.shape, format),
          ]),
        );
      default:
        return value;
    }
  }

  private drainSoon(): void {
    if (this.draining || this.timer || this.queue.length === 0) return;
    const delay = Math.max(0, this.queue[0]!.dueAt - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, delay);
    this.timer.unref();
  }

  /** Sends due events in order, one batch at a time; never rejects. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const signal = this.abort.signal;
    try {
      while (this.queue.length > 0 && !signal.aborted && this.queue[0]!.dueAt <= Date.now()) {
        const first = this.queue[0]!;
        const batch: Pending[] = [];
        while (
          batch.length < BATCH &&
          this.queue.length > 0 &&
          this.queue[0]!.dueAt <= Date.now() &&
          this.queue[0]!.settings.queueUrl === first.settings.queueUrl &&
          this.queue[0]!.settings.sqsEndpoint === first.settings.sqsEndpoint
        ) {
          batch.push(this.queue.shift()!);
        }
        await this.send(first.settings, batch, signal);
      }
    } finally {
      this.draining = false;
    }
    if (!signal.aborted) this.drainSoon();
  }

  private async send(settings: EventsSettings, batch: Pending[], signal: AbortSignal): Promise<void> {
    let failed: Map<string, string>;
    try {
      const out = await this.client(settings.sqsEndpoint).send(
        new SendMessageBatchCommand({
          QueueUrl: settings.queueUrl,
          Entries: batch.map((p, i) => ({ Id: String(i), MessageBody: p.body })),
        }),
        { abortSignal: signal },
      );
      failed = new Map((out.Failed ?? []).map((f) => [f.Id ?? '', `${f.Code ?? ''}: ${f.Message ?? ''}`]));
    } catch (error) {
      if (signal.aborted) return;
      const message = (error as Error).message;
      failed = new Map(batch.map((_, i) => [String(i), message]));
    }
    const sentAt = Date.now();
    for (const [i, pending] of batch.entries()) {
      const error = failed.get(String(i));
      pending.record.sentAt = sentAt;
      pending.record.outcome = error === undefined ? 'sent' : 'failed';
      if (error === undefined) this.stats.sent++;
      else {
        this.stats.failed++;
        this.stats.lastError = error;
      }
    }
    if (failed.size > 0 && !this.failing) {
      this.report(
        new Error(
          `[emulator events] sending to ${settings.queueUrl} failed (${this.stats.lastError ?? ''}); further failures are counted in control.events(), not logged, until a send succeeds`,
        ),
      );
    }
    this.failing = failed.size > 0;
  }

  private client(endpoint: string): SQSClient {
    let client = this.clients.get(endpoint);
    if (!client) {
      client = new SQSClient({
        endpoint,
        region: this.scope.region,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
      this.clients.set(endpoint, client);
    }
    return client;
  }
}
