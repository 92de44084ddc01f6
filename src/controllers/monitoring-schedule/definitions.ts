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
import type { ResourceRef } from '../common/managed-resource.js';
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

/** One monitoring type's job definitions in one region. */
export class JobDefinitions {
  private readonly calls;

  constructor(
    type: MonitoringType,
    private readonly sagemaker: SageMakerClient,
    private readonly cancel: Cancel,
  ) {
    this.calls = CALLS[type];
  }

  ref(name: string): ResourceRef<DefinitionDescription> {
    return {
      label: 'job definition',
      name,
      describe: () => this.send(this.calls.describe(name)),
      arnOf: (d) => d.JobDefinitionArn,
    };
  }

  create(request: DefinitionRequest): Promise<unknown> {
    return this.send(this.calls.create(request));
  }

  delete(name: string): Promise<unknown> {
    return this.send(this.calls.delete(name));
  }

  private send(command: unknown): Promise<DefinitionDescription> {
    return (this.sagemaker.send as (c: unknown, o: Cancel) => Promise<DefinitionDescription>)(
      command,
      this.cancel,
    );
  }
}
