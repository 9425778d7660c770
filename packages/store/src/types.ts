import type { EntryKind, FileRecord, Hlc } from '@syncline/core';

/** Local-only file-system facts that decide whether a file must be re-read. Never sent to peers. */
export interface StatStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

export interface IndexEntry {
  readonly record: FileRecord;
  /** null for tombstones and for records whose file is not on disk yet. */
  readonly stat: StatStamp | null;
}

/**
 * What a scan needs to know of a stored path to decide whether to look closer: far cheaper
 * to read than the whole entry.
 */
export interface PathStamp {
  readonly path: string;
  readonly kind: EntryKind;
  readonly deleted: boolean;
  readonly stat: StatStamp | null;
}

/** The seal of one completed session between two replicas (seed 001). */
export interface SyncObject {
  readonly id: string;
  readonly hlc: Hlc;
  /** Sequence number of each replica's changes that the other side has fully seen. */
  readonly seqs: Readonly<Record<string, number>>;
}

export interface ChunkLocation {
  readonly path: string;
  readonly offset: number;
  readonly size: number;
}

/**
 * A replica's metadata store. One process at a time holds it open.
 * Every method that writes more than one key does so in one atomic batch.
 */
export interface Store {
  /** Random 64-bit base32 ID, created on first open and kept. */
  readonly replicaId: string;
  open(): Promise<void>;
  close(): Promise<void>;

  get(path: string): Promise<IndexEntry | undefined>;
  getMany(paths: readonly string[]): Promise<(IndexEntry | undefined)[]>;
  /** All entries in path (UTF-16 string) order; with a prefix, only paths equal to it or below it. */
  entries(options?: { under?: string }): AsyncIterable<IndexEntry>;
  /** The stamps of these paths (undefined for paths without an entry), one cheap point read each. */
  stampsOf(paths: readonly string[]): Promise<(PathStamp | undefined)[]>;
  /** The stamp of every entry (same order and `under` as entries), in batches. */
  stamps(options?: { under?: string }): AsyncIterable<readonly PathStamp[]>;

  /** Highest sequence number assigned so far (0 for a new store). */
  lastSeq(): number;
  /** Records with seq > after, in sequence order, at most `limit`. */
  changesSince(after: number, limit: number): Promise<FileRecord[]>;

  /**
   * Writes entries in one batch. An entry whose record.seq is 0 gets the next sequence
   * number (in array order) and replaces its path's previous change-log slot; an entry
   * with seq > 0 must equal the stored seq and only updates the record/stat in place.
   * Keeps the chunk index in step. Optionally stores a sync object in the same batch.
   * Returns the records as written (with their sequence numbers).
   */
  commit(entries: readonly IndexEntry[], options?: { syncObject?: SyncObject; meta?: Readonly<Record<string, unknown>> }): Promise<FileRecord[]>;

  /** Sync objects shared with `peerReplicaId`, newest (by HLC) first. */
  syncObjects(peerReplicaId: string): Promise<SyncObject[]>;
  putSyncObject(syncObject: SyncObject): Promise<void>;

  /** Where a chunk with this SHA-256 (hex) lies in the replica's current files. */
  findChunk(hash: string): Promise<ChunkLocation[]>;
  /**
   * Where each chunk lies in the given file, per the chunk index: its first offset there if
   * that live file holds it, else undefined. One cheap point read each (no record decoded).
   */
  chunksIn(wanted: readonly { readonly hash: string; readonly path: string }[]): Promise<(ChunkLocation | undefined)[]>;
  /** findChunk for many hashes in one pass; hashes found nowhere are absent from the map. */
  findChunks(hashes: readonly string[]): Promise<Map<string, ChunkLocation[]>>;

  getMeta(key: string): Promise<unknown>;
  setMeta(key: string, value: unknown): Promise<void>;
}
