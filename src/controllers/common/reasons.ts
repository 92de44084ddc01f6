/**
 * Every reason the operator writes, in conditions (`status.conditions[].reason`) and in events
 * (reasons are CamelCase, stable and API: users and tools match on them). This is the one list: docs/architecture.md's
 * reasons table and the Argo CD health script's terminal reasons are checked against it by unit
 * tests (test/unit/controllers/reasons.test.ts, test/unit/helm/health-check.test.ts), and so is every
 * reason literal in src/.
 *
 * - `terminal`: the resource cannot reach its spec without a person (a spec change, an IAM fix, a
 *   delete and re-apply). Argo CD reads it as Degraded and kstatus as Stalled when Synced=False or
 *   Ready=False carries it for the current generation.
 * - `waitsForSpecChange`: a Synced=False with this reason is not retried until metadata.generation
 *   changes (or a referenced object triggers the resource). Retrying would fail the same way.
 */
export interface ReasonInfo {
  readonly terminal: boolean;
  readonly waitsForSpecChange: boolean;
  readonly meaning: string;
}

export const REASONS = {
  // Progress toward the spec.
  Progressing: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      'Reconciling=True before any condition says more: written at once on the first reconcile of a new object (with observedGeneration), so kstatus does not read it as Current.',
  },
  Creating: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'The SageMaker resource is being created (Ready=False, Succeeded=Unknown; Normal event).',
  },
  Recreating: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'A failed endpoint is deleted to be created again for a new generation (Normal event).',
  },
  Updating: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'The SageMaker resource is moving to the current spec (Ready=False; Normal event).',
  },
  InProgress: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      'A job is running, or SageMaker refused a call because the resource is busy (requeued at the polling interval).',
  },
  WaitingForReference: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      'A referenced object (e.g. the TrainingJob whose artifacts an Endpoint serves) is not ready yet (Ready=False).',
  },
  Adopted: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      'An existing SageMaker resource was tagged and taken over because adoptExisting is set (Normal event).',
  },
  Stopping: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'A running job is being stopped before it is deleted (Normal event).',
  },
  Deleting: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      'The SageMaker resource is being deleted under deletionPolicy Delete (Ready=False; Normal event); Reconciling=True while the object is deleted.',
  },

  // Arrived.
  ReconcileSuccess: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'Synced=True: the last reconcile applied the current generation without error.',
  },
  Current: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      'Reconciling=False and Stalled=False: Ready=True on the current generation and its last reconcile succeeded (kstatus Current).',
  },
  InService: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'The endpoint is InService on the planned config (Ready=True; Normal event).',
  },
  Completed: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'The job completed (Ready=True, Succeeded=True).',
  },
  Registered: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      'The model package group or model version is Completed in the SageMaker model registry (Ready=True; Normal event).',
  },
  ApprovalChanged: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      "A model version's approval status changed, by the spec (UpdateModelPackage) or in the registry (Normal event).",
  },
  ModelsInPlace: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'Every model of a MultiModelSet has its current artifact under the prefix (Ready=True).',
  },
  ModelsFailed: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      'Some models of a MultiModelSet could not be put in place (source missing, access); the others are served, the failing ones retried (Ready=False).',
  },
  ModelAdded: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'A MultiModelSet copied the artifacts of new models under the prefix (Normal event).',
  },
  ModelUpdated: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      'A MultiModelSet copied a new version of models under new keys; the old ones are deleted after the grace period (Normal event).',
  },
  ModelRemoved: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      'A MultiModelSet deleted the artifacts of models it no longer has, after the grace period (Normal event).',
  },
  ModelFailed: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      "Models of a MultiModelSet started failing to be put in place, with S3's message (Warning event).",
  },

  // Finished without reaching the spec: a person must act.
  Failed: {
    terminal: true,
    waitsForSpecChange: false,
    meaning:
      'The job or endpoint failed in SageMaker, with its FailureReason (Ready=False, Succeeded=False; Warning event).',
  },
  Stopped: {
    terminal: true,
    waitsForSpecChange: false,
    meaning: 'The job was stopped before it completed; it is not restarted (Ready=False, Succeeded=False).',
  },
  DeletedOutOfBand: {
    terminal: true,
    waitsForSpecChange: false,
    meaning:
      'The SageMaker resource was deleted outside the operator and is not re-created by itself (Ready=False; Warning event).',
  },
  OwnershipLost: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      "On deletion, the resource's ownership marks were removed or changed outside the operator: it is kept, not deleted (Warning event).",
  },

  // Synced=False: one per error class (src/controllers/common/errors.ts).
  InvalidSpec: {
    terminal: true,
    waitsForSpecChange: true,
    meaning:
      'SageMaker rejected the spec (ValidationException) or a reference is invalid; retried only after the spec changes.',
  },
  GateNotMet: {
    terminal: true,
    waitsForSpecChange: true,
    meaning:
      "A `when` condition on an upstream job's result does not hold (the values are in the message): nothing is created until the upstream or the spec changes.",
  },
  AlreadyExists: {
    terminal: true,
    waitsForSpecChange: true,
    meaning:
      'A resource with the wanted name exists and is not ours (no ownership tags, adoptExisting not set); retried only after the spec changes.',
  },
  CreateFailed: {
    terminal: true,
    waitsForSpecChange: true,
    meaning:
      'The resource was created but SageMaker failed it (e.g. endpoint Failed); re-created only for a new generation.',
  },
  UpdateFailed: {
    terminal: true,
    waitsForSpecChange: true,
    meaning:
      'SageMaker rolled back or could not roll back an update of this generation; retried only after the spec changes.',
  },
  PolicyViolation: {
    terminal: true,
    waitsForSpecChange: true,
    meaning:
      'The spec breaks a SecurityPolicy of its namespace (changed after the object was admitted): nothing is created until the spec or the policy changes.',
  },
  IdentityNotSet: {
    terminal: true,
    waitsForSpecChange: true,
    meaning:
      "The namespace names no usable IAM role (annotation sagemaker.mlops.dev/role-arn missing while the operator requires one, or not a role ARN): nothing is called until a cluster admin sets it on the Namespace, which reconciles the namespace's objects.",
  },
  IdentityChanged: {
    terminal: true,
    waitsForSpecChange: true,
    meaning:
      "The namespace's role now acts in another AWS account than the one the object's resources are in (status.accountId): nothing is described, created or deleted there until the role is put back.",
  },
  AccessDenied: {
    terminal: true,
    waitsForSpecChange: false,
    meaning:
      'AWS denied the call (IAM, credentials). Terminal: a person fixes IAM outside Kubernetes, so it is retried slowly; not retried when AWS says the service is closed to the account.',
  },
  QuotaExceeded: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      'An account quota was hit (ResourceLimitExceeded); not terminal: it clears as other resources finish or the quota is raised, so it is retried slowly (minutes) with a Warning event.',
  },
  Throttled: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'SageMaker throttled the operator; the shared rate limiter slows down and the call is retried.',
  },
  SageMakerUnavailable: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'SageMaker or the network failed repeatedly (5xx, timeouts); retried with backoff.',
  },
  ReconcileError: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      'An error no classifier recognised (e.g. a Kubernetes API failure); treated as transient and retried with backoff.',
  },
  ReconcileTimeout: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      'A reconcile did not finish within its deadline; it was abandoned, the worker freed, and it is retried with backoff.',
  },
  // MonitoringSchedule (docs/monitoring.md).
  Scheduled: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'The monitoring schedule is Scheduled on the current job definition (Ready=True).',
  },
  Suspended: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'The monitoring schedule is Stopped because spec.suspend is true, as specified (Ready=True).',
  },
  Baselining: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'The baselining job of spec.baseline.fromDataset is running (Ready=False; Normal event).',
  },
  ViolationsFound: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      'The latest monitoring execution found violations (Violations=True; Warning event). The schedule itself is healthy.',
  },
  NoViolations: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'The latest monitoring execution completed without violations (Violations=False).',
  },
  ExecutionFailed: {
    terminal: false,
    waitsForSpecChange: false,
    meaning:
      'The latest monitoring execution failed or was stopped (Violations=Unknown; Warning event). The schedule runs again at its next time.',
  },
  NoExecution: {
    terminal: false,
    waitsForSpecChange: false,
    meaning: 'The monitoring schedule has not completed an execution yet (Violations=Unknown).',
  },
} as const satisfies Record<string, ReasonInfo>;

export type Reason = keyof typeof REASONS;

const reasonsWhere = (flag: keyof Omit<ReasonInfo, 'meaning'>): ReadonlySet<string> =>
  new Set(
    Object.entries(REASONS as Record<string, ReasonInfo>)
      .filter(([, info]) => info[flag])
      .map(([reason]) => reason),
  );

/** Reasons that mean the resource cannot reach its spec without a person (Argo CD Degraded, kstatus Stalled). */
export const TERMINAL_REASONS: ReadonlySet<string> = reasonsWhere('terminal');

/** Reasons whose Synced=False is not retried until metadata.generation changes. */
export const SPEC_CHANGE_REASONS: ReadonlySet<string> = reasonsWhere('waitsForSpecChange');

export function isReason(value: string): value is Reason {
  return Object.hasOwn(REASONS, value);
}
