import type { MultipartCopySettings } from '../aws/s3-artifacts.js';
import type { ControllerDefinition } from '../runtime/index.js';
import { ChangeDetection, type KindControllerOptions } from './common/change-detection.js';
import type { PushChannel } from './common/pushed-changes.js';
import { namespaceReference } from './common/identity.js';
import {
  checkRequest,
  SECURITY_POLICY_REFERENCE,
  underSecurityPolicies,
} from './common/security-policies.js';
import { TakenNames, type ManagedKindOptions } from './common/managed-resource.js';
import { endpointController } from './endpoint/controller.js';
import { monitoringScheduleController } from './monitoring-schedule/controller.js';
import { multiModelSetController } from './multi-model-set/controller.js';
import { trainingJobController } from './training-job/controller.js';
import { transformJobController } from './transform-job/controller.js';
import { processingJobController } from './processing-job/controller.js';
import { modelPackageGroupController } from './model-package-group/controller.js';
import { modelPackageController } from './model-package/controller.js';
import { GroupChanges } from './common/group-changes.js';
import { PREREQUISITE_REFERENCES } from './common/prerequisites.js';

export interface OperatorTimings {
  pollIntervalMinMs: number;
  pollIntervalMaxMs: number;
  driftIntervalMs: number;
  /** 0: no sweeps, every resource is described on its own schedule. */
  sweepIntervalMs: number;
  safetyIntervalMs: number;
  /** How long an hour of a monitoring schedule lasts: shorter only where SageMaker's time runs faster (tests). */
  monitoringHourMs?: number;
  /** MultiModelSet: how long an artifact no longer served stays (--multi-model-retire-grace). */
  multiModelRetireGraceMs: number;
  /** MultiModelSet: S3 copies one set makes at a time (--multi-model-copy-concurrency). */
  multiModelCopyConcurrency: number;
  /** MultiModelSet: when copies go in parts (default: above S3's 5 GiB limit for one copy; smaller in tests). */
  multiModelMultipart?: MultipartCopySettings;
}

export interface SageMakerControllers {
  controllers: ControllerDefinition<never, never>[];
  changeDetection: ChangeDetection | undefined;
  /** How long after a reconcile that found everything as specified the object is looked at again. */
  resyncIntervalMs: number;
}

/*
 * Without sweeps, a finished job is described once per this many drift intervals (one hour by
 * default): only a deletion or a tag edit can change it.
 */
const FINISHED_JOB_DRIFT_FACTOR = 6;

/**
 * Every kind's controller, sharing one change detection (docs/architecture.md). With sweeps, changes are
 * found by one List call per kind and region, and each resource is described only after a change
 * or at the safety interval; without, each resource is described as often as its state has lasted
 * while it changes and every drift interval at rest.
 */
export function sageMakerControllers(
  kinds: ManagedKindOptions,
  timings: OperatorTimings,
  push?: PushChannel,
): SageMakerControllers {
  const swept = timings.sweepIntervalMs > 0;
  const changeDetection = swept
    ? new ChangeDetection(
        kinds,
        { sweepIntervalMs: timings.sweepIntervalMs, driftIntervalMs: timings.driftIntervalMs },
        push,
      )
    : undefined;
  const options: KindControllerOptions = {
    ...kinds,
    // A name taken by a resource describe cannot show yet: wait for it as long as a poll may last.
    takenNames: new TakenNames(timings.pollIntervalMaxMs),
    changeDetection,
    polling: {
      minMs: timings.pollIntervalMinMs,
      maxMs: timings.pollIntervalMaxMs,
      ...(swept
        ? { finishedMs: timings.safetyIntervalMs, sweptMs: timings.driftIntervalMs }
        : { finishedMs: timings.driftIntervalMs * FINISHED_JOB_DRIFT_FACTOR }),
    },
  };
  const groupChanges = new GroupChanges();
  const controllers: ControllerDefinition<never, never>[] = [
    trainingJobController(options),
    endpointController(options, groupChanges),
    transformJobController(options),
    processingJobController(options),
    modelPackageGroupController(options),
    modelPackageController(options, groupChanges),
    monitoringScheduleController(options, timings.monitoringHourMs),
    multiModelSetController({
      ...options,
      multiModel: {
        retireGraceMs: timings.multiModelRetireGraceMs,
        copyConcurrency: timings.multiModelCopyConcurrency,
        driftIntervalMs: timings.driftIntervalMs,
        ...(timings.multiModelMultipart ? { multipart: timings.multiModelMultipart } : {}),
      },
    }),
  ];
  // Every create any controller sends is checked against the SecurityPolicies of the object it reconciles.
  kinds.aws.checkSageMakerRequests(checkRequest);
  return {
    // Every kind acts as its namespace's identity: a namespace whose role or region changes reconciles its objects;
    // a change of a namespace's SecurityPolicies reconciles them too (held back by PolicyViolation, or no longer allowed),
    // and so does a change of any object their prerequisites name (dependsOn, s3UriFrom, when).
    controllers: controllers.map((controller) => {
      const finalize = controller.finalize?.bind(controller);
      return {
        ...controller,
        reconcile: (ctx, obj) => underSecurityPolicies(ctx, obj, () => controller.reconcile(ctx, obj)),
        ...(finalize && {
          finalize: (ctx, obj) => underSecurityPolicies(ctx, obj, () => finalize(ctx, obj)),
        }),
        references: [
          ...(controller.references ?? []),
          namespaceReference,
          SECURITY_POLICY_REFERENCE,
          ...PREREQUISITE_REFERENCES,
        ],
      };
    }),
    changeDetection,
    resyncIntervalMs: swept ? timings.safetyIntervalMs : timings.driftIntervalMs,
  };
}
