import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * A TCP proxy between a client and the apiserver that breaks connections on demand: drop them
 * (RST-like close), freeze them (stop forwarding but keep them open, like a half-open link) or refuse
 * new ones. TLS passes through untouched.
 */
export class FaultyProxy {
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private readonly frozen: Socket[] = [];
  private refusing = false;
  private server: Server | undefined;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      const pair = { client, upstream };
      this.pairs.add(pair);
      client.pipe(upstream);
      upstream.pipe(client);
      const close = (): void => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get connections(): number {
    return this.pairs.size;
  }

  dropAll(): void {
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Existing connections stay open but carry nothing more; new connections work. */
  freezeAll(): void {
    for (const { client, upstream } of this.pairs) {
      upstream.unpipe(client);
      client.unpipe(upstream);
      upstream.pause();
      client.pause();
      this.frozen.push(client, upstream);
    }
    this.pairs.clear();
  }

  refuse(on: boolean): void {
    this.refusing = on;
    if (on) this.dropAll();
  }

  async stop(): Promise<void> {
    this.dropAll();
    for (const socket of this.frozen) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** A proxy in front of the apiserver `kc` talks to, and a copy of `kc` that goes through it. */
export async function proxiedKubeConfig(kc: KubeConfig): Promise<{ proxy: FaultyProxy; kc: KubeConfig }> {
  const url = new URL(kc.getCurrentCluster()?.server ?? '');
  const proxy = new FaultyProxy(url.hostname, Number(url.port));
  await proxy.start();
  const through = new KubeConfig();
  const exported = JSON.parse(kc.exportConfig()) as { clusters: { cluster: { server: string } }[] };
  for (const c of exported.clusters) c.cluster.server = `https://127.0.0.1:${String(proxy.port)}`;
  through.loadFromString(JSON.stringify(exported));
  return { proxy, kc: through };
}
