import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { resourceOf } from './call-log.js';
import { handleControl } from './control.js';
import type { Emulator } from './emulator.js';
import { ApiError } from './errors.js';

const controlPrefix = '/_emulator/';
const jsonContentType = 'application/x-amz-json-1.1';
const invocationPath = /^\/endpoints\/([^/]+)\/invocations$/;

/** HTTP statuses of SageMaker Runtime's modelled errors. */
const runtimeStatuses: Record<string, number> = {
  ValidationError: 400,
  ModelError: 424,
  ModelNotReadyException: 429,
  AccessDeniedException: 403,
  InternalFailure: 500,
  ServiceUnavailable: 503,
};

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Signatures are not verified, but an unsigned request is refused as AWS refuses it. */
function checkAuthorization(req: IncomingMessage): void {
  const authorization = req.headers.authorization;
  if (authorization === undefined) {
    throw new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
  }
  if (!authorization.startsWith('AWS4-HMAC-SHA256 ') || !authorization.includes('Credential=')) {
    throw new ApiError(
      'IncompleteSignatureException',
      `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization=${authorization}`,
      403,
    );
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, {
    'x-amzn-requestid': randomUUID(),
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

const errorBody = (error: ApiError): string =>
  JSON.stringify({ __type: error.code, message: error.message, Message: error.message });

interface Call {
  operation: string;
  resource?: string;
  /** What IAM sees of the request: the JSON input, or an invocation's endpoint and target model. */
  request: unknown;
  run(): Promise<void>;
}

/** Parses the request into the call it makes; errors here are still answered in the protocol's format. */
function parseCall(emulator: Emulator, req: IncomingMessage, res: ServerResponse, body: Buffer): Call {
  const invocation = invocationPath.exec(req.url ?? '');
  if (req.method === 'POST' && invocation) {
    const endpointName = decodeURIComponent(invocation[1]!);
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const targetModel = header('x-amzn-sagemaker-target-model');
    return {
      operation: 'InvokeEndpoint',
      resource: endpointName,
      request: { EndpointName: endpointName, TargetModel: targetModel },
      run: async () => {
        const result = await emulator.invoke({
          endpointName,
          body,
          contentType: header('content-type'),
          accept: header('accept'),
          targetModel,
          targetVariant: header('x-amzn-sagemaker-target-variant'),
          inferenceId: header('x-amzn-sagemaker-inference-id'),
        });
        send(
          res,
          200,
          { 'content-type': result.contentType, 'x-amzn-invoked-production-variant': result.variant },
          result.body,
        );
      },
    };
  }
  const target = req.headers['x-amz-target'];
  const operation =
    typeof target === 'string' && target.startsWith('SageMaker.') ? target.slice(10) : undefined;
  if (req.method !== 'POST' || req.url !== '/' || operation === undefined) {
    throw new ApiError(
      'UnknownOperationException',
      `No operation at ${req.method ?? ''} ${req.url ?? ''}.`,
      404,
    );
  }
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError('SerializationException', 'The request body is not valid JSON.');
  }
  return {
    operation,
    resource: resourceOf(input),
    request: input,
    run: async () => {
      const output = await emulator.call(operation, input);
      send(res, 200, { 'content-type': jsonContentType }, JSON.stringify(output ?? {}));
    },
  };
}

function sendError(res: ServerResponse, operation: string, error: ApiError): void {
  if (operation === 'InvokeEndpoint') {
    const status = runtimeStatuses[error.code] ?? error.status;
    send(
      res,
      status,
      { 'content-type': 'application/json', 'x-amzn-errortype': error.code },
      errorBody(error),
    );
  } else {
    send(
      res,
      error.status,
      { 'content-type': jsonContentType, 'x-amzn-errortype': error.code },
      errorBody(error),
    );
  }
}

/** The access key id a SigV4-signed request names (its credential scope's first part). */
function accessKeyOf(req: IncomingMessage): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
}

/** Calls whose request the log keeps, so tests can check what reached SageMaker: creates and updates. */
const keepsRequest = (operation: string): boolean => /^(Create|Update)/.test(operation);

export function createEmulatorServer(emulator: Emulator, onError: (error: unknown) => void) {
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    if (req.url?.startsWith(controlPrefix)) {
      handleControl(emulator, req, res, body);
      return;
    }
    const time = Date.now();
    let call: Call = { operation: 'unknown', request: {}, run: () => Promise.resolve() };
    const accessKeyId = accessKeyOf(req);
    let principal: string | undefined;
    const log = (outcome: string, status: number): void => {
      emulator.calls.record({
        time,
        operation: call.operation,
        resource: call.resource,
        principal,
        outcome,
        status,
        ...(accessKeyId === undefined ? {} : { accessKeyId }),
        ...(keepsRequest(call.operation) ? { request: call.request } : {}),
      });
    };
    let answered = (): void => undefined;
    try {
      checkAuthorization(req);
      call = parseCall(emulator, req, res, body);
      answered = emulator.calls.begin({ time, operation: call.operation, resource: call.resource });
      principal = await emulator.principal(accessKeyId);
      const admission = emulator.admit(call.operation);
      if (admission?.kind === 'throttled') throw new ApiError('ThrottlingException', 'Rate exceeded');
      if (admission?.kind === 'drop') {
        log('dropped', 0);
        req.socket.destroy();
        return;
      }
      if (admission?.kind === 'latency') await sleep(admission.latencyMs);
      if (admission?.kind === 'error') {
        const status = admission.status ?? 500;
        const code = admission.code ?? (status === 503 ? 'ServiceUnavailable' : 'InternalFailure');
        throw new ApiError(code, 'We encountered an internal error. Please try again.', status);
      }
      await emulator.authorize(accessKeyId, call.operation, call.request);
      await call.run();
      log('ok', 200);
    } catch (caught) {
      const error =
        caught instanceof ApiError
          ? caught
          : new ApiError('InternalFailure', 'We encountered an internal error. Please try again.', 500);
      if (!(caught instanceof ApiError)) onError(caught);
      log(error.code, error.status);
      sendError(res, call.operation, error);
    } finally {
      answered();
    }
  };
  return createServer((req, res) => {
    serve(req, res).catch(onError);
  });
}
