/**
 * kube-score (github.com/zegl/kube-score), the static checker the chart is held to: built once per
 * machine from the Go module proxy at a pinned version and cached like helm, or TEST_ASSET_KUBE_SCORE.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDir, rigCacheDir } from './cache.js';
import { exec } from './exec.js';
import { ensureBuiltOnce, GO_BUILD_ENV, providedBinary } from './go-tool.js';

export const KUBE_SCORE_VERSION = '1.20.0';

const BUILD_TIMEOUT_MS = 20 * 60_000;
const RUN_TIMEOUT_MS = 60_000;

export async function ensureKubeScore(log: (line: string) => void = () => undefined): Promise<string> {
  const provided = await providedBinary('TEST_ASSET_KUBE_SCORE', 'kube-score');
  if (provided) return provided;
  const target = join(await ensureDir(rigCacheDir(`kube-score-v${KUBE_SCORE_VERSION}`)), 'kube-score');
  return ensureBuiltOnce(
    target,
    `kube-score is missing and there is no Go toolchain to build it. Set TEST_ASSET_KUBE_SCORE to a ` +
      `kube-score binary or install Go 1.24+ so the rig can build kube-score v${KUBE_SCORE_VERSION}.`,
    async (partial) => {
      log(`building kube-score v${KUBE_SCORE_VERSION} with Go`);
      const dir = await mkdtemp(join(tmpdir(), 'rig-build-kube-score-'));
      const go = (args: string[]): Promise<string> =>
        exec('go', args, { cwd: dir, env: GO_BUILD_ENV, timeoutMs: BUILD_TIMEOUT_MS });
      try {
        await writeFile(join(dir, 'go.mod'), 'module rigbuild/kubescore\n\ngo 1.24\n');
        await go(['get', `github.com/zegl/kube-score@v${KUBE_SCORE_VERSION}`]);
        await go(['build', '-trimpath', '-o', partial, 'github.com/zegl/kube-score/cmd/kube-score']);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      log(`built kube-score v${KUBE_SCORE_VERSION}`);
    },
  );
}

/** One check kube-score made on one object, as its JSON output reports it. */
export interface KubeScoreFinding {
  object: string;
  check: string;
  /** kube-score's grade: 1 critical, 5 warning, 7 almost OK, 10 all OK (0 when skipped). */
  grade: number;
  skipped: boolean;
  comments: string[];
}

interface ScoredObject {
  type_meta: { kind: string };
  object_meta: { name: string };
  checks: {
    check: { id: string };
    grade: number;
    skipped: boolean;
    comments: { summary: string; description?: string }[] | null;
  }[];
}

/** Runs `kube-score score -o json` on manifests (YAML); kube-score exits non-zero on criticals, so that is no error. */
export async function scoreManifests(yaml: string): Promise<KubeScoreFinding[]> {
  const binary = await ensureKubeScore();
  const dir = await mkdtemp(join(tmpdir(), 'kube-score-'));
  try {
    const file = join(dir, 'manifests.yaml');
    await writeFile(file, yaml);
    const out = await exec('sh', ['-c', `"$0" score -o json "$1" || [ $? -eq 1 ]`, binary, file], {
      timeoutMs: RUN_TIMEOUT_MS,
    });
    return (JSON.parse(out) as ScoredObject[]).flatMap((obj) =>
      obj.checks.map((check) => ({
        object: `${obj.type_meta.kind}/${obj.object_meta.name}`,
        check: check.check.id,
        grade: check.grade,
        skipped: check.skipped,
        comments: (check.comments ?? []).map((c) => [c.summary, c.description].filter(Boolean).join(': ')),
      })),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
