import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { commonSpecFields, commonSpecRules, commonStatusFields, explicitNameField } from './common.js';
import { AGE_COLUMN, COMMON_COLUMNS, type KindDefinition, descriptorOf, type ObjectOf } from './kind.js';
import { withS3UriFrom } from './references.js';
import { immutableExceptRule, refine, StringEnum, StringMap, type CelRule } from './schema.js';
import {
  CreateDataQualityJobDefinitionRequest,
  CreateModelBiasJobDefinitionRequest,
  CreateModelExplainabilityJobDefinitionRequest,
  CreateModelQualityJobDefinitionRequest,
  DataQualityAppSpecification,
  DataQualityJobInput,
  EndpointInput,
  ModelBiasJobInput,
  ModelExplainabilityJobInput,
  ModelQualityAppSpecification,
  ModelQualityJobInput,
  MonitoringResources,
  MonitoringTypeValues,
  ScheduleConfig,
} from './shapes/sagemaker.generated.js';

const S3_URI = { maxLength: 1024, pattern: '^(https|s3)://([^/]+)/?(.*)$' };

/** EndpointInput whose endpointName may come from endpointRef or spec.endpointName instead. */
const endpointInput = Type.Optional(
  Type.Object(
    {
      ...EndpointInput.properties,
      endpointName: Type.Optional(
        refine(EndpointInput.properties.endpointName, {
          description:
            'The monitored endpoint. Default: the one of endpointRef or endpointName; set at most one of the three.',
        }),
      ),
    },
    {
      description:
        'How the monitored endpoint\'s captured data reaches the container. Default with endpointRef or endpointName: localPath "/opt/ml/processing/input/endpoint".',
    },
  ),
);

const ANALYZER_IMAGE =
  "The container image. Default: the region's built-in Model Monitor analyzer (sagemaker-model-monitor-analyzer; see docs/monitoring.md for the regions the operator knows).";

/** The analyzer-based app specifications, whose image the operator can default per region. */
const dataQualityApp = Type.Object(
  {
    ...DataQualityAppSpecification.properties,
    imageUri: Type.Optional(
      refine(DataQualityAppSpecification.properties.imageUri, { description: ANALYZER_IMAGE }),
    ),
  },
  { description: DataQualityAppSpecification.description },
);
const modelQualityApp = Type.Object(
  {
    ...ModelQualityAppSpecification.properties,
    imageUri: Type.Optional(
      refine(ModelQualityAppSpecification.properties.imageUri, { description: ANALYZER_IMAGE }),
    ),
  },
  { description: ModelQualityAppSpecification.description },
);

const dataQualityDefinition = Type.Object(
  {
    ...CreateDataQualityJobDefinitionRequest.properties,
    dataQualityAppSpecification: dataQualityApp,
    dataQualityJobInput: Type.Object(
      { ...DataQualityJobInput.properties, endpointInput },
      { description: DataQualityJobInput.description },
    ),
  },
  { description: 'CreateDataQualityJobDefinition in lowerCamel, without its name and tags.' },
);
const modelQualityDefinition = Type.Object(
  {
    ...CreateModelQualityJobDefinitionRequest.properties,
    modelQualityAppSpecification: modelQualityApp,
    modelQualityJobInput: Type.Object(
      { ...ModelQualityJobInput.properties, endpointInput },
      { description: ModelQualityJobInput.description },
    ),
  },
  { description: 'CreateModelQualityJobDefinition in lowerCamel, without its name and tags.' },
);
const modelBiasDefinition = Type.Object(
  {
    ...CreateModelBiasJobDefinitionRequest.properties,
    modelBiasJobInput: Type.Object(
      { ...ModelBiasJobInput.properties, endpointInput },
      { description: ModelBiasJobInput.description },
    ),
  },
  { description: 'CreateModelBiasJobDefinition in lowerCamel, without its name and tags.' },
);
const modelExplainabilityDefinition = Type.Object(
  {
    ...CreateModelExplainabilityJobDefinitionRequest.properties,
    modelExplainabilityJobInput: Type.Object(
      { ...ModelExplainabilityJobInput.properties, endpointInput },
      { description: ModelExplainabilityJobInput.description },
    ),
  },
  { description: 'CreateModelExplainabilityJobDefinition in lowerCamel, without its name and tags.' },
);

/** Per monitoring type: the spec field of its job definition and that definition's own field prefix. */
export const DEFINITION_FIELDS = {
  DataQuality: 'dataQualityJobDefinition',
  ModelQuality: 'modelQualityJobDefinition',
  ModelBias: 'modelBiasJobDefinition',
  ModelExplainability: 'modelExplainabilityJobDefinition',
} as const satisfies Record<(typeof MonitoringTypeValues)[number], string>;

/** SageMaker's limit on an hourly schedule's execution (reference §4.1). */
const HOURLY_MAX_RUNTIME: Record<string, number> = {
  DataQuality: 3600,
  ModelExplainability: 3600,
  ModelQuality: 1800,
  ModelBias: 1800,
};

const prefixOf = (type: string) => type.charAt(0).toLowerCase() + type.slice(1);

/** The rules of each type's definition: one monitored thing, one baseline. */
function definitionRules(): CelRule[] {
  return Object.entries(DEFINITION_FIELDS).flatMap(([type, field]): CelRule[] => {
    const input = `self.${field}.${prefixOf(type)}JobInput`;
    const given = `has(self.${field})`;
    return [
      {
        rule: `(self.monitoringType == '${type}') == ${given}`,
        message: `monitoringType ${type} takes its job definition from ${field}, and only that type`,
        fieldPath: `.${field}`,
      },
      {
        rule: `!${given} || ([has(self.endpointRef), has(self.endpointName), has(${input}.endpointInput) && has(${input}.endpointInput.endpointName), has(${input}.batchTransformInput)].filter(x, x).size() == 1)`,
        message:
          'name exactly one monitored thing: endpointRef, endpointName, jobInput.endpointInput.endpointName or jobInput.batchTransformInput',
        fieldPath: `.${field}`,
      },
      {
        rule: `!${given} || !has(self.${field}.stoppingCondition) || !self.schedule.scheduleExpression.matches(r'^cron\\(0 \\* ') || self.${field}.stoppingCondition.maxRuntimeInSeconds <= ${HOURLY_MAX_RUNTIME[type]}`,
        message: `an hourly ${type} execution may run at most ${HOURLY_MAX_RUNTIME[type]} seconds (stoppingCondition.maxRuntimeInSeconds)`,
        fieldPath: `.${field}.stoppingCondition.maxRuntimeInSeconds`,
      },
      {
        rule: `!${given} || !has(self.baseline) || !has(self.${field}.${prefixOf(type)}BaselineConfig)`,
        message: `set the baseline either in baseline or in ${field}.${prefixOf(type)}BaselineConfig, not both`,
        fieldPath: '.baseline',
      },
    ];
  });
}

/** SageMaker's schedule expressions (reference §4.1): hourly, daily at H, every N hours from H, and NOW. */
const HOUR = '([01]?[0-9]|2[0-3])';
const EVERY = '(0?[1-9]|1[0-9]|2[0-4])';
export const SCHEDULE_EXPRESSION_PATTERNS = [
  `^cron\\(0 (\\*|${HOUR}) \\? \\* \\* \\*\\)$`,
  `^cron\\(0 ${HOUR}/${EVERY} \\? \\* \\* \\*\\)$`,
  '^NOW$',
];

const schedule = Type.Object(ScheduleConfig.properties, {
  description:
    'When the monitoring job runs (ScheduleConfig): hourly cron(0 * ? * * *), daily cron(0 H ? * * *), every N hours cron(0 H/N ? * * *) (H 0-23, N 1-24), or NOW once, with dataAnalysisStartTime and dataAnalysisEndTime.',
  'x-kubernetes-validations': [
    {
      rule: `[${SCHEDULE_EXPRESSION_PATTERNS.map((p) => `r'${p}'`).join(', ')}].exists(p, self.scheduleExpression.matches(p))`,
      message:
        'SageMaker accepts cron(0 * ? * * *) (hourly), cron(0 H ? * * *) (daily), cron(0 H/N ? * * *) (every N hours; H 0-23, N 1-24) and NOW',
      fieldPath: '.scheduleExpression',
    },
    {
      rule: "self.scheduleExpression != 'NOW' || (has(self.dataAnalysisStartTime) && has(self.dataAnalysisEndTime))",
      message:
        'NOW needs the analysis window: dataAnalysisStartTime and dataAnalysisEndTime (e.g. -PT1H and -PT0H)',
    },
  ],
});

const datasetFormat = Type.Object(
  {
    csv: Type.Optional(
      Type.Object(
        { header: Type.Optional(Type.Boolean({ description: 'Whether the first line is a header.' })) },
        { description: 'CSV records.' },
      ),
    ),
    json: Type.Optional(
      Type.Object(
        { lines: Type.Optional(Type.Boolean({ description: 'One JSON object per line.' })) },
        { description: 'JSON records.' },
      ),
    ),
  },
  {
    description: 'The format of the dataset, as suggest_baseline passes it to the analyzer: csv or json.',
    'x-kubernetes-validations': [
      { rule: 'has(self.csv) != has(self.json)', message: 'set exactly one of csv and json' },
    ],
  },
);

const fromDataset = withS3UriFrom(
  Type.Object(
    {
      s3Uri: Type.String({
        description:
          "The baseline dataset (usually the training data) in S3; s3UriFrom instead takes it from a job of this namespace (the training data a ProcessingJob wrote, a TrainingJob's output folder).",
        ...S3_URI,
      }),
      datasetFormat,
      recordPreprocessorSourceUri: Type.Optional(
        Type.String({ description: 'A script called per record before the analysis.', ...S3_URI }),
      ),
      postAnalyticsProcessorSourceUri: Type.Optional(
        Type.String({ description: 'A script called after the analysis.', ...S3_URI }),
      ),
      outputS3Uri: Type.Optional(
        Type.String({
          description:
            "Where the baselining job writes statistics.json and constraints.json. Default: <the job definition's output S3 URI>/baselining/<job name>/results.",
          ...S3_URI,
        }),
      ),
      resources: Type.Optional(
        refine(MonitoringResources, {
          description: "The baselining job's instances. Default: the job definition's.",
        }),
      ),
      environment: Type.Optional(
        StringMap(Type.String({ maxLength: 256 }), {
          description: 'More environment variables for the analyzer (e.g. categorical_drift_method).',
          maxProperties: 20,
        }),
      ),
    },
    {
      description:
        "Run the baselining processing job suggest_baseline runs (the region's analyzer image, the same inputs, outputs and environment) and use its constraints and statistics; a changed dataset re-baselines, and so does a new URI its s3UriFrom resolves to.",
    },
  ),
);

const baseline = Type.Object(
  {
    constraintsUri: Type.Optional(Type.String({ description: 'An existing constraints.json.', ...S3_URI })),
    statisticsUri: Type.Optional(Type.String({ description: 'An existing statistics.json.', ...S3_URI })),
    fromDataset: Type.Optional(fromDataset),
  },
  {
    description:
      'What executions compare the data with: existing files, or a baseline computed from a dataset.',
    'x-kubernetes-validations': [
      {
        rule: '!has(self.fromDataset) || !(has(self.constraintsUri) || has(self.statisticsUri))',
        message: 'fromDataset computes constraintsUri and statisticsUri: set either fromDataset or the URIs',
      },
      {
        rule: 'has(self.fromDataset) || has(self.constraintsUri) || has(self.statisticsUri)',
        message: 'a baseline needs constraintsUri, statisticsUri or fromDataset',
      },
    ],
  },
);

const referenceName = Type.String({
  description: 'Name of an Endpoint object in the same namespace.',
  minLength: 1,
  maxLength: 253,
});

export const MonitoringScheduleSpecFields = {
  monitoringType: StringEnum(MonitoringTypeValues, {
    description:
      'What is checked: DataQuality, ModelQuality, ModelBias or ModelExplainability; its job definition goes in the field of the same name.',
  }),
  endpointRef: Type.Optional(
    Type.Object(
      { name: referenceName },
      {
        description:
          'Monitor the endpoint of this Endpoint object; the schedule waits for it (Ready=False WaitingForReference).',
      },
    ),
  ),
  endpointName: Type.Optional(
    Type.String({
      description: 'Monitor this SageMaker endpoint (one outside the cluster).',
      minLength: 1,
      maxLength: 63,
      pattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$',
    }),
  ),
  dataQualityJobDefinition: Type.Optional(dataQualityDefinition),
  modelQualityJobDefinition: Type.Optional(modelQualityDefinition),
  modelBiasJobDefinition: Type.Optional(modelBiasDefinition),
  modelExplainabilityJobDefinition: Type.Optional(modelExplainabilityDefinition),
  schedule,
  baseline: Type.Optional(baseline),
  suspend: Type.Optional(
    Type.Boolean({
      description: 'true stops the schedule (StopMonitoringSchedule), false starts it again. Default false.',
    }),
  ),
  ...commonSpecFields('monitoringScheduleName', 'monitoring schedule'),
  monitoringScheduleName: explicitNameField('monitoring schedule'),
} satisfies TProperties;

export const MonitoringScheduleSpec = Type.Object(MonitoringScheduleSpecFields, {
  description:
    'A SageMaker Model Monitor schedule and its job definition (CreateMonitoringSchedule and Create<Type>JobDefinition in lowerCamel), with its baseline.',
  'x-kubernetes-validations': [
    ...commonSpecRules('monitoringScheduleName'),
    ...definitionRules(),
    {
      rule: "!has(self.baseline) || !has(self.baseline.fromDataset) || self.monitoringType in ['DataQuality', 'ModelQuality']",
      message:
        'baseline.fromDataset runs the Model Monitor analyzer, which baselines DataQuality and ModelQuality: give ModelBias and ModelExplainability constraintsUri',
      fieldPath: '.baseline.fromDataset',
    },
    immutableExceptRule(
      ['monitoringScheduleName', 'region', 'monitoringType'],
      [],
      'monitoringScheduleName, region and monitoringType cannot change: create another MonitoringSchedule',
    ),
  ],
});
export type MonitoringScheduleSpec = Static<typeof MonitoringScheduleSpec>;

const violation = Type.Object({
  featureName: Type.String({ description: 'The feature (column) that violated a constraint.' }),
  checkType: Type.String({ description: 'The constraint check: data_type_check, baseline_drift_check, ...' }),
  description: Type.String({ description: 'What the analyzer found.' }),
});

const violations = Type.Object(
  {
    count: Type.Integer({ description: 'How many violations constraint_violations.json lists.' }),
    byCheckType: StringMap(Type.Integer(), {
      description: 'How many violations of each constraint check type.',
      maxProperties: 32,
    }),
    first: Type.Array(violation, { description: 'The first violations (at most 10).', maxItems: 10 }),
  },
  { description: "The execution's constraint_violations.json, summarised." },
);

const lastExecution = Type.Object(
  {
    status: Type.String({
      description:
        'Pending, InProgress, Completed, CompletedWithViolations, Failed, Stopping or Stopped (MonitoringExecutionStatus).',
    }),
    scheduledTime: Type.String({ description: 'When the execution was scheduled.', format: 'date-time' }),
    processingJobName: Type.Optional(
      Type.String({ description: 'The processing job the execution ran as.' }),
    ),
    processingJobArn: Type.Optional(Type.String({ description: 'ARN of that processing job.' })),
    failureReason: Type.Optional(Type.String({ description: 'Why the execution failed.' })),
    reportUri: Type.Optional(
      Type.String({ description: "Where the execution's reports are (from DescribeProcessingJob)." }),
    ),
    violations: Type.Optional(violations),
  },
  { description: 'The latest monitoring execution.' },
);

const baselineStatus = Type.Object(
  {
    jobName: Type.Optional(Type.String({ description: 'The baselining processing job.' })),
    jobArn: Type.Optional(Type.String({ description: 'Its ARN, as the create call answered it.' })),
    jobStatus: Type.Optional(Type.String({ description: "The baselining job's SageMaker status." })),
    failureReason: Type.Optional(Type.String({ description: 'Why the baselining job failed.' })),
    constraintsUri: Type.Optional(Type.String({ description: 'The constraints the schedule uses.' })),
    statisticsUri: Type.Optional(Type.String({ description: 'The statistics the schedule uses.' })),
  },
  { description: 'The baseline the job definition uses.' },
);

export const MonitoringScheduleStatus = Type.Object(
  {
    ...commonStatusFields(),
    monitoringScheduleName: Type.Optional(
      Type.String({ description: 'The SageMaker name, recorded before the create call.' }),
    ),
    monitoringScheduleArn: Type.Optional(Type.String({ description: 'ARN of the schedule.' })),
    monitoringScheduleStatus: Type.Optional(
      Type.String({ description: 'SageMaker status: Pending, Scheduled, Stopped or Failed.' }),
    ),
    failureReason: Type.Optional(Type.String({ description: 'Why the schedule failed.' })),
    lastModifiedTime: Type.Optional(
      Type.String({ description: "The schedule's LastModifiedTime in SageMaker.", format: 'date-time' }),
    ),
    endpointName: Type.Optional(Type.String({ description: 'The SageMaker endpoint monitored.' })),
    jobDefinitionName: Type.Optional(
      Type.String({ description: 'The job definition of the current spec (content-addressed).' }),
    ),
    createdJobDefinitionNames: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Job definitions the operator created for this schedule and has not deleted yet.',
        maxItems: 32,
      }),
    ),
    baseline: Type.Optional(baselineStatus),
    lastExecution: Type.Optional(lastExecution),
    lastCompletedExecutionTime: Type.Optional(
      Type.String({
        description: 'Scheduled time of the latest execution that completed (with or without violations).',
        format: 'date-time',
      }),
    ),
  },
  { description: 'What the operator observed of the monitoring schedule.' },
);
export type MonitoringScheduleStatus = Static<typeof MonitoringScheduleStatus>;
export type LastExecution = Static<typeof lastExecution>;
export type ViolationSummary = Static<typeof violations>;

export const monitoringSchedule: KindDefinition<
  typeof MonitoringScheduleSpec,
  typeof MonitoringScheduleStatus
> = {
  kind: 'MonitoringSchedule',
  plural: 'monitoringschedules',
  singular: 'monitoringschedule',
  shortNames: ['smmon'],
  description:
    'A SageMaker Model Monitor schedule: data quality, model quality, bias or explainability checks of an endpoint.',
  spec: MonitoringScheduleSpec,
  status: MonitoringScheduleStatus,
  printerColumns: [
    ...COMMON_COLUMNS,
    {
      name: 'Status',
      type: 'string',
      jsonPath: '.status.monitoringScheduleStatus',
      description: 'SageMaker schedule status.',
    },
    {
      name: 'Last-Execution',
      type: 'string',
      jsonPath: '.status.lastExecution.status',
      description: 'Status of the latest monitoring execution.',
    },
    {
      name: 'Violations',
      type: 'integer',
      jsonPath: '.status.lastExecution.violations.count',
      description: 'Violations the latest execution found.',
    },
    AGE_COLUMN,
  ],
};

/** A MonitoringSchedule as the apiserver stores it. */
export type MonitoringScheduleObject = ObjectOf<typeof monitoringSchedule>;

/** The runtime's descriptor of MonitoringSchedule: what its controller watches and other kinds read from the cache. */
export const monitoringScheduleDescriptor = descriptorOf<MonitoringScheduleObject>(monitoringSchedule);
