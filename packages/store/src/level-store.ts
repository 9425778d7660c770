/**
 * LevelStore: a replica's metadata in one LevelDB at <root>/.syncline/db, values in MessagePack.
 *
 * Key layout (keys.ts builds them; byte order = UTF-16 order of the key strings; `\0`
 * separates parts, and a path, which may contain '!', always comes last):
 *
 *   p!<path>                                   → { record, stat }         index entry
 *   t!<path>                                   → binary stamp             kind, deleted, stat of p!<path> (codec.ts)
 *   s!<seq, 16 digits>                         → path                     change-log slot: one per path, at its newest seq
 *   c!<sha256 hex>\0<path>                     → { path, offset, size }   chunk location in a live file
 *   h!<sha256 hex>                             → number                   how many c!<hash> keys there are (absent: none)
 *   o!<peer>\0<hlc.t 16>\0<hlc.c 16>\0<id>     → SyncObject               filed under each peer it names, HLC order
 *   m!<key>                                    → any                      settings (getMeta/setMeta)
 *   i!format, i!replica-id, i!last-seq         → number / string / number the store's own bookkeeping
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';
import { META_DIR, parseRecord, replicaIdFromBytes, SchemaError, type FileRecord } from '@syncline/core';
import {
  isPeerId,
  packStamp,
  packValue,
  parseChunkLocation,
  parseCount,
  parseIndexEntry,
  parseReplicaId,
  parseSlotPath,
  parseStatStamp,
  parseSyncObject,
  unpackStamp,
  unpackValue,
} from './codec.js';
import { ReplicaBusyError, SeqMismatchError, StoreClosedError, StoreCorruptError, StoreOpenError } from './errors.js';
import {
  ALL_RECORDS,
  ALL_SEQS,
  ALL_STAMPS,
  chunkCountKey,
  chunkKey,
  chunkRange,
  CHUNK_INDEX_RANGE,
  describeKey,
  FORMAT_KEY,
  type KeyRange,
  LAST_SEQ_KEY,
  metaKey,
  pathFromKey,
  recordKey,
  recordsBelow,
  REPLICA_ID_KEY,
  seqFromKey,
  seqKey,
  stampKey,
  stampsBelow,
  syncObjectKey,
  syncObjectRange,
} from './keys.js';
import type { ChunkLocation, IndexEntry, PathStamp, Store, SyncObject } from './types.js';

/**
 * Version of the key layout and value shapes. Format 1 lacked the t! stamps and h! chunk
 * counts; it is upgraded in place on open. Any other format is refused.
 */
const STORE_FORMAT = 2;
const UPGRADABLE_FORMAT = 1;
/**
 * LevelDB's block cache and write buffer, per store (a sync holds two open). LevelDB's
 * defaults (8 MiB and 4 MiB) cost 15–30 MB more peak RSS on a first sync of 100,000 files,
 * for no measurable speed: reads here are mostly of recent writes or sequential.
 */
const LEVELDB_MEMORY = { cacheSize: 2 << 20, writeBufferSize: 2 << 20 } as const;
/** Entries per LevelDB read while iterating; also the batch size of the format upgrade. */
const READ_BATCH = 1000;
const SHA256_HEX = /^[0-9a-f]{64}$/;

type Db = Level<Buffer, Buffer>;
type BatchOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

interface OpenState {
  readonly db: Db;
  readonly replicaId: string;
  lastSeq: number;
}

export interface CommitOptions {
  /** Stored in the same batch, exactly as putSyncObject would; the batch is then fsynced. */
  readonly syncObject?: SyncObject;
  /** Settings written in the same batch; undefined deletes a key. */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** The location of the LevelDB of the replica rooted at `replicaRoot`. */
export function storeDir(replicaRoot: string): string {
  return path.join(path.resolve(replicaRoot), META_DIR, 'db');
}

/** Opens (creating it if needed) the store of the replica rooted at `replicaRoot`, an existing directory. */
export async function openStore(replicaRoot: string): Promise<LevelStore> {
  const store = new LevelStore(replicaRoot);
  await store.open();
  return store;
}

/**
 * A replica's metadata in LevelDB. One process (and one LevelStore) at a time may hold
 * a replica open; writes are queued so that sequence numbers are handed out in order.
 */
export class LevelStore implements Store {
  readonly replicaRoot: string;
  readonly dbDir: string;
  private state: OpenState | undefined;
  private opening: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private knownReplicaId: string | undefined;
  /** Tail of the write queue; never rejects. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(replicaRoot: string) {
    this.replicaRoot = path.resolve(replicaRoot);
    this.dbDir = storeDir(this.replicaRoot);
  }

  /** Known once the store has been opened; stays readable after close. */
  get replicaId(): string {
    if (this.knownReplicaId === undefined) throw new StoreClosedError(this.dbDir, 'replicaId');
    return this.knownReplicaId;
  }

  get isOpen(): boolean {
    return this.state !== undefined;
  }

  async open(): Promise<void> {
    if (this.state) return;
    if (this.closing) await this.closing;
    this.opening ??= this.openDb().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Waits for queued writes, then closes the database. Idempotent. */
  async close(): Promise<void> {
    if (this.opening) await this.opening.catch(() => undefined);
    const state = this.state;
    if (!state) return this.closing;
    this.state = undefined;
    this.closing = this.writes
      .then(() => state.db.close())
      .finally(() => {
        this.closing = undefined;
      });
    return this.closing;
  }

  async get(path: string): Promise<IndexEntry | undefined> {
    const { db } = this.live('get()');
    return this.readEntry(db, path);
  }

  async getMany(paths: readonly string[]): Promise<(IndexEntry | undefined)[]> {
    const { db } = this.live('getMany()');
    return this.readEntries(db, paths);
  }

  entries(options: { under?: string } = {}): AsyncIterable<IndexEntry> {
    const { db } = this.live('entries()');
    return this.iterateEntries(db, normalizedUnder(options.under));
  }

  async stampsOf(paths: readonly string[]): Promise<(PathStamp | undefined)[]> {
    const { db } = this.live('stampsOf()');
    const keys = paths.map(stampKey);
    const values = await readMany(db, keys);
    return values.map((bytes, i) => (bytes === undefined ? undefined : this.checked(keys[i]!, () => unpackStamp(paths[i]!, bytes))));
  }

  stamps(options: { under?: string } = {}): AsyncIterable<readonly PathStamp[]> {
    const { db } = this.live('stamps()');
    return this.iterateStamps(db, normalizedUnder(options.under));
  }

  lastSeq(): number {
    return this.live('lastSeq()').lastSeq;
  }

  async changesSince(after: number, limit: number): Promise<FileRecord[]> {
    const { db } = this.live('changesSince()');
    if (!Number.isSafeInteger(after) || after < 0) throw new RangeError(`changesSince: "after" must be a non-negative integer, got ${after}`);
    if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`changesSince: "limit" must be a non-negative integer, got ${limit}`);
    if (limit === 0) return [];
    const slots = await db.iterator({ gt: seqKey(after), lt: ALL_SEQS.lt, limit }).all();
    const paths = slots.map(([slotKey, value]) => this.decode(slotKey, value, parseSlotPath));
    const entries = await this.readEntries(db, paths);
    return slots.map(([slotKey], i) => {
      const path = paths[i]!;
      const seq = seqFromKey(slotKey);
      const record = entries[i]?.record;
      if (record?.seq !== seq) {
        const found = record ? `a record with seq ${record.seq}` : 'no record';
        throw this.corrupt(slotKey, new SchemaError('change-log slot', `it names ${JSON.stringify(path)}, which has ${found}`));
      }
      return record;
    });
  }

  commit(entries: readonly IndexEntry[], options: CommitOptions = {}): Promise<FileRecord[]> {
    return this.exclusive('commit()', (state) => this.writeCommit(state, entries, options));
  }

  async syncObjects(peerReplicaId: string): Promise<SyncObject[]> {
    const { db } = this.live('syncObjects()');
    if (!isPeerId(peerReplicaId)) return [];
    const items = await db.iterator({ ...syncObjectRange(peerReplicaId), reverse: true }).all();
    return items.map(([key, value]) => {
      const syncObject = this.decode(key, value, parseSyncObject);
      if (!Object.hasOwn(syncObject.seqs, peerReplicaId)) {
        throw this.corrupt(key, new SchemaError('sync object', `its "seqs" lack the peer ${peerReplicaId} it is filed under`));
      }
      return syncObject;
    });
  }

  putSyncObject(syncObject: SyncObject): Promise<void> {
    return this.exclusive('putSyncObject()', async (state) => {
      await writeBatch(state.db, this.syncObjectOps(state, syncObject), { sync: true });
    });
  }

  async findChunk(hash: string): Promise<ChunkLocation[]> {
    const { db } = this.live('findChunk()');
    if (!SHA256_HEX.test(hash)) return [];
    const items = await db.iterator(chunkRange(hash)).all();
    return items.map(([key, value]) => this.decode(key, value, parseChunkLocation));
  }

  async chunksIn(wanted: readonly { readonly hash: string; readonly path: string }[]): Promise<(ChunkLocation | undefined)[]> {
    const { db } = this.live('chunksIn()');
    const keys = wanted.map(({ hash, path }) => (SHA256_HEX.test(hash) ? chunkKey(hash, path) : undefined));
    const values = await readMany(db, keys);
    return wanted.map(({ path }, i) => {
      const key = keys[i];
      const bytes = values[i];
      if (key === undefined || bytes === undefined) return undefined;
      const location = this.decode(key, bytes, parseChunkLocation);
      if (location.path !== path) throw this.corrupt(key, new SchemaError('chunk location', `it names ${JSON.stringify(location.path)}`));
      return location;
    });
  }

  /**
   * findChunk for many hashes at once. The chunk counts (one synchronous point read per
   * hash) rule out the hashes found nowhere, typically all of them in a first sync; one
   * iterator then seeks to each of the others in order.
   */
  async findChunks(hashes: readonly string[]): Promise<Map<string, ChunkLocation[]>> {
    const { db } = this.live('findChunks()');
    const wanted = [...new Set(hashes)].filter((h) => SHA256_HEX.test(h) && this.chunkCount(db, h) > 0).sort();
    const out = new Map<string, ChunkLocation[]>();
    if (wanted.length === 0) return out;
    const it = db.iterator({ ...CHUNK_INDEX_RANGE });
    try {
      for (const hash of wanted) {
        const range = chunkRange(hash);
        it.seek(range.gte);
        for (;;) {
          const entry = await it.next();
          if (!entry) break;
          const [key, value] = entry;
          if (Buffer.compare(key, range.lt) >= 0) break;
          const list = out.get(hash) ?? [];
          list.push(this.decode(key, value, parseChunkLocation));
          out.set(hash, list);
        }
      }
    } finally {
      await it.close();
    }
    return out;
  }

  async getMeta(key: string): Promise<unknown> {
    const { db } = this.live('getMeta()');
    const dbKey = metaKey(checkMetaKey(key));
    const bytes = await db.get(dbKey);
    return bytes === undefined ? undefined : this.decode(dbKey, bytes, (v) => v);
  }

  /** Stores a small settings value (MessagePack); undefined deletes it. */
  setMeta(key: string, value: unknown): Promise<void> {
    return this.exclusive('setMeta()', async (state) => {
      await state.db.batch([metaOp(key, value)]);
    });
  }

  private async openDb(): Promise<void> {
    const rootStat = await stat(this.replicaRoot).catch((err: unknown) => {
      throw new StoreOpenError(this.dbDir, `the replica root ${this.replicaRoot} cannot be read (${messageOf(err)})`, { cause: err });
    });
    if (!rootStat.isDirectory()) throw new StoreOpenError(this.dbDir, `the replica root ${this.replicaRoot} is not a directory`);
    const db: Db = new Level<Buffer, Buffer>(this.dbDir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    try {
      await db.open({ createIfMissing: true, ...LEVELDB_MEMORY });
    } catch (err) {
      if (hasCode(err, 'LEVEL_LOCKED')) throw new ReplicaBusyError(this.replicaRoot, { cause: err });
      throw new StoreOpenError(this.dbDir, `${causeChainMessage(err)}; check that the directory is readable and writable`, { cause: err });
    }
    try {
      const { replicaId, lastSeq } = await this.loadBookkeeping(db);
      this.state = { db, replicaId, lastSeq };
      this.knownReplicaId = replicaId;
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  }

  private async loadBookkeeping(db: Db): Promise<{ replicaId: string; lastSeq: number }> {
    const [format, replicaId, lastSeq] = await db.getMany([FORMAT_KEY, REPLICA_ID_KEY, LAST_SEQ_KEY]);
    if (format === undefined && replicaId === undefined && lastSeq === undefined && (await isEmpty(db))) {
      const id = replicaIdFromBytes(randomBytes(8));
      await db.batch(
        [
          { type: 'put', key: FORMAT_KEY, value: packValue(STORE_FORMAT) },
          { type: 'put', key: REPLICA_ID_KEY, value: packValue(id) },
          { type: 'put', key: LAST_SEQ_KEY, value: packValue(0) },
        ],
        { sync: true },
      );
      return { replicaId: id, lastSeq: 0 };
    }
    const storedFormat = this.decodeRequired(FORMAT_KEY, format, (v) => parseCount(v, 'store format'));
    if (storedFormat === UPGRADABLE_FORMAT) await this.upgradeFromFormat1(db);
    else if (storedFormat !== STORE_FORMAT) {
      throw new StoreOpenError(
        this.dbDir,
        `it has store format ${storedFormat}, this syncline reads format ${STORE_FORMAT}; use the syncline version that wrote it`,
      );
    }
    const id = this.decodeRequired(REPLICA_ID_KEY, replicaId, parseReplicaId);
    const seq = this.decodeRequired(LAST_SEQ_KEY, lastSeq, (v) => parseCount(v, 'last seq'));
    // Written in the same batch as the slots, so this only matters if the store was tampered
    // with; handing out a seq twice would make peers skip changes, so take the larger one.
    const [newestSlot] = await db.keys({ ...ALL_SEQS, reverse: true, limit: 1 }).all();
    return { replicaId: id, lastSeq: newestSlot ? Math.max(seq, seqFromKey(newestSlot)) : seq };
  }

  private async writeCommit(state: OpenState, entries: readonly IndexEntry[], options: CommitOptions): Promise<FileRecord[]> {
    const input = entries.map((entry, i) => ({
      record: parseRecord(entry.record, `record #${i} to commit`),
      stat: entry.stat == null ? null : parseStatStamp(entry.stat, `stat #${i} to commit`),
    }));
    const keyByPath = new Map<string, Buffer>();
    for (const { record } of input) if (!keyByPath.has(record.path)) keyByPath.set(record.path, recordKey(record.path));
    const current = await this.readCurrentRecords(state.db, keyByPath);
    const written: FileRecord[] = [];
    let seq = state.lastSeq;

    // Operations go straight into LevelDB's native batch: no array of op objects to build
    // and keep alive, which made big commits markedly slower.
    const batch = state.db.batch();
    try {
      const chunkCountChanges = new Map<string, number>();
      const countChange = (hash: string, by: number) => chunkCountChanges.set(hash, (chunkCountChanges.get(hash) ?? 0) + by);
      for (const { record, stat } of input) {
        const path = record.path;
        const previous = current.get(path);
        let out: FileRecord;
        if (record.seq === 0) {
          out = { ...record, seq: ++seq };
          if (previous) batch.del(seqKey(previous.seq));
          batch.put(seqKey(out.seq), packValue(path));
        } else {
          if (previous?.seq !== record.seq) throw new SeqMismatchError(path, record.seq, previous?.seq);
          out = record;
        }
        const before = previous ? chunkPlacements(previous) : [];
        const after = chunkPlacements(out);
        if (!samePlacements(before, after)) {
          for (const { hash } of before) {
            batch.del(chunkKey(hash, path));
            countChange(hash, -1);
          }
          for (const { hash, offset, size } of after) {
            batch.put(chunkKey(hash, path), packValue({ path, offset, size }));
            countChange(hash, +1);
          }
        }
        batch.put(keyByPath.get(path) as Buffer, packValue({ record: out, stat }));
        batch.put(stampKey(path), packStamp(out, stat));
        current.set(path, out);
        written.push(out);
      }
      const changedCounts = [...chunkCountChanges].filter(([, change]) => change !== 0);
      const countKeys = changedCounts.map(([hash]) => chunkCountKey(hash));
      const storedCounts = countKeys.length === 0 ? [] : await state.db.getMany(countKeys);
      changedCounts.forEach(([, change], i) => {
        const key = countKeys[i] as Buffer;
        const stored = storedCounts[i];
        // A count can only be wrong if the store was tampered with; then it is merely a bad
        // hint (a chunk not reused, or one useless seek), so it is clamped rather than refused.
        const count = Math.max(0, (stored === undefined ? 0 : this.decode(key, stored, (v) => parseCount(v, 'chunk count'))) + change);
        if (count === 0) batch.del(key);
        else batch.put(key, packValue(count));
      });
      const extra: BatchOp[] = options.syncObject ? this.syncObjectOps(state, options.syncObject) : [];
      for (const [key, value] of Object.entries(options.meta ?? {})) extra.push(metaOp(key, value));
      if (seq !== state.lastSeq) extra.push({ type: 'put', key: LAST_SEQ_KEY, value: packValue(seq) });
      for (const op of extra) {
        if (op.type === 'put') batch.put(op.key, op.value);
        else batch.del(op.key);
      }
      if (batch.length === 0) await batch.close();
      else if (options.syncObject) await batch.write({ sync: true });
      else await batch.write();
    } catch (err) {
      await batch.close();
      throw err;
    }
    state.lastSeq = seq;
    return written;
  }

  /** One getMany, not a synchronous read each: a commit's lookups then run on a LevelDB thread. */
  private async readCurrentRecords(db: Db, keyByPath: ReadonlyMap<string, Buffer>): Promise<Map<string, FileRecord>> {
    const paths = [...keyByPath.keys()];
    const keys = [...keyByPath.values()];
    const values = keys.length === 0 ? [] : await db.getMany(keys);
    const current = new Map<string, FileRecord>();
    values.forEach((bytes, i) => {
      if (bytes !== undefined) current.set(paths[i] as string, this.decodeEntry(keys[i] as Buffer, bytes, paths[i] as string).record);
    });
    return current;
  }

  private readEntry(db: Db, path: string): IndexEntry | undefined {
    const key = recordKey(path);
    const bytes = db.getSync(key);
    return bytes === undefined ? undefined : this.decodeEntry(key, bytes, path);
  }

  /** Many entries in one LevelDB call, which runs off this thread (a point read each would not). */
  private async readEntries(db: Db, paths: readonly string[]): Promise<(IndexEntry | undefined)[]> {
    const keys = paths.map(recordKey);
    const values = await readMany(db, keys);
    return values.map((bytes, i) => (bytes === undefined ? undefined : this.decodeEntry(keys[i]!, bytes, paths[i]!)));
  }

  private readStamp(db: Db, path: string): PathStamp | undefined {
    const key = stampKey(path);
    const bytes = db.getSync(key);
    return bytes === undefined ? undefined : this.checked(key, () => unpackStamp(path, bytes));
  }

  private chunkCount(db: Db, hash: string): number {
    const key = chunkCountKey(hash);
    const bytes = db.getSync(key);
    return bytes === undefined ? 0 : this.decode(key, bytes, (v) => parseCount(v, 'chunk count'));
  }

  /**
   * Format 1 → 2: derives the stamps from the entries and the chunk counts from the chunk
   * index, in batches, then records the new format. Every key it writes is computed from
   * scratch, so an upgrade cut short is simply done again at the next open.
   */
  private async upgradeFromFormat1(db: Db): Promise<void> {
    let ops: BatchOp[] = [];
    const flushOps = async () => {
      if (ops.length > 0) await db.batch(ops);
      ops = [];
    };
    for await (const batch of this.readBatches(db, ALL_RECORDS)) {
      for (const [key, value] of batch) {
        const { record, stat } = this.decode(key, value, parseIndexEntry);
        ops.push({ type: 'put', key: stampKey(record.path), value: packStamp(record, stat) });
      }
      await flushOps();
    }
    let hash: string | undefined;
    let count = 0;
    const putCount = () => {
      if (hash !== undefined) ops.push({ type: 'put', key: chunkCountKey(hash), value: packValue(count) });
    };
    for await (const batch of this.readBatches(db, CHUNK_INDEX_RANGE)) {
      for (const [key] of batch) {
        const keyHash = Buffer.from(key.buffer, key.byteOffset + 2, 64).toString('latin1');
        if (keyHash !== hash) {
          putCount();
          hash = keyHash;
          count = 0;
        }
        count++;
      }
      if (ops.length >= READ_BATCH) await flushOps();
    }
    putCount();
    ops.push({ type: 'put', key: FORMAT_KEY, value: packValue(STORE_FORMAT) });
    await db.batch(ops, { sync: true });
  }

  /** The entries of a key range, READ_BATCH at a time (one LevelDB call per batch). */
  private async *readBatches(db: Db, range: KeyRange): AsyncGenerator<[Buffer, Buffer][]> {
    const it = db.iterator(range);
    try {
      for (;;) {
        const batch = await it.nextv(READ_BATCH);
        if (batch.length === 0) return;
        yield batch;
      }
    } finally {
      await it.close();
    }
  }

  private syncObjectOps(state: OpenState, syncObject: SyncObject): BatchOp[] {
    const what = 'sync object to store';
    const parsed = parseSyncObject(syncObject, what);
    if (!Object.hasOwn(parsed.seqs, state.replicaId)) {
      throw new SchemaError(what, `its "seqs" must include this replica's ID ${state.replicaId}`);
    }
    const value = packValue(parsed);
    return Object.keys(parsed.seqs)
      .filter((peer) => peer !== state.replicaId)
      .map((peer) => ({ type: 'put', key: syncObjectKey(peer, parsed.hlc, parsed.id), value }));
  }

  private async *iterateEntries(db: Db, under: string | undefined): AsyncGenerator<IndexEntry> {
    if (under !== undefined) {
      const entry = this.readEntry(db, under);
      if (entry) yield entry;
    }
    for await (const batch of this.readBatches(db, under === undefined ? ALL_RECORDS : recordsBelow(under))) {
      for (const [key, value] of batch) yield this.decodeEntry(key, value, pathFromKey(key));
    }
  }

  private async *iterateStamps(db: Db, under: string | undefined): AsyncGenerator<PathStamp[]> {
    if (under !== undefined) {
      const stamp = this.readStamp(db, under);
      if (stamp) yield [stamp];
    }
    for await (const batch of this.readBatches(db, under === undefined ? ALL_STAMPS : stampsBelow(under))) {
      yield batch.map(([key, value]) => this.checked(key, () => unpackStamp(pathFromKey(key), value)));
    }
  }

  /** Queues a write behind the previous ones; a write queued before close() still runs. */
  private async exclusive<T>(member: string, write: (state: OpenState) => Promise<T>): Promise<T> {
    const state = this.live(member);
    const run = this.writes.then(() => write(state));
    this.writes = run.catch(() => undefined);
    return run;
  }

  private live(member: string): OpenState {
    if (!this.state) throw new StoreClosedError(this.dbDir, member);
    return this.state;
  }

  private decodeEntry(key: Buffer, bytes: Uint8Array, expectedPath: string): IndexEntry {
    const entry = this.decode(key, bytes, parseIndexEntry);
    if (entry.record.path !== expectedPath) {
      throw this.corrupt(key, new SchemaError('index entry', `its record is for ${JSON.stringify(entry.record.path)}`));
    }
    return entry;
  }

  private decode<T>(key: Buffer, bytes: Uint8Array, parse: (value: unknown) => T): T {
    return this.checked(key, () => parse(unpackValue(bytes, 'stored value')));
  }

  /** Runs a schema check of the value at `key`; a failure names the key. */
  private checked<T>(key: Buffer, check: () => T): T {
    try {
      return check();
    } catch (err) {
      throw this.corrupt(key, err);
    }
  }

  private decodeRequired<T>(key: Buffer, bytes: Uint8Array | undefined, parse: (value: unknown) => T): T {
    if (bytes === undefined) throw this.corrupt(key, new SchemaError('store bookkeeping', 'the key is missing'));
    return this.decode(key, bytes, parse);
  }

  private corrupt(key: Buffer, cause: unknown): StoreCorruptError {
    return new StoreCorruptError(this.dbDir, describeKey(key), { cause });
  }
}

/**
 * Passes options only when they say something: abstract-level copies the options into
 * every operation, which makes a 40k-operation batch several times slower.
 */
function writeBatch(db: Db, ops: BatchOp[], { sync }: { sync: boolean }): Promise<void> {
  return sync ? db.batch(ops, { sync: true }) : db.batch(ops);
}

interface ChunkPlacement {
  readonly hash: string;
  readonly offset: number;
  readonly size: number;
}

/** db.getMany for the defined keys; undefined keys read as absent. */
async function readMany(db: Db, keys: readonly (Buffer | undefined)[]): Promise<(Buffer | undefined)[]> {
  const defined = keys.filter((k): k is Buffer => k !== undefined);
  if (defined.length === 0) return keys.map(() => undefined);
  const values = await db.getMany(defined);
  if (defined.length === keys.length) return values;
  let next = 0;
  return keys.map((k) => (k === undefined ? undefined : values[next++]));
}

/** First offset of each distinct chunk of a live file (offsets are the running sum of sizes). */
function chunkPlacements(record: FileRecord): ChunkPlacement[] {
  if (record.kind !== 'file' || record.deleted) return [];
  const seen = new Set<string>();
  const out: ChunkPlacement[] = [];
  let offset = 0;
  for (const { hash, size } of record.chunks) {
    if (!seen.has(hash)) {
      seen.add(hash);
      out.push({ hash, offset, size });
    }
    offset += size;
  }
  return out;
}

function samePlacements(a: readonly ChunkPlacement[], b: readonly ChunkPlacement[]): boolean {
  return a.length === b.length && a.every((p, i) => p.hash === b[i]?.hash && p.offset === b[i]?.offset && p.size === b[i]?.size);
}

/** `under` without trailing slashes; '' (the whole replica) becomes undefined. */
function normalizedUnder(under: string | undefined): string | undefined {
  const trimmed = under?.replace(/\/+$/, '');
  return trimmed === '' ? undefined : trimmed;
}

function checkMetaKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new RangeError('a meta key must be a non-empty string');
  return key;
}

function metaOp(key: string, value: unknown): BatchOp {
  const dbKey = metaKey(checkMetaKey(key));
  return value === undefined ? { type: 'del', key: dbKey } : { type: 'put', key: dbKey, value: packValue(value) };
}

async function isEmpty(db: Db): Promise<boolean> {
  const [first] = await db.keys({ limit: 1 }).all();
  return first === undefined;
}

function hasCode(err: unknown, code: string): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === code) return true;
  }
  return false;
}

/** "Database failed to open: IO error: …/LOCK: Not a directory" — the outer message alone says little. */
function causeChainMessage(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; e = e instanceof Error ? e.cause : undefined, depth++) {
    parts.push(messageOf(e));
  }
  return parts.join(': ');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
