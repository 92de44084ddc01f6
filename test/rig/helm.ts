import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDir, rigCacheDir } from './cache.js';
import { RigError } from './errors.js';
import { exec } from './exec.js';
import { ensureBuiltOnce, GO_BUILD_ENV, providedBinary } from './go-tool.js';

/** The helm CLI the chart tests use when none is provided. */
export const HELM_VERSION = '3.22.0';

const BUILD_TIMEOUT_MS = 30 * 60_000;

/** Returns a helm binary: TEST_ASSET_HELM if set, else one built once per machine from the Go module proxy. */
export async function ensureHelm(log: (line: string) => void = () => undefined): Promise<string> {
  const provided = await providedBinary('TEST_ASSET_HELM', 'helm');
  if (provided) return provided;
  const target = join(await ensureDir(rigCacheDir(`helm-v${HELM_VERSION}`)), 'helm');
  return ensureBuiltOnce(
    target,
    `helm is missing and there is no Go toolchain to build it. Set TEST_ASSET_HELM to a helm v3 binary ` +
      `or install Go 1.26+ so the rig can build helm v${HELM_VERSION}.`,
    (partial) => build(partial, log),
  );
}

async function build(partial: string, log: (line: string) => void): Promise<void> {
  log(`building helm v${HELM_VERSION} with Go; this happens once per machine and takes a few minutes`);
  const dir = await mkdtemp(join(tmpdir(), 'rig-build-helm-'));
  const env = GO_BUILD_ENV;
  try {
    await writeFile(join(dir, 'go.mod'), 'module rigbuild/helm\n\ngo 1.26\n');
    await exec('go', ['get', `helm.sh/helm/v3@v${HELM_VERSION}`], {
      cwd: dir,
      env,
      timeoutMs: BUILD_TIMEOUT_MS,
    });
    await exec(
      'go',
      ['build', `-ldflags=${(await ldflags(dir, env)).join(' ')}`, '-o', partial, 'helm.sh/helm/v3/cmd/helm'],
      {
        cwd: dir,
        env,
        timeoutMs: BUILD_TIMEOUT_MS,
      },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  log(`built helm v${HELM_VERSION}`);
}

/**
 * The flags helm's own Makefile sets: its version, and the Kubernetes version it assumes when
 * rendering offline (from its client-go, e.g. v0.37.0 means 1.37); without them that is 1.20.
 */
async function ldflags(dir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const clientGo = JSON.parse(
    await exec('go', ['list', '-m', '-json', 'k8s.io/client-go'], {
      cwd: dir,
      env,
      timeoutMs: BUILD_TIMEOUT_MS,
    }),
  ) as { Version: string };
  const [, minor] = /^v0\.(\d+)\./.exec(clientGo.Version) ?? [];
  if (minor === undefined) throw new RigError(`unexpected k8s.io/client-go version ${clientGo.Version}`);
  const set = (variable: string, value: string): string => `-X helm.sh/helm/v3/${variable}=${value}`;
  return [
    set('internal/version.version', `v${HELM_VERSION}`),
    ...['pkg/chartutil', 'pkg/lint/rules'].flatMap((pkg) => [
      set(`${pkg}.k8sVersionMajor`, '1'),
      set(`${pkg}.k8sVersionMinor`, minor),
    ]),
  ];
}
