import { describe, expect, it } from '@jest/globals';
import {
  endpoint,
  monitoringSchedule,
  modelPackage,
  modelPackageGroup,
  processingJob,
  trainingJob,
  transformJob,
} from '../../../src/crds/index.js';
import { sageMakerModel } from '../../../src/crds/generate.js';
import { requestShapeName } from '../../../src/crds/shapes/botocore.js';
import { DERIVED, type Request } from '../../../src/crds/shapes/generate-shapes.js';
import { REQUEST_SHAPES } from '../../../src/crds/shapes/sagemaker.generated.js';
import { leafCoverage, share, type JsonSchema } from './coverage.js';

/** Each request a kind maps to, less the members the operator derives, at least this share. */
const TARGET = 0.98;

function plain(schema: unknown): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

const trainingJobSpec = plain(trainingJob.spec);
const endpointSpec = plain(endpoint.spec);
const endpointModel = endpointSpec.properties?.models?.items;
const transformJobSpec = plain(transformJob.spec);
const transformModel = transformJobSpec.properties?.model;
const processingJobSpec = plain(processingJob.spec);
const groupSpec = plain(modelPackageGroup.spec);
const versionSpec = plain(modelPackage.spec);
const scheduleSpec = plain(monitoringSchedule.spec);
/** A MonitoringSchedule's job definition of each monitoring type, in the field named after it. */
const JOB_DEFINITIONS = [
  ['CreateDataQualityJobDefinition', 'dataQualityJobDefinition'],
  ['CreateModelQualityJobDefinition', 'modelQualityJobDefinition'],
  ['CreateModelBiasJobDefinition', 'modelBiasJobDefinition'],
  ['CreateModelExplainabilityJobDefinition', 'modelExplainabilityJobDefinition'],
] as const;

/** Where each request sits in a kind's spec: the schema whose lowerCamel members are the request's. */
const MAPPINGS: { kind: string; request: Request; schema: JsonSchema | undefined }[] = [
  { kind: 'TrainingJob', request: 'CreateTrainingJob', schema: trainingJobSpec },
  { kind: 'Endpoint', request: 'CreateModel', schema: endpointModel },
  { kind: 'Endpoint', request: 'CreateEndpointConfig', schema: endpointSpec },
  { kind: 'Endpoint', request: 'CreateEndpoint', schema: endpointSpec },
  { kind: 'Endpoint', request: 'UpdateEndpoint', schema: endpointSpec },
  { kind: 'TransformJob', request: 'CreateTransformJob', schema: transformJobSpec },
  { kind: 'TransformJob', request: 'CreateModel', schema: transformModel },
  { kind: 'ProcessingJob', request: 'CreateProcessingJob', schema: processingJobSpec },
  { kind: 'ModelPackageGroup', request: 'CreateModelPackageGroup', schema: groupSpec },
  { kind: 'ModelPackage', request: 'CreateModelPackage', schema: versionSpec },
  ...JOB_DEFINITIONS.map(([request, field]) => ({
    kind: 'MonitoringSchedule',
    request,
    schema: scheduleSpec.properties?.[field],
  })),
];

/** What a kind waits for before its first create. */
const PREREQUISITES = ['dependsOn', 'when'];
/** The fields every kind adds. */
const COMMON = ['region', 'deletionPolicy', 'tags', 'adoptExisting', ...PREREQUISITES];

/** Every report of a model version's metrics and drift baselines may take its URI from a job. */
const METRICS_FROM_JOBS = [
  'modelMetrics.modelQuality.statistics',
  'modelMetrics.modelQuality.constraints',
  'modelMetrics.modelDataQuality.statistics',
  'modelMetrics.modelDataQuality.constraints',
  'modelMetrics.bias.report',
  'modelMetrics.bias.preTrainingReport',
  'modelMetrics.bias.postTrainingReport',
  'modelMetrics.explainability.report',
  'driftCheckBaselines.bias.configFile',
  'driftCheckBaselines.bias.preTrainingConstraints',
  'driftCheckBaselines.bias.postTrainingConstraints',
  'driftCheckBaselines.explainability.constraints',
  'driftCheckBaselines.explainability.configFile',
  'driftCheckBaselines.modelQuality.statistics',
  'driftCheckBaselines.modelQuality.constraints',
  'driftCheckBaselines.modelDataQuality.statistics',
  'driftCheckBaselines.modelDataQuality.constraints',
].map((report) => `${report}.s3UriFrom`);

/**
 * What a kind adds to its requests (docs/architecture.md, the API, and the kind's references): everything in a spec,
 * or in the part of it that stands for a request, that none of its requests has. The generic
 * mapping leaves these out of every request.
 */
const ADDED_FIELDS: { part: string; schema: JsonSchema; requests: Request[]; fields: string[] }[] = [
  {
    part: 'TrainingJob spec',
    schema: trainingJobSpec,
    requests: ['CreateTrainingJob'],
    fields: [...COMMON, 'trainingJobName', 'inputDataConfig[].dataSource.s3DataSource.s3UriFrom'],
  },
  {
    part: 'Endpoint spec',
    schema: endpointSpec,
    requests: ['CreateEndpointConfig', 'CreateEndpoint', 'UpdateEndpoint'],
    fields: [...COMMON, 'endpointName', 'models'],
  },
  {
    part: 'Endpoint models[]',
    schema: endpointModel ?? {},
    requests: ['CreateModel'],
    fields: [
      'modelName',
      'primaryContainer.modelDataFrom',
      'containers[].modelDataFrom',
      'primaryContainer.modelPackageRef',
      'containers[].modelPackageRef',
      'primaryContainer.modelPackageFrom',
      'containers[].modelPackageFrom',
    ],
  },
  {
    part: 'TransformJob spec',
    schema: transformJobSpec,
    requests: ['CreateTransformJob'],
    fields: [...COMMON, 'transformJobName', 'model', 'transformInput.dataSource.s3DataSource.s3UriFrom'],
  },
  {
    part: 'TransformJob model',
    schema: transformModel ?? {},
    requests: ['CreateModel'],
    fields: ['primaryContainer.modelDataFrom', 'containers[].modelDataFrom'],
  },
  {
    part: 'ProcessingJob spec',
    schema: processingJobSpec,
    requests: ['CreateProcessingJob'],
    fields: [...COMMON, 'processingJobName', 'processingInputs[].s3Input.s3UriFrom'],
  },
  {
    part: 'ModelPackageGroup spec',
    schema: groupSpec,
    requests: ['CreateModelPackageGroup'],
    fields: [...COMMON, 'modelPackageGroupName'],
  },
  {
    part: 'ModelPackage spec',
    schema: versionSpec,
    requests: ['CreateModelPackage'],
    // approvalDescription is UpdateModelPackage's: approval is applied after the create.
    fields: [
      'groupRef',
      'trainingJobRef',
      'approvalDescription',
      'region',
      'deletionPolicy',
      ...PREREQUISITES,
      ...METRICS_FROM_JOBS,
    ],
  },
  ...JOB_DEFINITIONS.map(([request, field]) => ({
    part: `MonitoringSchedule ${field}`,
    schema: scheduleSpec.properties?.[field] ?? {},
    requests: [request] as Request[],
    fields: [] as string[],
  })),
];

/** Paths of `schema` found in none of `requests` at the same place (not walked into further). */
function fieldsOutside(schema: JsonSchema, requests: (JsonSchema | undefined)[], path = ''): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([name, member]) => {
    const memberPath = path ? `${path}.${name}` : name;
    const matches = requests.map((r) => r?.properties?.[name]).filter((m) => m !== undefined);
    if (matches.length === 0) return [memberPath];
    if (member.items) {
      return fieldsOutside(
        member.items,
        matches.map((m) => m.items),
        `${memberPath}[]`,
      );
    }
    return fieldsOutside(member, matches, memberPath);
  });
}

describe('coverage of the SageMaker requests by the kinds', () => {
  it(`exposes at least ${TARGET * 100} % of each request's leaf members in the kind's spec`, async () => {
    const model = await sageMakerModel();
    const rows = MAPPINGS.map(({ kind, request, schema }) => {
      const coverage = leafCoverage(model, requestShapeName(model, request), schema, DERIVED[request]);
      return { kind, request, coverage, share: share(coverage) };
    });
    const table = rows.map(
      ({ kind, request, coverage, share }) =>
        `${kind} ${request}: ${(share * 100).toFixed(1)} % (${coverage.present.length} of ${coverage.total}); ` +
        `left out: ${coverage.leftOut.map((member) => `${member} (${DERIVED[request][member]})`).join(', ')}; ` +
        `missing: ${coverage.missing.join(', ') || 'none'}`,
    );
    expect(rows.filter((row) => row.share < TARGET).map((row) => table[rows.indexOf(row)])).toEqual([]);
    expect(rows.map((row) => row.coverage.missing)).toEqual(rows.map(() => []));
  });

  it.each(ADDED_FIELDS)(
    '$part adds only its Kubernetes fields and references',
    ({ schema, requests, fields }) => {
      const shapes = requests.map((request) => plain(REQUEST_SHAPES[request]));
      expect(fieldsOutside(schema, shapes).sort()).toEqual([...fields].sort());
    },
  );
});
