/**
 * `npm run rig:prepare`: builds (or finds) kube-apiserver, etcd, kubectl, helm, kube-score and the health judges and
 * installs the moto virtualenv, printing how long each took. Jest's global setup does the same
 * lazily; CI calls this first so the one-time cost is measured on its own.
 */
import { ensureControlPlaneBinaries, ensureKubectl } from './binaries.js';
import { RigError } from './errors.js';
import { ensureHelm } from './helm.js';
import { ensureJudges } from './judges.js';
import { ensureKubeScore } from './kube-score.js';
import { ensurePythonVenv } from './python.js';

const log = (line: string): void => {
  console.log(`[rig] ${line}`);
};

async function timed<T>(what: string, task: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await task();
  log(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

try {
  const [binaries, , helm, judges, kubeScore, kubectl] = await Promise.all([
    timed('kube-apiserver and etcd', () => ensureControlPlaneBinaries(log)),
    timed('moto virtualenv', () => ensurePythonVenv(log)),
    timed('helm', () => ensureHelm(log)),
    timed('health judges (kstatus, gopher-lua)', () => ensureJudges(log)),
    timed('kube-score', () => ensureKubeScore(log)),
    timed('kubectl', () => ensureKubectl(log)),
  ]);
  log(`kube-apiserver: ${binaries.kubeApiserver}`);
  log(`etcd: ${binaries.etcd}`);
  log(`helm: ${helm}`);
  log(`health judges: ${judges}`);
  log(`kube-score: ${kubeScore}`);
  log(`kubectl: ${kubectl}`);
} catch (err) {
  console.error(err instanceof RigError ? `rig: ${err.message}` : err);
  process.exit(1);
}
