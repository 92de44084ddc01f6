import { describe, expect, it } from '@jest/globals';
import { sageMakerModel } from '../../../src/crds/generate.js';
import { requestShapeName } from '../../../src/crds/shapes/botocore.js';
import { DERIVED, REQUESTS } from '../../../src/crds/shapes/generate-shapes.js';
import { REQUEST_SHAPES } from '../../../src/crds/shapes/sagemaker.generated.js';
import { leafCoverage, share, type JsonSchema } from './coverage.js';

/** Each request's leaf members, less the ones the operator derives, at least this share. */
const TARGET = 0.98;

function plain(schema: unknown): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

describe('coverage of the SageMaker requests by the generated shapes', () => {
  it(`exposes at least ${TARGET * 100} % of every request's leaf members under their lowerCamel paths`, async () => {
    const model = await sageMakerModel();
    const rows = REQUESTS.map((request) => {
      const coverage = leafCoverage(
        model,
        requestShapeName(model, request),
        plain(REQUEST_SHAPES[request]),
        DERIVED[request],
      );
      return { request, coverage, share: share(coverage) };
    });
    const table = rows.map(
      ({ request, coverage, share }) =>
        `${request}: ${(share * 100).toFixed(1)} % (${coverage.present.length} of ${coverage.total}); ` +
        `left out: ${coverage.leftOut.map((member) => `${member} (${DERIVED[request][member]})`).join(', ')}; ` +
        `missing: ${coverage.missing.join(', ') || 'none'}`,
    );
    const below = rows.filter((row) => row.share < TARGET).map((row) => table[rows.indexOf(row)]);
    expect(below).toEqual([]);
    // Every request has leaves, and every derived member exists in the model.
    for (const { request, coverage } of rows) {
      expect(coverage.total).toBeGreaterThan(0);
      expect(coverage.leftOut.sort()).toEqual(Object.keys(DERIVED[request]).sort());
    }
  });

  it('finds a member missing from a schema, deep inside a list of structures', async () => {
    const model = await sageMakerModel();
    const schema = plain(REQUEST_SHAPES.CreateEndpointConfig);
    delete schema.properties!.productionVariants!.items!.properties!.initialVariantWeight;
    delete schema.properties!.kmsKeyId;
    const coverage = leafCoverage(model, requestShapeName(model, 'CreateEndpointConfig'), schema);
    expect(coverage.missing).toEqual([
      'EndpointConfigName',
      'ProductionVariants[].InitialVariantWeight',
      'Tags[].Key',
      'Tags[].Value',
      'KmsKeyId',
    ]);
  });
});
