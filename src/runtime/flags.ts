import { readFileSync } from 'node:fs';
import { errorMessage } from './errors.js';
import { parseAddress } from './http.js';
import { LOG_LEVELS } from './logging.js';
import type { LogFormat, LogLevel } from './logging.js';
import type { DeletionPolicy } from './reconciler.js';

/** The operator's configuration (DESIGN.md §8), from flags, then environment variables, then defaults. */
export interface OperatorConfig {
  region: string;
  namespaces: string[];
  labelSelector: string | undefined;
  clusterName: string;
  concurrency: number;
  driftIntervalMs: number;
  pollIntervalMinMs: number;
  pollIntervalMaxMs: number;
  defaultDeletionPolicy: DeletionPolicy;
  leaderElect: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  metricsAddr: string;
  healthAddr: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  sagemakerEndpoint: string | undefined;
  s3Endpoint: string | undefined;
  maxApiRate: number;
  shutdownTimeoutMs: number;
}

export class FlagError extends Error {
  override readonly name = 'FlagError';
}

const ENV_PREFIX = 'SAGEMAKER_OPERATOR_';
const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** Go-style durations: 500ms, 30s, 10m, 1h30m. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new FlagError(`invalid duration "${text}": use e.g. 30s, 10m, 1h30m`);
  }
  return parts.reduce((sum, [, value, unit]) => sum + Number(value) * (units[unit ?? ''] ?? 0), 0);
}

function positive(name: string, integer: boolean): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!(value > 0) || (integer && !Number.isInteger(value))) {
      throw new FlagError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
    }
    return value;
  };
}

function oneOf<T extends string>(name: string, values: readonly T[]): (text: string) => T {
  return (text) => {
    if (!(values as readonly string[]).includes(text))
      throw new FlagError(`--${name} must be one of ${values.join(', ')}, got "${text}"`);
    return text as T;
  };
}

function url(name: string): (text: string) => string {
  return (text) => {
    try {
      new URL(text);
    } catch {
      throw new FlagError(`--${name} must be a URL such as http://localhost:4566, got "${text}"`);
    }
    return text;
  };
}

function address(name: string): (text: string) => string {
  return (text) => {
    try {
      parseAddress(text);
    } catch (err) {
      throw new FlagError(`--${name}: ${errorMessage(err)}`);
    }
    return text;
  };
}

function bool(name: string): (text: string) => boolean {
  return (text) => {
    if (['true', '1', 'yes', ''].includes(text.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(text.toLowerCase())) return false;
    throw new FlagError(`--${name} must be true or false, got "${text}"`);
  };
}

interface FlagSpec<K extends keyof OperatorConfig> {
  readonly key: K;
  readonly help: string;
  readonly parse: (text: string) => OperatorConfig[K];
  /** Default when neither flag nor environment sets it; a function to compute it lazily. */
  readonly fallback: OperatorConfig[K] | (() => OperatorConfig[K]);
  /** Further environment variables read after SAGEMAKER_OPERATOR_<FLAG>. */
  readonly alsoEnv?: readonly string[];
}

type Flags = { [K in keyof OperatorConfig]: FlagSpec<K> };

const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function inClusterNamespace(): string {
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || 'default';
  } catch {
    return 'default';
  }
}

const FLAGS: Flags = {
  region: {
    key: 'region',
    help: 'AWS region for objects that do not set spec.region (required)',
    parse: (t) => t,
    fallback: () => {
      throw new FlagError('--region is required (or set SAGEMAKER_OPERATOR_REGION or AWS_REGION)');
    },
    alsoEnv: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
  },
  namespaces: {
    key: 'namespaces',
    help: 'comma-separated namespaces to watch; none means all',
    parse: list,
    fallback: [],
  },
  labelSelector: {
    key: 'labelSelector',
    help: 'only manage objects matching this label selector',
    parse: (t) => t || undefined,
    fallback: undefined,
  },
  clusterName: {
    key: 'clusterName',
    help: 'name of this cluster in ownership tags; set it when several clusters share an AWS account',
    parse: (t) => {
      if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u.test(t))
        throw new FlagError(`--cluster-name "${t}" is not a valid AWS tag value`);
      return t;
    },
    fallback: 'default',
  },
  concurrency: {
    key: 'concurrency',
    help: 'reconcile workers per kind',
    parse: positive('concurrency', true),
    fallback: 4,
  },
  driftIntervalMs: {
    key: 'driftIntervalMs',
    help: 'how often a resource at rest is compared with SageMaker',
    parse: parseDuration,
    fallback: 600_000,
  },
  pollIntervalMinMs: {
    key: 'pollIntervalMinMs',
    help: 'first describe after a cloud state change, and the floor while a resource changes',
    parse: parseDuration,
    fallback: 10_000,
  },
  pollIntervalMaxMs: {
    key: 'pollIntervalMaxMs',
    help: 'the ceiling between describes of a resource that is still changing',
    parse: parseDuration,
    fallback: 300_000,
  },
  defaultDeletionPolicy: {
    key: 'defaultDeletionPolicy',
    help: 'Delete or Retain, for objects that do not set spec.deletionPolicy',
    parse: oneOf('default-deletion-policy', ['Delete', 'Retain'] as const),
    fallback: 'Delete',
  },
  leaderElect: {
    key: 'leaderElect',
    help: 'elect a leader among replicas on a Lease',
    parse: bool('leader-elect'),
    fallback: false,
  },
  leaderElectionNamespace: {
    key: 'leaderElectionNamespace',
    help: "namespace of the Lease (default: POD_NAMESPACE or the pod's namespace)",
    parse: (t) => t,
    fallback: inClusterNamespace,
    alsoEnv: ['POD_NAMESPACE'],
  },
  leaderElectionId: {
    key: 'leaderElectionId',
    help: 'name of the Lease',
    parse: (t) => t,
    fallback: 'sagemaker-operator',
  },
  metricsAddr: {
    key: 'metricsAddr',
    help: 'address of /metrics, 0 disables',
    parse: address('metrics-addr'),
    fallback: ':8080',
  },
  healthAddr: {
    key: 'healthAddr',
    help: 'address of /healthz and /readyz, 0 disables',
    parse: address('health-addr'),
    fallback: ':8081',
  },
  logLevel: {
    key: 'logLevel',
    help: LOG_LEVELS.join('|'),
    parse: oneOf('log-level', LOG_LEVELS),
    fallback: 'info',
  },
  logFormat: {
    key: 'logFormat',
    help: 'json|pretty',
    parse: oneOf('log-format', ['json', 'pretty'] as const),
    fallback: 'json',
  },
  sagemakerEndpoint: {
    key: 'sagemakerEndpoint',
    help: 'SageMaker API endpoint (emulator, VPC endpoint)',
    parse: url('sagemaker-endpoint'),
    fallback: undefined,
  },
  s3Endpoint: {
    key: 's3Endpoint',
    help: 'S3 endpoint (path-style addressing)',
    parse: url('s3-endpoint'),
    fallback: undefined,
  },
  maxApiRate: {
    key: 'maxApiRate',
    help: 'SageMaker requests per second and region, before throttling lowers it',
    parse: positive('max-api-rate', false),
    fallback: 10,
  },
  shutdownTimeoutMs: {
    key: 'shutdownTimeoutMs',
    help: 'how long in-flight reconciles may finish on SIGTERM',
    parse: parseDuration,
    fallback: 30_000,
  },
};

/** driftIntervalMs → drift-interval; shutdownTimeoutMs → shutdown-timeout. */
function flagName(key: string): string {
  return key.replace(/Ms$/, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function envName(key: string): string {
  return ENV_PREFIX + flagName(key).replace(/-/g, '_').toUpperCase();
}

function showDefault(key: string, value: unknown): string {
  if (Array.isArray(value)) return value.length ? value.join(',') : 'none';
  if (key.endsWith('Ms') && typeof value === 'number')
    return value % 60_000 === 0 ? `${value / 60_000}m` : `${value / 1000}s`;
  return String(value);
}

export function usage(): string {
  const lines = Object.values(FLAGS).map((spec) => {
    const fallback =
      typeof spec.fallback === 'function' || spec.fallback === undefined
        ? ''
        : ` (default ${showDefault(spec.key, spec.fallback)})`;
    return `  --${flagName(spec.key).padEnd(27)} ${spec.help}${fallback}\n  ${''.padEnd(29)} env ${envName(spec.key)}`;
  });
  return `Usage: sagemaker-operator [flags]\n\n${lines.join('\n')}\n`;
}

export function parseFlags(argv: readonly string[], env: NodeJS.ProcessEnv): OperatorConfig {
  const byName = new Map(Object.values(FLAGS).map((spec) => [flagName(spec.key), spec]));
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    const spec = match ? byName.get(match[1] ?? '') : undefined;
    if (!match || !spec) throw new FlagError(`unknown argument "${arg}"; see --help`);
    let value = match[2];
    if (value === undefined) {
      const next = argv[i + 1];
      const isBool = spec.key === 'leaderElect';
      if (isBool && (next === undefined || next.startsWith('--'))) value = 'true';
      else if (next === undefined) throw new FlagError(`--${match[1] ?? ''} needs a value`);
      else {
        value = next;
        i++;
      }
    }
    given.set(spec.key, value);
  }
  const config: Partial<Record<keyof OperatorConfig, unknown>> = {};
  for (const spec of Object.values(FLAGS) as FlagSpec<keyof OperatorConfig>[]) {
    const text =
      given.get(spec.key) ??
      [envName(spec.key), ...(spec.alsoEnv ?? [])].map((name) => env[name]).find((v) => v !== undefined);
    config[spec.key] =
      text !== undefined
        ? spec.parse(text)
        : typeof spec.fallback === 'function'
          ? spec.fallback()
          : spec.fallback;
  }
  return config as OperatorConfig;
}
