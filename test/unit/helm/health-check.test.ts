import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { REASONS, TERMINAL_REASONS } from '../../../src/controllers/common/reasons.js';
import { runHealthCheck } from './lua-health.js';

const ARGOCD_DIR = new URL('../../../deploy/helm/sagemaker-operator/argocd/', import.meta.url);
const script = readFileSync(new URL('health.lua', ARGOCD_DIR), 'utf8');
const KINDS = [
  'TrainingJob',
  'Endpoint',
  'MonitoringSchedule',
  'MultiModelSet',
  'TransformJob',
  'ProcessingJob',
  'ModelPackageGroup',
  'ModelPackage',
];

interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message?: string;
}

function resource(
  kind: string,
  generation: number,
  status?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    apiVersion: 'sagemaker.mlops.dev/v1alpha1',
    kind,
    metadata: { name: 'demo', namespace: 'ml', generation, uid: '0b7c6a1e-1111-4d5e-9f00-3c2b1a000000' },
    spec: { roleArn: 'arn:aws:iam::123456789012:role/sagemaker' },
    ...(status === undefined ? {} : { status }),
  };
}

function withConditions(
  kind: string,
  conditions: Condition[],
  observedGeneration = 2,
): Record<string, unknown> {
  const stamped = conditions.map((c) => ({
    message: '',
    lastTransitionTime: '2026-08-01T10:00:00Z',
    observedGeneration,
    ...c,
  }));
  return resource(kind, 2, { observedGeneration, conditions: stamped });
}

const health = (obj: unknown): ReturnType<typeof runHealthCheck> => runHealthCheck(script, obj);

describe('Argo CD health check', () => {
  it('is Progressing before the operator has written any status', () => {
    expect(health(resource('Endpoint', 1))).toEqual({
      status: 'Progressing',
      message: 'Waiting for the operator to report status',
    });
  });

  it('is Progressing while status lacks observedGeneration (name recorded before the create call)', () => {
    const obj = resource('TrainingJob', 1, { trainingJobName: 'ml-demo' });
    expect(health(obj).status).toBe('Progressing');
  });

  it.each(KINDS)('%s is Healthy when Ready is True for the current generation', (kind) => {
    const obj = withConditions(kind, [
      { type: 'Ready', status: 'True', reason: 'Completed', message: 'InService' },
      { type: 'Synced', status: 'True', reason: 'Completed' },
    ]);
    expect(health(obj)).toEqual({ status: 'Healthy', message: 'InService' });
  });

  it('is Progressing when Ready is True but for an older generation', () => {
    const obj = withConditions('Endpoint', [{ type: 'Ready', status: 'True', reason: 'Completed' }], 1);
    expect(health(obj)).toEqual({
      status: 'Progressing',
      message: 'Waiting for the operator to observe generation 2',
    });
  });

  it('does not report a stale terminal failure after the spec was fixed', () => {
    const obj = withConditions(
      'Endpoint',
      [{ type: 'Synced', status: 'False', reason: 'InvalidSpec', message: 'bad instance type' }],
      1,
    );
    expect(health(obj).status).toBe('Progressing');
  });

  it('is Degraded with the message when a job failed', () => {
    const obj = withConditions('TrainingJob', [
      { type: 'Ready', status: 'False', reason: 'Failed', message: 'AlgorithmError: exit code 1' },
      { type: 'Synced', status: 'True', reason: 'Completed' },
      { type: 'Succeeded', status: 'False', reason: 'Failed', message: 'AlgorithmError: exit code 1' },
    ]);
    expect(health(obj)).toEqual({ status: 'Degraded', message: 'AlgorithmError: exit code 1' });
  });

  it('is Degraded when a job was stopped, falling back to the reason without a message', () => {
    const obj = withConditions('TrainingJob', [{ type: 'Succeeded', status: 'False', reason: 'Stopped' }]);
    expect(health(obj)).toEqual({ status: 'Degraded', message: 'Stopped' });
  });

  it('is Progressing while a job runs', () => {
    const obj = withConditions('TrainingJob', [
      { type: 'Ready', status: 'False', reason: 'InProgress', message: 'Training' },
      { type: 'Synced', status: 'True', reason: 'InProgress' },
      { type: 'Succeeded', status: 'Unknown', reason: 'InProgress' },
    ]);
    expect(health(obj)).toEqual({ status: 'Progressing', message: 'Training' });
  });

  it.each(Object.keys(REASONS))(
    'judges Synced=False %s as Degraded exactly when REASONS calls it terminal',
    (reason) => {
      const obj = withConditions('Endpoint', [
        { type: 'Ready', status: 'False', reason: 'Creating' },
        { type: 'Synced', status: 'False', reason, message: `SageMaker says: ${reason}` },
      ]);
      expect(health(obj)).toEqual({
        status: TERMINAL_REASONS.has(reason) ? 'Degraded' : 'Progressing',
        message: `SageMaker says: ${reason}`,
      });
    },
  );

  it.each(Object.keys(REASONS))(
    'judges Ready=False %s after a successful reconcile as Degraded exactly when REASONS calls it terminal',
    (reason) => {
      const obj = withConditions('TrainingJob', [
        { type: 'Ready', status: 'False', reason, message: `the job is ${reason}` },
        { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
      ]);
      expect(health(obj)).toEqual({
        status: TERMINAL_REASONS.has(reason) ? 'Degraded' : 'Progressing',
        message: `the job is ${reason}`,
      });
    },
  );

  it('keeps retrying, Progressing, on a Synced=False reason it does not know', () => {
    const obj = withConditions('Endpoint', [
      { type: 'Synced', status: 'False', reason: 'SomethingNew', message: 'new failure' },
    ]);
    expect(health(obj)).toEqual({ status: 'Progressing', message: 'new failure' });
  });

  it('is Degraded on a terminal Synced failure even while the last good version still serves', () => {
    const obj = withConditions('Endpoint', [
      { type: 'Ready', status: 'True', reason: 'Completed' },
      {
        type: 'Synced',
        status: 'False',
        reason: 'AccessDenied',
        message: 'not authorized: sagemaker:AddTags',
      },
    ]);
    expect(health(obj)).toEqual({ status: 'Degraded', message: 'not authorized: sagemaker:AddTags' });
  });

  it('reports why a resource waits for its reference', () => {
    const obj = withConditions('MultiModelSet', [
      {
        type: 'Ready',
        status: 'False',
        reason: 'WaitingForReference',
        message: 'TrainingJob ml/train has not completed',
      },
      { type: 'Synced', status: 'True', reason: 'WaitingForReference' },
    ]);
    expect(health(obj)).toEqual({ status: 'Progressing', message: 'TrainingJob ml/train has not completed' });
  });

  it('is Progressing with a default message when status has no conditions yet', () => {
    expect(health(resource('Endpoint', 3, { observedGeneration: 3 }))).toEqual({
      status: 'Progressing',
      message: 'Waiting for the resource to become ready',
    });
  });
});

/** The keys of the `local terminalReasons = { Name = true, ... }` table in the script. */
function luaTerminalReasons(lua: string): string[] {
  const table = /^local terminalReasons = \{\n([\s\S]*?)\n\}$/m.exec(lua);
  if (!table?.[1]) throw new Error('health.lua has no terminalReasons table');
  return table[1].split('\n').map((line) => {
    const entry = /^ {2}([A-Za-z]+) = true,$/.exec(line);
    if (!entry?.[1]) throw new Error(`unexpected line in terminalReasons: ${line}`);
    return entry[1];
  });
}

describe('terminal reasons of health.lua', () => {
  it('are exactly the reasons REASONS calls terminal, one per line, sorted', () => {
    const listed = luaTerminalReasons(script);
    expect(listed).toEqual([...TERMINAL_REASONS].sort());
  });

  it('are read from the table (the check can fail)', () => {
    const broken = script.replace('  CreateFailed = true,\n', '');
    expect(broken).not.toBe(script);
    expect(luaTerminalReasons(broken)).not.toContain('CreateFailed');
    expect(() => luaTerminalReasons(script.replace('  Failed = true,', '  Failed = false,'))).toThrow(
      /unexpected line/,
    );
  });
});

describe('argocd-cm patch', () => {
  const patch = parse(readFileSync(new URL('argocd-cm-patch.yaml', ARGOCD_DIR), 'utf8')) as {
    metadata: { name: string };
    data: Record<string, string>;
  };

  it('registers health.lua verbatim for every kind under its argocd-cm key', () => {
    expect(patch.metadata.name).toBe('argocd-cm');
    expect(Object.keys(patch.data).sort()).toEqual(
      KINDS.map((kind) => `resource.customizations.health.sagemaker.mlops.dev_${kind}`).sort(),
    );
    for (const lua of Object.values(patch.data)) expect(lua).toBe(script);
  });
});
