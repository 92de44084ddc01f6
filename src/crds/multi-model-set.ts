import { Type, type Static } from '@sinclair/typebox';
import { commonSpecFields, commonSpecRules, commonStatusFields, explicitNameField } from './common.js';
import { AGE_COLUMN, COMMON_COLUMNS, type KindDefinition } from './kind.js';

export const MultiModelSetSpec = Type.Object(
  {
    ...commonSpecFields('endpointName', 'multi-model endpoint'),
    endpointName: explicitNameField('multi-model endpoint'),
  },
  {
    description: 'The model artifacts served by one multi-model endpoint, kept in its S3 prefix.',
    'x-kubernetes-validations': commonSpecRules('endpointName'),
  },
);
export type MultiModelSetSpec = Static<typeof MultiModelSetSpec>;

export const MultiModelSetStatus = Type.Object(commonStatusFields(), {
  description: 'What the operator observed of the multi-model set.',
});
export type MultiModelSetStatus = Static<typeof MultiModelSetStatus>;

export const multiModelSet: KindDefinition<typeof MultiModelSetSpec, typeof MultiModelSetStatus> = {
  kind: 'MultiModelSet',
  plural: 'multimodelsets',
  singular: 'multimodelset',
  shortNames: ['smmms'],
  description: 'The models behind a SageMaker multi-model endpoint, as artifacts under its S3 prefix.',
  spec: MultiModelSetSpec,
  status: MultiModelSetStatus,
  printerColumns: [...COMMON_COLUMNS, AGE_COLUMN],
};
