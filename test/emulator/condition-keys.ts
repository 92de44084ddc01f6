/**
 * The SageMaker condition keys a request carries (reference/sagemaker-api.md §7.2, from the Service
 * Authorization Reference), computed from the request as IAM does: a key is in the context only
 * when the request contains its value. VpcSubnets, VpcSecurityGroupIds and InstanceTypes are
 * ArrayOfString; ModelArn holds every model a request names.
 */
import type { RequestContext } from './iam-policy.js';
import type { AccountScope } from './resources.js';
import { arnOf } from './resources.js';

type Fields = Record<string, unknown>;

const field = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>(
    (at, key) => (typeof at === 'object' && at !== null ? (at as Fields)[key] : undefined),
    value,
  );

const items = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The request's values as IAM's strings (booleans `true`/`false`, numbers in decimal). */
function strings(...values: unknown[]): string[] {
  return values
    .flat()
    .flatMap((v) =>
      typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? [String(v)] : [],
    );
}

const network = (vpcConfig: unknown, isolation: unknown): RequestContext => ({
  'sagemaker:VpcSubnets': strings(field(vpcConfig, 'Subnets')),
  'sagemaker:VpcSecurityGroupIds': strings(field(vpcConfig, 'SecurityGroupIds')),
  'sagemaker:NetworkIsolation': strings(isolation),
});

/** A processing-style job: NetworkConfig, a ClusterConfig, an output KMS key and a stopping condition. */
const clusterJob = (input: unknown, cluster: unknown, outputKmsKey: unknown): RequestContext => {
  const net = field(input, 'NetworkConfig');
  return {
    ...network(field(net, 'VpcConfig'), field(net, 'EnableNetworkIsolation')),
    'sagemaker:InterContainerTrafficEncryption': strings(field(net, 'EnableInterContainerTrafficEncryption')),
    'sagemaker:VolumeKmsKey': strings(field(cluster, 'VolumeKmsKeyId')),
    'sagemaker:OutputKmsKey': strings(outputKmsKey),
    'sagemaker:InstanceTypes': strings(field(cluster, 'InstanceType')),
    'sagemaker:MaxRuntimeInSeconds': strings(field(input, 'StoppingCondition', 'MaxRuntimeInSeconds')),
  };
};

const jobDefinition =
  (output: string) =>
  (input: unknown): RequestContext =>
    clusterJob(input, field(input, 'JobResources', 'ClusterConfig'), field(input, output, 'KmsKeyId'));

const monitoringSchedule = (input: unknown): RequestContext => {
  const definition = field(input, 'MonitoringScheduleConfig', 'MonitoringJobDefinition');
  return clusterJob(
    definition,
    field(definition, 'MonitoringResources', 'ClusterConfig'),
    field(definition, 'MonitoringOutputConfig', 'KmsKeyId'),
  );
};

const KEYS: Record<string, (input: unknown, scope: AccountScope) => RequestContext> = {
  CreateTrainingJob: (input) => ({
    ...network(field(input, 'VpcConfig'), field(input, 'EnableNetworkIsolation')),
    'sagemaker:InterContainerTrafficEncryption': strings(
      field(input, 'EnableInterContainerTrafficEncryption'),
    ),
    'sagemaker:VolumeKmsKey': strings(field(input, 'ResourceConfig', 'VolumeKmsKeyId')),
    'sagemaker:OutputKmsKey': strings(field(input, 'OutputDataConfig', 'KmsKeyId')),
    'sagemaker:InstanceTypes': strings(
      field(input, 'ResourceConfig', 'InstanceType'),
      items(field(input, 'ResourceConfig', 'InstanceGroups')).map((g) => field(g, 'InstanceType')),
    ),
    'sagemaker:MaxRuntimeInSeconds': strings(field(input, 'StoppingCondition', 'MaxRuntimeInSeconds')),
  }),
  // The Service Authorization Reference lists these six for CreateHyperParameterTuningJob (reference
  // §7.2): not InstanceTypes, not MaxRuntimeInSeconds. Each key holds the values of every definition.
  CreateHyperParameterTuningJob: (input) => {
    const definitions = [
      ...(field(input, 'TrainingJobDefinition') === undefined ? [] : [field(input, 'TrainingJobDefinition')]),
      ...items(field(input, 'TrainingJobDefinitions')),
    ];
    const all = (...path: string[]): string[] => strings(definitions.flatMap((d) => field(d, ...path)));
    return {
      'sagemaker:VpcSubnets': all('VpcConfig', 'Subnets'),
      'sagemaker:VpcSecurityGroupIds': all('VpcConfig', 'SecurityGroupIds'),
      'sagemaker:NetworkIsolation': all('EnableNetworkIsolation'),
      'sagemaker:InterContainerTrafficEncryption': all('EnableInterContainerTrafficEncryption'),
      'sagemaker:VolumeKmsKey': [
        ...all('ResourceConfig', 'VolumeKmsKeyId'),
        ...all('HyperParameterTuningResourceConfig', 'VolumeKmsKeyId'),
      ],
      'sagemaker:OutputKmsKey': all('OutputDataConfig', 'KmsKeyId'),
    };
  },
  CreateModel: (input) => network(field(input, 'VpcConfig'), field(input, 'EnableNetworkIsolation')),
  CreateEndpointConfig: (input, scope) => {
    const variants = [
      ...items(field(input, 'ProductionVariants')),
      ...items(field(input, 'ShadowProductionVariants')),
    ];
    return {
      ...network(field(input, 'VpcConfig'), field(input, 'EnableNetworkIsolation')),
      'sagemaker:VolumeKmsKey': strings(field(input, 'KmsKeyId')),
      'sagemaker:InstanceTypes': strings(variants.map((v) => field(v, 'InstanceType'))),
      'sagemaker:ModelArn': strings(variants.map((v) => field(v, 'ModelName'))).map((name) =>
        arnOf(scope, 'model', name),
      ),
    };
  },
  CreateProcessingJob: (input) =>
    clusterJob(
      input,
      field(input, 'ProcessingResources', 'ClusterConfig'),
      field(input, 'ProcessingOutputConfig', 'KmsKeyId'),
    ),
  CreateTransformJob: (input, scope) => ({
    'sagemaker:VolumeKmsKey': strings(field(input, 'TransformResources', 'VolumeKmsKeyId')),
    'sagemaker:OutputKmsKey': strings(field(input, 'TransformOutput', 'KmsKeyId')),
    'sagemaker:InstanceTypes': strings(field(input, 'TransformResources', 'InstanceType')),
    'sagemaker:ModelArn': strings(field(input, 'ModelName')).map((name) => arnOf(scope, 'model', name)),
  }),
  CreateMonitoringSchedule: monitoringSchedule,
  UpdateMonitoringSchedule: monitoringSchedule,
  CreateDataQualityJobDefinition: jobDefinition('DataQualityJobOutputConfig'),
  CreateModelQualityJobDefinition: jobDefinition('ModelQualityJobOutputConfig'),
  CreateModelBiasJobDefinition: jobDefinition('ModelBiasJobOutputConfig'),
  CreateModelExplainabilityJobDefinition: jobDefinition('ModelExplainabilityJobOutputConfig'),
  InvokeEndpoint: (input) => ({ 'sagemaker:TargetModel': strings(field(input, 'TargetModel')) }),
};

/** The condition keys of `operation`'s request; empty for operations that support none. */
export function conditionKeys(operation: string, input: unknown, scope: AccountScope): RequestContext {
  return KEYS[operation]?.(input, scope) ?? {};
}
