import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { S3Client } from '@aws-sdk/client-s3';
import type { Registry } from 'prom-client';
import { classifyAwsError } from './errors.js';
import { AwsMetrics } from './metrics.js';
import { AimdRateLimiter } from './rate-limiter.js';

export interface AwsClientOptions {
  /** Used when an object does not name its own region (the --region flag). */
  readonly defaultRegion: string;
  /** --sagemaker-endpoint: the emulator or a VPC endpoint. */
  readonly sagemakerEndpoint?: string;
  /** --s3-endpoint; S3 then uses path-style addressing, which S3-compatible servers expect. */
  readonly s3Endpoint?: string;
  /** --max-api-rate: SageMaker requests per second and region. */
  readonly maxApiRate: number;
  readonly registry: Registry;
}

interface MiddlewareStack {
  addRelativeTo(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { name: string; relation: 'before' | 'after'; toMiddleware: string },
  ): void;
  add(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { name: string; step: 'initialize' },
  ): void;
}

function operationName(context: { commandName?: string }): string {
  return (context.commandName ?? 'Unknown').replace(/Command$/, '');
}

/**
 * SageMaker and S3 clients per region, created on first use and shared by all controllers. Every
 * SageMaker call is measured per operation and goes through the region's AIMD limiter, once per
 * attempt (the SDK's own retries included), so throttling slows down everyone calling that region.
 */
export class AwsClients {
  private readonly sagemakerClients = new Map<string, SageMakerClient>();
  private readonly s3Clients = new Map<string, S3Client>();
  private readonly limiters = new Map<string, AimdRateLimiter>();
  private readonly metrics: AwsMetrics;

  constructor(private readonly options: AwsClientOptions) {
    this.metrics = new AwsMetrics(options.registry, () => this.limiters);
  }

  sagemaker(region = this.options.defaultRegion): SageMakerClient {
    let client = this.sagemakerClients.get(region);
    if (!client) {
      client = new SageMakerClient({
        region,
        ...(this.options.sagemakerEndpoint ? { endpoint: this.options.sagemakerEndpoint } : {}),
      });
      this.instrument(
        client.middlewareStack as unknown as MiddlewareStack,
        'sagemaker',
        this.limiter(region),
      );
      this.sagemakerClients.set(region, client);
    }
    return client;
  }

  s3(region = this.options.defaultRegion): S3Client {
    let client = this.s3Clients.get(region);
    if (!client) {
      client = new S3Client({
        region,
        ...(this.options.s3Endpoint ? { endpoint: this.options.s3Endpoint, forcePathStyle: true } : {}),
      });
      this.instrument(client.middlewareStack as unknown as MiddlewareStack, 's3', undefined);
      this.s3Clients.set(region, client);
    }
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
          metrics.observe(service, operation, err, (performance.now() - started) / 1000);
          throw err;
        }
      },
      { name: 'operatorMetrics', step: 'initialize' },
    );
    if (!limiter) return;
    stack.addRelativeTo(
      (next, context) => async (args) => {
        await limiter.acquire();
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
