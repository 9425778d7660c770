import { SynclineError } from '@syncline/core';

/** The replica's LevelDB is locked: another process (or another store in this one) holds it open. */
export class ReplicaBusyError extends SynclineError {
  constructor(readonly replicaRoot: string, options?: { cause?: unknown }) {
    super(
      'SYNCLINE_REPLICA_BUSY',
      `replica ${replicaRoot} is in use: another syncline process is using it (its database is locked). ` +
        'Stop that process or wait for it to finish, then try again.',
      options,
    );
  }
}

/** The replica's LevelDB could not be opened for a reason other than the lock. */
export class StoreOpenError extends SynclineError {
  constructor(readonly dbDir: string, reason: string, options?: { cause?: unknown }) {
    super('SYNCLINE_STORE_OPEN', `cannot open the replica store at ${dbDir}: ${reason}`, options);
  }
}

/** A method was called on a store that is not open (never opened, or closed). */
export class StoreClosedError extends SynclineError {
  constructor(readonly dbDir: string, member: string) {
    super(
      'SYNCLINE_STORE_CLOSED',
      `cannot use ${member}: the replica store at ${dbDir} is not open. Open it (openStore) before using it.`,
    );
  }
}

/** A value read back from the database fails its schema check. */
export class StoreCorruptError extends SynclineError {
  constructor(readonly dbDir: string, readonly key: string, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? options.cause.message : 'unreadable value';
    super(
      'SYNCLINE_STORE_CORRUPT',
      `the replica store at ${dbDir} holds a corrupt value at key ${key} (${reason}). ` +
        'Restore the store from a backup, or move that directory aside so that syncline rebuilds the index by rescanning the replica.',
      options,
    );
  }
}

/** commit() got an entry with seq > 0 that does not match the seq stored for its path. */
export class SeqMismatchError extends SynclineError {
  constructor(readonly path: string, readonly given: number, readonly stored: number | undefined) {
    super(
      'SYNCLINE_STORE_SEQ_MISMATCH',
      `cannot update ${JSON.stringify(path)} in place: the entry carries seq ${given} but the store holds ` +
        `${stored === undefined ? 'no record for that path' : `seq ${stored}`}. ` +
        'Re-read the entry before updating it, or commit it with seq 0 to record a new change.',
    );
  }
}
