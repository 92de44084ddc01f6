import { describe, expect, it } from '@jest/globals';
import type { MultiModelSetSpec } from '../../../../src/crds/multi-model-set.js';
import type { UpstreamJobs } from '../../../../src/controllers/common/upstream.js';
import {
  desiredModels,
  modelUpstream,
  selects,
  type JobOutcome,
  type TrainingJobView,
} from '../../../../src/controllers/multi-model-set/desired-models.js';
import {
  modelOfKey,
  placement,
  targetModel,
  versionOf,
} from '../../../../src/controllers/multi-model-set/layout.js';
import { resolvePrefix, type EndpointView } from '../../../../src/controllers/multi-model-set/prefix.js';

const job = (
  name: string,
  labels: Record<string, string>,
  end: string,
  status = 'Completed',
): TrainingJobView => ({
  metadata: { name, labels },
  status: {
    trainingJobStatus: status,
    trainingEndTime: end,
    modelArtifacts: { s3ModelArtifacts: `s3://b/out/${name}/output/model.tar.gz` },
  },
});

/** For specs without s3UriFrom. */
const noUpstream = (): never => {
  throw new Error('no model here comes from s3UriFrom');
};

describe('selects', () => {
  it('reads matchLabels and every operator of matchExpressions', () => {
    const selector = {
      matchLabels: { app: 'housing' },
      matchExpressions: [
        { key: 'city', operator: 'In' as const, values: ['NY', 'TX'] },
        { key: 'stage', operator: 'NotIn' as const, values: ['dev'] },
        { key: 'owner', operator: 'Exists' as const },
        { key: 'skip', operator: 'DoesNotExist' as const },
      ],
    };
    expect(selects(selector, { app: 'housing', city: 'NY', owner: 'me' })).toBe(true);
    expect(selects(selector, { app: 'housing', city: 'NY', owner: 'me', stage: 'prod' })).toBe(true);
    expect(selects(selector, { app: 'other', city: 'NY', owner: 'me' })).toBe(false);
    expect(selects(selector, { app: 'housing', city: 'CA', owner: 'me' })).toBe(false);
    expect(selects(selector, { app: 'housing', city: 'NY', owner: 'me', stage: 'dev' })).toBe(false);
    expect(selects(selector, { app: 'housing', city: 'NY' })).toBe(false);
    expect(selects(selector, { app: 'housing', city: 'NY', owner: 'me', skip: '' })).toBe(false);
    expect(selects(selector, undefined)).toBe(false);
  });
});

describe('desiredModels', () => {
  const spec: MultiModelSetSpec = {
    modelDataPrefix: 's3://b/models/',
    models: [
      { name: 'listed', s3Uri: 's3://b/src/listed.tar.gz' },
      { name: 'NY', s3Uri: 's3://b/src/ny-pinned.tar.gz' },
      { name: 'fromJob', trainingJobRef: { name: 'job-a' } },
      { name: 'running', trainingJobRef: { name: 'job-running' } },
    ],
    trainingJobSelector: { matchLabels: { app: 'housing' }, modelNameLabel: 'city' },
  };
  const jobs = [
    job('job-a', {}, '2026-01-01T00:00:00Z'),
    job('job-running', {}, '2026-01-01T00:00:00Z', 'InProgress'),
    job('tx-1', { app: 'housing', city: 'TX' }, '2026-01-01T00:00:00Z'),
    job('tx-2', { app: 'housing', city: 'TX' }, '2026-02-01T00:00:00Z'),
    job('tx-3', { app: 'housing', city: 'TX' }, '2026-03-01T00:00:00Z', 'Failed'),
    job('ny', { app: 'housing', city: 'NY' }, '2026-01-01T00:00:00Z'),
    job('bad', { app: 'housing', city: '../etc' }, '2026-01-01T00:00:00Z'),
    job('unlabelled', { app: 'housing' }, '2026-01-01T00:00:00Z'),
    job('other', { app: 'other', city: 'CA' }, '2026-01-01T00:00:00Z'),
  ];
  const desired = desiredModels(spec, (name) => jobs.find((j) => j.metadata.name === name), jobs, noUpstream);

  it('takes listed sources, completed referenced jobs, and the latest completed selected job per name', () => {
    expect(Object.fromEntries(desired.sources)).toEqual({
      listed: 's3://b/src/listed.tar.gz',
      NY: 's3://b/src/ny-pinned.tar.gz', // models[] wins over the selected job
      fromJob: 's3://b/out/job-a/output/model.tar.gz',
      TX: 's3://b/out/tx-2/output/model.tar.gz', // the latest Completed one
    });
  });

  it('waits for jobs not completed and reports label values that are no model names', () => {
    expect([...desired.waiting.keys()]).toEqual(['running']);
    expect([...desired.invalid.keys()]).toEqual(['../etc']);
  });

  it('reports a failed retrain of a served model, which keeps serving the earlier one', () => {
    expect(Object.fromEntries(desired.failedJobs)).toEqual({
      TX: {
        reason: 'TrainingJobFailed',
        message: 'TrainingJob tx-3 Failed; serving the model of TrainingJob tx-2',
      },
    });
  });

  describe('of selected jobs not completed', () => {
    const selector = { matchLabels: { app: 'housing' }, modelNameLabel: 'city' };
    const created = (at: string, view: TrainingJobView): TrainingJobView => ({
      ...view,
      metadata: { ...view.metadata, creationTimestamp: at },
    });
    const running = (name: string, city: string, at: string, state?: string): TrainingJobView =>
      created(at, {
        metadata: { name, labels: { app: 'housing', city } },
        ...(state ? { status: { trainingJobStatus: state } } : {}),
      });
    const failed = (name: string, city: string, at: string, state = 'Failed'): TrainingJobView =>
      created(at, {
        metadata: { name, labels: { app: 'housing', city } },
        status: { trainingJobStatus: state, failureReason: 'AlgorithmError: out of memory' },
      });
    const of = (jobs: TrainingJobView[]) =>
      desiredModels(
        { modelDataPrefix: 's3://b/m/', trainingJobSelector: selector },
        () => undefined,
        jobs,
        noUpstream,
      );

    it('waits for a running or not yet started job of a name nothing serves', () => {
      const d = of([
        running('ny', 'NY', '2026-01-01T00:00:00Z', 'InProgress'),
        running('la', 'LA', '2026-01-01T00:00:00Z'),
        running('chi', 'CHI', '2026-01-01T00:00:00Z', 'Stopping'),
      ]);
      expect(Object.fromEntries(d.waiting)).toEqual({
        NY: 'waiting for TrainingJob ny to complete',
        LA: 'waiting for TrainingJob la to complete',
        CHI: 'waiting for TrainingJob chi to complete',
      });
      expect(d.sources.size + d.failedJobs.size + d.invalid.size).toBe(0);
    });

    it('serves the completed model while a retrain runs', () => {
      const d = of([
        created('2026-01-01T00:00:00Z', job('ny-1', { app: 'housing', city: 'NY' }, '2026-01-02T00:00:00Z')),
        running('ny-2', 'NY', '2026-02-01T00:00:00Z', 'InProgress'),
      ]);
      expect(Object.fromEntries(d.sources)).toEqual({ NY: 's3://b/out/ny-1/output/model.tar.gz' });
      expect(d.waiting.size + d.failedJobs.size).toBe(0);
    });

    it('reports a failed or stopped job of a name nothing serves, apart from the others', () => {
      const d = of([
        failed('ny', 'NY', '2026-01-01T00:00:00Z'),
        failed('la', 'LA', '2026-01-01T00:00:00Z', 'Stopped'),
        running('chi', 'CHI', '2026-01-01T00:00:00Z', 'InProgress'),
      ]);
      expect(Object.fromEntries(d.failedJobs)).toEqual({
        NY: { reason: 'TrainingJobFailed', message: 'TrainingJob ny Failed: AlgorithmError: out of memory' },
        LA: {
          reason: 'TrainingJobStopped',
          message: 'TrainingJob la Stopped: AlgorithmError: out of memory',
        },
      });
      expect([...d.waiting.keys()]).toEqual(['CHI']);
    });

    it('reports a job rejected before it ran (Stalled) as failed', () => {
      const rejected = created('2026-01-01T00:00:00Z', {
        metadata: { name: 'ny', labels: { app: 'housing', city: 'NY' } },
        status: {
          conditions: [
            {
              type: 'Stalled',
              status: 'True',
              reason: 'InvalidSpec',
              message: 'ValidationException: bad role',
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
          ],
        },
      });
      expect(Object.fromEntries(of([rejected]).failedJobs)).toEqual({
        NY: { reason: 'InvalidSpec', message: 'TrainingJob ny: ValidationException: bad role' },
      });
    });

    it('forgets a failure once a newer job of the name runs or completes', () => {
      const retried = of([
        failed('ny-1', 'NY', '2026-01-01T00:00:00Z'),
        running('ny-2', 'NY', '2026-01-02T00:00:00Z'),
      ]);
      expect([...retried.waiting.keys()]).toEqual(['NY']);
      expect(retried.failedJobs.size).toBe(0);
      const fixed = of([
        failed('ny-1', 'NY', '2026-01-01T00:00:00Z'),
        created('2026-01-02T00:00:00Z', job('ny-2', { app: 'housing', city: 'NY' }, '2026-01-03T00:00:00Z')),
      ]);
      expect([...fixed.sources.keys()]).toEqual(['NY']);
      expect(fixed.failedJobs.size).toBe(0);
    });

    it('waits for a job that runs even when a newer one of the name failed', () => {
      const d = of([
        running('ny-1', 'NY', '2026-01-01T00:00:00Z', 'InProgress'),
        failed('ny-2', 'NY', '2026-01-02T00:00:00Z'),
      ]);
      expect(Object.fromEntries(d.waiting)).toEqual({ NY: 'waiting for TrainingJob ny-1 to complete' });
      expect(d.failedJobs.size).toBe(0);
    });
  });

  it('reports a failed referenced job instead of waiting for it', () => {
    const d = desiredModels(
      { modelDataPrefix: 's3://b/m/', models: [{ name: 'ny', trainingJobRef: { name: 'ny-job' } }] },
      () => job('ny-job', {}, '2026-01-01T00:00:00Z', 'Failed'),
      [],
      noUpstream,
    );
    expect(Object.fromEntries(d.failedJobs)).toEqual({
      ny: { reason: 'TrainingJobFailed', message: 'TrainingJob ny-job Failed' },
    });
    expect(d.waiting.size).toBe(0);
  });

  it('names a selected model after the job without modelNameLabel', () => {
    const byName = desiredModels(
      { modelDataPrefix: 's3://b/m/', trainingJobSelector: { matchLabels: { app: 'housing' } } },
      () => undefined,
      jobs,
      noUpstream,
    );
    expect([...byName.sources.keys()].sort()).toEqual(['bad', 'ny', 'tx-1', 'tx-2', 'unlabelled']);
  });
});

describe('desiredModels of s3UriFrom', () => {
  type Job = { metadata: { uid: string }; spec?: object; status?: Record<string, unknown> & JobOutcome };
  const stalled = (reason: string, message: string) => ({
    conditions: [{ type: 'Stalled', status: 'True', reason, message }],
  });
  /** ProcessingJob `prep` (output `model` at s3://b/prep/model), its state and outcome. */
  const prep = (state?: string, outcome: JobOutcome = {}, uid = 'uid-1'): Job => ({
    metadata: { uid },
    spec: {
      processingOutputConfig: {
        outputs: [{ outputName: 'model', s3Output: { s3Uri: 's3://b/prep/model' } }],
      },
    },
    status: {
      processingJobName: 'ns-prep',
      ...(state && { processingJobStatus: state }),
      ...(state === 'Completed' && { outputs: [{ outputName: 'model', s3Uri: 's3://b/prep/model' }] }),
      ...outcome,
    },
  });
  const train: Job = {
    metadata: { uid: 'uid-t' },
    spec: { outputDataConfig: { s3OutputPath: 's3://b/train' } },
    status: {
      trainingJobName: 'ns-train',
      trainingJobStatus: 'Completed',
      modelArtifacts: { s3ModelArtifacts: 's3://b/train/ns-train/output/model.tar.gz' },
    },
  };
  const score: Job = {
    metadata: { uid: 'uid-s' },
    status: { transformJobName: 'ns-score', transformJobStatus: 'Completed', outputPath: 's3://b/scored' },
  };

  function of(models: NonNullable<MultiModelSetSpec['models']>, objects: Record<string, Job | undefined>) {
    const object = (kind: string, name: string) => objects[`${kind}/${name}`];
    const jobs = {
      trainingJob: (name: string) => object('TrainingJob', name),
      processingJob: (name: string) => object('ProcessingJob', name),
      transformJob: (name: string) => object('TransformJob', name),
    } as unknown as UpstreamJobs;
    return desiredModels(
      { modelDataPrefix: 's3://b/m/', models },
      () => undefined,
      [],
      (source) => modelUpstream(source, jobs, object),
    );
  }

  const fromPrep = { processingJobRef: { name: 'prep', outputName: 'model' }, path: 'model.tar.gz' };

  it("copies a Completed job's output under its path, and records what it read", () => {
    const d = of(
      [
        { name: 'prepared', s3UriFrom: fromPrep },
        { name: 'trained', s3UriFrom: { trainingJobRef: { name: 'train' } } },
        {
          name: 'folder',
          s3UriFrom: { trainingJobRef: { name: 'train', output: 'OutputPath' }, path: 'output/model.tar.gz' },
        },
        { name: 'scored', s3UriFrom: { transformJobRef: { name: 'score' }, path: 'model.tar.gz' } },
      ],
      { 'ProcessingJob/prep': prep('Completed'), 'TrainingJob/train': train, 'TransformJob/score': score },
    );
    expect(Object.fromEntries(d.sources)).toEqual({
      prepared: 's3://b/prep/model/model.tar.gz',
      trained: 's3://b/train/ns-train/output/model.tar.gz',
      folder: 's3://b/train/ns-train/output/model.tar.gz',
      scored: 's3://b/scored/model.tar.gz',
    });
    // One record per job and URI read (the last one): two models read the TrainingJob's artifacts.
    expect(d.inputs).toEqual([
      {
        kind: 'ProcessingJob',
        name: 'prep',
        output: 'model',
        uri: 's3://b/prep/model/model.tar.gz',
        jobName: 'ns-prep',
      },
      {
        kind: 'TrainingJob',
        name: 'train',
        output: 'OutputPath',
        uri: 's3://b/train/ns-train/output/model.tar.gz',
        jobName: 'ns-train',
      },
      {
        kind: 'TransformJob',
        name: 'score',
        output: 'OutputPath',
        uri: 's3://b/scored/model.tar.gz',
        jobName: 'ns-score',
      },
    ]);
    expect(d.revisions.get('s3://b/prep/model/model.tar.gz')).toBe('uid-1');
    expect(d.waiting.size + d.failedJobs.size).toBe(0);
  });

  it('keeps a model pending while its job is missing, not started or running', () => {
    const d = of(
      [
        { name: 'missing', s3UriFrom: { processingJobRef: { name: 'gone', outputName: 'model' } } },
        { name: 'running', s3UriFrom: fromPrep },
        { name: 'listed', s3Uri: 's3://b/src/listed.tar.gz' },
      ],
      { 'ProcessingJob/prep': prep('InProgress') },
    );
    expect(Object.fromEntries(d.waiting)).toEqual({
      missing: 'waiting for ProcessingJob gone to complete',
      running: 'waiting for ProcessingJob prep to complete',
    });
    expect([...d.sources.keys()]).toEqual(['listed']);
    expect(d.inputs).toEqual([]);
  });

  it.each([
    [
      'Failed',
      { failureReason: 'AlgorithmError: boom' },
      'ProcessingJobFailed',
      'ProcessingJob prep Failed: AlgorithmError: boom',
    ],
    ['Stopped', {}, 'ProcessingJobStopped', 'ProcessingJob prep Stopped'],
    [undefined, stalled('InvalidSpec', 'bad image'), 'InvalidSpec', 'ProcessingJob prep: bad image'],
  ])(
    'reports a model whose job is %s as failed, holding back no other',
    (state, outcome, reason, message) => {
      const d = of(
        [
          { name: 'broken', s3UriFrom: fromPrep },
          { name: 'listed', s3Uri: 's3://b/src/listed.tar.gz' },
        ],
        { 'ProcessingJob/prep': prep(state, outcome) },
      );
      expect(Object.fromEntries(d.failedJobs)).toEqual({ broken: { reason, message } });
      expect(d.waiting.size).toBe(0);
      expect([...d.sources.keys()]).toEqual(['listed']);
    },
  );

  it('reports an output the job does not declare as an invalid spec', () => {
    const d = of([{ name: 'm', s3UriFrom: { processingJobRef: { name: 'prep', outputName: 'other' } } }], {
      'ProcessingJob/prep': prep('Completed'),
    });
    expect(Object.fromEntries(d.failedJobs)).toEqual({
      m: { reason: 'InvalidSpec', message: 'ProcessingJob prep has no output named other' },
    });
  });

  it('gives a job applied anew another revision of the same URI', () => {
    const first = of([{ name: 'm', s3UriFrom: fromPrep }], { 'ProcessingJob/prep': prep('Completed') });
    const again = of([{ name: 'm', s3UriFrom: fromPrep }], {
      'ProcessingJob/prep': prep('Completed', {}, 'uid-2'),
    });
    expect(again.sources).toEqual(first.sources);
    expect(again.revisions.get('s3://b/prep/model/model.tar.gz')).toBe('uid-2');
  });
});

describe('layout', () => {
  it('makes a version of an ETag, plain or multipart', () => {
    expect(versionOf('D41D8CD98F00B204E9800998ECF8427E')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(versionOf('"abc123-12"')).toBe('abc123-12');
    expect(targetModel('NY', 'abc')).toBe('NY/abc.tar.gz');
    expect(modelOfKey('NY/abc.tar.gz')).toBe('NY');
    expect(modelOfKey('NY/manual.tgz')).toBeUndefined();
    expect(modelOfKey('readme.txt')).toBeUndefined();
    expect(modelOfKey('a/b/c.tar.gz')).toBeUndefined();
  });

  it('retires old versions only once the current one is in place, and never what a failing model served', () => {
    const targets = new Map([
      ['ok', 'ok/v2.tar.gz'],
      ['copying', 'copying/v2.tar.gz'],
    ]);
    const present = [
      'ok/v1.tar.gz',
      'ok/v2.tar.gz',
      'copying/v1.tar.gz',
      'failing/v1.tar.gz',
      'gone/v1.tar.gz',
      'notes.txt',
    ];
    expect(placement(targets, present, new Set(['failing']))).toEqual({
      missing: ['copying'],
      inPlace: ['ok'],
      stale: ['ok/v1.tar.gz', 'gone/v1.tar.gz'],
    });
  });
});

describe('resolvePrefix', () => {
  const endpoint = (containers: { mode?: string; modelDataUrl?: string }[]): EndpointView =>
    ({
      metadata: { name: 'housing', namespace: 'ns' },
      spec: { models: [{ modelName: 'm', containers }], productionVariants: [] },
      status: { endpointName: 'ns-housing' },
    }) as unknown as EndpointView;

  it("uses the MultiModel container's modelDataUrl, and the SageMaker name of the endpoint", () => {
    const spec = { endpointRef: { name: 'housing' }, models: [] };
    expect(
      resolvePrefix(
        spec,
        endpoint([
          { modelDataUrl: 's3://b/pre/model.tar.gz' },
          { mode: 'MultiModel', modelDataUrl: 's3://b/mme/' },
        ]),
      ),
    ).toEqual({ type: 'found', prefix: 's3://b/mme/', endpointName: 'ns-housing' });
    expect(resolvePrefix(spec, undefined)).toMatchObject({ type: 'waiting' });
    expect(resolvePrefix(spec, endpoint([{ modelDataUrl: 's3://b/single.tar.gz' }]))).toMatchObject({
      type: 'invalid',
    });
    expect(resolvePrefix({ modelDataPrefix: 's3://b/x/' }, undefined)).toEqual({
      type: 'found',
      prefix: 's3://b/x/',
    });
  });
});
