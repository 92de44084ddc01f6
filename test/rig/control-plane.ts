import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ensureControlPlaneBinaries } from './binaries.js';
import { generatePki } from './pki.js';
import { freePort } from './ports.js';
import { startProcess, waitUntilReady, type ManagedProcess } from './process.js';

export interface ControlPlane {
  /** Path of an admin kubeconfig (client certificate in system:masters). */
  readonly kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** http://127.0.0.1:<port> of etcd's client API. */
  readonly etcdEndpoint: string;
  /** The directory holding the PKI, logs and etcd data. */
  readonly dir: string;
  kubeConfig(): KubeConfig;
  /** Stops kube-apiserver and starts it again on the same port; etcd keeps its data. */
  restartApiserver(): Promise<void>;
  /** Compacts etcd up to its current revision, so watches from older resourceVersions get 410 Gone. */
  compactEtcd(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** Where the kubeconfig is written; default: inside the control plane's temp directory. */
  kubeconfigPath?: string;
  log?: (line: string) => void;
}

function startTimeoutMs(): number {
  const seconds = Number(process.env.KUBEBUILDER_CONTROLPLANE_START_TIMEOUT?.replace(/s$/, '') ?? '');
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 90_000;
}

async function etcdPost(endpoint: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${endpoint}${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`etcd ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

function apiserverReady(server: string, certs: { ca: Buffer; cert: Buffer; key: Buffer }) {
  return (): Promise<boolean> =>
    new Promise((resolve) => {
      const req = httpsRequest(`${server}/readyz`, { ...certs, timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => {
        resolve(false);
      });
      req.on('timeout', () => {
        req.destroy();
      });
      req.end();
    });
}

function kubeconfigYaml(server: string, ca: Buffer, cert: Buffer, key: Buffer): string {
  const b64 = (data: Buffer): string => data.toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: rig
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(ca)}
users:
- name: rig-admin
  user:
    client-certificate-data: ${b64(cert)}
    client-key-data: ${b64(key)}
contexts:
- name: rig
  context:
    cluster: rig
    user: rig-admin
    namespace: default
current-context: rig
`;
}

/** Starts etcd and kube-apiserver on free loopback ports with freshly generated PKI. */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = options.log ?? (() => undefined);
  const binaries = await ensureControlPlaneBinaries(log);
  const dir = await mkdtemp(join(tmpdir(), 'sagemaker-rig-'));
  const started: ManagedProcess[] = [];
  try {
    const pki = await generatePki(dir);
    const [clientPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdEndpoint = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const etcd = startProcess(
      'etcd',
      binaries.etcd,
      [
        '--name=rig',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdEndpoint}`,
        `--advertise-client-urls=${etcdEndpoint}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=rig=${peer}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      join(dir, 'etcd.log'),
    );
    started.push(etcd);
    await waitUntilReady(
      etcd,
      async () => (await fetch(`${etcdEndpoint}/health`)).ok,
      startTimeoutMs(),
      'Check that the etcd binary runs on this machine (TEST_ASSET_ETCD / KUBEBUILDER_ASSETS).',
    );

    const server = `https://127.0.0.1:${apiPort}`;
    const apiserverArgs = [
      `--etcd-servers=${etcdEndpoint}`,
      `--secure-port=${apiPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--cert-dir=${join(dir, 'apiserver-certs')}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      `--service-account-issuer=${server}/`,
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--authorization-mode=RBAC',
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      '--v=0',
    ];
    const certs = {
      ca: await readFile(pki.caCert),
      cert: await readFile(pki.adminCert),
      key: await readFile(pki.adminKey),
    };
    const ready = apiserverReady(server, certs);
    const startApiserver = async (): Promise<ManagedProcess> => {
      const proc = startProcess(
        'kube-apiserver',
        binaries.kubeApiserver,
        apiserverArgs,
        join(dir, 'kube-apiserver.log'),
      );
      await waitUntilReady(
        proc,
        ready,
        startTimeoutMs(),
        'Check the port is free and the binary matches this machine (TEST_ASSET_KUBE_APISERVER / KUBEBUILDER_ASSETS); raise KUBEBUILDER_CONTROLPLANE_START_TIMEOUT on a slow machine.',
      );
      return proc;
    };
    let apiserver = await startApiserver();
    started.push(apiserver);

    const kubeconfigPath = options.kubeconfigPath ?? join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfigYaml(server, certs.ca, certs.cert, certs.key), { mode: 0o600 });
    log(`control plane ready at ${server} (kubeconfig ${kubeconfigPath})`);

    return {
      kubeconfigPath,
      server,
      etcdEndpoint,
      dir,
      kubeConfig() {
        const kc = new KubeConfig();
        kc.loadFromFile(kubeconfigPath);
        return kc;
      },
      async restartApiserver() {
        await apiserver.stop();
        apiserver = await startApiserver();
      },
      async compactEtcd() {
        const range = (await etcdPost(etcdEndpoint, '/v3/kv/range', {
          key: Buffer.from('/').toString('base64'),
        })) as {
          header: { revision: string };
        };
        await etcdPost(etcdEndpoint, '/v3/kv/compaction', {
          revision: range.header.revision,
          physical: true,
        });
      },
      async stop() {
        await apiserver.stop();
        await etcd.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const proc of started.reverse()) await proc.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
