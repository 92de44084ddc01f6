import type { OperatorHarness } from './operator.js';

interface Stack {
  add(middleware: unknown, options: { step: string; name: string }): void;
  remove(name: string): boolean;
}

type Next = (args: unknown) => Promise<unknown>;

/**
 * Runs `around` in place of the operator's next SageMaker call of `command` (e.g.
 * 'CreateEndpointCommand'), once; `around` decides whether and when the call goes through. Returns
 * the function that takes the interception away.
 */
export function interceptOnce(
  h: OperatorHarness,
  command: string,
  around: (call: () => Promise<unknown>) => Promise<unknown>,
): () => void {
  const stack = h.operatorAws.sagemaker().middlewareStack as unknown as Stack;
  const name = `intercept-${command}`;
  let used = false;
  stack.add(
    (next: Next, context: { commandName?: string }) => (args: unknown) => {
      if (used || context.commandName !== command) return next(args);
      used = true;
      return around(() => next(args));
    },
    { step: 'initialize', name },
  );
  return () => stack.remove(name);
}

/** An answer that never reached the operator, as a dropped connection leaves it. */
export function lostAnswer(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}
