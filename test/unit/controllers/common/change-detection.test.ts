import { afterEach, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import type { AwsClients } from '../../../../src/aws/clients.js';
import { accountOfRole, scopeKey, type AwsScope } from '../../../../src/aws/identity.js';
import { ChangeDetection, type ChangeListing } from '../../../../src/controllers/common/change-detection.js';
import type { ListedPage } from '../../../../src/controllers/common/change-listing.js';
import { sweepInterval } from '../../../../src/controllers/common/kind-sweeps.js';
import {
  type PushChannel,
  type PushedChange,
  PushCoverage,
} from '../../../../src/controllers/common/pushed-changes.js';
import { ROLE_ANNOTATION } from '../../../../src/controllers/common/identity.js';
import type { ManagedObject } from '../../../../src/crds/kind.js';
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
  /** When it was made (operator's clock). */
  at: number;
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
      const call = { region, role, after, nextToken, at: Date.now() };
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

/** The account of the operator's own credentials. */
const OWN_ACCOUNT = '123456789012';

/** A cache with one Namespace per name asked, annotated with its role in ROLES. */
const namespaces = {
  get: (_kind: unknown, _namespace: string, name: string) => ({
    metadata: { name, annotations: ROLES[name] ? { [ROLE_ANNOTATION]: ROLES[name] } : {} },
  }),
  list: () => [],
} as unknown as CacheReader;

interface SweepOptions {
  push?: PushChannel;
  overlapMs?: number;
  driftIntervalMs?: number;
}

/** Runs the kind's sweeps over `objects` (read at every sweep) until the test ends; returns the names triggered. */
function sweep(
  kind: ChangeListing,
  objects: Job[],
  { push, overlapMs = 60_000, driftIntervalMs = 60_000 }: SweepOptions = {},
) {
  const detection = new ChangeDetection(
    {
      aws: {
        sagemaker: (scope: AwsScope) => ({ region: scope.region, role: scope.roleArn }),
        accountOf: (scope: AwsScope) =>
          Promise.resolve(scope.roleArn === undefined ? OWN_ACCOUNT : accountOfRole(scope.roleArn)),
      } as unknown as AwsClients,
      defaultRegion: 'us-east-1',
      clusterName: 'c',
    },
    { sweepIntervalMs: 5, driftIntervalMs, overlapMs },
    push,
  );
  const abort = new AbortController();
  aborts.push(abort);
  const triggered: string[] = [];
  const sweeps = detection.sweepsOf<Job>(kind);
  void sweeps.run({
    signal: abort.signal,
    log: pino({ level: 'silent' }),
    cache: namespaces,
    objects: () => objects,
    trigger: (obj) => triggered.push(obj.metadata.name),
  });
  return { triggered, detection, sweeps };
}

/** A push channel that is healthy and delivers what the test hands to `deliver`. */
function pushChannel(): { push: PushChannel; deliver: (change: PushedChange) => void } {
  const channel = {
    deliver: (_change: PushedChange): void => undefined,
    push: {
      healthy: () => true,
      run: (onChange: (change: PushedChange) => void, signal: AbortSignal) => {
        channel.deliver = onChange;
        return new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            resolve();
          });
        });
      },
    },
  };
  return {
    push: channel.push,
    deliver: (change) => {
      channel.deliver(change);
    },
  };
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
    const { triggered } = sweep(kind, [job('a', true)], { overlapMs: 30 });
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

  it('leaves an account and region to pushed events once they arrive from it, and triggers the named object', async () => {
    const kind = listing(() => page([]));
    const { push, deliver } = pushChannel();
    const { triggered } = sweep(kind, [job('a', true)], { push });
    await until(() => kind.calls.length >= 3);
    deliver({ resourceType: 'TrainingJob', name: 'ns-a', region: 'us-east-1', account: OWN_ACCOUNT });
    deliver({ resourceType: 'Endpoint', name: 'ns-a', region: 'us-east-1', account: OWN_ACCOUNT });
    deliver({ resourceType: 'TrainingJob', name: 'ns-a', region: 'eu-west-1', account: OWN_ACCOUNT });
    expect(triggered).toEqual(['a']);
    const swept = kind.calls.length;
    // A measurement window: at the 5 ms sweep interval, 100 ms would hold about 20 sweeps.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(kind.calls.length).toBeLessThanOrEqual(swept + 1);
  });

  it("slows only the sweeps of the account an event came from: another account's in the same region go on", async () => {
    const kind = listing(() => page([]));
    const { push, deliver } = pushChannel();
    const objects = [job('a', true, undefined, 'team-a'), job('b', true, undefined, 'team-b')];
    sweep(kind, objects, { push });
    const of = (team: string) => kind.calls.filter((c) => c.role === ROLES[team]).length;
    await until(() => of('team-a') >= 2 && of('team-b') >= 2);
    deliver({ resourceType: 'TrainingJob', name: 'foreign', region: 'us-east-1', account: '111111111111' });
    const [a, b] = [of('team-a'), of('team-b')];
    // A measurement window: at the 5 ms sweep interval, 100 ms would hold about 20 sweeps of each.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(of('team-a')).toBeLessThanOrEqual(a + 1);
    expect(of('team-b')).toBeGreaterThanOrEqual(b + 5);
  });

  it('sweeps an account and region at the sweep interval again once a drift interval passes without events', async () => {
    const kind = listing(() => page([]));
    const { push, deliver } = pushChannel();
    sweep(kind, [job('a', true)], { push, driftIntervalMs: 300 });
    await until(() => kind.calls.length >= 2);
    deliver({ resourceType: 'TrainingJob', name: 'foreign', region: 'us-east-1', account: OWN_ACCOUNT });
    const lastEventAt = Date.now();
    // Five sweeps within a third of the drift interval: the sweep interval's pace (5 ms), not the drift's.
    const fastAgainAt = (): number | undefined =>
      kind.calls
        .map((c, i) =>
          i >= 4 && c.at - kind.calls[i - 4]!.at < 100 && kind.calls[i - 4]!.at > lastEventAt
            ? c.at
            : undefined,
        )
        .find((at) => at !== undefined);
    await until(() => fastAgainAt() !== undefined);
    expect(fastAgainAt()! - lastEventAt).toBeGreaterThanOrEqual(300);
  });

  it('triggers no object of another account on a pushed change of the same name', async () => {
    const kind = listing(() => page([]));
    const { push, deliver } = pushChannel();
    const theirs = job('a', true);
    (theirs.status as { accountId?: string }).accountId = '222222222222';
    const { triggered } = sweep(kind, [theirs], { push });
    await until(() => kind.calls.length >= 1);
    deliver({ resourceType: 'TrainingJob', name: 'ns-a', region: 'us-east-1', account: OWN_ACCOUNT });
    deliver({ resourceType: 'TrainingJob', name: 'ns-a', region: 'us-east-1', account: '222222222222' });
    expect(triggered).toEqual(['a']);
  });

  it('drops what it listed for an identity and region once none of its objects is left', async () => {
    const kind = listing((call) => page(call.role === ROLES['team-a'] ? [['team-a-a', 10]] : []));
    const gone = job('a', true, undefined, 'team-a');
    gone.status.trainingJobName = 'team-a-a';
    const objects = [gone, job('b', true)];
    const { triggered, sweeps } = sweep(kind, objects);
    await until(() => triggered.includes('a'));
    objects.splice(0, 1);
    const before = kind.calls.length;
    // The sweeps have gone round again (the other identity's List) since the object left.
    await until(() => kind.calls.length >= before + 2);
    expect(
      sweeps.takeListing(
        'team-a-a',
        scopeKey({ region: 'us-east-1', roleArn: ROLES['team-a'], sessionName: 'team-a' }),
      ),
    ).toBeUndefined();
  });

  it("lists an identity whose List fails less and less often, and the others' as usual", async () => {
    const kind = listing((call) =>
      call.role === ROLES['team-a'] ? new Error('AccessDeniedException') : page([]),
    );
    sweep(kind, [job('a', true, undefined, 'team-a'), job('b', true, undefined, 'team-b')]);
    const of = (team: string) => kind.calls.filter((c) => c.role === ROLES[team]).length;
    // At the 5 ms sweep interval, 30 sweeps of the identity that works take about 150 ms.
    await until(() => of('team-b') >= 30);
    expect(of('team-a')).toBe(1);
  });
});

describe('how often a kind sweeps one identity and region', () => {
  const settings = { sweepIntervalMs: 10, driftIntervalMs: 600 };
  const plain = {};
  const waiting = (): Job => {
    const obj = job('w', true);
    obj.status.conditions = [{ type: 'Reconciling', status: 'True', reason: 'WaitingForReference' } as never];
    return obj;
  };

  it('at the sweep interval while an object is in transition, at the drift interval at rest', () => {
    expect(sweepInterval(settings, plain, [job('a', false), job('b', true)], false, 0)).toBe(10);
    expect(sweepInterval(settings, plain, [job('a', false)], false, 0)).toBe(600);
    expect(sweepInterval(settings, plain, [], false, 0)).toBe(600);
  });

  it('at the drift interval while pushed events cover its account and region', () => {
    expect(sweepInterval(settings, plain, [job('b', true)], true, 0)).toBe(600);
  });

  it('at the drift interval when its only changing objects wait for a reference', () => {
    expect(sweepInterval(settings, plain, [waiting(), job('a', false)], false, 0)).toBe(600);
    expect(sweepInterval(settings, plain, [waiting(), job('b', true)], false, 0)).toBe(10);
  });

  it("by the kind's own rule when its resources change on their own", () => {
    const schedules = {
      expectsChange: (obj: ManagedObject) => obj.metadata.name === 'due',
      activeIntervalMs: 50,
    };
    expect(sweepInterval(settings, schedules, [job('due', false)], true, 0)).toBe(50);
    expect(sweepInterval(settings, schedules, [job('idle', true)], false, 0)).toBe(600);
  });
});

describe('where pushed events stand for the sweeps', () => {
  it('the account and region of an event, for a drift interval after the latest', () => {
    const coverage = new PushCoverage(1_000);
    coverage.delivered('111111111111', 'us-east-1', 5_000);
    expect(coverage.covers('111111111111', 'us-east-1', 5_999)).toBe(true);
    expect(coverage.covers('222222222222', 'us-east-1', 5_000)).toBe(false);
    expect(coverage.covers('111111111111', 'eu-west-1', 5_000)).toBe(false);
    expect(coverage.covers(undefined, 'us-east-1', 5_000)).toBe(false);
    expect(coverage.covers('111111111111', 'us-east-1', 6_000)).toBe(false);
    coverage.delivered('111111111111', 'us-east-1', 5_900);
    expect(coverage.covers('111111111111', 'us-east-1', 6_500)).toBe(true);
  });
});
