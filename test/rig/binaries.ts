import { access, constants, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDir, rigCacheDir } from './cache.js';
import { RigError } from './errors.js';
import { exec, haveCommand } from './exec.js';
import { ensureBuiltOnce, providedBinary as namedBinary } from './go-tool.js';

/** The versions the rig builds when no binaries are provided. */
export const KUBERNETES_VERSION = '1.34.4';
export const ETCD_VERSION = '3.6.16';

const BUILD_TIMEOUT_MS = 40 * 60_000;

export interface ControlPlaneBinaries {
  kubeApiserver: string;
  etcd: string;
}

type BinaryName = 'kube-apiserver' | 'etcd';

const ASSET_ENV: Record<BinaryName, string> = {
  'kube-apiserver': 'TEST_ASSET_KUBE_APISERVER',
  etcd: 'TEST_ASSET_ETCD',
};

/**
 * Finds a binary the way controller-runtime's envtest does: TEST_ASSET_<NAME>, then
 * $KUBEBUILDER_ASSETS/<name>, then /usr/local/kubebuilder/bin/<name>.
 */
function providedBinary(name: BinaryName): string | undefined {
  const explicit = process.env[ASSET_ENV[name]];
  if (explicit) return explicit;
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets) return join(assets, name);
  const kubebuilder = join('/usr/local/kubebuilder/bin', name);
  return existsSync(kubebuilder) ? kubebuilder : undefined;
}

async function assertExecutable(path: string, name: BinaryName): Promise<string> {
  try {
    await access(path, constants.X_OK);
    return path;
  } catch {
    throw new RigError(
      `${name} is not an executable file at ${path} (from ${ASSET_ENV[name]} or KUBEBUILDER_ASSETS). ` +
        `Point ${ASSET_ENV[name]} or KUBEBUILDER_ASSETS at real binaries, or unset both to let the rig build them with Go.`,
    );
  }
}

/** Returns kube-apiserver and etcd, building and caching them from the Go module proxy when none are provided. */
export async function ensureControlPlaneBinaries(
  log: (line: string) => void = () => undefined,
): Promise<ControlPlaneBinaries> {
  const provided = { kubeApiserver: providedBinary('kube-apiserver'), etcd: providedBinary('etcd') };
  const [kubeApiserver, etcd] = await Promise.all([
    provided.kubeApiserver
      ? assertExecutable(provided.kubeApiserver, 'kube-apiserver')
      : cachedBuild('kube-apiserver', `kubernetes-v${KUBERNETES_VERSION}`, buildKubeApiserver, log),
    provided.etcd
      ? assertExecutable(provided.etcd, 'etcd')
      : cachedBuild('etcd', `etcd-v${ETCD_VERSION}`, buildEtcd, log),
  ]);
  return { kubeApiserver, etcd };
}

type Builder = (moduleDir: string, output: string) => Promise<void>;

async function cachedBuild(
  name: BinaryName,
  versionDir: string,
  build: Builder,
  log: (line: string) => void,
): Promise<string> {
  const target = join(await ensureDir(rigCacheDir(versionDir)), name);
  if (existsSync(target)) return target;
  if (!(await haveCommand('go'))) {
    throw new RigError(
      `${name} is missing and there is no Go toolchain to build it. Either set KUBEBUILDER_ASSETS ` +
        `(e.g. "setup-envtest use ${KUBERNETES_VERSION.replace(/\.\d+$/, '.x')} -p path") or ` +
        `TEST_ASSET_KUBE_APISERVER / TEST_ASSET_ETCD, or install Go 1.24+ so the rig can build it.`,
    );
  }
  log(`building ${name} (${versionDir}) with Go; this happens once per machine and takes a few minutes`);
  const moduleDir = await mkdtemp(join(tmpdir(), `rig-build-${name}-`));
  try {
    const partial = `${target}.partial-${process.pid}`;
    await build(moduleDir, partial);
    await rename(partial, target);
  } finally {
    await rm(moduleDir, { recursive: true, force: true });
  }
  log(`built ${target}`);
  return target;
}

function go(args: string[], cwd: string): Promise<string> {
  return exec('go', args, {
    cwd,
    timeoutMs: BUILD_TIMEOUT_MS,
    env: { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
  });
}

/**
 * k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with local paths, so a
 * consumer must pin every one of them to the matching v0.X.Y tag. The list is read from that
 * release's own go.mod, so it stays right when the version changes.
 */
export function stagingReplaces(kubernetesGoMod: string, version: string): string[] {
  const stagingVersion = version.replace(/^1\./, '0.');
  const modules = [...kubernetesGoMod.matchAll(/^\s+(k8s\.io\/[\w.-]+) v0\.0\.0$/gm)].map((m) => m[1]);
  return modules.map((module) => `\t${module} => ${module} v${stagingVersion}`);
}

/** Builds one command of the Kubernetes release (`cmd/<command>`), stamped with its version as the release's own build does. */
const buildKubernetesCommand =
  (command: string): Builder =>
  async (dir, output) => {
    await writeFile(join(dir, 'go.mod'), `module rigbuild/${command}\n\ngo 1.24\n`);
    const info = JSON.parse(
      await go(['mod', 'download', '-json', `k8s.io/kubernetes@v${KUBERNETES_VERSION}`], dir),
    ) as {
      GoMod: string;
    };
    const replaces = stagingReplaces(await readFile(info.GoMod, 'utf8'), KUBERNETES_VERSION);
    await writeFile(
      join(dir, 'go.mod'),
      `module rigbuild/${command}\n\ngo 1.24\n\nrequire k8s.io/kubernetes v${KUBERNETES_VERSION}\n\nreplace (\n${replaces.join('\n')}\n)\n`,
    );
    await writeFile(
      join(dir, 'tools.go'),
      `//go:build tools\n\npackage tools\n\nimport _ "k8s.io/kubernetes/cmd/${command}"\n`,
    );
    await go(['mod', 'tidy'], dir);
    const [major, minor] = KUBERNETES_VERSION.split('.');
    const version = (key: string, value: string): string =>
      `-X k8s.io/component-base/version.${key}=${value}`;
    const ldflags = [
      version('gitVersion', `v${KUBERNETES_VERSION}`),
      version('gitMajor', major ?? ''),
      version('gitMinor', minor ?? ''),
    ];
    await go(
      ['build', `-ldflags=${ldflags.join(' ')}`, '-o', output, `k8s.io/kubernetes/cmd/${command}`],
      dir,
    );
  };

const buildKubeApiserver = buildKubernetesCommand('kube-apiserver');

/**
 * The kubectl of the rig's Kubernetes release, for tests that do what a user types: TEST_ASSET_KUBECTL,
 * then $KUBEBUILDER_ASSETS/kubectl (setup-envtest ships one), else built once per machine like
 * kube-apiserver.
 */
export async function ensureKubectl(log: (line: string) => void = () => undefined): Promise<string> {
  const provided = await namedBinary('TEST_ASSET_KUBECTL', 'kubectl');
  if (provided) return provided;
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets && existsSync(join(assets, 'kubectl'))) return join(assets, 'kubectl');
  const target = join(await ensureDir(rigCacheDir(`kubernetes-v${KUBERNETES_VERSION}`)), 'kubectl');
  return ensureBuiltOnce(
    target,
    `kubectl is missing and there is no Go toolchain to build it. Set TEST_ASSET_KUBECTL (or KUBEBUILDER_ASSETS ` +
      `from setup-envtest) or install Go so the rig can build kubectl v${KUBERNETES_VERSION}.`,
    async (partial) => {
      log(
        `building kubectl v${KUBERNETES_VERSION} with Go; this happens once per machine and takes a few minutes`,
      );
      const moduleDir = await mkdtemp(join(tmpdir(), 'rig-build-kubectl-'));
      try {
        await buildKubernetesCommand('kubectl')(moduleDir, partial);
      } finally {
        await rm(moduleDir, { recursive: true, force: true });
      }
      log(`built kubectl v${KUBERNETES_VERSION}`);
    },
  );
}

const buildEtcd: Builder = async (dir, output) => {
  // etcd's own main module carries replace directives, so `go install` of it is refused; its
  // server module exposes the same entry point, which a one-line main calls.
  await writeFile(join(dir, 'go.mod'), 'module rigbuild/etcd\n\ngo 1.24\n');
  await writeFile(
    join(dir, 'main.go'),
    'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n',
  );
  await go(['get', `go.etcd.io/etcd/server/v3@v${ETCD_VERSION}`], dir);
  await go(['mod', 'tidy'], dir);
  await go(['build', '-o', output, '.'], dir);
};
