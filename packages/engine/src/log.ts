import { createRequire } from 'node:module';
import type { Logger } from 'pino';

const require = createRequire(import.meta.url);

/**
 * The structured logger: JSON lines on stderr, level from SYNCLINE_LOG (default 'warn' so a
 * command's own output stays clean; 'debug' shows every session step).
 */
export function createLogger(name: string, level = process.env.SYNCLINE_LOG ?? 'warn'): Logger {
  const { pino } = require('pino') as typeof import('pino');
  return pino({ name, level }, pino.destination({ dest: 2, sync: true }));
}

const LEVEL_VALUES: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

let shared: Logger | undefined;

/**
 * The engine's shared logger. pino is loaded on its first enabled call (loading it is ~20 ms of
 * every CLI start-up); calls below SYNCLINE_LOG's level before that are no-ops, as pino's would be.
 */
export const log: Logger = new Proxy({} as Logger, {
  get(_target, prop) {
    if (!shared && typeof prop === 'string' && prop in LEVEL_VALUES) {
      const threshold = LEVEL_VALUES[process.env.SYNCLINE_LOG ?? 'warn'];
      if (threshold !== undefined && (LEVEL_VALUES[prop] as number) < threshold) return noop;
    }
    shared ??= createLogger('syncline');
    const value: unknown = Reflect.get(shared, prop, shared);
    return typeof value === 'function' ? value.bind(shared) : value;
  },
  set(_target, prop, value) {
    shared ??= createLogger('syncline');
    return Reflect.set(shared, prop, value, shared);
  },
});

function noop(): void {}

export type { Logger };
