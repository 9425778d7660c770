import { isHlc, isValidRelativePath, parseRecord, type FileRecord, type Hlc } from '@syncline/core';
import type { ChunkRequest } from '@syncline/replica';
import type { SyncObject } from '@syncline/store';
import { ProtocolError } from './errors.js';

export const PROTOCOL_VERSION = 1;
export const MAX_RECORDS_PER_BATCH = 1000;
export const MAX_HASHES_PER_REQUEST = 4096;
export const MAX_SAMPLES = 64;
/** The chunker's maximum chunk size; no honest request asks for more. */
export const MAX_CHUNK_BYTES = 512 * 1024;

export type Message =
  | { t: 'hello'; protocol: number; folder: string; replica: string }
  | { t: 'samples'; ids: string[] }
  | { t: 'base'; id: string | null }
  | { t: 'changes'; records: FileRecord[]; last: boolean }
  | { t: 'getChunks'; id: number; chunks: ChunkRequest[] }
  | { t: 'chunks'; id: number; chunks: { hash: string; data: Uint8Array }[] }
  | { t: 'prepared' }
  | { t: 'applied'; failedAny: boolean; nonMirrored: boolean; sentUpTo: number; lastSeq: number }
  | { t: 'seal'; syncObject: SyncObject }
  | { t: 'sealed' }
  | { t: 'abort'; reason: string };

export type MessageType = Message['t'];

const HEX64 = /^[0-9a-f]{64}$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError(`${what} is not an object`);
  return v as Record<string, unknown>;
}
function str(v: unknown, what: string, re?: RegExp): string {
  if (typeof v !== 'string' || (re && !re.test(v))) throw new ProtocolError(`bad ${what}`);
  return v;
}
function int(v: unknown, what: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new ProtocolError(`bad ${what}`);
  return v as number;
}
function bool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') throw new ProtocolError(`bad ${what}`);
  return v;
}
function arr(v: unknown, what: string, max: number): unknown[] {
  if (!Array.isArray(v) || v.length > max) throw new ProtocolError(`bad ${what}`);
  return v;
}

export function parseSyncObject(v: unknown): SyncObject {
  const o = obj(v, 'sync object');
  const seqsIn = obj(o.seqs, 'sync object seqs');
  const keys = Object.keys(seqsIn);
  if (keys.length !== 2) throw new ProtocolError('a sync object names exactly two replicas');
  const seqs: Record<string, number> = {};
  for (const k of keys) seqs[str(k, 'replica id', ID)] = int(seqsIn[k], 'sequence number');
  if (!isHlc(o.hlc)) throw new ProtocolError('bad sync object time');
  const hlc = o.hlc as Hlc;
  return { id: str(o.id, 'sync object id', ID), hlc: { t: hlc.t, c: hlc.c }, seqs };
}

/** Validates a decoded message; anything unexpected is a ProtocolError. */
export function parseMessage(v: unknown): Message {
  const m = obj(v, 'message');
  switch (m.t) {
    case 'hello':
      return { t: 'hello', protocol: int(m.protocol, 'protocol'), folder: str(m.folder, 'folder id', ID), replica: str(m.replica, 'replica id', ID) };
    case 'samples':
      return { t: 'samples', ids: arr(m.ids, 'samples', MAX_SAMPLES).map((x) => str(x, 'sync id', ID)) };
    case 'base':
      return { t: 'base', id: m.id === null ? null : str(m.id, 'sync id', ID) };
    case 'changes': {
      const records = arr(m.records, 'changes', MAX_RECORDS_PER_BATCH).map((r) => {
        try {
          return parseRecord(r, 'change');
        } catch (err) {
          throw new ProtocolError(err instanceof Error ? err.message : String(err));
        }
      });
      return { t: 'changes', records, last: bool(m.last, 'last') };
    }
    case 'getChunks':
      return {
        t: 'getChunks',
        id: int(m.id, 'request id'),
        chunks: arr(m.chunks, 'chunk requests', MAX_HASHES_PER_REQUEST).map((c) => {
          const o = obj(c, 'chunk request');
          if (!isValidRelativePath(o.path)) throw new ProtocolError('bad path in a chunk request');
          const size = int(o.size, 'chunk size');
          if (size > MAX_CHUNK_BYTES) throw new ProtocolError('chunk request too large');
          return { hash: str(o.hash, 'chunk hash', HEX64), path: o.path as string, offset: int(o.offset, 'chunk offset'), size };
        }),
      };
    case 'chunks': {
      const chunks = arr(m.chunks, 'chunks', MAX_HASHES_PER_REQUEST).map((c) => {
        const o = obj(c, 'chunk');
        if (!(o.data instanceof Uint8Array)) throw new ProtocolError('chunk data is not bytes');
        return { hash: str(o.hash, 'chunk hash', HEX64), data: o.data };
      });
      return { t: 'chunks', id: int(m.id, 'request id'), chunks };
    }
    case 'prepared':
      return { t: 'prepared' };
    case 'applied':
      return {
        t: 'applied',
        failedAny: bool(m.failedAny, 'failedAny'),
        nonMirrored: bool(m.nonMirrored, 'nonMirrored'),
        sentUpTo: int(m.sentUpTo, 'sentUpTo'),
        lastSeq: int(m.lastSeq, 'lastSeq'),
      };
    case 'seal':
      return { t: 'seal', syncObject: parseSyncObject(m.syncObject) };
    case 'sealed':
      return { t: 'sealed' };
    case 'abort':
      return { t: 'abort', reason: str(m.reason, 'reason').slice(0, 500) };
    default:
      throw new ProtocolError(`unknown message kind ${JSON.stringify(String(m.t)).slice(0, 40)}`);
  }
}
