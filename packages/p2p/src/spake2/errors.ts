import { SynclineError } from '@syncline/core';

/**
 * The peer's SPAKE2 message is not a valid group element: wrong length or encoding, not on
 * P-256, the identity, or one that makes the shared element the identity. Abort the exchange;
 * it counts as a failed pairing attempt.
 */
export class Spake2InvalidMessageError extends SynclineError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('SYNCLINE_SPAKE2_INVALID_MESSAGE', `invalid SPAKE2 message from the peer: ${reason}`, options);
  }
}

/** A SPAKE2 session was used out of order (finished twice, key read before confirmation). */
export class Spake2StateError extends SynclineError {
  constructor(message: string) {
    super('SYNCLINE_SPAKE2_STATE', message);
  }
}

/** A SPAKE2 parameter given by the caller is unusable (a bug in the caller, not in the peer). */
export class Spake2ParameterError extends SynclineError {
  constructor(message: string) {
    super('SYNCLINE_SPAKE2_PARAMETER', message);
  }
}

/** An injected random source returned something other than the bytes asked for. */
export class RandomSourceError extends SynclineError {
  constructor(asked: number, got: string) {
    super('SYNCLINE_RANDOM_SOURCE', `the random source returned ${got} when ${asked} bytes were asked for`);
  }
}
