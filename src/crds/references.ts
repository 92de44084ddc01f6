import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { StringEnum, type CelRule } from './schema.js';

/*
 * How an object names other objects of its namespace: where an S3 input comes from (s3UriFrom),
 * what it waits for (dependsOn) and what must hold of an upstream's results before anything is
 * created (when). Every kind takes them the same way; docs/references.md tells the whole story.
 */

const objectName = (kind: string) =>
  Type.String({
    description: `Name of a ${kind} object in the same namespace.`,
    minLength: 1,
    maxLength: 253,
  });

/** A property as CEL names it: the apiserver escapes CEL's reserved words (`in` is `__in__`). */
const celName = (field: string): string => (field === 'in' ? '__in__' : field);

/** Exactly one of `fields` is set. */
export const exactlyOneRule = (fields: readonly string[]): CelRule => ({
  rule: `[${fields.map((f) => `has(self.${celName(f)})`).join(', ')}].filter(x, x).size() == 1`,
  message: `set exactly one of ${fields.join(', ')}`,
});

const TRAINING_OUTPUTS = ['ModelArtifacts', 'OutputPath'] as const;

const processingJobOutput = (description: string) =>
  Type.Object(
    {
      name: objectName('ProcessingJob'),
      outputName: Type.String({
        description: "The outputName of one of that job's processingOutputConfig.outputs.",
        minLength: 1,
        maxLength: 256,
      }),
    },
    { description },
  );

/** Where an S3 URI comes from: another job of the namespace, once it has Completed. */
export const S3UriFrom = Type.Object(
  {
    trainingJobRef: Type.Optional(
      Type.Object(
        {
          name: objectName('TrainingJob'),
          output: Type.Optional(
            StringEnum(TRAINING_OUTPUTS, {
              description:
                "ModelArtifacts (default): the job's model.tar.gz. OutputPath: the job's own folder under outputDataConfig.s3OutputPath (<s3OutputPath>/<trainingJobName>/), holding output/model.tar.gz and output/output.tar.gz.",
            }),
          ),
        },
        { description: 'A TrainingJob of this namespace.' },
      ),
    ),
    processingJobRef: Type.Optional(
      processingJobOutput('One named output of a ProcessingJob of this namespace.'),
    ),
    transformJobRef: Type.Optional(
      Type.Object(
        { name: objectName('TransformJob') },
        { description: 'A TransformJob of this namespace: its transformOutput.s3OutputPath.' },
      ),
    ),
    path: Type.Optional(
      Type.String({
        description:
          'A path under that URI (`train/`, `evaluation.json`): the URI is <uri>/<path>. A trailing slash keeps the result a prefix.',
        minLength: 1,
        maxLength: 512,
        pattern: '^[^/]',
      }),
    ),
  },
  {
    description:
      'Where the S3 URI comes from, instead of setting it: the output of another job of this namespace, once that job has Completed. Until then nothing is created (Ready=False WaitingForReference); a failed or stopped job makes this object Stalled, naming it.',
    'x-kubernetes-validations': [
      exactlyOneRule(['trainingJobRef', 'processingJobRef', 'transformJobRef']),
      {
        rule: "!has(self.path) || !has(self.trainingJobRef) || (has(self.trainingJobRef.output) && self.trainingJobRef.output == 'OutputPath')",
        message: 'path goes under a folder: a TrainingJob reference needs output: OutputPath to take a path',
        fieldPath: '.path',
      },
    ],
  },
);
export type S3UriFrom = Static<typeof S3UriFrom>;

/**
 * An S3 location shape (one with an `s3Uri`) whose URI may instead come from another job: exactly
 * one of s3Uri and s3UriFrom. Its own CEL rules stay.
 */
export function withS3UriFrom<P extends TProperties & { s3Uri: TSchema }>(shape: TObject<P>) {
  const rules = (shape['x-kubernetes-validations'] as CelRule[] | undefined) ?? [];
  return Type.Object(
    {
      ...shape.properties,
      s3Uri: Type.Optional(shape.properties.s3Uri),
      s3UriFrom: Type.Optional(S3UriFrom),
    },
    {
      description: shape.description,
      'x-kubernetes-validations': [
        ...rules,
        { rule: 'has(self.s3Uri) != has(self.s3UriFrom)', message: 'set exactly one of s3Uri and s3UriFrom' },
      ],
    },
  );
}

/** The kinds an object may wait for. */
export const REFERABLE_KINDS = [
  'TrainingJob',
  'ProcessingJob',
  'TransformJob',
  'Endpoint',
  'ModelPackageGroup',
  'ModelPackage',
  'MonitoringSchedule',
  'MultiModelSet',
] as const;

const dependsOn = Type.Array(
  Type.Object(
    {
      kind: StringEnum(REFERABLE_KINDS, { description: 'The kind of the object to wait for.' }),
      name: Type.String({ description: 'Its name, in this namespace.', minLength: 1, maxLength: 253 }),
    },
    { description: 'An object of this namespace.' },
  ),
  {
    description:
      'Objects of this namespace to wait for before anything is created: each must be Ready (a job: Succeeded). Until then Ready=False WaitingForReference; one that failed makes this object Stalled, naming it. Only the first create waits: what exists is never held back.',
    maxItems: 32,
    'x-kubernetes-list-type': 'atomic',
  },
);

const COMPARISONS = ['lessThan', 'lessThanOrEqualTo', 'greaterThan', 'greaterThanOrEqualTo', 'equalTo', 'in'];

const scalar = (description: string) =>
  Type.Unsafe<string | number>({ description, 'x-kubernetes-int-or-string': true });

const gate = Type.Object(
  {
    jsonFrom: Type.Object(
      {
        processingJobRef: Type.Optional(
          processingJobOutput('A ProcessingJob of this namespace and the output the document is under.'),
        ),
        key: Type.Optional(
          Type.String({
            description:
              'With processingJobRef: the JSON document, by its key under the output (`evaluation.json`).',
            minLength: 1,
            maxLength: 512,
          }),
        ),
        trainingJobRef: Type.Optional(
          Type.Object(
            { name: objectName('TrainingJob') },
            { description: 'A TrainingJob of this namespace, whose final metric is read from its status.' },
          ),
        ),
        metricName: Type.Optional(
          Type.String({
            description: 'With trainingJobRef: the final metric, by name (`validation:mse`).',
            minLength: 1,
            maxLength: 255,
          }),
        ),
      },
      {
        description:
          "What the gate reads, once its job has Completed: a JSON document a ProcessingJob wrote (processingJobRef and key), or a TrainingJob's final metric (trainingJobRef and metricName).",
        'x-kubernetes-validations': [
          exactlyOneRule(['processingJobRef', 'trainingJobRef']),
          {
            rule: 'has(self.processingJobRef) == has(self.key)',
            message: 'processingJobRef and key go together',
          },
          {
            rule: 'has(self.trainingJobRef) == has(self.metricName)',
            message: 'trainingJobRef and metricName go together',
          },
        ],
      },
    ),
    path: Type.Optional(
      Type.String({
        description:
          'Where the value is in the document, as dot-separated keys (list positions as numbers): `regression_metrics.mse.value`. Not for a metric, which is the value.',
        minLength: 1,
        maxLength: 1024,
      }),
    ),
    lessThan: Type.Optional(Type.Number({ description: 'The value must be less than this.' })),
    lessThanOrEqualTo: Type.Optional(Type.Number({ description: 'The value must be at most this.' })),
    greaterThan: Type.Optional(Type.Number({ description: 'The value must be greater than this.' })),
    greaterThanOrEqualTo: Type.Optional(Type.Number({ description: 'The value must be at least this.' })),
    equalTo: Type.Optional(scalar('The value must equal this (a number or a string).')),
    in: Type.Optional(
      Type.Array(scalar('A value the document may hold.'), {
        description: 'The value must be one of these (numbers or strings).',
        minItems: 1,
        maxItems: 64,
      }),
    ),
  },
  {
    description: 'One condition on an upstream job’s result.',
    'x-kubernetes-validations': [
      exactlyOneRule(COMPARISONS),
      {
        rule: 'has(self.jsonFrom.trainingJobRef) || has(self.path)',
        message: 'a document gate needs path: where the value is in the document',
        fieldPath: '.path',
      },
      {
        rule: '!has(self.jsonFrom.trainingJobRef) || !has(self.path)',
        message: 'a metric is the value itself: a metric gate takes no path',
        fieldPath: '.path',
      },
    ],
  },
);
export type Gate = Static<typeof gate>;

const when = Type.Array(gate, {
  description:
    "Conditions on upstream jobs' results that must all hold before anything is created (a quality bar: `mse` at most 6.0). While a document or metric is missing the object waits; a condition that does not hold leaves nothing created, with Ready=False GateNotMet naming the values, until the upstream or this spec changes. Only the first create is gated: what exists is never held back.",
  maxItems: 16,
  'x-kubernetes-list-type': 'atomic',
});

/** The spec fields every kind has for what it waits for. */
export function prerequisiteSpecFields() {
  return { dependsOn: Type.Optional(dependsOn), when: Type.Optional(when) } satisfies TProperties;
}

const input = Type.Object(
  {
    kind: Type.String({ description: 'The kind of the object read.' }),
    name: Type.String({ description: 'Its name.' }),
    output: Type.Optional(
      Type.String({ description: 'What of it: ModelArtifacts, OutputPath, or the output name.' }),
    ),
    uri: Type.String({ description: 'The S3 URI it resolved to.' }),
    jobName: Type.Optional(Type.String({ description: 'The SageMaker job that produced it.' })),
  },
  { description: 'An upstream output this object read.' },
);

const gateSeen = Type.Object(
  {
    source: Type.String({
      description:
        'What was read: `ProcessingJob evaluate, evaluation.json`, `TrainingJob train, validation:mse`.',
    }),
    path: Type.Optional(Type.String({ description: 'Where in the document.' })),
    value: Type.String({ description: 'The value read, as JSON.' }),
    condition: Type.String({ description: 'The condition, as applied: `5.2 <= 6`.' }),
    met: Type.Boolean({ description: 'Whether the condition held.' }),
    jobName: Type.Optional(Type.String({ description: 'The SageMaker job that produced the value.' })),
  },
  { description: 'One condition of `when`, as last evaluated.' },
);

/** The status fields that record what an object read from others (lineage). */
export function lineageStatusFields() {
  return {
    inputs: Type.Optional(
      Type.Array(input, {
        description: 'What this object read from other objects when it created its resources (lineage).',
        maxItems: 128,
      }),
    ),
    gates: Type.Optional(
      Type.Array(gateSeen, {
        description: 'The values its `when` conditions saw when last evaluated.',
        maxItems: 16,
      }),
    ),
  } satisfies TProperties;
}
export type InputRecord = Static<typeof input>;
export type GateRecord = Static<typeof gateSeen>;
