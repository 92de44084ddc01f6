import { pino } from 'pino';
import type { Logger } from 'pino';

export type LogFormat = 'json' | 'pretty';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The root logger: JSON lines on stdout with ISO times and errors under `err`; `pretty` renders them
 * for humans through pino-pretty (a development dependency, used by `npm run local`).
 */
export function createLogger(level: LogLevel, format: LogFormat): Logger {
  const options = { level, timestamp: pino.stdTimeFunctions.isoTime, base: undefined };
  if (format === 'pretty') {
    return pino(
      options,
      pino.transport({
        target: 'pino-pretty',
        options: { colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l' },
      }),
    );
  }
  return pino(options);
}
