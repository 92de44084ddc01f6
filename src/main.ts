import { AwsClients } from './aws/clients.js';
import { StateChangeQueue } from './aws/state-change-events.js';
import { classifyError } from './controllers/common/errors.js';
import { SPEC_CHANGE_REASONS, TERMINAL_REASONS } from './controllers/common/reasons.js';
import { sageMakerControllers } from './controllers/index.js';
import { parseFlags, usage } from './flags.js';
import {
  ActingFence,
  createLogger,
  currentLane,
  FlagError,
  RuntimeMetrics,
  startOperator,
} from './runtime/index.js';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(usage());
  process.exit(0);
}

let config;
try {
  config = parseFlags(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof FlagError)) throw err;
  process.stderr.write(`error: ${err.message}\n\n${usage()}`);
  process.exit(2);
}

const log = createLogger(config.logLevel, config.logFormat);
const metrics = new RuntimeMetrics();
// Cloud calls are fenced on the same lease as Kubernetes writes: a replica that is not a valid leader calls nothing.
const fence = new ActingFence();
const aws = new AwsClients({
  defaultRegion: config.region,
  maxApiRate: config.maxApiRate,
  registry: metrics.registry,
  mayCall: () => fence.mayAct(),
  // News about a change (a sweep, the reconcile it triggers) waits for no new object's create.
  callPriority: currentLane,
  ...(config.sagemakerEndpoint ? { sagemakerEndpoint: config.sagemakerEndpoint } : {}),
  ...(config.s3Endpoint ? { s3Endpoint: config.s3Endpoint } : {}),
  ...(config.sqsEndpoint ? { sqsEndpoint: config.sqsEndpoint } : {}),
  ...(config.stsEndpoint ? { stsEndpoint: config.stsEndpoint } : {}),
});
const push = config.eventsQueueUrl
  ? new StateChangeQueue(
      aws.sqs(config.eventsQueueUrl),
      config.eventsQueueUrl,
      log.child({ component: 'events-queue' }),
    )
  : undefined;

const { controllers, resyncIntervalMs } = sageMakerControllers(
  {
    aws,
    defaultRegion: config.region,
    clusterName: config.clusterName,
    requireNamespaceRole: config.requireNamespaceRole,
  },
  config,
  push,
);

const operator = await startOperator({
  name: 'sagemaker-operator',
  controllers,
  log,
  metrics,
  classifier: classifyError,
  specChangeReasons: SPEC_CHANGE_REASONS,
  terminalReasons: TERMINAL_REASONS,
  fence,
  // "Cannot update in-progress endpoint" and the like are looked at again as often as changing resources.
  timings: { pollIntervalMs: config.pollIntervalMinMs },
  reconcileTimeoutMs: config.reconcileTimeoutMs,
  namespaces: config.namespaces,
  ...(config.labelSelector ? { labelSelector: config.labelSelector } : {}),
  concurrency: config.concurrency,
  driftIntervalMs: resyncIntervalMs,
  defaultDeletionPolicy: config.defaultDeletionPolicy,
  ...(config.leaderElect
    ? { leaderElection: { namespace: config.leaderElectionNamespace, name: config.leaderElectionId } }
    : {}),
  metricsAddr: config.metricsAddr,
  healthAddr: config.healthAddr,
  shutdownTimeoutMs: config.shutdownTimeoutMs,
});
log.info(
  {
    metrics: operator.metricsAddress,
    health: operator.healthAddress,
    identity: operator.identity,
    region: config.region,
  },
  'operator started',
);

let exiting = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (exiting) {
      log.warn({ signal }, 'second signal, exiting at once');
      process.exit(1);
    }
    exiting = true;
    log.info({ signal }, 'graceful shutdown');
    operator.stop().then(
      () => {
        aws.destroy();
        log.flush();
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
