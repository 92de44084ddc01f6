import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { lineageStatusFields, prerequisiteSpecFields } from './references.js';
import { StringEnum, StringMap, type CelRule } from './schema.js';

/** SageMaker resource names: 1-63 of [a-zA-Z0-9-], no leading, trailing or double hyphen. */
export const SAGEMAKER_NAME_PATTERN = '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$';

/** Tag keys the operator owns; users cannot set them. */
export const RESERVED_TAG_PREFIXES = ['mlops.dev/', 'aws:'] as const;

export const DELETION_POLICIES = ['Delete', 'Retain'] as const;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];

export function sageMakerName(description: string) {
  return Type.String({ description, minLength: 1, maxLength: 63, pattern: SAGEMAKER_NAME_PATTERN });
}

/**
 * SageMaker's tag key and value pattern (TagKey, TagValue in the API model): letters, separators
 * and numbers of any script, and `_ . : / = + - @`. OpenAPI patterns and CEL's matches() are both
 * RE2, which knows these Unicode classes; in CEL the pattern is a raw string so `\p` stays as is.
 */
export const TAG_CHARACTERS = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]';
export const TAG_VALUE_PATTERN = `^${TAG_CHARACTERS}*$`;

const tags = StringMap(
  Type.String({
    description: 'Tag value: 0-256 letters, digits, spaces and _ . : / = + - @.',
    maxLength: 256,
    pattern: TAG_VALUE_PATTERN,
  }),
  {
    description:
      'Tags for the SageMaker resources, reconciled with AddTags/DeleteTags. Keys of 1-128 and values of ' +
      "0-256 letters, digits, spaces and _ . : / = + - @ (SageMaker's tag pattern); keys starting with " +
      '"mlops.dev/" (the operator\'s ownership tags) or "aws:" (in any case) are reserved.',
    maxProperties: 45,
    'x-kubernetes-validations': [
      {
        rule: "self.all(k, size(k) >= 1 && size(k) <= 128 && !k.startsWith('mlops.dev/') && !k.lowerAscii().startsWith('aws:'))",
        message:
          'tag keys must have 1-128 characters and must not start with "mlops.dev/" or "aws:" (reserved)',
      },
      {
        rule: `self.all(k, k.matches(r'^${TAG_CHARACTERS}+$'))`,
        message: 'tag keys may contain only letters, digits, spaces and _ . : / = + - @',
      },
    ],
  },
);

/** The explicit SageMaker name field every kind has (trainingJobName, endpointName, ...). */
export function explicitNameField(resource: string) {
  return Type.Optional(
    sageMakerName(
      `Explicit SageMaker ${resource} name. Default: <namespace>-<name>, made valid and shortened with a hash when needed.`,
    ),
  );
}

/**
 * The fields every kind's spec has, given the name of the kind's explicit SageMaker name field
 * (e.g. trainingJobName) for the adoption docs.
 */
export function commonSpecFields(nameField: string, resource: string) {
  return {
    region: Type.Optional(
      Type.String({
        description: "AWS region of the SageMaker resources. Default: the operator's --region.",
        minLength: 1,
        maxLength: 32,
        pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$',
      }),
    ),
    deletionPolicy: Type.Optional(
      StringEnum(DELETION_POLICIES, {
        description:
          "What happens to the SageMaker resources when this object is deleted: Delete removes them, Retain leaves them. Default: the operator's --default-deletion-policy (itself Delete).",
      }),
    ),
    tags: Type.Optional(tags),
    adoptExisting: Type.Optional(
      Type.Boolean({
        description: `Take over an existing ${resource} named by ${nameField} that carries no ownership tags: it is tagged and managed from then on.`,
      }),
    ),
    ...prerequisiteSpecFields(),
  } satisfies TProperties;
}

/** SageMaker's rule for the names of a container's environment variables, for a map of them. */
export function environmentNamesRule(maxLength: number): CelRule {
  return {
    rule: `self.all(k, size(k) <= ${maxLength} && k.matches('^[a-zA-Z_][a-zA-Z0-9_]*$'))`,
    message: `environment variable names match [a-zA-Z_][a-zA-Z0-9_]* and have at most ${maxLength.toLocaleString('en-US')} characters`,
  };
}

/** CEL rules every kind's spec carries. */
export function commonSpecRules(nameField: string): CelRule[] {
  return [
    {
      rule: `!has(self.adoptExisting) || !self.adoptExisting || has(self.${nameField})`,
      message: `adoptExisting needs ${nameField}: name the existing resource to take over`,
      fieldPath: '.adoptExisting',
    },
  ];
}

/** metav1.Condition, as the apiserver defines it. */
export const Condition = Type.Object(
  {
    type: Type.String({
      description: 'Type of condition: Ready, Synced, Succeeded (jobs), Reconciling or Stalled.',
      maxLength: 316,
    }),
    status: StringEnum(['True', 'False', 'Unknown'] as const, { description: 'Status of the condition.' }),
    reason: Type.String({
      description: 'Machine-readable CamelCase reason for the last transition.',
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    }),
    message: Type.String({
      description: "Human-readable details, SageMaker's message on errors.",
      maxLength: 32768,
    }),
    lastTransitionTime: Type.String({ description: 'When status last changed.', format: 'date-time' }),
    observedGeneration: Type.Optional(
      Type.Integer({
        description: 'The .metadata.generation the condition was set for.',
        minimum: 0,
        format: 'int64',
      }),
    ),
  },
  { description: 'A condition in the shape of metav1.Condition.' },
);
export type Condition = Static<typeof Condition>;

/** The status fields every kind has. */
export function commonStatusFields() {
  return {
    region: Type.Optional(
      Type.String({
        description:
          "The AWS region the SageMaker resources are in, recorded before the first create: spec.region, else the namespace's sagemaker.mlops.dev/region annotation, else the operator's --region.",
        maxLength: 32,
      }),
    ),
    accountId: Type.Optional(
      Type.String({
        description:
          "The AWS account the SageMaker resources are in: the account of the namespace's role (annotation sagemaker.mlops.dev/role-arn), else the operator's own.",
        pattern: '^\\d{12}$',
      }),
    ),
    observedGeneration: Type.Optional(
      Type.Integer({ description: 'The .metadata.generation the status was written for.', format: 'int64' }),
    ),
    conditions: Type.Optional(
      Type.Array(Condition, {
        description: 'Ready, Synced, Succeeded (jobs), Reconciling and Stalled.',
        maxItems: 16,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
    ),
    ...lineageStatusFields(),
  } satisfies TProperties;
}

/**
 * A kind with only the common spec and status fields; a kind's full schema replaces it.
 */
export function commonOnlySchemas(nameField: string, resource: string, description: string) {
  const spec = Type.Object(
    { ...commonSpecFields(nameField, resource), [nameField]: explicitNameField(resource) },
    { description, 'x-kubernetes-validations': commonSpecRules(nameField) },
  );
  const status = Type.Object(commonStatusFields(), {
    description: `What the operator observed of the ${resource}.`,
  });
  return { spec, status };
}
