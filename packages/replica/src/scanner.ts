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
import type { IndexEntry, PathStamp, StatStamp, Store } from '@syncline/store';
import type { ReplicaClock } from './clock.js';
import { hashFile as hashFileFromDisk, sha256Hex, SYNC_READ_LIMIT, type FileHash, type FileStat, type HashedFile } from './file-hash.js';
import { workerPool } from './worker-pool.js';
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
  /** Records that got a new sequence number, as committed: the first MAX_CHANGED_LISTED of them. */
  readonly changed: FileRecord[];
  /** How many records got a new sequence number. */
  readonly changedCount: number;
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
  /**
   * With `hashFile`, files hashed at the same time (default 8). The default hashing reads
   * small files on this thread, one at a time, and big ones on worker threads.
   */
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
const DEFAULT_BATCH_SIZE = 2_000;
/** ScanResult.changed lists at most this many records (a first scan of a big tree changes every path). */
export const MAX_CHANGED_LISTED = 1000;
/** Files the walk queues before it stops to hash them, so memory stays flat on huge trees. */
const HASH_QUEUE_FILES = 1000;
/** Files at least this big are hashed on worker threads (smaller ones are quicker to read here). */
const OFF_THREAD_MIN_BYTES = SYNC_READ_LIMIT;
/** Vanished paths whose records are read at once to write their tombstones. */
const TOMBSTONE_READ_BATCH = 1000;
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
  /** From the walk's lstat (the Stats object itself is not kept). */
  readonly stamp: StatStamp;
  /** Whether the store holds an entry for the path; it is read just before hashing. */
  readonly stored: boolean;
  previous?: IndexEntry;
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

const NEEDS_REFILL = Symbol('needs refill');

/**
 * The stored stamps of the scanned scope, read in path order alongside a walk in the same
 * order (a merge join), so that memory does not grow with the size of the index.
 */
class StampCursor {
  private batch: readonly PathStamp[] = [];
  private index = 0;
  private exhausted = false;
  private readonly source: AsyncIterator<readonly PathStamp[]>;

  constructor(
    stamps: AsyncIterable<readonly PathStamp[]>,
    /** Receives every stamp passed over without being taken. */
    private readonly passed: (stamp: PathStamp) => void,
  ) {
    this.source = stamps[Symbol.asyncIterator]();
  }

  /** The stored stamp of `relPath`, or undefined; paths must be asked for in increasing UTF-16 order. */
  async take(relPath: string): Promise<PathStamp | undefined> {
    for (;;) {
      const stamp = this.takeBuffered(relPath);
      if (stamp !== NEEDS_REFILL) return stamp;
      if (!(await this.refill())) return undefined;
    }
  }

  /**
   * As take(), without waiting: NEEDS_REFILL when the answer lies beyond the stamps read so
   * far (then refill() and ask again). Most paths are answered here, without a promise.
   */
  takeBuffered(relPath: string): PathStamp | undefined | typeof NEEDS_REFILL {
    while (this.index < this.batch.length) {
      const stamp = this.batch[this.index] as PathStamp;
      if (stamp.path > relPath) return undefined;
      this.index++;
      if (stamp.path === relPath) return stamp;
      this.passed(stamp);
    }
    return this.exhausted ? undefined : NEEDS_REFILL;
  }

  /** Passes over every stamp left. */
  async finish(): Promise<void> {
    do {
      while (this.index < this.batch.length) this.passed(this.batch[this.index++] as PathStamp);
    } while (await this.refill());
  }

  async close(): Promise<void> {
    await this.source.return?.();
  }

  async refill(): Promise<boolean> {
    if (this.exhausted) return false;
    const next = await this.source.next();
    if (next.done) {
      this.exhausted = true;
      return false;
    }
    this.batch = next.value;
    this.index = 0;
    return true;
  }
}

/** A directory being listed: its entries in UTF-16 order, and the subdirectories waiting for their turn. */
interface DirFrame {
  readonly dir: string;
  readonly names: string[];
  next: number;
  /** Names of subdirectories to enter, sorted by `name + '/'`, the order of their contents' paths. */
  readonly subdirs: string[];
}

class Scan {
  private readonly fs: WalkFs;
  private readonly hashFile: (absPath: string, expectedSize: number) => Promise<HashedFile>;
  private readonly batchSize: number;
  /** Paths whose subtree was not looked at (unreadable directories…): never tombstoned. */
  private readonly protectedPaths = new Set<string>();
  /** Stored live paths the walk passed without finding them on disk: tombstones, unless protected meanwhile. */
  private readonly vanished: string[] = [];
  private hashJobs: HashJob[] = [];
  private readonly problems: ScanProblem[] = [];
  private readonly changed: FileRecord[] = [];
  private changedCount = 0;
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
    this.hashFile = options.hashFile ?? ((absPath, expectedSize) => this.hashFromDisk(absPath, expectedSize));
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  }

  async run(): Promise<ScanResult> {
    const scopes = this.options.paths ? this.resolveScopes(this.options.paths) : null;
    if (scopes === null) {
      await this.withCursor(this.store.stamps(), (cursor) => this.walkBelow('', cursor));
    } else {
      await this.scanScopes(scopes);
    }
    await this.hashQueued();
    await this.tombstoneVanished();
    await this.flush();
    this.options.onProgress?.({ files: this.entries, bytes: this.bytesHashed });
    return {
      changed: this.changed,
      changedCount: this.changedCount,
      problems: this.problems,
      entries: this.entries,
      bytesHashed: this.bytesHashed,
    };
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
    // Ancestors are looked at but not descended into: they only need a record.
    const ancestors = [...new Set(scopes.flatMap((scope) => ancestorPaths(scope)))].sort(comparePaths);
    const stored = await this.store.getMany(ancestors);
    for (const [i, ancestor] of ancestors.entries()) {
      const entry = stored[i];
      await this.visit(ancestor, path.posix.basename(ancestor), entry && stampOfEntry(entry));
    }
    for (const scope of scopes) {
      await this.withCursor(this.store.stamps({ under: scope }), async (cursor) => {
        if (await this.visit(scope, path.posix.basename(scope), await cursor.take(scope))) await this.walkBelow(scope, cursor);
      });
    }
  }

  /** Runs a walk against the stamps of its scope; what the walk never reaches is passed over at the end. */
  private async withCursor(stamps: AsyncIterable<readonly PathStamp[]>, walk: (cursor: StampCursor) => Promise<void>): Promise<void> {
    const cursor = new StampCursor(stamps, (stamp) => this.passedOver(stamp));
    try {
      await walk(cursor);
      await cursor.finish();
    } finally {
      await cursor.close();
    }
  }

  /**
   * Walks below `dir` (relative, '' for the root) in UTF-16 path order, the store's order:
   * a directory's entries sorted by name, each subdirectory's contents at the place of
   * `name/` among them ('a', 'a.txt', 'a/x', 'a0').
   */
  private async walkBelow(dir: string, cursor: StampCursor): Promise<void> {
    const stack: DirFrame[] = [];
    this.enter(dir, stack);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as DirFrame;
      const name = frame.names[frame.next];
      const subdir = frame.subdirs[0];
      if (subdir !== undefined && (name === undefined || `${subdir}/` < name)) {
        frame.subdirs.shift();
        this.enter(childPath(frame.dir, subdir), stack);
        continue;
      }
      if (name === undefined) {
        stack.pop();
        continue;
      }
      frame.next++;
      if (frame.dir === '' && name === META_DIR) continue;
      const relPath = childPath(frame.dir, name);
      // Unchanged paths (most of a rescan) are handled without a promise: awaiting each
      // one cost more than comparing it.
      let stored = cursor.takeBuffered(relPath);
      if (stored === NEEDS_REFILL) stored = await cursor.take(relPath);
      let enter = this.visit(relPath, name, stored);
      if (typeof enter !== 'boolean') enter = await enter;
      if (enter) insertSubdir(frame.subdirs, name);
      if (this.hashJobs.length >= HASH_QUEUE_FILES) await this.hashQueued();
      if (this.queuedCommits > 1) await this.backPressure();
      if (this.dueForYield()) await nextTurn();
    }
  }

  /** Lists a directory onto the walk's stack; an unreadable one is reported and protected. */
  private enter(dir: string, stack: DirFrame[]): void {
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
      return;
    }
    stack.push({ dir, names: names.sort(), next: 0, subdirs: [] });
  }

  /**
   * Looks at one path found on disk, given its stored stamp; returns (or resolves to, when
   * the store must be read) true for a directory the walk should enter.
   */
  private visit(relPath: string, name: string, stored: PathStamp | undefined): boolean | Promise<boolean> {
    const badName = nameProblem(relPath, name);
    if (badName !== undefined) {
      this.problem(relPath, 'invalid-name', badName);
      const normalized = normalizedPath(relPath);
      if (normalized !== undefined) this.protectedPaths.add(normalized);
      return false;
    }
    let st: Stats | undefined;
    try {
      st = this.fs.lstat(this.abs(relPath));
    } catch (err) {
      this.protectedPaths.add(relPath);
      this.problem(relPath, 'unreadable', `cannot stat (${errorCode(err)}); its last scanned version is kept`);
      return false;
    }
    if (!st) {
      // Removed since it was listed: its record, if any, becomes a tombstone.
      if (stored) this.passedOver(stored);
      return false;
    }
    const kind = kindOf(st);
    if (this.rules.ignores(relPath, kind === 'dir')) return false;

    this.entries++;
    const live = stored && !stored.deleted ? stored : undefined;
    if (kind === undefined) {
      this.problem(relPath, 'special-file', 'not a regular file, directory or symlink (FIFO, socket or device); skipped');
      return false;
    }
    if (kind === 'dir') {
      if (live?.kind === 'dir') return true;
      return this.previous(stored).then((previous) => {
        this.emitNew(this.draft(relPath, 'dir', st, EMPTY_CONTENT), st, previous);
        return true;
      });
    }
    if (live?.kind === kind && sameStamp(live.stat, st)) return false;
    if (kind === 'file') {
      this.hashJobs.push({ path: relPath, stamp: statStamp(st), stored: stored !== undefined });
      // A changed file: a sync that serves or hashes on worker threads likely follows, and one starts meanwhile.
      workerPool().warm();
      return false;
    }
    let target: string;
    try {
      target = this.fs.readlink(this.abs(relPath));
    } catch (err) {
      this.protectedPaths.add(relPath);
      this.problem(relPath, 'unreadable', `cannot read the link (${errorCode(err)}); its last scanned version is kept`);
      return false;
    }
    const content = { hash: sha256Hex(target), size: Buffer.byteLength(target), chunks: [], target };
    return this.previous(stored).then((previous) => {
      this.settle(this.draft(relPath, 'symlink', st, content), st, previous);
      return false;
    });
  }

  /** The whole stored entry behind a stamp (needed only when a new record is written). */
  private async previous(stored: PathStamp | undefined): Promise<IndexEntry | undefined> {
    if (!stored) return undefined;
    const [entry] = await this.store.getMany([stored.path]);
    return entry;
  }

  /** A stored path not found on disk; protection is checked again at the end (it may come later in the walk). */
  private passedOver(stamp: PathStamp): void {
    if (stamp.deleted || this.isProtected(stamp.path) || this.rules.ignores(stamp.path, stamp.kind === 'dir')) return;
    this.vanished.push(stamp.path);
  }

  /** Hashes the files queued by the walk (a bounded number at a time, so memory stays flat). */
  private async hashQueued(): Promise<void> {
    const jobs = this.hashJobs;
    if (jobs.length === 0) return;
    this.hashJobs = [];
    const withPrevious = jobs.filter((job) => job.stored);
    const entries = await this.store.getMany(withPrevious.map((job) => job.path));
    withPrevious.forEach((job, i) => (job.previous = entries[i]));

    if (this.options.hashFile) {
      await this.runHashJobs(jobs, this.options.concurrency ?? DEFAULT_CONCURRENCY);
      return;
    }
    // Big files go to worker threads, a few at a time, while this thread reads the small ones.
    const offThread = jobs.filter((job) => job.stamp.size >= OFF_THREAD_MIN_BYTES);
    if (offThread.length === 0) return this.runHashJobs(jobs, 1);
    const onThread = jobs.filter((job) => job.stamp.size < OFF_THREAD_MIN_BYTES);
    await Promise.all([this.runHashJobs(onThread, 1), this.runHashJobs(offThread, 2 * workerPool().size)]);
  }

  /** Hashes `jobs` with at most `concurrency` at a time. */
  private async runHashJobs(jobs: HashJob[], concurrency: number): Promise<void> {
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
    const workers = Math.max(1, Math.min(concurrency, jobs.length));
    await Promise.all(Array.from({ length: workers }, worker));
  }

  /** The default way to hash: small files on this thread, synchronously; big ones on worker threads. */
  private hashFromDisk(absPath: string, expectedSize: number): Promise<HashedFile> {
    return expectedSize >= OFF_THREAD_MIN_BYTES ? workerPool().hashFile(absPath, expectedSize) : hashFileFromDisk(absPath, expectedSize);
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
  private settle(draft: FileRecord, st: FileStat, previous: IndexEntry | undefined): void {
    const live = previous && !previous.record.deleted ? previous : undefined;
    if (live && sameOnDisk(live.record, draft)) {
      this.emit({ record: live.record, stat: statStamp(st) });
      return;
    }
    this.emitNew(draft, st, previous);
  }

  private emitNew(draft: FileRecord, st: FileStat | null, previous: IndexEntry | undefined): void {
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
  private draft(relPath: string, kind: EntryKind, st: FileStat, content: Content): FileRecord {
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
  private async tombstoneVanished(): Promise<void> {
    const gone = this.vanished.filter((p) => !this.isProtected(p));
    this.vanished.length = 0;
    gone.sort((a, b) => comparePaths(b, a));
    for (let i = 0; i < gone.length; i += TOMBSTONE_READ_BATCH) {
      const entries = await this.store.getMany(gone.slice(i, i + TOMBSTONE_READ_BATCH));
      for (const entry of entries) {
        if (!entry || entry.record.deleted) continue;
        const { record } = entry;
        const tombstone: FileRecord = { ...record, deleted: true, hash: '', chunks: [], size: 0, target: '', version: {} };
        this.emitNew(tombstone, null, { record, stat: null });
      }
      await this.backPressure();
    }
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
          if (entries[i]?.record.seq !== 0) return;
          this.changedCount++;
          if (this.changed.length < MAX_CHANGED_LISTED) this.changed.push(record);
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

function childPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** Inserts a subdirectory name keeping the list sorted by `name + '/'`. */
function insertSubdir(subdirs: string[], name: string): void {
  const key = `${name}/`;
  let i = subdirs.length;
  while (i > 0 && key < `${subdirs[i - 1]}/`) i--;
  subdirs.splice(i, 0, name);
}

function stampOfEntry({ record, stat }: IndexEntry): PathStamp {
  return { path: record.path, kind: record.kind, deleted: record.deleted, stat };
}

interface Content {
  readonly hash: string;
  readonly size: number;
  readonly chunks: FileHash['chunks'];
  readonly target: string;
}

const EMPTY_CONTENT: Content = { hash: '', size: 0, chunks: [], target: '' };

