import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

type Route = () => Promise<{ status: number; contentType: string; body: string }>;

export interface HttpEndpoint {
  /** host:port actually bound (port 0 in the flag picks a free port). */
  readonly address: string;
  close(): Promise<void>;
}

/** Parses `:8080`, `0.0.0.0:8080`, `[::1]:8080`; `0` disables the endpoint. */
export function parseAddress(flag: string): { host: string | undefined; port: number } | undefined {
  if (flag === '0') return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(flag);
  if (!match) throw new Error(`invalid address "${flag}": expected [host]:port, e.g. :8080, or 0 to disable`);
  const host = match[1] ?? match[2];
  return { host: host ? host : undefined, port: Number(match[3]) };
}

async function serve(flag: string, routes: Record<string, Route>): Promise<HttpEndpoint | undefined> {
  const address = parseAddress(flag);
  if (!address) return undefined;
  const server: Server = createServer((req, res) => {
    const route = routes[(req.url ?? '/').split('?')[0] ?? '/'];
    if (!route || req.method !== 'GET') {
      res.writeHead(404).end('not found\n');
      return;
    }
    route().then(
      ({ status, contentType, body }) => res.writeHead(status, { 'Content-Type': contentType }).end(body),
      (err: unknown) => res.writeHead(500).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, resolve);
  });
  const bound = server.address() as AddressInfo;
  return {
    address: `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/** /metrics in the Prometheus text format. */
export function serveMetrics(flag: string, registry: Registry): Promise<HttpEndpoint | undefined> {
  return serve(flag, {
    '/metrics': async () => ({
      status: 200,
      contentType: registry.contentType,
      body: await registry.metrics(),
    }),
  });
}

/** /healthz: the process serves requests; /readyz: caches have synced. */
export function serveHealth(flag: string, ready: () => boolean): Promise<HttpEndpoint | undefined> {
  const text = (status: number, body: string) => Promise.resolve({ status, contentType: 'text/plain', body });
  return serve(flag, {
    '/healthz': () => text(200, 'ok\n'),
    '/readyz': () => (ready() ? text(200, 'ok\n') : text(503, 'caches not synced\n')),
  });
}
