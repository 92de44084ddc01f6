import {
  CreateDataQualityJobDefinitionCommand,
  CreateModelBiasJobDefinitionCommand,
  CreateModelExplainabilityJobDefinitionCommand,
  CreateModelQualityJobDefinitionCommand,
  DeleteDataQualityJobDefinitionCommand,
  DeleteModelBiasJobDefinitionCommand,
  DeleteModelExplainabilityJobDefinitionCommand,
  DeleteModelQualityJobDefinitionCommand,
  DescribeDataQualityJobDefinitionCommand,
  DescribeModelBiasJobDefinitionCommand,
  DescribeModelExplainabilityJobDefinitionCommand,
  DescribeModelQualityJobDefinitionCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { MonitoringScheduleStatus } from '../../crds/monitoring-schedule.js';
import type { ReconcileContext } from '../../runtime/index.js';
import { including, type ManagedResource, type ResourceRef } from '../common/managed-resource.js';
import type { DefinitionRequest } from './plan.js';

type Cancel = { abortSignal: AbortSignal };
type MonitoringType = 'DataQuality' | 'ModelQuality' | 'ModelBias' | 'ModelExplainability';

/*
 * SageMaker has one set of job-definition operations per monitoring type, with the same shape;
 * the SDK's request types differ only in the type's member prefix.
 */
const CALLS = {
  DataQuality: {
    create: (r: DefinitionRequest) => new CreateDataQualityJobDefinitionCommand(r as never),
    describe: (name: string) => new DescribeDataQualityJobDefinitionCommand({ JobDefinitionName: name }),
    delete: (name: string) => new DeleteDataQualityJobDefinitionCommand({ JobDefinitionName: name }),
  },
  ModelQuality: {
    create: (r: DefinitionRequest) => new CreateModelQualityJobDefinitionCommand(r as never),
    describe: (name: string) => new DescribeModelQualityJobDefinitionCommand({ JobDefinitionName: name }),
    delete: (name: string) => new DeleteModelQualityJobDefinitionCommand({ JobDefinitionName: name }),
  },
  ModelBias: {
    create: (r: DefinitionRequest) => new CreateModelBiasJobDefinitionCommand(r as never),
    describe: (name: string) => new DescribeModelBiasJobDefinitionCommand({ JobDefinitionName: name }),
    delete: (name: string) => new DeleteModelBiasJobDefinitionCommand({ JobDefinitionName: name }),
  },
  ModelExplainability: {
    create: (r: DefinitionRequest) => new CreateModelExplainabilityJobDefinitionCommand(r as never),
    describe: (name: string) =>
      new DescribeModelExplainabilityJobDefinitionCommand({ JobDefinitionName: name }),
    delete: (name: string) => new DeleteModelExplainabilityJobDefinitionCommand({ JobDefinitionName: name }),
  },
} as const;

interface DefinitionDescription {
  JobDefinitionArn?: string;
}

/**
 * The job definitions of one schedule, of its monitoring type: the one its schedule runs, described
 * (and claimed) before it is created, its name recorded first so that a crash after the create still
 * deletes it in the end; and those it no longer runs, deleted once the schedule moved off them.
 */
export class JobDefinitions {
  private readonly calls;
  private readonly sagemaker: SageMakerClient;
  private readonly cancel: Cancel;

  constructor(
    type: MonitoringType,
    private readonly ctx: ReconcileContext<MonitoringScheduleStatus>,
    private readonly resource: ManagedResource<MonitoringScheduleStatus>,
  ) {
    this.calls = CALLS[type];
    this.sagemaker = resource.sagemaker;
    this.cancel = resource.cancel;
  }

  private get status(): Partial<MonitoringScheduleStatus> {
    return this.ctx.status.current;
  }

  /**
   * The definition in place: skipped when status shows it in place for this generation. False while
   * it exists but cannot be described yet.
   */
  async ensure(definition: DefinitionRequest): Promise<boolean> {
    const name = definition.JobDefinitionName;
    if (this.status.jobDefinitionName === name && !this.resource.mustClaim(this.status.monitoringScheduleArn))
      return true;
    const created = this.status.createdJobDefinitionNames;
    if (!created?.includes(name)) {
      this.ctx.status.set({ createdJobDefinitionNames: including(created, [name]) });
      await this.ctx.status.flush();
    }
    const ensured = await this.resource.attemptCreate(() =>
      this.resource.ensure(this.ref(name), () => this.send(this.calls.create(definition))),
    );
    if (ensured === 'present') this.ctx.status.set({ jobDefinitionName: name });
    return ensured === 'present';
  }

  /** Definitions this object created that the schedule no longer uses. */
  async deleteRetired(current: string): Promise<void> {
    await this.delete((this.status.createdJobDefinitionNames ?? []).filter((name) => name !== current));
  }

  /** Every definition this object created. */
  async deleteAll(): Promise<void> {
    await this.delete(this.status.createdJobDefinitionNames ?? []);
  }

  /** Deletes the definitions that carry this object's tags, and forgets them in status. */
  private async delete(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    for (const name of names) {
      const arn = (await this.resource.find(this.ref(name)))?.JobDefinitionArn;
      if (arn && (await this.resource.owns(arn))) await this.send(this.calls.delete(name));
    }
    const kept = (this.status.createdJobDefinitionNames ?? []).filter((name) => !names.includes(name));
    this.ctx.status.set({ createdJobDefinitionNames: kept });
  }

  private ref(name: string): ResourceRef<DefinitionDescription> {
    return {
      label: 'job definition',
      name,
      describe: () => this.send(this.calls.describe(name)),
      arnOf: (d) => d.JobDefinitionArn,
    };
  }

  private send(command: unknown): Promise<DefinitionDescription> {
    return (this.sagemaker.send as (c: unknown, o: Cancel) => Promise<DefinitionDescription>)(
      command,
      this.cancel,
    );
  }
}
