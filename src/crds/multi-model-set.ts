import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { commonSpecFields, commonStatusFields } from './common.js';
import { AGE_COLUMN, COMMON_COLUMNS, type KindDefinition, descriptorOf, type ObjectOf } from './kind.js';
import { exactlyOneRule, S3UriFrom } from './references.js';
import { refine, StringEnum, StringMap, type CelRule } from './schema.js';

/**
 * A model's name is the first segment of the TargetModel callers send (`<name>/<version>.tar.gz`)
 * and of its S3 keys: letters, digits and `_ . -`, starting with a letter or digit, so it is a safe
 * S3 key segment, a printable TargetModel, and `<name>/*` grants exactly this model in IAM.
 */
export const MODEL_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$';
const MODEL_NAME_RULE_TEXT = '1-200 letters, digits and _ . -, starting with a letter or digit';

/** The most models one MultiModelSet lists itself; more come from trainingJobSelector. */
export const MAX_LISTED_MODELS = 10_000;

/** S3 allows 10 tags per object; the operator's ownership tags take 4 of them. */
export const MAX_OBJECT_TAGS = 6;

const S3_PREFIX_PATTERN = '^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$';
const S3_OBJECT_PATTERN = '^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+[^/]$';

const modelName = Type.String({
  description: `The model's name: what callers put first in TargetModel (<name>/<version>.tar.gz), e.g. NewYork_NY. ${MODEL_NAME_RULE_TEXT}.`,
  minLength: 1,
  maxLength: 200,
  pattern: MODEL_NAME_PATTERN,
});

const objectRef = (description: string) =>
  Type.Object(
    {
      name: Type.String({
        description: 'Name of the object in the same namespace.',
        minLength: 1,
        maxLength: 253,
      }),
    },
    { description },
  );

const listedModel = Type.Object(
  {
    name: modelName,
    s3Uri: Type.Optional(
      Type.String({
        description:
          'The model artifact (a .tar.gz object) to copy under the prefix. Artifacts are never overwritten: a source with new content becomes a new key.',
        maxLength: 1024,
        pattern: S3_OBJECT_PATTERN,
      }),
    ),
    trainingJobRef: Type.Optional(
      objectRef(
        'A TrainingJob of this namespace whose model artifacts are copied once it has Completed; until then the model is pending.',
      ),
    ),
    s3UriFrom: Type.Optional(
      refine(S3UriFrom, {
        description:
          "The artifact as another job of this namespace wrote it: a TrainingJob's model artifacts or output folder, a ProcessingJob output, a TransformJob's output, with path naming the .tar.gz object under a folder (`model.tar.gz`, `output/model.tar.gz`). Copied once that job has Completed; until then the model is pending. A job that failed or stopped puts the model in failedModels and holds back no other model.",
      }),
    ),
  },
  {
    description: 'One model of the set and where its artifact comes from.',
    'x-kubernetes-validations': [exactlyOneRule(['s3Uri', 'trainingJobRef', 's3UriFrom'])],
  },
);

const selectorRequirement = Type.Object(
  {
    key: Type.String({ description: 'The label key.', minLength: 1, maxLength: 317 }),
    operator: StringEnum(['In', 'NotIn', 'Exists', 'DoesNotExist'] as const, {
      description: 'How the label relates to the values.',
    }),
    values: Type.Optional(
      Type.Array(Type.String({ maxLength: 63 }), {
        description: 'Values for In and NotIn; empty for Exists and DoesNotExist.',
        maxItems: 64,
      }),
    ),
  },
  {
    description: 'A label selector requirement, as in metav1.LabelSelector.',
    'x-kubernetes-validations': [
      {
        rule: "(self.operator == 'In' || self.operator == 'NotIn') == (has(self.values) && size(self.values) > 0)",
        message: 'In and NotIn need values; Exists and DoesNotExist take none',
      },
    ],
  },
);

const trainingJobSelector = Type.Object(
  {
    matchLabels: Type.Optional(
      StringMap(Type.String({ maxLength: 63 }), {
        description: 'Labels a TrainingJob must carry, with these values.',
        maxProperties: 32,
      }),
    ),
    matchExpressions: Type.Optional(
      Type.Array(selectorRequirement, {
        description: 'Label requirements, all of which must hold.',
        maxItems: 16,
      }),
    ),
    modelNameLabel: Type.Optional(
      Type.String({
        description:
          "The label whose value names a selected job's model (e.g. city: NewYork_NY). Default: the TrainingJob's own name. Of several Completed jobs naming the same model, the one that finished last is served.",
        minLength: 1,
        maxLength: 317,
      }),
    ),
  },
  {
    description:
      'Every Completed TrainingJob of this namespace matching this label selector becomes a model; models[] wins over a selected job of the same name.',
    'x-kubernetes-validations': [
      {
        rule: 'has(self.matchLabels) || has(self.matchExpressions)',
        message:
          'a trainingJobSelector needs matchLabels or matchExpressions (an empty one would select every job)',
      },
    ],
  },
);

const { region, deletionPolicy, tags, dependsOn, when } = commonSpecFields('', 'multi-model endpoint');

export const MultiModelSetSpecFields = {
  endpointRef: Type.Optional(
    objectRef(
      'An Endpoint of this namespace whose model has a container in MultiModel mode: its modelDataUrl is the prefix artifacts are copied under. The set waits until the Endpoint declares one.',
    ),
  ),
  modelDataPrefix: Type.Optional(
    Type.String({
      description:
        'The S3 prefix (the ModelDataUrl of a multi-model container) of an endpoint managed elsewhere, instead of endpointRef.',
      maxLength: 1024,
      pattern: S3_PREFIX_PATTERN,
    }),
  ),
  models: Type.Optional(
    Type.Array(listedModel, {
      description: 'Models declared one by one; names are unique.',
      maxItems: MAX_LISTED_MODELS,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
  ),
  trainingJobSelector: Type.Optional(trainingJobSelector),
  region,
  dependsOn,
  when,
  deletionPolicy: refine(deletionPolicy, {
    description:
      "What happens to the artifacts this set copied, and to its <name>-targets ConfigMap, when it is deleted: Delete removes them, Retain leaves them. Default: the operator's --default-deletion-policy.",
  }),
  tags: refine(tags, {
    description: `S3 object tags put on every artifact the set copies (and on those in place when they change), next to the operator's ownership tags; at most ${MAX_OBJECT_TAGS} (S3 allows 10 per object). Keys and values follow SageMaker's tag rules; "mlops.dev/" and "aws:" keys are reserved.`,
    'x-kubernetes-validations': [
      ...((tags as { 'x-kubernetes-validations'?: CelRule[] })['x-kubernetes-validations'] ?? []),
      {
        rule: `size(self) <= ${MAX_OBJECT_TAGS}`,
        message: `at most ${MAX_OBJECT_TAGS} tags: S3 allows 10 per object and the operator's ownership tags take 4`,
      },
    ],
  }),
} satisfies TProperties;

export const MultiModelSetSpec = Type.Object(MultiModelSetSpecFields, {
  description:
    'The models served by one multi-model endpoint: artifacts copied under its S3 prefix, one key per model version.',
  'x-kubernetes-validations': [
    {
      rule: 'has(self.endpointRef) != has(self.modelDataPrefix)',
      message: 'set exactly one of endpointRef and modelDataPrefix',
    },
    {
      rule: 'has(self.models) || has(self.trainingJobSelector)',
      message: 'declare models, a trainingJobSelector, or both',
    },
  ],
});
export type MultiModelSetSpec = Static<typeof MultiModelSetSpec>;

const count = (description: string) => Type.Integer({ description, minimum: 0 });

/** Status holds at most this many failing models; the counts include all of them. */
export const MAX_FAILED_IN_STATUS = 50;

export const MultiModelSetStatus = Type.Object(
  {
    ...commonStatusFields(),
    endpointName: Type.Optional(
      Type.String({ description: 'The SageMaker endpoint serving the models (of endpointRef).' }),
    ),
    modelDataPrefix: Type.Optional(
      Type.String({ description: 'The S3 prefix the artifacts are copied under.' }),
    ),
    models: Type.Optional(
      Type.Object(
        {
          desired: count('Models declared or selected.'),
          ready: count('Models whose current artifact is in place under the prefix.'),
          failed: count(
            'Models not in place because their copy failed, or the job their artifact comes from failed or stopped (see failedModels).',
          ),
          pending: count('Models still being copied, or waiting for a job still running to complete.'),
          summary: Type.String({ description: 'ready/desired, as READY shows it.' }),
        },
        { description: 'How many models are where.' },
      ),
    ),
    failedModels: Type.Optional(
      Type.Array(
        Type.Object({
          name: Type.String({ description: 'The model.' }),
          reason: Type.String({
            description:
              'Why, in one CamelCase word: the AWS error name, SourceNotFound, SourceChanged, TrainingJobFailed, TrainingJobStopped (ProcessingJobFailed, TransformJobStopped, ... for an s3UriFrom), InvalidSpec (an s3UriFrom naming an output its job does not have), or the reason a job SageMaker never ran is Stalled for (InvalidSpec, ...).',
          }),
          message: Type.String({
            description: "S3's or the operator's message, or the job's failure reason.",
            maxLength: 1024,
          }),
        }),
        {
          description: `Models that could not be put in place, or whose newest TrainingJob (or the job of their s3UriFrom) failed or stopped (such a model keeps serving an earlier version, if any), with the reason; the first ${MAX_FAILED_IN_STATUS}, by name.`,
          maxItems: MAX_FAILED_IN_STATUS,
        },
      ),
    ),
    targetModelPattern: Type.Optional(
      Type.String({
        description:
          'How a model name becomes a TargetModel: <name>/<version>.tar.gz. The IAM condition StringLike sagemaker:TargetModel "<name>/*" grants one model, whatever its version.',
      }),
    ),
    targetsConfigMap: Type.Optional(
      Type.String({
        description:
          'The ConfigMap holding the full map, one key per model with its TargetModel as value, for applications to mount.',
      }),
    ),
    targetsConfigMapUid: Type.Optional(
      Type.String({
        description:
          'The uid of that ConfigMap: deletion removes it only if it is still the one the set wrote.',
      }),
    ),
  },
  { description: 'What the operator observed of the models under the prefix.' },
);
export type MultiModelSetStatus = Static<typeof MultiModelSetStatus>;

export const multiModelSet: KindDefinition<typeof MultiModelSetSpec, typeof MultiModelSetStatus> = {
  kind: 'MultiModelSet',
  plural: 'multimodelsets',
  singular: 'multimodelset',
  shortNames: ['smmms'],
  description: 'The models behind a SageMaker multi-model endpoint, as artifacts under its S3 prefix.',
  spec: MultiModelSetSpec,
  status: MultiModelSetStatus,
  printerColumns: [
    ...COMMON_COLUMNS,
    {
      name: 'Endpoint',
      type: 'string',
      jsonPath: '.status.endpointName',
      description: 'The SageMaker endpoint serving the models.',
    },
    {
      name: 'Models',
      type: 'integer',
      jsonPath: '.status.models.desired',
      description: 'Models declared or selected.',
    },
    {
      name: 'Models-Ready',
      type: 'string',
      jsonPath: '.status.models.summary',
      description: 'Models in place, of those desired.',
    },
    AGE_COLUMN,
  ],
};

/** A MultiModelSet as the apiserver stores it. */
export type MultiModelSetObject = ObjectOf<typeof multiModelSet>;

/** The runtime's descriptor of MultiModelSet: what its controller watches and other kinds read from the cache. */
export const multiModelSetDescriptor = descriptorOf<MultiModelSetObject>(multiModelSet);
