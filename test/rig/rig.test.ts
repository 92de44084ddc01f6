import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { RigError, startControlPlane } from './index.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

describe('the rig', () => {
  it('names the variable to set when a provided binary does not exist', async () => {
    process.env.TEST_ASSET_KUBE_APISERVER = '/nonexistent/kube-apiserver';
    const started = startControlPlane();
    await expect(started).rejects.toThrow(RigError);
    await expect(started).rejects.toThrow(/TEST_ASSET_KUBE_APISERVER or KUBEBUILDER_ASSETS/);
  });

  it('fails fast with the process output when etcd dies at start', async () => {
    process.env.TEST_ASSET_ETCD = '/bin/false';
    const before = Date.now();
    await expect(startControlPlane()).rejects.toThrow(/etcd exited with code 1 before it was ready/);
    expect(Date.now() - before).toBeLessThan(15_000);
  });

  it('leaves no process behind when the process that started it is killed with SIGKILL', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/rig/fixtures/start-control-plane.ts'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const server = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /^READY (\S+)$/m.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => {
        reject(new Error(`fixture exited with ${code}: ${out}`));
      });
    });
    const port = Number(new URL(server).port);
    expect(await portOpen(port)).toBe(true);

    process.kill(child.pid ?? 0, 'SIGKILL');
    const deadline = Date.now() + 20_000;
    while ((await portOpen(port)) && Date.now() < deadline) await sleep(200);
    expect(await portOpen(port)).toBe(false);
  });
});
