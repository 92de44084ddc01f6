import type { OperatorHarness } from './operator.js';

interface Stack {
  add(middleware: unknown, options: { step: string; name: string }): void;
  remove(name: string): boolean;
}

type Next = (args: unknown) => Promise<unknown>;

/**
 * Runs `around` in place of each of the operator's SageMaker calls of `command` (e.g.
 * 'DescribeEndpointCommand') until the returned function takes the interception away; `around`
 * decides whether and when the call goes through.
 */
function intercept(
  h: OperatorHarness,
  command: string,
  around: (call: () => Promise<unknown>) => Promise<unknown>,
): () => void {
  const stack = h.operatorAws.sagemaker().middlewareStack as unknown as Stack;
  const name = `intercept-${command}-${++interceptions}`;
  stack.add(
    (next: Next, context: { commandName?: string }) => (args: unknown) =>
      context.commandName === command ? around(() => next(args)) : next(args),
    { step: 'initialize', name },
  );
  return () => stack.remove(name);
}

let interceptions = 0;

/** Like `intercept`, for the next call of `command` only. */
export function interceptOnce(
  h: OperatorHarness,
  command: string,
  around: (call: () => Promise<unknown>) => Promise<unknown>,
): () => void {
  let used = false;
  return intercept(h, command, (call) => {
    if (used) return call();
    used = true;
    return around(call);
  });
}

/** An answer that never reached the operator, as a dropped connection leaves it. */
export function lostAnswer(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

/**
 * The operator's first `create` lands but its answer is lost, and `describe` answers "not found"
 * (`notFoundMessage`) until the operator has tried the create again: the retry is told the name is
 * taken and must find its own resource. Returns the function that takes the interceptions away.
 */
export function loseCreateAnswerUntilRetried(
  h: OperatorHarness,
  create: string,
  describe: string,
  notFoundMessage: string,
): () => void {
  let creates = 0;
  let retried = false;
  const restoreCreate = intercept(h, create, async (call) => {
    if (++creates === 1) {
      await call();
      throw lostAnswer();
    }
    try {
      return await call();
    } finally {
      retried = true;
    }
  });
  const restoreDescribe = intercept(h, describe, async (call) => {
    if (retried) return call();
    throw notFound(notFoundMessage);
  });
  return () => {
    restoreCreate();
    restoreDescribe();
  };
}

/** SageMaker's answer to a describe of something it does not (yet) show. */
function notFound(message: string): Error {
  return Object.assign(new Error(message), { name: 'ValidationException', $fault: 'client' });
}
