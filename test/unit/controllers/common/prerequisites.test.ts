import { describe, expect, it } from '@jest/globals';
import { prerequisites } from '../../../../src/controllers/common/prerequisites.js';
import type { CacheReader, KindDescriptor, KubeObject } from '../../../../src/runtime/index.js';

type Stored = KubeObject & { spec?: unknown; status?: Record<string, unknown> };

/** A cache of the namespace `ns` holding `objects`, by kind and name. */
function cacheOf(objects: Record<string, Stored>): CacheReader {
  return {
    get: <T extends KubeObject>(kind: KindDescriptor<T>, _namespace: string, name: string) =>
      objects[`${kind.kind}/${name}`] as T | undefined,
    list: () => [],
  };
}

const condition = (type: string, status: string, reason = 'X', message = '') => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: '2026-12-07T00:00:00Z',
});

const evaluate = (state: string, uri = 's3://b/eval'): Stored => ({
  metadata: { name: 'evaluate', namespace: 'ns' },
  spec: { processingOutputConfig: { outputs: [{ outputName: 'evaluation', s3Output: { s3Uri: uri } }] } },
  status: {
    processingJobName: 'ns-evaluate',
    processingJobStatus: state,
    outputs: [{ outputName: 'evaluation', s3Uri: uri }],
  },
});

const gated = (bound: number) => ({
  metadata: { namespace: 'ns' },
  spec: {
    modelPackageGroupName: 'g',
    when: [
      {
        jsonFrom: {
          processingJobRef: { name: 'evaluate', outputName: 'evaluation' },
          key: 'evaluation.json',
        },
        path: 'regression_metrics.mse.value',
        lessThanOrEqualTo: bound,
      },
    ],
  },
});

const documents =
  (files: Record<string, string>) =>
  (uri: string): Promise<string | undefined> =>
    Promise.resolve(files[uri]);

const mse = (value: number) => ({
  's3://b/eval/evaluation.json': JSON.stringify({ regression_metrics: { mse: { value } } }),
});

describe('prerequisites', () => {
  it('is ready with nothing to wait for, the spec as it is', async () => {
    const obj = { metadata: { namespace: 'ns' }, spec: { endpointName: 'e' } };
    expect(await prerequisites(obj, cacheOf({}), documents({}))).toEqual({
      type: 'ready',
      spec: { endpointName: 'e' },
      inputs: [],
      gates: [],
    });
  });

  describe('dependsOn', () => {
    const obj = {
      metadata: { namespace: 'ns' },
      spec: {
        dependsOn: [
          { kind: 'TransformJob', name: 'score' },
          { kind: 'Endpoint', name: 'ep' },
        ],
      },
    };
    const ready: Stored = { metadata: { name: 'ep' }, status: { conditions: [condition('Ready', 'True')] } };

    it('waits for an object not there, or not Succeeded yet for a job', async () => {
      expect(await prerequisites(obj, cacheOf({ 'Endpoint/ep': ready }), documents({}))).toEqual({
        type: 'waiting',
        message: 'waiting for TransformJob score (not found)',
      });
      const running: Stored = {
        metadata: { name: 'score' },
        status: {
          conditions: [condition('Ready', 'False', 'InProgress'), condition('Succeeded', 'Unknown')],
        },
      };
      expect(
        await prerequisites(
          obj,
          cacheOf({ 'TransformJob/score': running, 'Endpoint/ep': ready }),
          documents({}),
        ),
      ).toEqual({ type: 'waiting', message: 'waiting for TransformJob score to be Succeeded (InProgress)' });
    });

    it('is ready once each is Ready (a job: Succeeded)', async () => {
      const done: Stored = {
        metadata: { name: 'score' },
        status: { conditions: [condition('Succeeded', 'True')] },
      };
      expect(
        await prerequisites(
          obj,
          cacheOf({ 'TransformJob/score': done, 'Endpoint/ep': ready }),
          documents({}),
        ),
      ).toMatchObject({ type: 'ready' });
    });

    it('can never be ready when one failed: it is named, with why', async () => {
      const failed: Stored = {
        metadata: { name: 'score' },
        status: {
          conditions: [
            condition('Ready', 'False', 'Failed', 'transform job ns-score failed: ClientError: no input'),
            condition('Succeeded', 'False', 'Failed'),
          ],
        },
      };
      expect(await prerequisites(obj, cacheOf({ 'TransformJob/score': failed }), documents({}))).toEqual({
        type: 'invalid',
        message: 'TransformJob score failed: transform job ns-score failed: ClientError: no input',
      });
      const stalled: Stored = {
        metadata: { name: 'ep' },
        status: {
          conditions: [
            condition('Ready', 'False', 'CreateFailed', 'no capacity'),
            condition('Stalled', 'True'),
          ],
        },
      };
      const done: Stored = {
        metadata: { name: 'score' },
        status: { conditions: [condition('Succeeded', 'True')] },
      };
      expect(
        await prerequisites(
          obj,
          cacheOf({ 'TransformJob/score': done, 'Endpoint/ep': stalled }),
          documents({}),
        ),
      ).toEqual({ type: 'invalid', message: 'Endpoint ep failed: no capacity' });
    });
  });

  describe('when', () => {
    it('waits for the job that writes the document', async () => {
      expect(
        await prerequisites(
          gated(6),
          cacheOf({ 'ProcessingJob/evaluate': evaluate('InProgress') }),
          documents({}),
        ),
      ).toEqual({
        type: 'waiting',
        message: 'waiting for ProcessingJob evaluate (InProgress) to complete',
      });
    });

    it('waits, and looks again later, for a document the completed job did not write', async () => {
      expect(
        await prerequisites(
          gated(6),
          cacheOf({ 'ProcessingJob/evaluate': evaluate('Completed') }),
          documents({}),
        ),
      ).toEqual({
        type: 'waiting',
        message: 'waiting for s3://b/eval/evaluation.json (ProcessingJob evaluate, evaluation.json) to exist',
        recheck: true,
      });
    });

    it('is met: ready, with the values it saw', async () => {
      const result = await prerequisites(
        gated(6),
        cacheOf({ 'ProcessingJob/evaluate': evaluate('Completed') }),
        documents(mse(5.2)),
      );
      expect(result).toMatchObject({
        type: 'ready',
        gates: [{ value: '5.2', condition: '5.2 <= 6', met: true, jobName: 'ns-evaluate' }],
      });
    });

    it('is not met: the values in the message', async () => {
      expect(
        await prerequisites(
          gated(6),
          cacheOf({ 'ProcessingJob/evaluate': evaluate('Completed') }),
          documents(mse(7.21)),
        ),
      ).toMatchObject({
        type: 'gateNotMet',
        message: 'regression_metrics.mse.value is 7.21, not <= 6 (ProcessingJob evaluate, evaluation.json)',
        gates: [{ met: false }],
      });
    });

    it('can never be met by a document that is not JSON, or has nothing at the path', async () => {
      const cache = cacheOf({ 'ProcessingJob/evaluate': evaluate('Completed') });
      expect(
        await prerequisites(gated(6), cache, documents({ 's3://b/eval/evaluation.json': 'mse=5' })),
      ).toMatchObject({
        type: 'invalid',
      });
      expect(
        await prerequisites(gated(6), cache, documents({ 's3://b/eval/evaluation.json': '{}' })),
      ).toEqual({
        type: 'invalid',
        message:
          's3://b/eval/evaluation.json (ProcessingJob evaluate, evaluation.json) has nothing at regression_metrics.mse.value',
      });
    });

    it("reads a TrainingJob's final metric from its status", async () => {
      const obj = {
        metadata: { namespace: 'ns' },
        spec: {
          when: [
            { jsonFrom: { trainingJobRef: { name: 'train' }, metricName: 'validation:rmse' }, lessThan: 0.5 },
          ],
        },
      };
      const train: Stored = {
        metadata: { name: 'train' },
        spec: { outputDataConfig: { s3OutputPath: 's3://b/out' } },
        status: {
          trainingJobName: 'ns-train',
          trainingJobStatus: 'Completed',
          finalMetricDataList: [{ metricName: 'validation:rmse', value: 0.61 }],
        },
      };
      expect(await prerequisites(obj, cacheOf({ 'TrainingJob/train': train }), documents({}))).toMatchObject({
        type: 'gateNotMet',
        message: 'validation:rmse is 0.61, not < 0.5 (TrainingJob train, validation:rmse)',
      });
    });
  });
});
