import { ProtocolError } from '@syncline/engine';

export const SYNC_PROTOCOL = '/syncline/sync/1.0.0';
export const NUDGE_PROTOCOL = '/syncline/nudge/1.0.0';
export const PAIR_PROTOCOL = '/syncline/pair/1.0.0';
export const OFFER_PROTOCOL = '/syncline/offer/1.0.0';
/** Pairing and offer frames are small. */
export const MAX_SMALL_FRAME_BYTES = 16 * 1024;

/** The first frame on a sync stream and the only frame on a nudge stream: `{ folder }`. */
export const MAX_HEADER_FRAME_BYTES = 1024;
/** A peer that opens a stream must send its header within this time. */
export const HEADER_TIMEOUT_MS = 10_000;

/** Folder IDs as the engine's hello message accepts them. */
export const FOLDER_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export interface StreamHeader {
  readonly folder: string;
}

export function parseStreamHeader(value: unknown): StreamHeader {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProtocolError('the stream header is not an object');
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'folder') throw new ProtocolError('the stream header must hold exactly { folder }');
  const folder = (value as { folder: unknown }).folder;
  if (typeof folder !== 'string' || !FOLDER_ID_RE.test(folder)) throw new ProtocolError('the stream header names an invalid folder ID');
  return { folder };
}
