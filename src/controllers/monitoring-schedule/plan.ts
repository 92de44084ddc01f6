import type {
  CreateProcessingJobRequest,
  MonitoringScheduleConfig,
  NetworkConfig,
  ProcessingClusterConfig,
  ProcessingResources,
  ProcessingStoppingCondition,
  Tag,
} from '@aws-sdk/client-sagemaker';
import { derivedName } from '../../aws/naming.js';
import { DEFINITION_FIELDS, type MonitoringScheduleSpec } from '../../crds/monitoring-schedule.js';
import {
  CreateDataQualityJobDefinitionRequest,
  CreateModelBiasJobDefinitionRequest,
  CreateModelExplainabilityJobDefinitionRequest,
  CreateModelQualityJobDefinitionRequest,
} from '../../crds/shapes/sagemaker.generated.js';
import { toRequest } from '../common/sagemaker-shape.js';
import { analyzerImage } from './images.js';

const SHAPES = {
  DataQuality: CreateDataQualityJobDefinitionRequest,
  ModelQuality: CreateModelQualityJobDefinitionRequest,
  ModelBias: CreateModelBiasJobDefinitionRequest,
  ModelExplainability: CreateModelExplainabilityJobDefinitionRequest,
};

/** Where the captured data of the monitored endpoint is mounted when the spec names no localPath. */
const ENDPOINT_LOCAL_PATH = '/opt/ml/processing/input/endpoint';
const BASELINE_INPUT_PATH = '/opt/ml/processing/input/baseline_dataset_input';
const BASELINE_OUTPUT_PATH = '/opt/ml/processing/output';

/** A Create<Type>JobDefinition request (the SDK has one input type per monitoring type). */
export type DefinitionRequest = Record<string, unknown> & { JobDefinitionName: string; Tags: Tag[] };

type Json = Record<string, unknown>;

/** The spec's job definition of its monitoring type, lowerCamel as written. */
function definitionSpec(spec: MonitoringScheduleSpec): Json {
  return spec[DEFINITION_FIELDS[spec.monitoringType]] ?? {};
}

const memberOf = (record: Json, key: string): Json => (record[key] ?? {}) as Json;

/** The image of the definition: the spec's, else the region's analyzer (DataQuality, ModelQuality). */
export function monitorImage(spec: MonitoringScheduleSpec, region: string): string | undefined {
  const app = memberOf(definitionSpec(spec), `${lowerFirst(spec.monitoringType)}AppSpecification`);
  return (app.imageUri as string | undefined) ?? analyzerImage(region);
}

/** Why `what` (the job definition, the baselining job) has no image: the region has no analyzer, the spec names none. */
export function noImageMessage(spec: MonitoringScheduleSpec, region: string, what: string): string {
  const field = DEFINITION_FIELDS[spec.monitoringType];
  return `no built-in Model Monitor analyzer image is known for region ${region} (the ${what} needs one): set ${field}.${field.replace('JobDefinition', 'AppSpecification')}.imageUri`;
}

/** The baselining job the spec asks for, and where it leaves the baseline. */
export interface BaselinePlan {
  request: CreateProcessingJobRequest & { ProcessingJobName: string };
  constraintsUri: string;
  statisticsUri: string;
}

/**
 * The processing job suggest_baseline runs (reference §4.6), with the definition's image (the
 * region's analyzer unless the spec names another, as a mirror of it), content-addressed: a changed dataset,
 * script, format or output makes another job, so the schedule is re-baselined. The spec is the one
 * SageMaker gets: a dataset's s3UriFrom is resolved to its s3Uri, which the name is a hash of.
 */
export function baselinePlan(
  spec: MonitoringScheduleSpec,
  scheduleName: string,
  region: string,
  tags: Tag[],
): BaselinePlan | undefined {
  const dataset = spec.baseline?.fromDataset;
  if (!dataset) return undefined;
  const datasetUri = dataset.s3Uri;
  if (datasetUri === undefined) throw new Error('the baseline dataset must be resolved to an s3Uri first');
  const image = monitorImage(spec, region);
  if (image === undefined) return undefined;
  const definition = definitionSpec(spec);
  const type = spec.monitoringType;
  const shape = SHAPES[type].properties;
  const resources = toRequest(
    shape.jobResources,
    dataset.resources ?? definition.jobResources,
  ) as ProcessingResources;
  const roleArn = definition.roleArn as string;
  const name = derivedName(`${scheduleName}-baseline`, { scheduleName, dataset, image, roleArn, resources });
  const outputConfig = memberOf(definition, `${lowerFirst(type)}JobOutputConfig`);
  const outputs = outputConfig.monitoringOutputs as { s3Output: { s3Uri: string } }[] | undefined;
  const volumeKmsKeyId = memberOf(memberOf(definition, 'jobResources'), 'clusterConfig').volumeKmsKeyId as
    string | undefined;
  const output =
    dataset.outputS3Uri ?? `${trimSlash(outputs?.[0]?.s3Output.s3Uri ?? '')}/baselining/${name}/results`;
  const scripts = [
    ['record_preprocessor_script', dataset.recordPreprocessorSourceUri],
    ['post_analytics_processor_script', dataset.postAnalyticsProcessorSourceUri],
  ].flatMap(([key, uri]) => (uri ? [{ key: key as string, uri }] : []));
  const input = (inputName: string, s3Uri: string, localPath: string) => ({
    InputName: inputName,
    S3Input: {
      S3Uri: s3Uri,
      LocalPath: localPath,
      S3DataType: 'S3Prefix' as const,
      S3InputMode: 'File' as const,
      S3DataDistributionType: 'FullyReplicated' as const,
    },
  });
  const scriptPath = (key: string) => `/opt/ml/processing/input/${key}_input`;
  // The job runs as the definition's executions do: same encryption keys, network and time limit.
  return {
    request: {
      ProcessingJobName: name,
      RoleArn: roleArn,
      AppSpecification: { ImageUri: image },
      ProcessingInputs: [
        input('baseline_dataset_input', datasetUri, BASELINE_INPUT_PATH),
        ...scripts.map(({ key, uri }) => input(`${key}_input`, uri, scriptPath(key))),
      ],
      ProcessingOutputConfig: {
        Outputs: [
          {
            OutputName: 'monitoring_output',
            S3Output: { S3Uri: output, LocalPath: BASELINE_OUTPUT_PATH, S3UploadMode: 'EndOfJob' },
          },
        ],
        ...(outputConfig.kmsKeyId !== undefined && { KmsKeyId: outputConfig.kmsKeyId as string }),
      },
      ProcessingResources: {
        ClusterConfig: {
          ...(volumeKmsKeyId !== undefined && { VolumeKmsKeyId: volumeKmsKeyId }),
          ...resources.ClusterConfig,
        } as ProcessingClusterConfig,
      },
      NetworkConfig: toRequest(shape.networkConfig, definition.networkConfig) as NetworkConfig,
      StoppingCondition: toRequest(
        shape.stoppingCondition,
        definition.stoppingCondition,
      ) as ProcessingStoppingCondition,
      Environment: {
        dataset_format: JSON.stringify(
          dataset.datasetFormat.csv
            ? { csv: { header: dataset.datasetFormat.csv.header ?? true, output_columns_position: 'START' } }
            : { json: { lines: dataset.datasetFormat.json?.lines ?? true } },
        ),
        dataset_source: BASELINE_INPUT_PATH,
        output_path: BASELINE_OUTPUT_PATH,
        publish_cloudwatch_metrics: 'Disabled',
        ...Object.fromEntries(scripts.map(({ key, uri }) => [key, `${scriptPath(key)}/${baseName(uri)}`])),
        ...modelQualityEnvironment(spec),
        ...dataset.environment,
      },
      Tags: tags,
    },
    constraintsUri: `${trimSlash(output)}/constraints.json`,
    statisticsUri: `${trimSlash(output)}/statistics.json`,
  };
}

/** Model-quality baselines name the problem and the attributes that hold inference and truth. */
function modelQualityEnvironment(spec: MonitoringScheduleSpec): Record<string, string> {
  const definition = spec.modelQualityJobDefinition;
  if (spec.monitoringType !== 'ModelQuality' || !definition) return {};
  const input =
    definition.modelQualityJobInput.endpointInput ?? definition.modelQualityJobInput.batchTransformInput;
  const entries: [string, string | number | undefined][] = [
    ['analysis_type', 'MODEL_QUALITY'],
    ['problem_type', definition.modelQualityAppSpecification.problemType],
    ['inference_attribute', input?.inferenceAttribute],
    ['probability_attribute', input?.probabilityAttribute],
    ['probability_threshold_attribute', input?.probabilityThresholdAttribute],
  ];
  return Object.fromEntries(entries.flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
}

export interface Baseline {
  constraintsUri?: string;
  statisticsUri?: string;
}

/**
 * The job definition request, content-addressed like an EndpointConfig: `<schedule>-<hash>` of
 * everything in it but its tags, so a changed spec (or baseline) makes a new definition. The hash
 * covers the owner's uid too: two objects with the same content (a schedule name reused by another
 * object, or the same object deleted with Retain and created again) never share a definition, so
 * one's deletion never removes the other's.
 */
export function definitionRequest(
  spec: MonitoringScheduleSpec,
  scheduleName: string,
  ownerUid: string,
  endpointName: string | undefined,
  image: string,
  baseline: Baseline,
  tags: Tag[],
): DefinitionRequest {
  const type = spec.monitoringType;
  const prefix = type;
  const request = { ...(toRequest(SHAPES[type], definitionSpec(spec)) as Json) };
  request[`${prefix}AppSpecification`] = {
    ...memberOf(request, `${prefix}AppSpecification`),
    ImageUri: image,
  };
  if (endpointName !== undefined) {
    const input = memberOf(request, `${prefix}JobInput`);
    request[`${prefix}JobInput`] = {
      ...input,
      EndpointInput: {
        LocalPath: ENDPOINT_LOCAL_PATH,
        ...memberOf(input, 'EndpointInput'),
        EndpointName: endpointName,
      },
    };
  }
  if (baseline.constraintsUri !== undefined || baseline.statisticsUri !== undefined) {
    request[`${prefix}BaselineConfig`] = {
      ...(baseline.constraintsUri && { ConstraintsResource: { S3Uri: baseline.constraintsUri } }),
      ...(type === 'DataQuality' &&
        baseline.statisticsUri && { StatisticsResource: { S3Uri: baseline.statisticsUri } }),
    };
  }
  return {
    ...request,
    JobDefinitionName: derivedName(scheduleName, { ownerUid, scheduleName, type, request }),
    Tags: tags,
  };
}

/** The MonitoringScheduleConfig that points at a definition. */
export function scheduleConfig(
  spec: MonitoringScheduleSpec,
  definitionName: string,
): MonitoringScheduleConfig {
  const { scheduleExpression, dataAnalysisStartTime, dataAnalysisEndTime } = spec.schedule;
  return {
    ScheduleConfig: {
      ScheduleExpression: scheduleExpression,
      ...(dataAnalysisStartTime !== undefined && { DataAnalysisStartTime: dataAnalysisStartTime }),
      ...(dataAnalysisEndTime !== undefined && { DataAnalysisEndTime: dataAnalysisEndTime }),
    },
    MonitoringJobDefinitionName: definitionName,
    MonitoringType: spec.monitoringType,
  };
}

/** Whether SageMaker runs the schedule as planned: same definition, type and timing. */
export function scheduleMatches(
  current: MonitoringScheduleConfig | undefined,
  desired: MonitoringScheduleConfig,
): boolean {
  const timing = (c: MonitoringScheduleConfig | undefined) => ({
    expression: c?.ScheduleConfig?.ScheduleExpression,
    start: c?.ScheduleConfig?.DataAnalysisStartTime,
    end: c?.ScheduleConfig?.DataAnalysisEndTime,
  });
  return (
    current?.MonitoringJobDefinitionName === desired.MonitoringJobDefinitionName &&
    current?.MonitoringType === desired.MonitoringType &&
    JSON.stringify(timing(current)) === JSON.stringify(timing(desired))
  );
}

function lowerFirst(value: string): string {
  return value.charAt(0).toLowerCase() + value.slice(1);
}

function trimSlash(uri: string): string {
  return uri.replace(/\/+$/, '');
}

function baseName(uri: string): string {
  return uri.slice(uri.lastIndexOf('/') + 1);
}
