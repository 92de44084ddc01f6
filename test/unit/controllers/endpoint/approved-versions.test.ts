import { afterEach, describe, expect, it } from '@jest/globals';
import type { ListModelPackagesCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import pino from 'pino';
import type { AwsScope } from '../../../../src/aws/identity.js';
import { ApprovedVersions } from '../../../../src/controllers/endpoint/approved-versions.js';
import type { CacheReader, KubeObject } from '../../../../src/runtime/index.js';

const SCOPE: AwsScope = { region: 'us-east-1' };
const DRIFT_MS = 60_000;

const endpoint = (name: string, generation = 1): KubeObject => ({
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, generation },
});

/** A SageMaker client whose ListModelPackages fails for the groups in `denied`, recording the group of every call. */
function registry(denied: readonly string[] = []) {
  const listed: string[] = [];
  const client = {
    send: (command: ListModelPackagesCommand) => {
      const group = command.input.ModelPackageGroupName ?? '';
      listed.push(group);
      if (denied.includes(group)) return Promise.reject(new Error('AccessDeniedException'));
      return Promise.resolve({ ModelPackageSummaryList: [] });
    },
  } as unknown as SageMakerClient;
  return { client, listed };
}

const aborts: AbortController[] = [];
afterEach(() => {
  for (const abort of aborts.splice(0)) abort.abort();
});

/** Runs the sweeps over `objects` until the test ends; returns the warnings logged. */
function run(approved: ApprovedVersions<KubeObject>, objects: KubeObject[]): string[] {
  const warnings: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
  const abort = new AbortController();
  aborts.push(abort);
  void approved.run({
    signal: abort.signal,
    log,
    cache: {} as CacheReader,
    objects: () => objects,
    trigger: () => undefined,
  });
  return warnings;
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('ApprovedVersions', () => {
  it('lists a group whose List just failed only after a backoff, the other groups at once', async () => {
    const { client, listed } = registry(['denied']);
    const approved = new ApprovedVersions<KubeObject>(DRIFT_MS, () => client);
    const follower = endpoint('follower');
    approved.follow(follower, [
      { scope: SCOPE, group: 'denied' },
      { scope: SCOPE, group: 'allowed' },
    ]);
    // The follower's reconcile lists the group, and is refused.
    await expect(
      approved.list(client, SCOPE, 'denied', { abortSignal: new AbortController().signal }),
    ).rejects.toThrow('AccessDeniedException');
    const warnings = run(approved, [follower]);
    await until(() => listed.includes('allowed'));
    expect(listed).toEqual(['denied', 'allowed']);
    expect(warnings).toEqual([]);
  });

  it('forgets the groups of objects that are gone or whose spec changed without saying what they follow now', async () => {
    const { client, listed } = registry();
    const approved = new ApprovedVersions<KubeObject>(DRIFT_MS, () => client);
    approved.follow(endpoint('changed', 1), [{ scope: SCOPE, group: 'old-spec' }]);
    approved.follow(endpoint('gone'), [{ scope: SCOPE, group: 'deleted-object' }]);
    approved.follow(endpoint('left'), [{ scope: SCOPE, group: 'followed-no-more' }]);
    approved.follow(endpoint('left'), []);
    approved.follow(endpoint('steady'), [{ scope: SCOPE, group: 'followed' }]);
    run(approved, [endpoint('changed', 2), endpoint('left'), endpoint('steady')]);
    await until(() => listed.includes('followed'));
    expect(listed).toEqual(['followed']);
  });
});
