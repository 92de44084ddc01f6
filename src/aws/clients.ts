import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Registry } from 'prom-client';
import { classifyAwsError, unreadableAnswer } from './errors.js';
import {
  AssumedRoles,
  accountOfRole,
  scopeKey,
  type AssumedRoleSettings,
  type AwsScope,
} from './identity.js';
import { AwsMetrics, SERVICE_LABELS } from './metrics.js';
import { AimdRateLimiter, type CallPriority } from './rate-limiter.js';

export interface AwsClientOptions {
  /** Used when an object does not name its own region (the --region flag). */
  readonly defaultRegion: string;
  /** --sagemaker-endpoint: the emulator or a VPC endpoint. */
  readonly sagemakerEndpoint?: string;
  /** --s3-endpoint; S3 then uses path-style addressing, which S3-compatible servers expect. */
  readonly s3Endpoint?: string;
  /** --sqs-endpoint, for the events queue (a VPC endpoint; moto's server in tests). */
  readonly sqsEndpoint?: string;
  /** --sts-endpoint, for assuming namespaces' roles (a VPC endpoint; moto's server in tests). */
  readonly stsEndpoint?: string;
  /** Lifetime and refresh of assumed roles' credentials. */
  readonly assumedRoles?: Partial<AssumedRoleSettings>;
  /** --max-api-rate: SageMaker requests per second and region. */
  readonly maxApiRate: number;
  readonly registry: Registry;
  /**
   * Asked right before every request goes out (after the rate limiter's wait): false refuses it.
   * The operator answers with its lease, so a replica that is not a valid leader calls nothing.
   */
  readonly mayCall?: () => boolean;
  /**
   * Asked as a SageMaker call starts waiting for the rate limiter: urgent calls (for a change a user
   * waits to see) are served before normal ones. The operator answers with the work queue's lane.
   */
  readonly callPriority?: () => CallPriority | undefined;
  /** Connection and request timeouts; nothing waits forever on a silent endpoint. */
  readonly timeouts?: Partial<AwsTimeouts>;
}

export interface AwsTimeouts {
  readonly connectMs: number;
  /** SageMaker answers in seconds; a request still unanswered after this is abandoned and retried. */
  readonly sagemakerRequestMs: number;
  /** S3 server-side copies of large artifacts take longer. */
  readonly s3RequestMs: number;
}

const DEFAULT_TIMEOUTS: AwsTimeouts = { connectMs: 5_000, sagemakerRequestMs: 30_000, s3RequestMs: 300_000 };

/** A request refused because this replica may not act now (it does not hold a valid lease). */
export class CallRefused extends Error {
  override readonly name = 'CallRefused';
}

type HandleArgs = Parameters<NodeHttpHandler['handle']>;

/**
 * The HTTP handler every client sends through: it waits for the region's rate limiter in the line of
 * the call's priority (giving up when the call's abort signal fires), then asks whether the replica
 * may still act, at the last moment before the request leaves, once per attempt.
 */
class GuardedHttpHandler extends NodeHttpHandler {
  constructor(
    requestTimeoutMs: number,
    connectMs: number,
    private readonly limiter: AimdRateLimiter | undefined,
    private readonly mayCall: () => boolean,
    private readonly priority: () => CallPriority | undefined,
  ) {
    super({ connectionTimeout: connectMs, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true });
  }

  override async handle(...[request, options]: HandleArgs): ReturnType<NodeHttpHandler['handle']> {
    await this.limiter?.acquire(options?.abortSignal as AbortSignal | undefined, this.priority());
    if (!this.mayCall()) throw new CallRefused('this replica may not call AWS now: it holds no valid lease');
    return super.handle(request, options);
  }
}

interface MiddlewareStack {
  addRelativeTo(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string; clientName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { name: string; relation: 'before' | 'after'; toMiddleware: string },
  ): void;
  add(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string; clientName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { name: string; step: 'initialize'; priority?: 'high' },
  ): void;
}

/** Asked with a request's operation and input before it is sent; throwing refuses it. */
export type RequestCheck = (operation: string, input: unknown) => void;

function operationName(context: { commandName?: string }): string {
  return (context.commandName ?? 'Unknown').replace(/Command$/, '');
}

/** How AWS names the service in its docs: `SageMaker`, `S3`. */
function serviceName(context: { clientName?: string }): string {
  return (context.clientName ?? 'AWS').replace(/Client$/, '');
}

/**
 * SageMaker and S3 clients per identity and region (AwsScope), created on first use and shared by
 * all controllers; a scope with a role signs with that role's assumed credentials. Every SageMaker
 * call is measured per operation and goes through the region's AIMD limiter, once per attempt (the
 * SDK's own retries included), so throttling slows down everyone calling that region. Every
 * request of any service has connection and request timeouts and is refused when `mayCall` says
 * this replica may not act.
 */
export class AwsClients {
  private readonly sagemakerClients = new Map<string, SageMakerClient>();
  private readonly s3Clients = new Map<string, S3Client>();
  private readonly sqsClients: SQSClient[] = [];
  private readonly limiters = new Map<string, AimdRateLimiter>();
  private readonly metrics: AwsMetrics;
  private readonly timeouts: AwsTimeouts;
  private readonly sts: STSClient;
  /** Credentials of the roles namespaces act as, and the operator's own account. */
  readonly roles: AssumedRoles;
  private requestCheck: RequestCheck | undefined;

  constructor(private readonly options: AwsClientOptions) {
    this.metrics = new AwsMetrics(options.registry, () => this.limiters);
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.sts = new STSClient({
      region: options.defaultRegion,
      requestHandler: this.handler(this.timeouts.sagemakerRequestMs, undefined),
      ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}),
    });
    this.instrument(this.sts.middlewareStack as unknown as MiddlewareStack, SERVICE_LABELS.sts, undefined);
    this.roles = new AssumedRoles(this.sts, options.assumedRoles);
  }

  private handler(requestTimeoutMs: number, limiter: AimdRateLimiter | undefined): GuardedHttpHandler {
    return new GuardedHttpHandler(
      requestTimeoutMs,
      this.timeouts.connectMs,
      limiter,
      this.options.mayCall ?? (() => true),
      this.options.callPriority ?? (() => undefined),
    );
  }

  sagemaker(scope: AwsScope = { region: this.options.defaultRegion }): SageMakerClient {
    const key = scopeKey(scope);
    let client = this.sagemakerClients.get(key);
    if (!client) {
      const limiter = this.limiter(scope.region);
      client = new SageMakerClient({
        region: scope.region,
        requestHandler: this.handler(this.timeouts.sagemakerRequestMs, limiter),
        ...this.credentialsOf(scope),
        ...(this.options.sagemakerEndpoint ? { endpoint: this.options.sagemakerEndpoint } : {}),
      });
      const stack = client.middlewareStack as unknown as MiddlewareStack;
      stack.add(
        (next, context) => async (args) => {
          this.requestCheck?.(operationName(context), (args as { input?: unknown }).input);
          return next(args);
        },
        // Before everything: a refused request is not measured, rate limited or retried.
        { name: 'operatorRequestCheck', step: 'initialize', priority: 'high' },
      );
      this.instrument(stack, SERVICE_LABELS.sageMaker, limiter);
      this.sagemakerClients.set(key, client);
    }
    return client;
  }

  /**
   * Every SageMaker request of every scope, from now on, is first given to `check`, which refuses it
   * by throwing (the operator's SecurityPolicy check of what it creates).
   */
  checkSageMakerRequests(check: RequestCheck): void {
    this.requestCheck = check;
  }

  s3(scope: AwsScope = { region: this.options.defaultRegion }): S3Client {
    const key = scopeKey(scope);
    let client = this.s3Clients.get(key);
    if (!client) {
      client = new S3Client({
        region: scope.region,
        requestHandler: this.handler(this.timeouts.s3RequestMs, undefined),
        ...this.credentialsOf(scope),
        ...(this.options.s3Endpoint ? { endpoint: this.options.s3Endpoint, forcePathStyle: true } : {}),
      });
      this.instrument(client.middlewareStack as unknown as MiddlewareStack, SERVICE_LABELS.s3, undefined);
      this.s3Clients.set(key, client);
    }
    return client;
  }

  /** The account a scope acts in: its role's, or the operator's own (asked of STS once). */
  async accountOf(scope: AwsScope): Promise<string | undefined> {
    if (scope.roleArn === undefined) return this.roles.callerAccount();
    return accountOfRole(scope.roleArn);
  }

  private credentialsOf(scope: AwsScope) {
    if (scope.roleArn === undefined) return {};
    return { credentials: this.roles.provider(scope.roleArn, scope.sessionName ?? 'sagemaker-operator') };
  }

  /** A client for the SQS queue at `queueUrl`, in the queue's region (read from its host). */
  sqs(queueUrl: string): SQSClient {
    // https://sqs.<region>.amazonaws.com/..., or the legacy https://<region>.queue.amazonaws.com/...
    const match = /^https:\/\/(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com\//.exec(queueUrl);
    const region = match?.[1] ?? match?.[2] ?? this.options.defaultRegion;
    const client = new SQSClient({
      region,
      // A long poll waits 20 s for messages: the request timeout must outlast it.
      requestHandler: this.handler(this.timeouts.sagemakerRequestMs, undefined),
      ...(this.options.sqsEndpoint ? { endpoint: this.options.sqsEndpoint } : {}),
    });
    this.instrument(client.middlewareStack as unknown as MiddlewareStack, SERVICE_LABELS.sqs, undefined);
    this.sqsClients.push(client);
    return client;
  }

  limiter(region = this.options.defaultRegion): AimdRateLimiter {
    let limiter = this.limiters.get(region);
    if (!limiter) {
      limiter = new AimdRateLimiter({ maxRate: this.options.maxApiRate });
      this.limiters.set(region, limiter);
    }
    return limiter;
  }

  destroy(): void {
    for (const client of this.sagemakerClients.values()) client.destroy();
    for (const client of this.s3Clients.values()) client.destroy();
    for (const client of this.sqsClients) client.destroy();
    this.sts.destroy();
  }

  private instrument(stack: MiddlewareStack, service: string, limiter: AimdRateLimiter | undefined): void {
    const metrics = this.metrics;
    stack.add(
      (next, context) => async (args) => {
        const operation = operationName(context);
        const started = performance.now();
        try {
          const result = await next(args);
          metrics.observe(service, operation, undefined, (performance.now() - started) / 1000);
          return result;
        } catch (err) {
          const reported = unreadableAnswer(err, serviceName(context), operation) ?? err;
          metrics.observe(service, operation, reported, (performance.now() - started) / 1000);
          throw reported;
        }
      },
      { name: 'operatorMetrics', step: 'initialize' },
    );
    if (!limiter) return;
    // The limiter's wait happens in the HTTP handler, where the call's abort signal is known.
    stack.addRelativeTo(
      (next, context) => async (args) => {
        try {
          const result = await next(args);
          limiter.onSuccess();
          return result;
        } catch (err) {
          if (classifyAwsError(err)?.errorClass === 'throttled') {
            limiter.onThrottle();
            metrics.throttled(service, operationName(context));
          }
          throw err;
        }
      },
      { name: 'operatorRateLimit', relation: 'before', toMiddleware: 'httpSigningMiddleware' },
    );
  }
}
