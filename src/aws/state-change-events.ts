/**
 * The push channel's AWS side: SageMaker state-change events that an EventBridge rule delivers to
 * an SQS queue, parsed into "this resource changed" and consumed by long polling.
 *
 * Event shapes. Every event is the standard EventBridge envelope (`version`, `id`, `detail-type`,
 * `source: "aws.sagemaker"`, `account`, `time`, `region`, `resources`, `detail`) as sent by an
 * EventBridge rule to an SQS target: the message body is the event JSON itself. The detail-types
 * and their `detail` fields below are taken from AWS's documentation:
 *
 *  - the list of detail-types SageMaker sends directly to EventBridge: EventBridge Events Reference,
 *    "Amazon SageMaker AI events" (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-sagemaker.html);
 *  - example events: SageMaker Developer Guide, "Events that Amazon SageMaker AI sends to Amazon
 *    EventBridge" (https://docs.aws.amazon.com/sagemaker/latest/dg/automating-sagemaker-with-eventbridge.html).
 *
 * | detail-type                                  | name field in `detail`                          | documented example |
 * |----------------------------------------------|-------------------------------------------------|--------------------|
 * | SageMaker Training Job State Change          | TrainingJobName (status TrainingJobStatus)      | yes |
 * | SageMaker Endpoint State Change              | EndpointName (status EndpointStatus)            | yes |
 * | SageMaker Endpoint Deployment State Change   | EndpointName (status EndpointStatus)            | yes |
 * | SageMaker Processing Job State Change        | ProcessingJobName (status ProcessingJobStatus)  | yes |
 * | SageMaker Transform Job State Change         | TransformJobName (status TransformJobStatus)    | yes |
 * | SageMaker Model Package State Change         | ModelPackageGroupName + ModelPackageVersion, ModelPackageArn (status ModelPackageStatus) | yes |
 * | SageMaker Monitoring Schedule State Change   | not documented: see below                       | no  |
 *
 * What the examples show and this parser therefore tolerates:
 *  - `time` is usually ISO 8601 ("2018-10-06T12:26:13Z"), but the endpoint example has epoch
 *    milliseconds in a string ("1583831889050"); both are read, anything else leaves `time` unset.
 *  - The endpoint example's EndpointName ("MyEndpoint") differs in case from the name in its ARN
 *    (".../endpoint/myendpoint"): SageMaker lower-cases names in ARNs, so the name is read from
 *    `detail`, never from the ARN, where `detail` has it.
 *  - The model package example has no ModelPackageName: a versioned package is named by its group
 *    and version. `name` is ModelPackageName when present, else ModelPackageGroupName, with
 *    `version` set from ModelPackageVersion.
 *
 * Monitoring: "SageMaker Monitoring Schedule State Change" is in the EventBridge reference's list,
 * but AWS publishes no example or schema of its `detail`. This parser reads
 * detail.MonitoringScheduleName (the field name DescribeMonitoringSchedule uses, as every documented
 * SageMaker event's detail uses its Describe response's field names) and, failing that, the
 * schedule's name from a `monitoring-schedule/NAME` ARN in `resources` (lower-cased, see above).
 * This is an inference, not a documented shape. There is no monitoring *execution* event in the
 * reference's list; an execution runs as a processing job.
 *
 * Other SageMaker detail-types (HyperParameter Tuning Job, Model, Endpoint Config, Feature Group,
 * pipelines, ...) and anything that is not a SageMaker event give `undefined`.
 *
 * SNS: the documented set-up (docs/events.md) targets the queue from the rule directly, so bodies
 * wrapped in an SNS notification envelope are not accepted.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';

export type StateChangeResourceType =
  'TrainingJob' | 'Endpoint' | 'ProcessingJob' | 'TransformJob' | 'MonitoringSchedule' | 'ModelPackage';

export interface StateChange {
  readonly resourceType: StateChangeResourceType;
  /** The resource's SageMaker name (a model package: its name, or its group's for a versioned one). */
  readonly name: string;
  readonly region: string;
  readonly account: string;
  /** When EventBridge says the change happened; unset when the event's `time` is unreadable. */
  readonly time?: Date;
  /** The event's detail-type, e.g. "SageMaker Training Job State Change". */
  readonly detailType: string;
  /** The resource's status as the event reports it (e.g. TrainingJobStatus), when present. */
  readonly status?: string;
  /** The resource's ARN from `detail`, when present. */
  readonly arn?: string;
  /** A versioned model package's version. */
  readonly version?: number;
}

interface DetailTypeRule {
  readonly resourceType: StateChangeResourceType;
  readonly nameField: string;
  readonly statusField: string;
  readonly arnField: string;
  /** The resource type in the ARN (`arn:aws:sagemaker:REGION:ACCOUNT:TYPE/NAME`), used only when
   * `detail` lacks the name and the shape is not documented. */
  readonly arnTypeFallback?: string;
}

/** The detail-types this module reads, each with where its name and status are. */
export const STATE_CHANGE_DETAIL_TYPES: Readonly<Record<string, DetailTypeRule | undefined>> = {
  'SageMaker Training Job State Change': {
    resourceType: 'TrainingJob',
    nameField: 'TrainingJobName',
    statusField: 'TrainingJobStatus',
    arnField: 'TrainingJobArn',
  },
  'SageMaker Endpoint State Change': {
    resourceType: 'Endpoint',
    nameField: 'EndpointName',
    statusField: 'EndpointStatus',
    arnField: 'EndpointArn',
  },
  'SageMaker Endpoint Deployment State Change': {
    resourceType: 'Endpoint',
    nameField: 'EndpointName',
    statusField: 'EndpointStatus',
    arnField: 'EndpointArn',
  },
  'SageMaker Processing Job State Change': {
    resourceType: 'ProcessingJob',
    nameField: 'ProcessingJobName',
    statusField: 'ProcessingJobStatus',
    arnField: 'ProcessingJobArn',
  },
  'SageMaker Transform Job State Change': {
    resourceType: 'TransformJob',
    nameField: 'TransformJobName',
    statusField: 'TransformJobStatus',
    arnField: 'TransformJobArn',
  },
  'SageMaker Model Package State Change': {
    resourceType: 'ModelPackage',
    nameField: 'ModelPackageName',
    statusField: 'ModelPackageStatus',
    arnField: 'ModelPackageArn',
  },
  // Undocumented detail: see the module comment.
  'SageMaker Monitoring Schedule State Change': {
    resourceType: 'MonitoringSchedule',
    nameField: 'MonitoringScheduleName',
    statusField: 'MonitoringScheduleStatus',
    arnField: 'MonitoringScheduleArn',
    arnTypeFallback: 'monitoring-schedule',
  },
};

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const nonEmptyString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/** ISO 8601, or epoch milliseconds as a number or a string of digits (both appear in AWS's examples). */
function parseTime(value: unknown): Date | undefined {
  let date: Date | undefined;
  if (typeof value === 'number') date = new Date(value);
  else if (typeof value === 'string' && /^\d+$/.test(value)) date = new Date(Number(value));
  else if (typeof value === 'string' && value.length > 0) date = new Date(value);
  return date !== undefined && !Number.isNaN(date.getTime()) ? date : undefined;
}

function nameFromArns(resources: unknown, arnType: string): string | undefined {
  if (!Array.isArray(resources)) return undefined;
  for (const arn of resources) {
    if (typeof arn !== 'string') continue;
    const match = /^arn:[^:]+:sagemaker:[^:]*:[^:]*:([^/]+)\/(.+)$/.exec(arn);
    if (match?.[1] === arnType) return match[2];
  }
  return undefined;
}

/** The detail-type of a body, for logging; undefined when it is not a JSON object with one. */
export function detailTypeOf(body: string): string | undefined {
  try {
    const event: unknown = JSON.parse(body);
    return isObject(event) ? nonEmptyString(event['detail-type']) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads one EventBridge event (an SQS message body) as a SageMaker state change. Anything else —
 * not JSON, not from aws.sagemaker, a detail-type this module does not read, no name, region or
 * account — gives undefined. Never throws.
 */
export function parseStateChange(body: string): StateChange | undefined {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObject(event) || event.source !== 'aws.sagemaker') return undefined;
  const detailType = nonEmptyString(event['detail-type']);
  const rule =
    detailType !== undefined && Object.hasOwn(STATE_CHANGE_DETAIL_TYPES, detailType)
      ? STATE_CHANGE_DETAIL_TYPES[detailType]
      : undefined;
  if (detailType === undefined || rule === undefined) return undefined;
  const region = nonEmptyString(event.region);
  const account = nonEmptyString(event.account);
  const detail = event.detail;
  if (region === undefined || account === undefined || !isObject(detail)) return undefined;

  let name = nonEmptyString(detail[rule.nameField]);
  let version: number | undefined;
  if (rule.resourceType === 'ModelPackage' && name === undefined) {
    name = nonEmptyString(detail.ModelPackageGroupName);
    const v = detail.ModelPackageVersion;
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) version = v;
  }
  if (name === undefined && rule.arnTypeFallback !== undefined) {
    name = nameFromArns(event.resources, rule.arnTypeFallback);
  }
  if (name === undefined) return undefined;

  const time = parseTime(event.time);
  const status = nonEmptyString(detail[rule.statusField]);
  const arn = nonEmptyString(detail[rule.arnField]);
  return {
    resourceType: rule.resourceType,
    name,
    region,
    account,
    detailType,
    ...(time !== undefined && { time }),
    ...(status !== undefined && { status }),
    ...(arn !== undefined && { arn }),
    ...(version !== undefined && { version }),
  };
}

export interface StateChangeQueueTimings {
  /** ReceiveMessage's WaitTimeSeconds (long polling; SQS allows at most 20). */
  readonly waitTimeSeconds: number;
  /** First delay after a failed call; doubles per consecutive failure (with jitter) up to the max. */
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
}

const DEFAULT_TIMINGS: StateChangeQueueTimings = {
  waitTimeSeconds: 20,
  minBackoffMs: 1_000,
  maxBackoffMs: 60_000,
};

/** Handles one change; a throw (or rejection) leaves the message in the queue to be delivered again. */
export type StateChangeHandler = (change: StateChange) => void | Promise<void>;

/** Read through a call, so the compiler does not narrow it across awaits. */
const aborted = (signal: AbortSignal): boolean => signal.aborted;

/** Distinct unreadable detail-types remembered for "warn once"; past this, they are logged at debug. */
const MAX_REMEMBERED_DETAIL_TYPES = 100;

/**
 * Long-polls one SQS queue of SageMaker state-change events: each readable event is handed to the
 * handler and then deleted; unreadable messages are deleted too, so they do not come back. Errors
 * are logged and retried with exponential backoff; nothing loops hot, even against a server that
 * answers a long poll at once. Every call carries the run's abort signal.
 */
export class StateChangeQueue {
  private readonly timings: StateChangeQueueTimings;
  private lastSuccessAt: number | undefined;
  private lastReceiveFailed = false;
  private running = false;
  private readonly warnedDetailTypes = new Set<string>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly log: Logger,
    timings: Partial<StateChangeQueueTimings> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.timings = { ...DEFAULT_TIMINGS, ...timings };
  }

  /**
   * True while the channel can be trusted: it is running, the last ReceiveMessage succeeded, and
   * did so within two wait periods.
   */
  healthy(): boolean {
    if (!this.running || this.lastReceiveFailed || this.lastSuccessAt === undefined) return false;
    return this.now() - this.lastSuccessAt <= 2 * this.timings.waitTimeSeconds * 1000;
  }

  /** Polls until `signal` aborts; resolves then (it never rejects). Call once per instance at a time. */
  async run(onChange: StateChangeHandler, signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error('StateChangeQueue is already running');
    this.running = true;
    let failures = 0;
    // The first receive is a short poll, so health is known at once instead of after a long poll.
    let waitTimeSeconds = 0;
    try {
      while (!signal.aborted) {
        const started = this.now();
        let messages: Message[];
        try {
          const out = await this.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: this.queueUrl,
              WaitTimeSeconds: waitTimeSeconds,
              MaxNumberOfMessages: 10,
            }),
            { abortSignal: signal },
          );
          messages = out.Messages ?? [];
          this.lastSuccessAt = this.now();
          this.lastReceiveFailed = false;
          failures = 0;
        } catch (error) {
          if (aborted(signal)) break;
          this.lastReceiveFailed = true;
          failures++;
          const delayMs = this.backoffMs(failures);
          this.log.warn(
            { err: error, queueUrl: this.queueUrl, failures, retryInMs: delayMs },
            'events queue: ReceiveMessage failed',
          );
          await this.pause(delayMs, signal);
          continue;
        }
        const polled = waitTimeSeconds > 0;
        waitTimeSeconds = this.timings.waitTimeSeconds;
        if (messages.length > 0) {
          await this.handle(messages, onChange, signal);
        } else if (polled) {
          // A long poll that came back empty early (a server that ignores WaitTimeSeconds) must not
          // turn into a hot loop.
          const elapsed = this.now() - started;
          if (elapsed < this.timings.minBackoffMs)
            await this.pause(this.timings.minBackoffMs - elapsed, signal);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async handle(
    messages: Message[],
    onChange: StateChangeHandler,
    signal: AbortSignal,
  ): Promise<void> {
    const done: { Id: string; ReceiptHandle: string }[] = [];
    for (const [i, message] of messages.entries()) {
      const body = message.Body ?? '';
      const change = parseStateChange(body);
      if (change === undefined) {
        this.reportUnreadable(body, message.MessageId);
      } else {
        try {
          await onChange(change);
        } catch (error) {
          // Not deleted: SQS delivers it again after the visibility timeout.
          this.log.error(
            {
              err: error,
              messageId: message.MessageId,
              resourceType: change.resourceType,
              name: change.name,
            },
            'events queue: handling a state change failed; it will be delivered again',
          );
          continue;
        }
      }
      if (message.ReceiptHandle !== undefined)
        done.push({ Id: String(i), ReceiptHandle: message.ReceiptHandle });
    }
    if (done.length === 0 || signal.aborted) return;
    try {
      const out = await this.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: done }),
        { abortSignal: signal },
      );
      for (const failed of out.Failed ?? []) {
        // Delivered again later and handled again; a reconcile is idempotent.
        this.log.warn(
          { queueUrl: this.queueUrl, code: failed.Code, message: failed.Message },
          'events queue: deleting a message failed',
        );
      }
    } catch (error) {
      if (!aborted(signal))
        this.log.warn({ err: error, queueUrl: this.queueUrl }, 'events queue: DeleteMessageBatch failed');
    }
  }

  private reportUnreadable(body: string, messageId: string | undefined): void {
    const detailType = detailTypeOf(body) ?? '(no detail-type)';
    const first =
      !this.warnedDetailTypes.has(detailType) && this.warnedDetailTypes.size < MAX_REMEMBERED_DETAIL_TYPES;
    if (first) this.warnedDetailTypes.add(detailType);
    const fields = { queueUrl: this.queueUrl, detailType, messageId };
    const text = 'events queue: deleting a message that is not a SageMaker state change this operator reads';
    if (first) this.log.warn(fields, text);
    else this.log.debug(fields, text);
  }

  /** Full jitter over an exponentially growing ceiling, never below the minimum. */
  private backoffMs(failures: number): number {
    const { minBackoffMs, maxBackoffMs } = this.timings;
    const ceiling = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(failures - 1, 30));
    return minBackoffMs + Math.random() * (ceiling - minBackoffMs);
  }

  private async pause(ms: number, signal: AbortSignal): Promise<void> {
    try {
      await sleep(ms, undefined, { signal });
    } catch {
      // Aborted: the loop sees signal.aborted and ends.
    }
  }
}
