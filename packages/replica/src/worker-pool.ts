import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ServedRange } from './chunk-reader.js';
import type { FileHash, FileStat, HashedFile } from './file-hash.js';

export type PoolRequest =
  | { readonly job: 'hash'; readonly id: number; readonly absPath: string; readonly expectedSize: number }
  | { readonly job: 'read'; readonly id: number; readonly ranges: readonly ServedRange[]; readonly into?: ArrayBuffer }
  | { readonly job: 'sha256'; readonly id: number; readonly absPath: string; readonly expectedSize: number };

export type PoolReply =
  | { readonly id: number; readonly ok: true; readonly hashed: FileHash & { readonly stat: FileStat } }
  | { readonly id: number; readonly ok: true; readonly bytes: ArrayBuffer; readonly found: readonly boolean[] }
  | { readonly id: number; readonly ok: true; readonly sha256: { readonly hash: string; readonly size: number } }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly code: string | undefined };

/** An error from a worker, with the `code` the scanner sorts errors by (ENOENT, SYNCLINE_FILE_CHANGED…). */
class WorkerJobError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

interface Slot {
  readonly worker: Worker;
  busy: boolean;
}

interface Job {
  readonly request: PoolRequest;
  readonly transfer: ArrayBuffer[];
  readonly resolve: (reply: PoolReply & { ok: true }) => void;
  readonly reject: (err: Error) => void;
}

/** At most this much memory is kept for reuse by recycle(). */
const MAX_SPARE_BYTES = 64 * 1024 * 1024;

/** Same extension as this module: .js when built, .ts when run from sources (tests). */
const WORKER_URL = new URL(`./pool-worker${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url);

/**
 * Worker threads for the byte-heavy work: hashing big files and reading (and verifying)
 * the chunks a peer asked for. SHA-256 and the chunker run well below the speed of a warm
 * page cache, so spreading them over the cores is what lets a sync keep up with `cp`.
 * Threads start on first use and are left running; idle, they do not keep the process alive.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<number, Job & { slot: Slot }>();
  private nextId = 1;
  /** Buffers read chunks came in, given back by recycle(): reused, since touching fresh memory is slow. */
  private readonly spares: ArrayBuffer[] = [];
  /** Buffers of read replies not given back yet. */
  private readonly lent = new WeakSet<ArrayBuffer>();

  /** Worker threads at most. */
  constructor(readonly size = Math.max(1, Math.min(4, availableParallelism()))) {}

  /**
   * Starts one worker ahead of need (a thread takes tens of milliseconds to start), so that
   * the first job does not wait for it. Idle, it does not keep the process alive.
   */
  warm(): void {
    if (this.slots.length > 0) return;
    this.startWorker();
    // Unref'd only now: listening for its messages (in startWorker) refs a worker again.
    if (this.running.size === 0) this.keepAlive(false);
  }

  /** hashFileSync on a worker thread. */
  async hashFile(absPath: string, expectedSize: number): Promise<HashedFile> {
    const reply = await this.run({ job: 'hash', id: this.nextId++, absPath, expectedSize });
    if (!('hashed' in reply)) throw new Error('unexpected reply from a pool worker');
    return reply.hashed;
  }

  /** sha256FileSync on a worker thread: the SHA-256 of a whole file and its size. */
  async sha256File(absPath: string, expectedSize: number): Promise<{ hash: string; size: number }> {
    const reply = await this.run({ job: 'sha256', id: this.nextId++, absPath, expectedSize });
    if (!('sha256' in reply)) throw new Error('unexpected reply from a pool worker');
    return reply.sha256;
  }

  /** readServedRanges on a worker thread: each range's bytes, or undefined where the chunk is not there. */
  async readServed(ranges: readonly ServedRange[]): Promise<(Buffer | undefined)[]> {
    const total = ranges.reduce((n, r) => n + r.size, 0);
    const into = this.takeSpare(total);
    const reply = await this.run({ job: 'read', id: this.nextId++, ranges, ...(into ? { into } : {}) }, into ? [into] : []);
    if (!('bytes' in reply)) throw new Error('unexpected reply from a pool worker');
    this.lent.add(reply.bytes);
    let offset = 0;
    return ranges.map((range, i) => {
      if (!reply.found[i]) return undefined;
      const data = Buffer.from(reply.bytes, offset, range.size);
      offset += range.size;
      return data;
    });
  }

  /**
   * Gives back the buffers behind chunks from readServed once nothing uses them any more
   * (written to disk, hashed): the next reads fill them again. Other buffers are ignored.
   * A buffer must not be read after it was given back.
   */
  recycle(chunks: Iterable<Uint8Array>): void {
    for (const chunk of chunks) {
      const buffer = chunk.buffer as ArrayBuffer;
      if (!this.lent.has(buffer)) continue;
      this.lent.delete(buffer);
      if (this.spareBytes() + buffer.byteLength <= MAX_SPARE_BYTES) this.spares.push(buffer);
    }
  }

  /** The smallest spare that holds `size` bytes. */
  private takeSpare(size: number): ArrayBuffer | undefined {
    let best = -1;
    this.spares.forEach((b, i) => {
      if (b.byteLength >= size && (best < 0 || b.byteLength < this.spares[best]!.byteLength)) best = i;
    });
    return best < 0 ? undefined : this.spares.splice(best, 1)[0];
  }

  private spareBytes(): number {
    return this.spares.reduce((n, b) => n + b.byteLength, 0);
  }

  private run(request: PoolRequest, transfer: ArrayBuffer[] = []): Promise<PoolReply & { ok: true }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, transfer, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => !s.busy) ?? (this.slots.length < this.size ? this.startWorker() : undefined);
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.busy = true;
      this.running.set(job.request.id, { ...job, slot });
      if (this.running.size === 1) this.keepAlive(true);
      slot.worker.postMessage(job.request, job.transfer);
    }
  }

  /**
   * While a job is out the workers keep the process alive; idle, they must not. Toggled only
   * when the pool starts or stops being busy: ref()/unref() per job slowed messages down a lot.
   */
  private keepAlive(busy: boolean): void {
    for (const { worker } of this.slots) {
      if (busy) worker.ref();
      else worker.unref();
    }
  }

  private startWorker(): Slot {
    const worker = newWorker();
    if (this.running.size === 0) worker.unref();
    const slot: Slot = { worker, busy: false };
    worker.on('message', (reply: PoolReply) => {
      const job = this.running.get(reply.id);
      if (!job) return;
      this.running.delete(reply.id);
      slot.busy = false;
      if (reply.ok) job.resolve(reply);
      else job.reject(new WorkerJobError(reply.message, reply.code));
      this.dispatch();
      if (this.running.size === 0) this.keepAlive(false);
    });
    worker.on('error', (err) => this.lose(slot, err));
    worker.on('exit', () => this.lose(slot, new Error('a pool worker exited')));
    this.slots.push(slot);
    return slot;
  }

  /** A worker died: its job fails; later jobs go to the other workers, or a new one. */
  private lose(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    for (const [id, job] of this.running) {
      if (job.slot !== slot) continue;
      this.running.delete(id);
      job.reject(err);
    }
    this.dispatch();
    if (this.running.size === 0) this.keepAlive(false);
  }
}

let shared: WorkerPool | undefined;

/** The process-wide pool. */
export function workerPool(): WorkerPool {
  return (shared ??= new WorkerPool());
}

function newWorker(): Worker {
  if (!WORKER_URL.pathname.endsWith('.ts')) return new Worker(WORKER_URL);
  // Run from TypeScript sources (tests, through tsx): tsx's loader does not reach worker
  // threads by itself, so the worker registers it before loading its module.
  const tsxApi = new URL('dist/esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'))).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}
