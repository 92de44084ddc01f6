import { afterEach, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import type { AwsClients } from '../../../../src/aws/clients.js';
import type { AwsScope } from '../../../../src/aws/identity.js';
import {
  ChangeDetection,
  type ChangeListing,
  type ListedPage,
  type PushChannel,
} from '../../../../src/controllers/common/change-detection.js';
import { ROLE_ANNOTATION } from '../../../../src/controllers/common/identity.js';
import type { ManagedObject } from '../../../../src/controllers/common/managed-resource.js';
import type { CacheReader } from '../../../../src/runtime/index.js';

interface Job extends ManagedObject {
  status: { trainingJobName?: string; conditions?: { type: string; status: string }[] };
}

function job(name: string, reconciling: boolean, region?: string, namespace = 'ns'): Job {
  return {
    metadata: { name, namespace, uid: name },
    spec: region ? { region } : {},
    status: {
      trainingJobName: `ns-${name}`,
      conditions: [{ type: 'Reconciling', status: reconciling ? 'True' : 'False' }],
    },
  };
}

interface ListCall {
  region: string;
  /** The role the List call was made as (its client's scope); undefined: the operator's own. */
  role: string | undefined;
  after: Date;
  nextToken: string | undefined;
}

/** A kind whose List answers with `pages(call)`, less what is not after the call's bound, recording every call. */
function listing(
  pages: (call: ListCall, index: number) => ListedPage | Error,
): ChangeListing & { calls: ListCall[] } {
  const calls: ListCall[] = [];
  return {
    kind: 'TrainingJob',
    nameField: 'trainingJobName',
    calls,
    listModifiedAfter: (sagemaker, after, nextToken) => {
      const { region, role } = sagemaker as unknown as { region: string; role: string | undefined };
      const call = { region, role, after, nextToken };
      calls.push(call);
      const page = pages(call, calls.length - 1);
      if (page instanceof Error) return Promise.reject(page);
      const modifiedAfter = page.resources.filter(
        (r) => (r.lastModifiedTime?.getTime() ?? 0) > after.getTime(),
      );
      return Promise.resolve({ ...page, resources: modifiedAfter });
    },
  };
}

/** SageMaker times, in seconds after half an hour ago (within the first sweep's look-back). */
const T0 = Date.now() - 1_800_000;
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
const page = (resources: [string, number][], nextToken?: string): ListedPage => ({
  resources: resources.map(([name, time]) => ({ name, lastModifiedTime: at(time), summary: undefined })),
  nextToken,
});

const aborts: AbortController[] = [];
afterEach(() => {
  for (const abort of aborts.splice(0)) abort.abort();
});

/** The role annotation of each namespace the sweeps see (namespaces not listed have none). */
const ROLES: Record<string, string> = {
  'team-a': 'arn:aws:iam::111111111111:role/team-a',
  'team-b': 'arn:aws:iam::222222222222:role/team-b',
};

/** A cache with one Namespace per name asked, annotated with its role in ROLES. */
const namespaces = {
  get: (_kind: unknown, _namespace: string, name: string) => ({
    metadata: { name, annotations: ROLES[name] ? { [ROLE_ANNOTATION]: ROLES[name] } : {} },
  }),
  list: () => [],
} as unknown as CacheReader;

/** Runs the kind's sweeps over `objects` until the test ends; returns the names triggered. */
function sweep(kind: ChangeListing, objects: Job[], push?: PushChannel, overlapMs = 60_000) {
  const detection = new ChangeDetection(
    {
      aws: {
        sagemaker: (scope: AwsScope) => ({ region: scope.region, role: scope.roleArn }),
      } as unknown as AwsClients,
      defaultRegion: 'us-east-1',
      clusterName: 'c',
    },
    { sweepIntervalMs: 5, driftIntervalMs: 60_000, overlapMs },
    push,
  );
  const abort = new AbortController();
  aborts.push(abort);
  const triggered: string[] = [];
  void detection.sweepsOf<Job>(kind).run({
    signal: abort.signal,
    log: pino({ level: 'silent' }),
    cache: namespaces,
    objects: () => objects,
    trigger: (obj) => triggered.push(obj.metadata.name),
  });
  return { triggered, detection };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('sweeps', () => {
  it('reads back an hour at first, then from a minute before the newest change seen, triggering each change of ours once', async () => {
    const kind = listing((_, i) =>
      i === 0
        ? page([
            ['ns-a', 0],
            ['someone-elses', 300],
          ])
        : page([
            ['ns-a', 0],
            ['ns-b', 270],
          ]),
    );
    const started = Date.now();
    const { triggered } = sweep(kind, [job('a', true), job('b', true)]);
    await until(() => kind.calls.length >= 3);
    const [first, second, third] = kind.calls;
    expect(Math.abs(started - 3_600_000 - (first?.after.getTime() ?? 0))).toBeLessThan(1_000);
    // SageMaker's newest time seen, someone else's included, minus the overlap.
    expect(second?.after).toEqual(at(240));
    expect(third?.after).toEqual(at(240));
    expect(triggered).toEqual(['a', 'b']);
  });

  it('stops looking back once the window before the newest change has been read again an overlap later', async () => {
    const kind = listing(() => page([['ns-a', 300]]));
    const { triggered } = sweep(kind, [job('a', true)], undefined, 30);
    await until(() => kind.calls.some((c) => c.after.getTime() === at(300).getTime()));
    const afters = kind.calls.map((c) => c.after.getTime());
    const firstStrict = afters.indexOf(at(300).getTime());
    // Looked back (300 s − 30 ms) until then, never again afterwards.
    expect(afters.slice(1, firstStrict).every((t) => t === at(300).getTime() - 30)).toBe(true);
    expect(firstStrict).toBeGreaterThan(1);
    await until(() => kind.calls.length >= firstStrict + 3);
    expect(kind.calls.slice(firstStrict).every((c) => c.after.getTime() === at(300).getTime())).toBe(true);
    expect(triggered).toEqual(['a']);
  });

  it('triggers a resource again when its LastModifiedTime moves', async () => {
    const kind = listing((_, i) => page([['ns-a', i < 2 ? 0 : 7]]));
    const { triggered } = sweep(kind, [job('a', true)]);
    await until(() => kind.calls.length >= 4);
    expect(triggered).toEqual(['a', 'a']);
  });

  it('reads every page of a sweep', async () => {
    const kind = listing(({ nextToken }) =>
      nextToken === undefined ? page([['foreign-1', 0]], 'page-2') : page([['ns-a', 1]]),
    );
    const { triggered } = sweep(kind, [job('a', true)]);
    await until(() => triggered.length > 0);
    expect(kind.calls.slice(0, 2).map((c) => c.nextToken)).toEqual([undefined, 'page-2']);
  });

  it('starts the next sweep from the same point after a failed List', async () => {
    const kind = listing((_, i) => (i === 1 ? new Error('ThrottlingException') : page([['ns-a', 0]])));
    sweep(kind, [job('a', true)]);
    await until(() => kind.calls.length >= 3);
    expect(kind.calls[1]?.after).toEqual(at(-60));
    expect(kind.calls[2]?.after).toEqual(at(-60));
  });

  it('sweeps a region where nothing changes at the drift interval, one where something changes at the sweep interval', async () => {
    const kind = listing(() => page([]));
    sweep(kind, [job('a', false), job('b', true, 'eu-west-1')]);
    await until(() => kind.calls.filter((c) => c.region === 'eu-west-1').length >= 5);
    expect(kind.calls.filter((c) => c.region === 'us-east-1')).toHaveLength(1);
  });

  it("sweeps each namespace's identity apart: one List per role, each triggering only its own objects", async () => {
    const kind = listing((call) =>
      page(
        call.role === ROLES['team-a'] ? [['team-a-a', 10]] : call.role === undefined ? [['ns-c', 10]] : [],
      ),
    );
    const objects = [
      job('a', true, undefined, 'team-a'),
      job('b', true, undefined, 'team-b'),
      job('c', true),
    ];
    for (const obj of objects) obj.status.trainingJobName = `${obj.metadata.namespace}-${obj.metadata.name}`;
    const { triggered } = sweep(kind, objects);
    await until(() => new Set(kind.calls.map((c) => c.role)).size === 3 && triggered.length === 2);
    expect(new Set(kind.calls.map((c) => c.role))).toEqual(
      new Set([ROLES['team-a'], ROLES['team-b'], undefined]),
    );
    expect(triggered.sort()).toEqual(['a', 'c']);
  });

  it('leaves a region to pushed events once they arrive from it, and triggers the named object', async () => {
    const kind = listing(() => page([]));
    let deliver: (change: { resourceType: string; name: string; region: string }) => void = () => undefined;
    const push: PushChannel = {
      healthy: () => true,
      run: (onChange, signal) => {
        deliver = onChange;
        return new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            resolve();
          });
        });
      },
    };
    const { triggered } = sweep(kind, [job('a', true)], push);
    await until(() => kind.calls.length >= 3);
    deliver({ resourceType: 'TrainingJob', name: 'ns-a', region: 'us-east-1' });
    deliver({ resourceType: 'Endpoint', name: 'ns-a', region: 'us-east-1' });
    deliver({ resourceType: 'TrainingJob', name: 'ns-a', region: 'eu-west-1' });
    expect(triggered).toEqual(['a']);
    const swept = kind.calls.length;
    // A measurement window: at the 5 ms sweep interval, 100 ms would hold about 20 sweeps.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(kind.calls.length).toBeLessThanOrEqual(swept + 1);
  });
});
