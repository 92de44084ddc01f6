import type { Static } from '@sinclair/typebox';
import { commonOnlySchemas } from './common.js';
import { AGE_COLUMN, COMMON_COLUMNS, type KindDefinition } from './kind.js';

const schemas = commonOnlySchemas(
  'endpointName',
  'multi-model endpoint',
  'The model artifacts served by one multi-model endpoint, kept in its S3 prefix.',
);
export type MultiModelSetSpec = Static<typeof schemas.spec>;
export type MultiModelSetStatus = Static<typeof schemas.status>;

export const multiModelSet: KindDefinition = {
  kind: 'MultiModelSet',
  plural: 'multimodelsets',
  singular: 'multimodelset',
  shortNames: ['smmms'],
  description: 'The models behind a SageMaker multi-model endpoint, as artifacts under its S3 prefix.',
  ...schemas,
  printerColumns: [...COMMON_COLUMNS, AGE_COLUMN],
};
