/**
 * Standalone emulator: `npm run emulator -- --port 4566 --s3-endpoint http://127.0.0.1:5000 --time-scale 0.01`.
 * The S3 endpoint defaults to $RIG_S3_ENDPOINT. `--events-queue-url URL` sends state-change events to that
 * SQS queue (`--sqs-endpoint`, default the S3 endpoint: moto serves both). Callers and their policies
 * come from moto's IAM and STS (`--iam-endpoint`, default the S3 endpoint).
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4599' },
    host: { type: 'string', default: '127.0.0.1' },
    's3-endpoint': { type: 'string' },
    'time-scale': { type: 'string', default: '1' },
    'api-model': { type: 'string' },
    region: { type: 'string', default: 'us-east-1' },
    'events-queue-url': { type: 'string' },
    'sqs-endpoint': { type: 'string' },
    'iam-endpoint': { type: 'string' },
  },
});

const s3Endpoint = values['s3-endpoint'] ?? process.env.RIG_S3_ENDPOINT;
if (s3Endpoint === undefined) {
  console.error(
    'emulator: give --s3-endpoint (or set RIG_S3_ENDPOINT) for the S3 server that receives side effects',
  );
  process.exit(2);
}

const queueUrl = values['events-queue-url'];
const emulator = await startEmulator({
  port: Number(values.port),
  host: values.host,
  s3: { endpoint: s3Endpoint, region: values.region },
  iam: { endpoint: values['iam-endpoint'] ?? s3Endpoint, region: values.region },
  timeScale: Number(values['time-scale']),
  apiModelPath: values['api-model'],
  region: values.region,
  ...(queueUrl !== undefined && {
    settings: { events: { queueUrl, sqsEndpoint: values['sqs-endpoint'] ?? s3Endpoint } },
  }),
});
console.log(
  `SageMaker emulator listening on ${emulator.endpoint} (S3: ${s3Endpoint}, time scale ${values['time-scale']})`,
);

const shutdown = (): void => {
  emulator.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
