/**
 * The real health judges of the GitOps tools, as two tiny Go programs (sources in ./judges/):
 *
 * - `kstatus-judge`: `status.Compute` of sigs.k8s.io/cli-utils' kstatus, what Flux and kpt wait with;
 * - `argocd-health-judge`: an Argo CD Lua health script in gopher-lua, set up as Argo CD sets it up.
 *
 * Built once per machine from the Go module proxy in a throw-away module (its go.mod written here,
 * with the pinned versions below) and cached like kube-apiserver; `npm run rig:prepare` and jest's
 * global setup build them, so a test only runs them.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDir, rigCacheDir } from './cache.js';
import { RigError } from './errors.js';
import { exec, haveCommand } from './exec.js';

/** sigs.k8s.io/cli-utils, whose kstatus Flux's controllers vendor (Flux's fork agrees on every state tested). */
export const CLI_UTILS_VERSION = '0.37.2';
/** github.com/yuin/gopher-lua, the version Argo CD v3 requires. */
export const GOPHER_LUA_VERSION = '1.1.2';

const SOURCES = fileURLToPath(new URL('./judges/', import.meta.url));
const BUILD_TIMEOUT_MS = 20 * 60_000;
const RUN_TIMEOUT_MS = 30_000;
const PROGRAMS = ['kstatus-judge', 'argocd-health-judge'] as const;

export interface Verdict {
  status: string;
  message: string;
}

async function goSources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.go'))
    .map((e) => relative(SOURCES, join(e.parentPath, e.name)))
    .sort();
}

/** The cache directory: the pinned versions and a hash of the sources, so an edited judge is rebuilt. */
async function cacheDir(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await goSources(SOURCES)) {
    hash.update(`${file}\0`);
    hash.update(await readFile(join(SOURCES, file)));
  }
  const key = `judges-cli-utils-v${CLI_UTILS_VERSION}-gopher-lua-v${GOPHER_LUA_VERSION}-${hash.digest('hex').slice(0, 12)}`;
  return rigCacheDir(key);
}

/** Builds the two judges unless cached; returns the directory holding them. */
export async function ensureJudges(log: (line: string) => void = () => undefined): Promise<string> {
  const target = await cacheDir();
  if (PROGRAMS.every((p) => existsSync(join(target, p)))) return target;
  if (!(await haveCommand('go'))) {
    throw new RigError(
      'the health judges (kstatus-judge, argocd-health-judge) are missing and there is no Go toolchain ' +
        'to build them; install Go 1.24+ so the rig can build them.',
    );
  }
  log(`building the health judges (cli-utils v${CLI_UTILS_VERSION}, gopher-lua v${GOPHER_LUA_VERSION})`);
  const module = await mkdtemp(join(tmpdir(), 'rig-build-judges-'));
  // Built next to the target and renamed into place, so a concurrent build or reader never sees half.
  const partial = `${target}.partial-${String(process.pid)}`;
  const env = { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0', GOTOOLCHAIN: 'local' };
  const go = (args: string[]): Promise<string> =>
    exec('go', args, { cwd: module, env, timeoutMs: BUILD_TIMEOUT_MS });
  try {
    for (const file of await goSources(SOURCES)) {
      await ensureDir(join(module, dirname(file)));
      await copyFile(join(SOURCES, file), join(module, file));
    }
    await writeFile(join(module, 'go.mod'), 'module rigbuild/judges\n\ngo 1.24\n');
    await go([
      'get',
      `sigs.k8s.io/cli-utils@v${CLI_UTILS_VERSION}`,
      `github.com/yuin/gopher-lua@v${GOPHER_LUA_VERSION}`,
    ]);
    await go(['mod', 'tidy']);
    await ensureDir(partial);
    await go(['build', '-trimpath', '-o', `${partial}/`, ...PROGRAMS.map((p) => `./${p}`)]);
    await rm(target, { recursive: true, force: true });
    await rename(partial, target);
  } finally {
    await rm(module, { recursive: true, force: true });
    await rm(partial, { recursive: true, force: true });
  }
  log(`built ${target}`);
  return target;
}

function run(program: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      program,
      args,
      { timeout: RUN_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new RigError(`${program} failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
    child.stdin?.end(input);
  });
}

async function judge(program: string, args: string[], objects: readonly object[]): Promise<Verdict[]> {
  const dir = await ensureJudges();
  const out = JSON.parse(await run(join(dir, program), args, JSON.stringify(objects))) as (Verdict & {
    error?: string;
  })[];
  if (out.length !== objects.length) {
    throw new RigError(`${program} judged ${String(out.length)} of ${String(objects.length)} objects`);
  }
  return out.map((v, i) => {
    if (v.error) throw new RigError(`${program} could not judge object ${String(i)}: ${v.error}`);
    return { status: v.status, message: v.message };
  });
}

/** kstatus' `status.Compute` for each object: Current, InProgress, Failed, Terminating, ... */
export function judgeWithKstatus(objects: readonly object[]): Promise<Verdict[]> {
  return judge('kstatus-judge', [], objects);
}

/** What Argo CD takes from the Lua health `script` for each object: Healthy, Progressing, Degraded, ... */
export async function judgeWithArgoCd(script: string, objects: readonly object[]): Promise<Verdict[]> {
  const dir = await mkdtemp(join(tmpdir(), 'argocd-health-'));
  try {
    const file = join(dir, 'health.lua');
    await writeFile(file, script);
    return await judge('argocd-health-judge', [file], objects);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
