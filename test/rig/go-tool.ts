import { existsSync } from 'node:fs';
import { access, constants, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { RigError } from './errors.js';
import { haveCommand } from './exec.js';

const LOCK_POLL_MS = 1000;

/** The environment every Go build of the rig uses: modules from the proxy, static binaries, this toolchain. */
export const GO_BUILD_ENV = { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0', GOTOOLCHAIN: 'local' };

/** The binary an environment variable names (e.g. TEST_ASSET_HELM), checked; undefined when unset. */
export async function providedBinary(variable: string, name: string): Promise<string | undefined> {
  const provided = process.env[variable];
  if (!provided) return undefined;
  try {
    await access(provided, constants.X_OK);
    return provided;
  } catch {
    throw new RigError(`${name} is not an executable file at ${provided} (from ${variable})`);
  }
}

/**
 * Builds `target` with `build(partial)` unless it exists. Test files run in parallel workers; a lock
 * file makes one of them build while the others wait, and a lock left by a dead process is taken over.
 * `build` writes to the partial path, renamed into place only when complete.
 */
export async function ensureBuiltOnce(
  target: string,
  missingGo: string,
  build: (partial: string) => Promise<void>,
): Promise<string> {
  while (!existsSync(target)) {
    if (await takeLock(`${target}.lock`)) {
      try {
        if (!existsSync(target)) {
          if (!(await haveCommand('go'))) throw new RigError(missingGo);
          const partial = `${target}.partial-${String(process.pid)}`;
          try {
            await build(partial);
            await rename(partial, target);
          } finally {
            await rm(partial, { force: true });
          }
        }
      } finally {
        await rm(`${target}.lock`, { force: true });
      }
    } else {
      await sleep(LOCK_POLL_MS);
    }
  }
  return target;
}

async function takeLock(lock: string): Promise<boolean> {
  try {
    await writeFile(lock, String(process.pid), { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const holder = Number(await readFile(lock, 'utf8').catch(() => ''));
  if (holder > 0 && isAlive(holder)) return false;
  await rm(lock, { force: true });
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
