import { pino, type Logger } from 'pino';

/**
 * The structured logger: JSON lines on stderr, level from SYNCLINE_LOG (default 'warn' so a
 * command's own output stays clean; 'debug' shows every session step).
 */
export function createLogger(name: string, level = process.env.SYNCLINE_LOG ?? 'warn'): Logger {
  return pino({ name, level }, pino.destination({ dest: 2, sync: true }));
}

export const log = createLogger('syncline');
export type { Logger };
