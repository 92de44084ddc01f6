import { spawn } from 'node:child_process';
import { connect } from 'node:net';

/**
 * A listener that never accepts: a process that listens with a backlog of one and then blocks its
 * event loop, so the kernel's accept queue fills up with a few connections and drops every later
 * SYN. A client's connect then neither succeeds nor fails.
 */
export async function unacceptingListener(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const code = `const s = require('net').createServer();
s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(s.address().port + '\\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0));
});`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => {
      resolve(Number(chunk.toString().trim()));
    });
    child.once('exit', () => {
      reject(new Error('the listener exited'));
    });
  });
  // Fill the accept queue; wait until the kernel has completed one handshake on it.
  const fillers = Array.from({ length: 4 }, () => connect(port, '127.0.0.1').on('error', () => undefined));
  await new Promise((resolve) => fillers[0]?.once('connect', resolve));
  return {
    endpoint: `http://127.0.0.1:${String(port)}`,
    close: async () => {
      for (const filler of fillers) filler.destroy();
      child.kill();
      await exited;
    },
  };
}
