import { describe, expect, it } from '@jest/globals';
import { parseFlags, usage } from '../../src/flags.js';
import { FlagError, parseDuration } from '../../src/runtime/flags.js';
import { parseAddress } from '../../src/runtime/http.js';

describe('parseFlags', () => {
  it('applies defaults', () => {
    expect(parseFlags(['--region', 'eu-west-1'], {})).toMatchObject({
      region: 'eu-west-1',
      namespaces: [],
      clusterName: 'default',
      concurrency: 4,
      driftIntervalMs: 600_000,
      defaultDeletionPolicy: 'Delete',
      leaderElect: false,
      leaderElectionId: 'sagemaker-operator',
      metricsAddr: ':8080',
      healthAddr: ':8081',
      logLevel: 'info',
      logFormat: 'json',
      maxApiRate: 10,
      shutdownTimeoutMs: 30_000,
      reconcileTimeoutMs: 300_000,
      pollIntervalMinMs: 10_000,
      pollIntervalMaxMs: 300_000,
      multiModelRetireGraceMs: 600_000,
      multiModelCopyConcurrency: 16,
    });
  });

  it('accepts flag names with digits and the polling bounds', () => {
    const config = parseFlags(
      [
        '--region=eu-west-1',
        '--s3-endpoint=http://127.0.0.1:5000',
        '--poll-interval-min=1s',
        '--poll-interval-max',
        '10s',
      ],
      {},
    );
    expect(config).toMatchObject({
      s3Endpoint: 'http://127.0.0.1:5000',
      pollIntervalMinMs: 1_000,
      pollIntervalMaxMs: 10_000,
    });
  });

  it('reads flags in both forms, then SAGEMAKER_OPERATOR_* variables, then AWS_REGION', () => {
    const config = parseFlags(
      ['--namespaces=a, b', '--leader-elect', '--drift-interval', '1h30m', '--log-format=pretty'],
      {
        AWS_REGION: 'us-west-2',
        SAGEMAKER_OPERATOR_CONCURRENCY: '8',
        SAGEMAKER_OPERATOR_SAGEMAKER_ENDPOINT: 'http://localhost:4566',
        POD_NAMESPACE: 'ops',
      },
    );
    expect(config).toMatchObject({
      region: 'us-west-2',
      namespaces: ['a', 'b'],
      leaderElect: true,
      leaderElectionNamespace: 'ops',
      driftIntervalMs: 5_400_000,
      logFormat: 'pretty',
      concurrency: 8,
      sagemakerEndpoint: 'http://localhost:4566',
    });
    expect(parseFlags(['--region=x', '--leader-elect=false'], {}).leaderElect).toBe(false);
  });

  it('rejects bad input with messages that name the flag', () => {
    const fails = (argv: string[], env: Record<string, string> = { AWS_REGION: 'x' }): string => {
      try {
        parseFlags(argv, env);
      } catch (err) {
        expect(err).toBeInstanceOf(FlagError);
        return (err as Error).message;
      }
      throw new Error('expected a FlagError');
    };
    expect(fails([], {})).toMatch(/--region is required/);
    expect(fails(['--concurrency', '0'])).toMatch(/--concurrency must be a positive integer/);
    expect(fails(['--default-deletion-policy', 'Keep'])).toMatch(/one of Delete, Retain/);
    expect(fails(['--drift-interval', '10'])).toMatch(/invalid duration "10"/);
    expect(fails(['--metrics-addr', 'localhost'])).toMatch(/--metrics-addr: invalid address/);
    expect(fails(['--sagemaker-endpoint', 'not a url'])).toMatch(/must be a URL/);
    expect(fails(['--nope'])).toMatch(/unknown argument "--nope"/);
    expect(fails(['--region'])).toMatch(/--region needs a value/);
  });

  it('documents every flag with its environment variable', () => {
    const text = usage();
    for (const flag of [
      '--region',
      '--namespaces',
      '--label-selector',
      '--cluster-name',
      '--concurrency',
      '--drift-interval',
      '--default-deletion-policy',
      '--leader-elect',
      '--metrics-addr',
      '--health-addr',
      '--log-level',
      '--log-format',
      '--sagemaker-endpoint',
      '--s3-endpoint',
      '--max-api-rate',
      '--shutdown-timeout',
      '--reconcile-timeout',
    ]) {
      expect(text).toContain(flag);
    }
    expect(text).toContain('SAGEMAKER_OPERATOR_DRIFT_INTERVAL');
  });
});

describe('parseDuration and parseAddress', () => {
  it('parse Go-style durations and host:port addresses', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseAddress(':8080')).toEqual({ host: undefined, port: 8080 });
    expect(parseAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseAddress('[::1]:9090')).toEqual({ host: '::1', port: 9090 });
    expect(parseAddress('0')).toBeUndefined();
  });
});

describe('where flags live', () => {
  it('keeps SageMaker flags out of the runtime', async () => {
    const { runtimeFlags } = await import('../../src/runtime/flags.js');
    const runtimeKeys = Object.keys(runtimeFlags({ name: 'any', envPrefix: 'ANY_' }));
    for (const key of ['region', 'clusterName', 'sagemakerEndpoint', 's3Endpoint', 'maxApiRate'])
      expect(runtimeKeys).not.toContain(key);
    expect(runtimeKeys).toEqual(expect.arrayContaining(['concurrency', 'leaderElect', 'reconcileTimeoutMs']));
  });
});
