import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** GETs an apiserver path with the kubeconfig's credentials, as `kubectl get --raw` does. */
export async function getRaw(kc: KubeConfig, path: string, accept = 'application/json'): Promise<string> {
  const options: RequestOptions = { headers: { Accept: accept } };
  await kc.applyToHTTPSOptions(options);
  return new Promise<string>((resolve, reject) => {
    httpsRequest(`${kc.getCurrentCluster()?.server ?? ''}${path}`, options, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        resolve(body);
      });
    })
      .on('error', reject)
      .end();
  });
}

/** Write requests (POST, PUT, PATCH, DELETE, APPLY) for one resource, from the apiserver's own /metrics text. */
export function apiserverWrites(metrics: string, resource: string): number {
  return metrics
    .split('\n')
    .filter((l) => l.startsWith('apiserver_request_total{') && l.includes(`resource="${resource}"`))
    .filter((l) => /verb="(POST|PUT|PATCH|DELETE|APPLY)"/.test(l))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

/** The apiserver's own Prometheus metrics. */
export function apiserverMetrics(kc: KubeConfig): Promise<string> {
  return getRaw(kc, '/metrics', 'text/plain');
}
