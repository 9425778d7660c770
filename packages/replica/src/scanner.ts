import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  ancestorPaths,
  bumpVector,
  checkRelativePath,
  comparePaths,
  META_DIR,
  sameOnDisk,
  SynclineError,
  type EntryKind,
  type FileRecord,
} from '@syncline/core';
import type { IndexEntry, StatStamp, Store } from '@syncline/store';
import type { ReplicaClock } from './clock.js';
import { hashFile as hashFileFromDisk, sha256Hex, type FileHash, type HashedFile } from './file-hash.js';
import { IGNORE_FILE, loadIgnoreRules, type IgnoreRules } from './ignore-rules.js';
import { errorCode, kindOf, nameProblem, nodeWalkFs, normalizedPath, sameStamp, statStamp, type WalkFs } from './walk.js';

export type ScanProblemCode = 'unreadable' | 'unreadable-dir' | 'special-file' | 'changed-during-scan' | 'invalid-name';

/** A path the scan could not index; its record (if any) is left as it was. */
export interface ScanProblem {
  readonly path: string;
  readonly code: ScanProblemCode;
  readonly message: string;
}

export interface ScanProgress {
  /** Entries (files, directories, links) looked at so far. */
  readonly files: number;
  /** Bytes read and hashed so far. */
  readonly bytes: number;
}

export interface ScanResult {
  /** Records that got a new sequence number, as committed. */
  readonly changed: FileRecord[];
  readonly problems: ScanProblem[];
  /** Entries looked at on disk (ignored paths and `.syncline` not counted). */
  readonly entries: number;
  readonly bytesHashed: number;
}

export interface ScanOptions {
  /**
   * Limit the scan to these replica-relative paths and everything below them
   * (e.g. from watcher events). `''` or `.synclineignore` means the whole tree,
   * since what is ignored may have changed.
   */
  readonly paths?: readonly string[];
  /** Called at most every 100 ms, and once at the end. */
  readonly onProgress?: (progress: ScanProgress) => void;
  /** Files hashed at the same time (default 8). */
  readonly concurrency?: number;
  /** Entries per store commit, to bound memory on huge trees (default 10,000). */
  readonly batchSize?: number;
  /** Preloaded rules; by default `.synclineignore` is read at the start of the scan. */
  readonly ignoreRules?: IgnoreRules;
  /** Seam for tests: how file content is read and hashed. */
  readonly hashFile?: (absPath: string, expectedSize: number) => Promise<HashedFile>;
  /** Seam for tests: the synchronous calls of the walk. */
  readonly fs?: Partial<WalkFs>;
}

/** The replica root is missing, not a directory, or has no `.syncline` (e.g. an unmounted drive). */
export class ReplicaRootError extends SynclineError {
  constructor(readonly root: string, reason: string) {
    super(
      'SYNCLINE_REPLICA_ROOT_MISSING',
      `cannot scan replica ${root}: ${reason}; if it lives on a removable or network drive, mount it, otherwise check the path`,
    );
  }
}

const DEFAULT_CONCURRENCY = 8;
const DEFAULT_BATCH_SIZE = 10_000;
/** Synchronous walking and small-file hashing give the event loop a turn this often. */
const YIELD_AFTER_MS = 20;
const PROGRESS_INTERVAL_MS = 100;
/** Errors while hashing that mean the file changed, was replaced or removed meanwhile, not that it is unreadable. */
const CHANGED_WHILE_READING = new Set([
  'ENOENT',
  'ENOTDIR',
  'ELOOP',
  'EISDIR',
  'ENXIO',
  'EAGAIN',
  'EWOULDBLOCK',
  'SYNCLINE_NOT_A_FILE',
  'SYNCLINE_FILE_CHANGED',
]);

interface HashJob {
  readonly path: string;
  /** From the walk's lstat (the Stats object itself is not kept: first scans queue a job per file). */
  readonly stamp: StatStamp;
  /** The live record the file had, if any (tombstones count as none for comparison, not for the vector). */
  readonly previous: IndexEntry | undefined;
}

/**
 * Brings the index in line with the disk: new and changed paths get new records
 * (bumped vector, new HLC, next sequence number), vanished ones get tombstones,
 * files whose stat stamp is unchanged are not read. All of it is committed in
 * one store batch (several for very large trees).
 */
export async function scanReplica(root: string, store: Store, clock: ReplicaClock, options: ScanOptions = {}): Promise<ScanResult> {
  const absRoot = path.resolve(root);
  checkRoot(absRoot);
  const rules = options.ignoreRules ?? (await loadIgnoreRules(absRoot));
  return new Scan(absRoot, store, clock, rules, options).run();
}

function checkRoot(root: string): void {
  let st: Stats | undefined;
  try {
    st = statSync(root, { throwIfNoEntry: false });
  } catch (err) {
    throw new ReplicaRootError(root, `it cannot be read (${errorCode(err)})`);
  }
  if (!st) throw new ReplicaRootError(root, 'it does not exist');
  if (!st.isDirectory()) throw new ReplicaRootError(root, 'it is not a directory');
  // Without its metadata directory an empty mount point would look like every file was deleted.
  const meta = statSync(path.join(root, META_DIR), { throwIfNoEntry: false });
  if (!meta?.isDirectory()) throw new ReplicaRootError(root, `it has no ${META_DIR} directory`);
}

class Scan {
  private readonly fs: WalkFs;
  private readonly hashFile: (absPath: string, expectedSize: number) => Promise<HashedFile>;
  private readonly batchSize: number;
  /** Stored entries in the scanned scope that have not been visited yet; what is left at the end vanished. */
  private readonly unvisited = new Map<string, IndexEntry>();
  /** Paths whose subtree was not looked at (unreadable directories…): never tombstoned. */
  private readonly protectedPaths = new Set<string>();
  private readonly hashJobs: HashJob[] = [];
  private readonly problems: ScanProblem[] = [];
  private readonly changed: FileRecord[] = [];
  private batch: IndexEntry[] = [];
  private commits: Promise<void> = Promise.resolve();
  private queuedCommits = 0;
  private entries = 0;
  private bytesHashed = 0;
  private lastYieldAt = performance.now();
  /** The event-loop turn all hash workers are waiting for, so that they pause together. */
  private pause: Promise<void> | undefined;
  private lastProgressAt = 0;

  constructor(
    private readonly root: string,
    private readonly store: Store,
    private readonly clock: ReplicaClock,
    private readonly rules: IgnoreRules,
    private readonly options: ScanOptions,
  ) {
    this.fs = { ...nodeWalkFs, ...options.fs };
    this.hashFile = options.hashFile ?? hashFileFromDisk;
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  }

  async run(): Promise<ScanResult> {
    const scopes = this.options.paths ? this.resolveScopes(this.options.paths) : null;
    if (scopes === null) {
      for await (const entry of this.store.entries()) this.unvisited.set(entry.record.path, entry);
      await this.walk(['']);
    } else {
      await this.scanScopes(scopes);
    }
    await this.hashFiles();
    this.tombstoneVanished();
    await this.flush();
    this.options.onProgress?.({ files: this.entries, bytes: this.bytesHashed });
    return { changed: this.changed, problems: this.problems, entries: this.entries, bytesHashed: this.bytesHashed };
  }

  private abs(relPath: string): string {
    return relPath === '' ? this.root : `${this.root}/${relPath}`;
  }

  /**
   * The subtrees to scan for `options.paths`, or null for the whole tree. A path
   * whose parent is no longer a directory widens to the highest such ancestor,
   * so a directory replaced by a file is seen as a whole.
   */
  private resolveScopes(paths: readonly string[]): string[] | null {
    const scopes: string[] = [];
    for (const raw of paths) {
      const given = raw.replace(/\/+$/, '');
      if (given === '' || given === '.' || given === IGNORE_FILE) return null;
      if (given === META_DIR || given.startsWith(`${META_DIR}/`)) continue;
      let relPath: string;
      try {
        relPath = checkRelativePath(given);
      } catch (err) {
        this.problem(given, 'invalid-name', (err as Error).message);
        continue;
      }
      if (relPath !== given) {
        this.problem(given, 'invalid-name', 'name is not in Unicode NFC form; rename it to its NFC form to sync it');
        continue;
      }
      let scope = relPath;
      for (const ancestor of ancestorPaths(relPath)) {
        let st: Stats | undefined;
        try {
          st = this.fs.lstat(this.abs(ancestor));
        } catch {
          st = undefined;
        }
        if (!st?.isDirectory()) {
          scope = ancestor;
          break;
        }
      }
      scopes.push(scope);
    }
    scopes.sort(comparePaths);
    const outermost: string[] = [];
    for (const scope of scopes) {
      const last = outermost[outermost.length - 1];
      if (last !== undefined && (scope === last || scope.startsWith(`${last}/`))) continue;
      outermost.push(scope);
    }
    return outermost;
  }

  private async scanScopes(scopes: readonly string[]): Promise<void> {
    const ancestors = [...new Set(scopes.flatMap((scope) => ancestorPaths(scope)))].sort(comparePaths);
    const stored = await this.store.getMany(ancestors);
    stored.forEach((entry) => entry && this.unvisited.set(entry.record.path, entry));
    for (const scope of scopes) {
      for await (const entry of this.store.entries({ under: scope })) this.unvisited.set(entry.record.path, entry);
    }
    // Ancestors are looked at but not descended into: they only need a record.
    for (const ancestor of ancestors) this.visit(ancestor, path.posix.basename(ancestor), null);
    const stack: string[] = [];
    for (const scope of scopes) this.visit(scope, path.posix.basename(scope), stack);
    await this.walk(stack);
  }

  /** Depth-first walk below the directories on `stack` (relative paths, '' for the root). */
  private async walk(stack: string[]): Promise<void> {
    while (stack.length > 0) {
      const dir = stack.pop() as string;
      let names: string[];
      try {
        names = this.fs.readdir(this.abs(dir));
      } catch (err) {
        const code = errorCode(err);
        const vanished = code === 'ENOENT' || code === 'ENOTDIR';
        this.protectedPaths.add(dir);
        this.problem(
          dir,
          vanished ? 'changed-during-scan' : 'unreadable-dir',
          vanished
            ? 'directory was removed or replaced while scanning; it will be looked at again on the next scan'
            : `cannot list directory (${code}); nothing below it is synced or deleted until it can be read`,
        );
        continue;
      }
      for (const name of names) {
        if (dir === '' && name === META_DIR) continue;
        this.visit(dir === '' ? name : `${dir}/${name}`, name, stack);
      }
      await this.backPressure();
      if (this.dueForYield()) await nextTurn();
    }
  }

  /** Looks at one path found on disk; directories are pushed on `stack` unless it is null. */
  private visit(relPath: string, name: string, stack: string[] | null): void {
    const badName = nameProblem(relPath, name);
    if (badName !== undefined) {
      this.problem(relPath, 'invalid-name', badName);
      const normalized = normalizedPath(relPath);
      if (normalized !== undefined) this.protectedPaths.add(normalized);
      return;
    }
    let st: Stats | undefined;
    try {
      st = this.fs.lstat(this.abs(relPath));
    } catch (err) {
      this.protectedPaths.add(relPath);
      this.problem(relPath, 'unreadable', `cannot stat (${errorCode(err)}); its last scanned version is kept`);
      return;
    }
    if (!st) return; // removed since it was listed: its record, if any, becomes a tombstone
    const kind = kindOf(st);
    if (this.rules.ignores(relPath, kind === 'dir')) return;

    this.entries++;
    const previous = this.unvisited.get(relPath);
    if (previous) this.unvisited.delete(relPath);
    const live = previous && !previous.record.deleted ? previous : undefined;

    if (kind === undefined) {
      this.problem(relPath, 'special-file', 'not a regular file, directory or symlink (FIFO, socket or device); skipped');
      return;
    }
    if (kind === 'dir') {
      if (live?.record.kind !== 'dir') this.emitNew(this.draft(relPath, 'dir', st, EMPTY_CONTENT), st, previous);
      stack?.push(relPath);
      return;
    }
    if (live?.record.kind === kind && sameStamp(live.stat, st)) return;
    if (kind === 'file') {
      this.hashJobs.push({ path: relPath, stamp: statStamp(st), previous });
      return;
    }
    let target: string;
    try {
      target = this.fs.readlink(this.abs(relPath));
    } catch (err) {
      this.protectedPaths.add(relPath);
      this.problem(relPath, 'unreadable', `cannot read the link (${errorCode(err)}); its last scanned version is kept`);
      return;
    }
    this.settle(this.draft(relPath, 'symlink', st, { hash: sha256Hex(target), size: Buffer.byteLength(target), chunks: [], target }), st, previous);
  }

  private async hashFiles(): Promise<void> {
    const jobs = this.hashJobs;
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (!failed && next < jobs.length) {
        const job = jobs[next] as HashJob;
        jobs[next++] = undefined as unknown as HashJob; // let finished jobs be collected
        try {
          await this.hashOne(job);
          await this.backPressure();
        } catch (err) {
          failed = true;
          throw err;
        }
        // Small files are read synchronously: without this the workers would never let the event loop run.
        if (this.dueForYield()) this.pause = nextTurn();
        if (this.pause) await this.pause;
      }
    };
    const workers = Math.max(1, Math.min(this.options.concurrency ?? DEFAULT_CONCURRENCY, jobs.length));
    await Promise.all(Array.from({ length: workers }, worker));
  }

  /** Hashes a file and checks it did not change meanwhile (one retry). */
  private async hashOne(job: HashJob): Promise<void> {
    const absPath = this.abs(job.path);
    let before = job.stamp;
    for (let attempt = 1; ; attempt++) {
      try {
        const hashed = await this.hashFile(absPath, before.size);
        this.bytesHashed += hashed.size;
        if (sameStamp(before, hashed.stat) && hashed.size === hashed.stat.size) {
          this.settle(this.draft(job.path, 'file', hashed.stat, { ...hashed, target: '' }), hashed.stat, job.previous);
          return;
        }
      } catch (err) {
        const code = errorCode(err);
        if (!CHANGED_WHILE_READING.has(code)) {
          this.problem(job.path, 'unreadable', `cannot read (${code}); its last scanned version is kept`);
          return;
        }
      }
      let now: Stats | undefined;
      try {
        now = this.fs.lstat(absPath);
      } catch {
        now = undefined;
      }
      if (attempt === 2 || !now?.isFile()) {
        this.problem(job.path, 'changed-during-scan', 'changed while it was being read; it will be read again on the next scan');
        return;
      }
      before = statStamp(now);
    }
  }

  /** Emits a new record if the draft differs on disk from the live record, else refreshes the stat stamp only. */
  private settle(draft: FileRecord, st: Stats, previous: IndexEntry | undefined): void {
    const live = previous && !previous.record.deleted ? previous : undefined;
    if (live && sameOnDisk(live.record, draft)) {
      this.emit({ record: live.record, stat: statStamp(st) });
      return;
    }
    this.emitNew(draft, st, previous);
  }

  private emitNew(draft: FileRecord, st: Stats | null, previous: IndexEntry | undefined): void {
    const record: FileRecord = {
      ...draft,
      version: bumpVector(previous?.record.version ?? {}, this.store.replicaId),
      hlc: this.clock.tick(),
      by: this.store.replicaId,
      seq: 0,
    };
    this.emit({ record, stat: st ? statStamp(st) : null });
  }

  /** A record for what is on disk, without version or timestamp yet. */
  private draft(relPath: string, kind: EntryKind, st: Stats, content: Content): FileRecord {
    return {
      path: relPath,
      kind,
      deleted: false,
      size: content.size,
      mtimeMs: st.mtimeMs,
      mode: st.mode & 0o777,
      hash: content.hash,
      chunks: content.chunks,
      target: content.target,
      version: {},
      seq: 0,
      hlc: this.clock.current,
      by: this.store.replicaId,
    };
  }

  /** Live records in scope that were not found: tombstones, deepest first, except what was not looked at. */
  private tombstoneVanished(): void {
    const gone: IndexEntry[] = [];
    for (const [relPath, entry] of this.unvisited) {
      if (entry.record.deleted || this.isProtected(relPath)) continue;
      if (this.rules.ignores(relPath, entry.record.kind === 'dir')) continue;
      gone.push(entry);
    }
    gone.sort((a, b) => comparePaths(b.record.path, a.record.path));
    for (const { record } of gone) {
      const tombstone: FileRecord = { ...record, deleted: true, hash: '', chunks: [], size: 0, target: '', version: {} };
      this.emitNew(tombstone, null, { record, stat: null });
    }
    this.unvisited.clear();
  }

  private isProtected(relPath: string): boolean {
    if (this.protectedPaths.size === 0) return false;
    if (this.protectedPaths.has('') || this.protectedPaths.has(relPath)) return true;
    return ancestorPaths(relPath).some((ancestor) => this.protectedPaths.has(ancestor));
  }

  private emit(entry: IndexEntry): void {
    this.batch.push(entry);
    if (this.batch.length >= this.batchSize) this.flush();
  }

  /**
   * Queues the pending batch for commit; commits run one after another, in order.
   * The returned promise settles with the queue; a failure surfaces at the next
   * `backPressure` or at the end of the scan.
   */
  private flush(): Promise<void> {
    const entries = this.batch;
    if (entries.length > 0) {
      this.batch = [];
      this.queuedCommits++;
      this.commits = this.commits.then(async () => {
        const written = await this.store.commit(entries, { meta: { hlc: this.clock.current } });
        this.queuedCommits--;
        written.forEach((record, i) => {
          if (entries[i]?.record.seq === 0) this.changed.push(record);
        });
      });
      this.commits.catch(() => undefined);
    }
    return this.commits;
  }

  /** Lets at most one batch wait behind the one being written, so memory stays bounded. */
  private async backPressure(): Promise<void> {
    if (this.queuedCommits > 1) await this.commits;
  }

  private problem(relPath: string, code: ScanProblemCode, message: string): void {
    this.problems.push({ path: relPath, code, message });
  }

  /** True (and progress reported) when the event loop has waited long enough. */
  private dueForYield(): boolean {
    const now = performance.now();
    if (now - this.lastYieldAt < YIELD_AFTER_MS) return false;
    this.lastYieldAt = now;
    this.reportProgress();
    return true;
  }

  private reportProgress(): void {
    const onProgress = this.options.onProgress;
    if (!onProgress) return;
    const now = Date.now();
    if (now - this.lastProgressAt < PROGRESS_INTERVAL_MS) return;
    this.lastProgressAt = now;
    onProgress({ files: this.entries, bytes: this.bytesHashed });
  }
}

interface Content {
  readonly hash: string;
  readonly size: number;
  readonly chunks: FileHash['chunks'];
  readonly target: string;
}

const EMPTY_CONTENT: Content = { hash: '', size: 0, chunks: [], target: '' };

