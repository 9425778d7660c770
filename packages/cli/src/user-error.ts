import { SynclineError } from '@syncline/core';

/** A mistake in what the user asked for: printed without a stack trace, exit code 1. */
export class UserError extends SynclineError {
  constructor(message: string, code = 'SYNCLINE_USAGE') {
    super(code, message);
  }
}

/** Ends the command with this exit code after its output was printed. */
export class ExitWith extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}
