import {
  bool,
  FlagError,
  runtimeFlags,
  parseDuration,
  parseFlags as parseFlagSpecs,
  positive,
  url,
  usage as flagUsage,
  type FlagSpecs,
  type Program,
  type RuntimeConfig,
} from './runtime/flags.js';

/** What the operator needs to talk to SageMaker; the runtime's flags are generic. */
export interface SageMakerConfig {
  region: string;
  clusterName: string;
  pollIntervalMinMs: number;
  pollIntervalMaxMs: number;
  sweepIntervalMs: number;
  safetyIntervalMs: number;
  eventsQueueUrl: string | undefined;
  sagemakerEndpoint: string | undefined;
  s3Endpoint: string | undefined;
  sqsEndpoint: string | undefined;
  stsEndpoint: string | undefined;
  requireNamespaceRole: boolean;
  maxApiRate: number;
  monitoringHourMs: number;
  multiModelRetireGraceMs: number;
  multiModelCopyConcurrency: number;
}

export type OperatorConfig = RuntimeConfig & SageMakerConfig;

const SAGEMAKER_FLAGS: FlagSpecs<SageMakerConfig> = {
  region: {
    help: 'AWS region for objects that do not set spec.region (required)',
    parse: (t) => t,
    fallback: () => {
      throw new FlagError('--region is required (or set SAGEMAKER_OPERATOR_REGION or AWS_REGION)');
    },
    alsoEnv: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
  },
  clusterName: {
    help: 'name of this cluster in ownership tags; set it when several clusters share an AWS account',
    parse: (t) => {
      if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u.test(t))
        throw new FlagError(`--cluster-name "${t}" is not a valid AWS tag value`);
      return t;
    },
    fallback: 'default',
  },
  pollIntervalMinMs: {
    help: 'first describe after a cloud state change, and the floor while a resource changes',
    parse: parseDuration,
    fallback: 10_000,
  },
  pollIntervalMaxMs: {
    help: 'without sweeps, the ceiling between describes of a resource that is still changing',
    parse: parseDuration,
    fallback: 300_000,
  },
  sweepIntervalMs: {
    help: 'one List call per kind and region this often while a resource of theirs changes (else every --drift-interval) finds what changed; 0s: describe each resource instead',
    parse: parseDuration,
    fallback: 10_000,
  },
  safetyIntervalMs: {
    help: 'with sweeps, each resource at rest is still described this often, in case a List missed a change',
    parse: parseDuration,
    fallback: 86_400_000,
  },
  eventsQueueUrl: {
    help: 'SQS queue fed by an EventBridge rule with SageMaker state-change events (docs/events.md): changes reconcile at once; the sweeps of an account and region whose events arrive slow to --drift-interval',
    parse: url('events-queue-url'),
    fallback: undefined,
  },
  sagemakerEndpoint: {
    help: 'SageMaker API endpoint (emulator, VPC endpoint)',
    parse: url('sagemaker-endpoint'),
    fallback: undefined,
  },
  s3Endpoint: {
    help: 'S3 endpoint (path-style addressing)',
    parse: url('s3-endpoint'),
    fallback: undefined,
  },
  sqsEndpoint: {
    help: 'SQS endpoint for --events-queue-url (VPC endpoint)',
    parse: url('sqs-endpoint'),
    fallback: undefined,
  },
  stsEndpoint: {
    help: "STS endpoint for assuming namespaces' roles (VPC endpoint)",
    parse: url('sts-endpoint'),
    fallback: undefined,
  },
  requireNamespaceRole: {
    help: 'objects in a namespace without the sagemaker.mlops.dev/role-arn annotation get IdentityNotSet instead of acting as the operator (docs/security.md)',
    parse: bool('require-namespace-role'),
    fallback: false,
    switch: true,
  },
  maxApiRate: {
    help: 'SageMaker requests per second and region, before throttling lowers it',
    parse: positive('max-api-rate', false),
    fallback: 10,
  },
  monitoringHourMs: {
    help: "how long an hour of a monitoring schedule lasts: shorter only against an emulator that runs SageMaker's time faster",
    parse: parseDuration,
    fallback: 3_600_000,
  },
  multiModelRetireGraceMs: {
    help: 'how long an artifact a MultiModelSet no longer serves (an old version, a removed model) stays under the prefix for callers still using it',
    parse: parseDuration,
    fallback: 600_000,
  },
  multiModelCopyConcurrency: {
    help: 'S3 copies (and source reads) one MultiModelSet makes at a time',
    parse: positive('multi-model-copy-concurrency', true),
    fallback: 16,
  },
};

const PROGRAM: Program = { name: 'sagemaker-operator', envPrefix: 'SAGEMAKER_OPERATOR_' };
const OPERATOR_FLAGS: FlagSpecs<OperatorConfig> = { ...SAGEMAKER_FLAGS, ...runtimeFlags(PROGRAM) };

export function parseFlags(argv: readonly string[], env: NodeJS.ProcessEnv): OperatorConfig {
  return parseFlagSpecs(PROGRAM, OPERATOR_FLAGS, argv, env);
}

export function usage(): string {
  return flagUsage(PROGRAM, OPERATOR_FLAGS);
}
