import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { CALL_PRIORITIES, type AimdRateLimiter } from './rate-limiter.js';

/** The `service` label of each AWS service's calls in the metrics below. */
export const SERVICE_LABELS = { sageMaker: 'sagemaker', s3: 's3', sts: 'sts', sqs: 'sqs' } as const;

/** Outbound AWS API metrics, per service and operation (ACK-style names, our prefix). */
export class AwsMetrics {
  private readonly requests: Counter<'service' | 'operation'>;
  private readonly errors: Counter<'service' | 'operation' | 'error'>;
  private readonly throttles: Counter<'service' | 'operation'>;
  private readonly duration: Histogram<'service' | 'operation'>;

  constructor(registry: Registry, limiters: () => ReadonlyMap<string, AimdRateLimiter>) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'aws_api_requests_total',
      help: 'AWS API calls made by the operator (after SDK retries)',
      labelNames: ['service', 'operation'],
      registers,
    });
    this.errors = new Counter({
      name: 'aws_api_errors_total',
      help: 'AWS API calls that failed, by error name',
      labelNames: ['service', 'operation', 'error'],
      registers,
    });
    this.throttles = new Counter({
      name: 'aws_api_throttled_total',
      help: 'AWS API attempts answered with a throttling error',
      labelNames: ['service', 'operation'],
      registers,
    });
    this.duration = new Histogram({
      name: 'aws_api_request_duration_seconds',
      help: 'AWS API call latency including SDK retries',
      labelNames: ['service', 'operation'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    new Gauge({
      name: 'aws_api_rate_limit',
      help: 'Current client-side request rate limit (requests/s) per region',
      labelNames: ['region'],
      registers,
      collect() {
        for (const [region, limiter] of limiters()) this.set({ region }, limiter.rate);
      },
    });
    new Gauge({
      name: 'aws_api_rate_limit_waiting',
      help: 'SageMaker calls waiting for the client-side rate limiter, per region and priority',
      labelNames: ['region', 'priority'],
      registers,
      collect() {
        for (const [region, limiter] of limiters())
          for (const priority of CALL_PRIORITIES)
            this.set({ region, priority }, limiter.waitingCalls(priority));
      },
    });
  }

  observe(service: string, operation: string, err: unknown, seconds: number): void {
    this.requests.inc({ service, operation });
    this.duration.observe({ service, operation }, seconds);
    if (err !== undefined) {
      const name = err instanceof Error ? err.name : 'Unknown';
      this.errors.inc({ service, operation, error: name });
    }
  }

  throttled(service: string, operation: string): void {
    this.throttles.inc({ service, operation });
  }
}
