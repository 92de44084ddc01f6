import type { KubeConfig } from '@kubernetes/client-node';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];
type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * client-node 2.0.1 builds a new undici Agent, hence a new TLS connection, for every request. At
 * 10,000 status writes that is slow and holds hundreds of MB in idle connections. These views of a
 * KubeConfig fix the connection handling without changing authentication: headers (tokens, exec
 * plugins) are still applied per request; only the connection pool is chosen here.
 */
function view(kc: KubeConfig, choose: (created: Dispatcher) => Dispatcher): KubeConfig {
  const wrapped = Object.create(kc) as KubeConfig;
  wrapped.applySecurityAuthentication = async (context: RequestContext): Promise<void> => {
    await kc.applySecurityAuthentication(context);
    const created = context.getDispatcher();
    if (created) context.setDispatcher(choose(created));
  };
  return wrapped;
}

/** API clients made from this view share one connection pool. */
export function sharedConnections(kc: KubeConfig): KubeConfig {
  let shared: Dispatcher | undefined;
  return view(kc, (created) => (shared ??= created));
}

/**
 * For one watch stream: its own connection, closed when the stream ends, so that a restarted watch
 * never reuses a dead (half-open) connection and an ended one leaves no socket behind.
 */
export function dedicatedConnection(kc: KubeConfig): { kc: KubeConfig; close(): void } {
  const used: Dispatcher[] = [];
  return {
    kc: view(kc, (created) => {
      used.push(created);
      return created;
    }),
    close() {
      for (const dispatcher of used.splice(0)) void dispatcher.destroy().catch(() => undefined);
    },
  };
}
