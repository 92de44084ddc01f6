import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { ReconcileContext } from '../../runtime/index.js';
import {
  deletingCondition,
  deletionStep,
  nextPollMs,
  type DeletionStep,
  type JobView,
} from './job-states.js';
import type { Creation, ManagedResource, ResourceRef } from './managed-resource.js';
import type { ConditionValue } from './conditions.js';
import { untilGone, type PollingSettings } from './polling.js';

type Cancel = { abortSignal: AbortSignal };

/** How a kind of SageMaker job is called, and how its description reads (plain functions). */
export interface JobCalls<D> {
  /** What it is, in messages and events: `training job`, `baselining job`. */
  readonly label: string;
  readonly describe: (sagemaker: SageMakerClient, name: string, cancel: Cancel) => Promise<D>;
  readonly stop: (sagemaker: SageMakerClient, name: string, cancel: Cancel) => Promise<unknown>;
  /** Absent where SageMaker cannot delete the job, or its record is kept: it is only stopped. */
  readonly delete?: (sagemaker: SageMakerClient, name: string, cancel: Cancel) => Promise<unknown>;
  readonly view: (description: D) => JobView;
}

/** What status recorded of a job: the ARN our create returned, the state a describe last showed. */
export interface RecordedJob {
  readonly arn?: string | undefined;
  readonly state?: string | undefined;
}

/**
 * What deleting a job comes to, once described:
 * - `gone`: it does not exist (any more), nothing to do;
 * - `notVisible`: our create answered but no describe has shown it yet: look again shortly;
 * - `notOurs`: it does not carry the object's tags: it is left alone;
 * - `present`: ours, with the step it takes now; `keep` for a finished job SageMaker cannot delete.
 */
export type JobRemoval<D> =
  | { readonly type: 'gone' | 'notVisible' }
  | { readonly type: 'notOurs'; readonly job: JobView }
  | {
      readonly type: 'present';
      readonly job: JobView;
      readonly description: D;
      readonly step: DeletionStep | 'keep';
    };

/**
 * One SageMaker job of an object, by name, on the object's ManagedResource: described and claimed,
 * created once (through ManagedResource.create and attemptCreate, so a taken name is found or
 * waited for and a refused create says why in Ready), read as a JobView, and stopped, then deleted,
 * when its object goes. What the job means for the object's status is the caller's: a job kind
 * mirrors it (job-lifecycle.ts), a MonitoringSchedule waits for its baseline.
 */
export class ManagedJob<D, S> {
  private readonly ref: ResourceRef<D>;

  constructor(
    private readonly ctx: ReconcileContext<S>,
    private readonly resource: ManagedResource<S>,
    private readonly calls: JobCalls<D>,
    private readonly polling: PollingSettings,
    readonly name: string = resource.name,
  ) {
    const { sagemaker, cancel } = resource;
    this.ref = {
      label: calls.label,
      name,
      describe: () => calls.describe(sagemaker, name, cancel),
      arnOf: (description) => calls.view(description).arn,
    };
  }

  view(description: D): JobView {
    return this.calls.view(description);
  }

  /**
   * Its description, or undefined when describe does not find it. Claimed (ownership checked, tags
   * corrected) unless status shows it was created by this object for this generation (`createdArn`).
   */
  async find(createdArn?: string): Promise<D | undefined> {
    const found = await this.resource.find(this.ref);
    if (found !== undefined && this.resource.mustClaim(createdArn))
      await this.resource.claim(this.ref, found);
    return found;
  }

  /** Our create answered, but describe has not shown the job yet: it is on its way, not absent. */
  mayStillAppear(recorded: RecordedJob): boolean {
    return this.resource.mayStillAppear(recorded.arn, recorded.state);
  }

  /**
   * The create call (`call` returns the new job's ARN), made once: a taken name is the job found
   * (ours) or waited for (not visible yet); a refusal a person must address sets Ready first.
   */
  create(call: () => Promise<string | undefined>): Promise<Creation<string | undefined, D>> {
    return this.resource.attemptCreate(() => this.resource.create(this.ref, call));
  }

  /** Described for its deletion: what is left to do, and the step that does it (deletionStep). */
  async removal(recorded: RecordedJob): Promise<JobRemoval<D>> {
    const description = await this.resource.find(this.ref);
    if (description === undefined) return { type: this.mayStillAppear(recorded) ? 'notVisible' : 'gone' };
    const job = this.calls.view(description);
    if (!(await this.resource.owns(job.arn ?? ''))) return { type: 'notOurs', job };
    const step = deletionStep(job);
    return {
      type: 'present',
      job,
      description,
      step: step === 'delete' && !this.calls.delete ? 'keep' : step,
    };
  }

  /** Ready=False Deleting, saying what this step of the job's deletion does or waits for. */
  deletingCondition(job: JobView, step: DeletionStep): ConditionValue {
    return deletingCondition(this.calls.label, job, step, this.calls.delete === undefined);
  }

  /**
   * Stops or deletes the job, with a Normal event, or waits while it stops; how long until it is
   * described again.
   */
  async remove(job: JobView, step: DeletionStep): Promise<number> {
    const { sagemaker, cancel } = this.resource;
    const note = this.deletingCondition(job, step).message;
    if (step === 'stop') {
      await this.calls.stop(sagemaker, this.name, cancel);
      this.ctx.events.normal('Stopping', note, 'Stop');
    } else if (step === 'delete') {
      await this.calls.delete?.(sagemaker, this.name, cancel);
      this.ctx.events.normal('Deleting', note, 'Delete');
    }
    return step === 'wait' ? nextPollMs(job, new Date(), untilGone(this.polling)) : this.polling.minMs;
  }
}
