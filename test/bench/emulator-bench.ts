/**
 * Emulator throughput: `npx tsx test/bench/emulator-bench.ts [--jobs 10000] [--endpoints 1000] [--seconds 10] [--concurrency 32]`.
 *
 * Starts the emulator as its own process (one Node thread, so one core), fills it with training
 * jobs and endpoints, then measures Describe calls per second from this process over keep-alive
 * connections, and the emulator's memory and CPU use. Nothing finishes during the run (time scale 1),
 * so no S3 server is needed.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    endpoints: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '32' },
    port: { type: 'string', default: '4611' },
  },
});
const jobs = Number(values.jobs);
const endpoints = Number(values.endpoints);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const base = `http://127.0.0.1:${values.port}`;
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const role = 'arn:aws:iam::123456789012:role/bench';

function call(operation: string, input: object): Promise<number> {
  const body = JSON.stringify(input);
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `SageMaker.${operation}`,
          authorization:
            'AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/sagemaker/aws4_request, Signature=0',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode ?? 0);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `count` calls with `concurrency` in flight. */
async function fill(count: number, make: (i: number) => Promise<number>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const status = await make(next++);
      if (status !== 200) throw new Error(`setup call answered ${status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const procStat = (pid: number): { cpuSeconds: number; rssMb: number } => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!;
  return { cpuSeconds: ticks / 100, rssMb: Number(rss) / 1024 };
};

const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'test/emulator/main.ts', '--port', values.port, '--s3-endpoint', 'http://127.0.0.1:9'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
try {
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
    child.on('exit', (code) => {
      reject(new Error(`emulator exited with ${String(code)}`));
    });
  });
  const pid = child.pid!;
  const idle = procStat(pid);

  let started = performance.now();
  await fill(jobs, (i) =>
    call('CreateTrainingJob', {
      TrainingJobName: `bench-job-${i}`,
      RoleArn: role,
      AlgorithmSpecification: { TrainingImage: 'bench:1', TrainingInputMode: 'File' },
      OutputDataConfig: { S3OutputPath: 's3://bench/output' },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
      Tags: [{ Key: 'mlops.dev/managed-by', Value: 'sagemaker-operator' }],
    }),
  );
  await fill(endpoints, async (i) => {
    await call('CreateModel', { ModelName: `bench-model-${i}`, PrimaryContainer: { Image: 'bench:1' } });
    await call('CreateEndpointConfig', {
      EndpointConfigName: `bench-config-${i}`,
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: `bench-model-${i}`,
          InstanceType: 'ml.m5.large',
          InitialInstanceCount: 1,
        },
      ],
    });
    return call('CreateEndpoint', {
      EndpointName: `bench-endpoint-${i}`,
      EndpointConfigName: `bench-config-${i}`,
    });
  });
  const setupSeconds = (performance.now() - started) / 1000;
  const loaded = procStat(pid);

  const latencies: number[] = [];
  const before = procStat(pid);
  started = performance.now();
  const deadline = started + seconds * 1000;
  let n = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const i = n++;
      const t = performance.now();
      const status =
        i % 4 === 3
          ? await call('DescribeEndpoint', { EndpointName: `bench-endpoint-${i % endpoints}` })
          : await call('DescribeTrainingJob', { TrainingJobName: `bench-job-${(i * 7919) % jobs}` });
      if (status !== 200) throw new Error(`describe answered ${status}`);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const after = procStat(pid);
  latencies.sort((a, b) => a - b);
  const pct = (p: number): string => latencies[Math.floor((latencies.length - 1) * p)]!.toFixed(2);

  console.log(`emulator benchmark (${jobs} training jobs, ${endpoints} endpoints + models + configs)`);
  console.log(
    `  setup: ${setupSeconds.toFixed(1)} s (${((jobs + 3 * endpoints) / setupSeconds).toFixed(0)} creates/s)`,
  );
  console.log(
    `  describe: ${(latencies.length / elapsed).toFixed(0)} req/s over ${elapsed.toFixed(1)} s, concurrency ${concurrency}, 3:1 DescribeTrainingJob:DescribeEndpoint`,
  );
  console.log(`  latency ms: p50 ${pct(0.5)}, p99 ${pct(0.99)}`);
  console.log(
    `  emulator CPU during describes: ${((after.cpuSeconds - before.cpuSeconds) / elapsed).toFixed(2)} cores`,
  );
  console.log(
    `  emulator RSS: idle ${idle.rssMb.toFixed(0)} MB, loaded ${loaded.rssMb.toFixed(0)} MB, after run ${after.rssMb.toFixed(0)} MB`,
  );
} finally {
  agent.destroy();
  child.kill('SIGTERM');
}
