import { SynclineError } from '@syncline/core';

/** The identity key file is readable by group or others. */
export class IdentityKeyPermissionsError extends SynclineError {
  constructor(readonly path: string, mode: number) {
    super(
      'SYNCLINE_IDENTITY_KEY_PERMISSIONS',
      `the identity key ${path} is readable by other users (mode ${(mode & 0o777).toString(8).padStart(3, '0')}); ` +
        `run \`chmod 600 ${path}\` and start again`,
    );
  }
}

/** The identity key file exists but does not hold an Ed25519 private key. */
export class IdentityKeyInvalidError extends SynclineError {
  constructor(readonly path: string, reason: string, options?: { cause?: unknown }) {
    super(
      'SYNCLINE_IDENTITY_KEY_INVALID',
      `the identity key ${path} is not usable (${reason}); restore it from a backup, or move it away to ` +
        'create a new identity (peers will then have to trust the new device ID)',
      options,
    );
  }
}

/** A peer that is not in the trusted list was asked for. */
export class PeerNotTrustedError extends SynclineError {
  constructor(readonly deviceId: string) {
    super('SYNCLINE_PEER_NOT_TRUSTED', `device ${deviceId} is not trusted; add it first (syncline peer add ${deviceId})`);
  }
}

/** The peer could not be reached or refused the protocol. */
export class PeerUnreachableError extends SynclineError {
  constructor(readonly deviceId: string, what: string, options?: { cause?: unknown }) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super('SYNCLINE_PEER_UNREACHABLE', `could not ${what} device ${deviceId}${cause}; check that it is running, reachable and trusts this device`, options);
  }
}

/** A device ID, multiaddr or folder ID given to the node is malformed. */
export class InvalidAddressError extends SynclineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SYNCLINE_INVALID_ADDRESS', message, options);
  }
}

export class InvalidFolderIdError extends SynclineError {
  constructor(readonly folder: string) {
    super('SYNCLINE_INVALID_FOLDER_ID', `invalid folder ID ${JSON.stringify(folder).slice(0, 80)}: use 1–64 letters, digits, "-" or "_"`);
  }
}

/** An operation that needs a running node was called before start() or after stop(). */
export class NodeNotRunningError extends SynclineError {
  constructor(what: string) {
    super('SYNCLINE_NODE_NOT_RUNNING', `cannot ${what}: the node is not running (call start() first; a stopped node cannot be restarted, create a new one)`);
  }
}

/** A message too large to send as one frame (a bug in the sender, not in the peer). */
export class FrameTooLargeError extends SynclineError {
  constructor(size: number, limit: number) {
    super('SYNCLINE_FRAME_TOO_LARGE', `a message of ${size} bytes exceeds the frame limit of ${limit} bytes; send it in smaller parts`);
  }
}
