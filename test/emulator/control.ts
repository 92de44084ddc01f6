import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Emulator, SettingsPatch } from './emulator.js';
import type { Steer } from './steering.js';

/** The control API under /_emulator/, a path SageMaker never uses; see README.md. */
export function handleControl(
  emulator: Emulator,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): void {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const route = `${req.method ?? ''} ${url.pathname.slice('/_emulator'.length)}`;
  const json = (): unknown => (body.length === 0 ? {} : JSON.parse(body.toString('utf8')));
  const reply = (status: number, value: unknown): void => {
    const text = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  try {
    switch (route) {
      case 'GET /health': {
        reply(200, { ok: true });
        return;
      }
      case 'POST /reset':
        emulator.reset();
        {
          reply(200, { ok: true });
          return;
        }
      case 'GET /settings': {
        reply(200, emulator.settings);
        return;
      }
      case 'POST /settings': {
        reply(200, emulator.configure(json() as SettingsPatch));
        return;
      }
      case 'POST /steer':
        emulator.steering.set(json() as Steer);
        {
          reply(200, { ok: true });
          return;
        }
      case 'DELETE /steer':
        emulator.steering.clear();
        {
          reply(200, { ok: true });
          return;
        }
      case 'GET /calls': {
        const number = (key: string): number | undefined =>
          url.searchParams.has(key) ? Number(url.searchParams.get(key)) : undefined;
        const text = (key: string): string | undefined => url.searchParams.get(key) ?? undefined;
        const calls = emulator.calls.calls({
          since: number('since'),
          operation: text('operation'),
          resource: text('resource'),
        });
        reply(200, { calls, counts: emulator.calls.counts() });
        return;
      }
      case 'GET /in-flight': {
        reply(200, { calls: emulator.calls.inFlight() });
        return;
      }
      case 'GET /events': {
        reply(200, emulator.eventStats());
        return;
      }
      case 'GET /mismatches': {
        reply(200, { mismatches: emulator.mismatches });
        return;
      }
      case 'DELETE /calls':
        emulator.calls.clear();
        {
          reply(200, { ok: true });
          return;
        }
      default: {
        reply(404, { error: `no control route ${route}` });
        return;
      }
    }
  } catch (error) {
    reply(400, { error: (error as Error).message });
  }
}
