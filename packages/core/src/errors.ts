/** Base of every Syncline error: a stable `code` and a message that says what to do. */
export class SynclineError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A path that is not a valid relative path inside a replica. */
export class InvalidPathError extends SynclineError {
  constructor(readonly path: string, reason: string) {
    super('SYNCLINE_INVALID_PATH', `invalid path ${JSON.stringify(path)}: ${reason}`);
  }
}

/** A value (decoded frame, stored record) that does not match its schema. */
export class SchemaError extends SynclineError {
  constructor(what: string, reason: string) {
    super('SYNCLINE_SCHEMA', `malformed ${what}: ${reason}`);
  }
}
