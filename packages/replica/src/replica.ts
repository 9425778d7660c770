import { lstat, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { HLC_ZERO, isHlc, sameContent, type FileRecord } from '@syncline/core';
import { openStore, type Store } from '@syncline/store';
import { applyTargets, needsContent, type ApplyResult, type TargetState } from './apply.js';
import { serveChunks, type ChunkRequest } from './chunk-reader.js';
import { ReplicaClock } from './clock.js';
import { NotADirectoryError } from './errors.js';
import { loadIgnoreRules, type IgnoreRules } from './ignore-rules.js';
import { scanReplica, type ScanResult } from './scanner.js';
import { prepareFiles, SMALL_FILE_MAX, type ChunkSource, type PreparedFiles, type TransferStats } from './transfer.js';
import { pruneTmp } from './tmp.js';
import { purgeTrash } from './trash.js';
import { workerPool } from './worker-pool.js';

export interface DiskReplicaOptions {
  /** Wall clock in ms; tests pass their own. */
  readonly now?: () => number;
  /** fsync files and directories before committing (default true). */
  readonly fsync?: boolean;
}

/** Checks that `dir` exists and is a directory; returns its real absolute path. */
export async function resolveReplicaRoot(dir: string): Promise<string> {
  const abs = path.resolve(dir);
  const st = await lstat(abs).catch(() => null);
  if (!st) throw new NotADirectoryError(abs, 'no such directory (create it first, or check the path)');
  const real = await realpath(abs);
  const target = st.isSymbolicLink() ? await lstat(real) : st;
  if (!target.isDirectory()) throw new NotADirectoryError(abs, 'not a directory (a folder to sync must be a directory)');
  return real;
}

/** Numbers the prepareAhead calls of this process, which name their tmp files. */
let aheadCount = 0;

/** One directory on disk with its metadata store: what the engine syncs. */
export class DiskReplica {
  private ignoreRules: IgnoreRules | undefined;

  private constructor(
    readonly root: string,
    readonly store: Store,
    readonly clock: ReplicaClock,
    private readonly options: DiskReplicaOptions,
  ) {}

  static async open(dir: string, options: DiskReplicaOptions = {}): Promise<DiskReplica> {
    const root = await resolveReplicaRoot(dir);
    const store = await openStore(root);
    try {
      const saved = await store.getMeta('hlc');
      const now = options.now ?? Date.now;
      const clock = new ReplicaClock(isHlc(saved) ? saved : HLC_ZERO, now);
      return new DiskReplica(root, store, clock, options);
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  get id(): string {
    return this.store.replicaId;
  }

  now(): number {
    return (this.options.now ?? Date.now)();
  }

  async ignores(relPath: string, isDir: boolean): Promise<boolean> {
    this.ignoreRules ??= await loadIgnoreRules(this.root);
    return this.ignoreRules.ignores(relPath, isDir);
  }

  async scan(options: { paths?: string[]; onProgress?: (p: { files: number; bytes: number }) => void } = {}): Promise<ScanResult> {
    this.ignoreRules = undefined;
    const result = await scanReplica(this.root, this.store, this.clock, options);
    await purgeTrash(this.root, this.now());
    await pruneTmp(this.root, this.now());
    return result;
  }

  /** Serves chunks to the other replica: whatever this replica holds, verified. */
  readChunks(requests: readonly ChunkRequest[]): Promise<Map<string, Uint8Array>> {
    return serveChunks(this.root, this.store, requests);
  }

  /** Takes back chunks from readChunks once sent: their buffers are read into again. */
  releaseChunks(chunks: Iterable<Uint8Array>): void {
    workerPool().recycle(chunks);
  }

  /**
   * Builds every new file content the targets need in tmp, from local chunks or `source`.
   * Contents found in `ahead` (from prepareAhead) are taken from there; the rest of `ahead`
   * is removed.
   */
  async prepare(targets: readonly TargetState[], source: ChunkSource, stats: TransferStats, ahead?: PreparedFiles): Promise<PreparedFiles> {
    const byHash = new Map<string, FileRecord>();
    for (const t of targets) if (needsContent(t) && !byHash.has(t.record.hash)) byHash.set(t.record.hash, t.record);
    const ready = new Map<string, string>();
    for (const [hash, tmpPath] of ahead?.prepared ?? []) {
      if (byHash.delete(hash)) ready.set(hash, tmpPath);
      else await rm(tmpPath, { force: true });
    }
    const rest = await prepareFiles(this.root, this.store, [...byHash.values()], source, stats, { fsync: this.options.fsync });
    for (const [hash, tmpPath] of rest.prepared) ready.set(hash, tmpPath);
    return { prepared: ready, problems: rest.problems };
  }

  /**
   * Prepares, before they are planned, the small files among the other side's changes whose
   * content differs from this replica's records, while this replica still applies the
   * previous round; prepare() then takes what the plan needs. Made durable like any
   * prepared file; problems are left for prepare() to meet again.
   */
  async prepareAhead(records: readonly FileRecord[], source: ChunkSource, stats: TransferStats): Promise<PreparedFiles> {
    const files = records.filter((r) => r.kind === 'file' && !r.deleted && r.size <= SMALL_FILE_MAX);
    const local = await this.store.getMany(files.map((r) => r.path));
    const byHash = new Map<string, FileRecord>();
    for (const [i, r] of files.entries()) {
      const old = local[i]?.record;
      if (byHash.has(r.hash) || (old && !old.deleted && old.kind === 'file' && sameContent(old, r))) continue;
      if (await this.ignores(r.path, false)) continue;
      byHash.set(r.hash, r);
    }
    const tag = `${process.pid}-${++aheadCount}`;
    const { prepared } = await prepareFiles(this.root, this.store, [...byHash.values()], source, stats, { fsync: this.options.fsync, aheadTag: tag });
    return { prepared, problems: [] };
  }

  async apply(targets: readonly TargetState[], prepared: ReadonlyMap<string, string>, label: string): Promise<ApplyResult> {
    const result = await applyTargets(this.root, this.store, targets, prepared, {
      nowMs: this.now(),
      label,
      fsync: this.options.fsync,
    });
    await this.store.setMeta('hlc', this.clock.current);
    return result;
  }

  async close(): Promise<void> {
    await this.store.setMeta('hlc', this.clock.current).catch(() => undefined);
    await this.store.close();
  }
}
