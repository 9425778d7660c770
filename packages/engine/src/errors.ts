import { SynclineError } from '@syncline/core';

export class ChannelClosedError extends SynclineError {
  constructor(reason = 'the other side closed the session') {
    super('SYNCLINE_CHANNEL_CLOSED', reason);
  }
}

/** The peer sent something the protocol does not allow; the session is closed. */
export class ProtocolError extends SynclineError {
  constructor(message: string) {
    super('SYNCLINE_PROTOCOL', `protocol error: ${message}`);
  }
}

export class SessionAbortedError extends SynclineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SYNCLINE_SESSION_ABORTED', message, options);
  }
}
