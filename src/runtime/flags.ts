import { readFileSync } from 'node:fs';
import { errorMessage } from './errors.js';
import { parseAddress } from './http.js';
import { LOG_LEVELS } from './logging.js';
import type { LogFormat, LogLevel } from './logging.js';
import type { DeletionPolicy } from './reconciler.js';

/**
 * The generic part of the operator's configuration: how it watches, queues, elects,
 * serves and logs. Cloud-specific flags are defined next to the entry point with the same machinery.
 */
export interface RuntimeConfig {
  namespaces: string[];
  labelSelector: string | undefined;
  concurrency: number;
  driftIntervalMs: number;
  defaultDeletionPolicy: DeletionPolicy;
  leaderElect: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  metricsAddr: string;
  healthAddr: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  shutdownTimeoutMs: number;
  reconcileTimeoutMs: number;
}

export class FlagError extends Error {
  override readonly name = 'FlagError';
}

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

export function positive(name: string, integer: boolean): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!(value > 0) || (integer && !Number.isInteger(value))) {
      throw new FlagError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
    }
    return value;
  };
}

export function oneOf<T extends string>(name: string, values: readonly T[]): (text: string) => T {
  return (text) => {
    if (!(values as readonly string[]).includes(text))
      throw new FlagError(`--${name} must be one of ${values.join(', ')}, got "${text}"`);
    return text as T;
  };
}

export function url(name: string): (text: string) => string {
  return (text) => {
    try {
      new URL(text);
    } catch {
      throw new FlagError(`--${name} must be a URL such as http://localhost:4566, got "${text}"`);
    }
    return text;
  };
}

export function address(name: string): (text: string) => string {
  return (text) => {
    try {
      parseAddress(text);
    } catch (err) {
      throw new FlagError(`--${name}: ${errorMessage(err)}`);
    }
    return text;
  };
}

export function bool(name: string): (text: string) => boolean {
  return (text) => {
    if (['true', '1', 'yes', ''].includes(text.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(text.toLowerCase())) return false;
    throw new FlagError(`--${name} must be true or false, got "${text}"`);
  };
}

export interface FlagSpec<T> {
  readonly help: string;
  readonly parse: (text: string) => T;
  /** Default when neither flag nor environment sets it; a function to compute it lazily. */
  readonly fallback: T | (() => T);
  /** Further environment variables read after SAGEMAKER_OPERATOR_<FLAG>. */
  readonly alsoEnv?: readonly string[];
  /** A switch: `--flag` alone means true. */
  readonly switch?: boolean;
}

/** One spec per configuration key; the flag is the key in kebab case without a trailing `Ms`. */
export type FlagSpecs<C> = { readonly [K in keyof C]: FlagSpec<C[K]> };

export const list = (text: string): string[] =>
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

/** What names a program's flags: its name in --help and the prefix of its environment variables. */
export interface Program {
  readonly name: string;
  /** `SAGEMAKER_OPERATOR_`: --drift-interval is also read from SAGEMAKER_OPERATOR_DRIFT_INTERVAL. */
  readonly envPrefix: string;
}

/** The runtime's flags for a program (its name is the default Lease name). */
export function runtimeFlags(program: Program): FlagSpecs<RuntimeConfig> {
  return {
    namespaces: {
      help: 'comma-separated namespaces to watch; none means all',
      parse: list,
      fallback: [],
    },
    labelSelector: {
      help: 'only manage objects matching this label selector',
      parse: (t) => t || undefined,
      fallback: undefined,
    },
    concurrency: {
      help: 'reconcile workers per kind',
      parse: positive('concurrency', true),
      fallback: 4,
    },
    driftIntervalMs: {
      help: 'how often a resource at rest is compared with the cloud',
      parse: parseDuration,
      fallback: 600_000,
    },
    defaultDeletionPolicy: {
      help: 'Delete or Retain, for objects that do not set spec.deletionPolicy',
      parse: oneOf('default-deletion-policy', ['Delete', 'Retain'] as const),
      fallback: 'Delete',
    },
    leaderElect: {
      help: 'elect a leader among replicas on a Lease',
      parse: bool('leader-elect'),
      fallback: false,
      switch: true,
    },
    leaderElectionNamespace: {
      help: "namespace of the Lease (default: POD_NAMESPACE or the pod's namespace)",
      parse: (t) => t,
      fallback: inClusterNamespace,
      alsoEnv: ['POD_NAMESPACE'],
    },
    leaderElectionId: {
      help: 'name of the Lease',
      parse: (t) => t,
      fallback: program.name,
    },
    metricsAddr: {
      help: 'address of /metrics, 0 disables',
      parse: address('metrics-addr'),
      fallback: ':8080',
    },
    healthAddr: {
      help: 'address of /healthz and /readyz, 0 disables',
      parse: address('health-addr'),
      fallback: ':8081',
    },
    logLevel: {
      help: LOG_LEVELS.join('|'),
      parse: oneOf('log-level', LOG_LEVELS),
      fallback: 'info',
    },
    logFormat: {
      help: 'json|pretty',
      parse: oneOf('log-format', ['json', 'pretty'] as const),
      fallback: 'json',
    },
    shutdownTimeoutMs: {
      help: 'how long in-flight reconciles may finish on SIGTERM',
      parse: parseDuration,
      fallback: 30_000,
    },
    reconcileTimeoutMs: {
      help: 'a reconcile still running after this long is abandoned and retried with backoff',
      parse: parseDuration,
      fallback: 300_000,
    },
  };
}

/** driftIntervalMs → drift-interval; shutdownTimeoutMs → shutdown-timeout. */
function flagName(key: string): string {
  return key.replace(/Ms$/, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function envName(program: Program, key: string): string {
  return program.envPrefix + flagName(key).replace(/-/g, '_').toUpperCase();
}

function showDefault(key: string, value: unknown): string {
  if (Array.isArray(value)) return value.length ? value.join(',') : 'none';
  if (key.endsWith('Ms') && typeof value === 'number')
    return value % 60_000 === 0 ? `${value / 60_000}m` : `${value / 1000}s`;
  return String(value);
}

/** The --help text for a set of flags. */
export function usage<C>(program: Program, specs: FlagSpecs<C>): string {
  const lines = Object.entries<FlagSpec<unknown>>(specs).map(([key, spec]) => {
    const fallback =
      typeof spec.fallback === 'function' || spec.fallback === undefined
        ? ''
        : ` (default ${showDefault(key, spec.fallback)})`;
    return `  --${flagName(key).padEnd(27)} ${spec.help}${fallback}\n  ${''.padEnd(29)} env ${envName(program, key)}`;
  });
  return `Usage: ${program.name} [flags]\n\n${lines.join('\n')}\n`;
}

/** Reads every key of `specs` from flags, then environment variables, then defaults. */
export function parseFlags<C>(
  program: Program,
  specs: FlagSpecs<C>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): C {
  const entries = Object.entries<FlagSpec<unknown>>(specs);
  const byName = new Map(entries.map(([key, spec]) => [flagName(key), { key, spec }]));
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    const flag = match ? byName.get(match[1] ?? '') : undefined;
    if (!match || !flag) throw new FlagError(`unknown argument "${arg}"; see --help`);
    let value = match[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (flag.spec.switch && (next === undefined || next.startsWith('--'))) value = 'true';
      else if (next === undefined) throw new FlagError(`--${match[1] ?? ''} needs a value`);
      else {
        value = next;
        i++;
      }
    }
    given.set(flag.key, value);
  }
  const config: Record<string, unknown> = {};
  for (const [key, spec] of entries) {
    const text =
      given.get(key) ??
      [envName(program, key), ...(spec.alsoEnv ?? [])].map((name) => env[name]).find((v) => v !== undefined);
    config[key] =
      text !== undefined
        ? spec.parse(text)
        : typeof spec.fallback === 'function'
          ? (spec.fallback as () => unknown)()
          : spec.fallback;
  }
  return config as C;
}
