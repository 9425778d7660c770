export const REDIAL_MIN_MS = 250;
export const REDIAL_MAX_MS = 30_000;
/** A connection that lasted this long resets the backoff when it drops. */
export const STABLE_CONNECTION_MS = 10_000;

/**
 * Delay before redial attempt `attempt` (0-based): doubling from REDIAL_MIN_MS up to
 * REDIAL_MAX_MS, jittered down by up to half so peers that lost each other do not redial in step.
 */
export function redialDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(REDIAL_MAX_MS, REDIAL_MIN_MS * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * (0.5 + 0.5 * random()));
}
