import { SynclineError } from '@syncline/core';

export class NotADirectoryError extends SynclineError {
  constructor(readonly path: string, detail: string) {
    super('SYNCLINE_NOT_A_DIRECTORY', `${path}: ${detail}`);
  }
}

/** A per-path problem met while applying changes; reported, never thrown past the session. */
export interface ApplyProblem {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}
