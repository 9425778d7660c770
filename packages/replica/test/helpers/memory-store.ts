import type { FileRecord } from '@syncline/core';
import type { ChunkLocation, IndexEntry, PathStamp, Store, SyncObject } from '@syncline/store';

/**
 * A Store held in memory, for unit tests that should not depend on LevelDB.
 * Follows the interface's contract, including the seq rules of `commit`;
 * the scanner suite runs against the real store too.
 */
export class MemoryStore implements Store {
  private readonly index = new Map<string, IndexEntry>();
  private readonly log = new Map<number, string>();
  private readonly meta = new Map<string, unknown>();
  private readonly syncs: SyncObject[] = [];
  private seq = 0;
  /** Number of commit calls, for tests that check nothing was written. */
  commits = 0;

  constructor(readonly replicaId = 'aaaaaaaaaaaaa') {}

  async open(): Promise<void> {}
  async close(): Promise<void> {}

  async get(path: string): Promise<IndexEntry | undefined> {
    return this.index.get(path);
  }

  async getMany(paths: readonly string[]): Promise<(IndexEntry | undefined)[]> {
    return paths.map((p) => this.index.get(p));
  }

  async *entries(options: { under?: string } = {}): AsyncIterable<IndexEntry> {
    const under = options.under;
    const paths = [...this.index.keys()]
      .filter((p) => under === undefined || p === under || p.startsWith(`${under}/`))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const p of paths) yield this.index.get(p) as IndexEntry;
  }

  async stampsOf(paths: readonly string[]): Promise<(PathStamp | undefined)[]> {
    return paths.map((p) => {
      const entry = this.index.get(p);
      return entry && { path: p, kind: entry.record.kind, deleted: entry.record.deleted, stat: entry.stat };
    });
  }

  async *stamps(options: { under?: string } = {}): AsyncIterable<readonly PathStamp[]> {
    for await (const { record, stat } of this.entries(options)) yield [{ path: record.path, kind: record.kind, deleted: record.deleted, stat }];
  }

  lastSeq(): number {
    return this.seq;
  }

  async changesSince(after: number, limit: number): Promise<FileRecord[]> {
    const seqs = [...this.log.keys()].filter((s) => s > after).sort((a, b) => a - b).slice(0, limit);
    return seqs.map((s) => (this.index.get(this.log.get(s) as string) as IndexEntry).record);
  }

  async commit(entries: readonly IndexEntry[], options: { syncObject?: SyncObject; meta?: Readonly<Record<string, unknown>> } = {}): Promise<FileRecord[]> {
    this.commits++;
    for (const { record } of entries) {
      const stored = this.index.get(record.path);
      if (record.seq !== 0 && record.seq !== stored?.record.seq) {
        throw new Error(`commit of ${record.path} with seq ${record.seq}, stored seq ${stored?.record.seq}`);
      }
    }
    const written: FileRecord[] = [];
    for (const entry of entries) {
      let record = entry.record;
      if (record.seq === 0) {
        const old = this.index.get(record.path);
        if (old) this.log.delete(old.record.seq);
        record = { ...record, seq: ++this.seq };
        this.log.set(record.seq, record.path);
      }
      this.index.set(record.path, { record, stat: entry.stat });
      written.push(record);
    }
    if (options.syncObject) this.syncs.push(options.syncObject);
    for (const [key, value] of Object.entries(options.meta ?? {})) this.meta.set(key, value);
    return written;
  }

  async syncObjects(peerReplicaId: string): Promise<SyncObject[]> {
    return this.syncs.filter((s) => peerReplicaId in s.seqs).sort((a, b) => b.hlc.t - a.hlc.t || b.hlc.c - a.hlc.c);
  }

  async putSyncObject(syncObject: SyncObject): Promise<void> {
    this.syncs.push(syncObject);
  }

  async findChunk(hash: string): Promise<ChunkLocation[]> {
    const found: ChunkLocation[] = [];
    for (const { record } of this.index.values()) {
      if (record.deleted || record.kind !== 'file') continue;
      let offset = 0;
      for (const chunk of record.chunks) {
        if (chunk.hash === hash) found.push({ path: record.path, offset, size: chunk.size });
        offset += chunk.size;
      }
    }
    return found;
  }

  async chunksIn(wanted: readonly { hash: string; path: string }[]): Promise<(ChunkLocation | undefined)[]> {
    return Promise.all(wanted.map(async ({ hash, path }) => (await this.findChunk(hash)).find((l) => l.path === path)));
  }

  async findChunks(hashes: readonly string[]): Promise<Map<string, ChunkLocation[]>> {
    const found = new Map<string, ChunkLocation[]>();
    for (const hash of new Set(hashes)) {
      const locations = await this.findChunk(hash);
      if (locations.length > 0) found.set(hash, locations);
    }
    return found;
  }

  async getMeta(key: string): Promise<unknown> {
    return this.meta.get(key);
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    this.meta.set(key, value);
  }
}
