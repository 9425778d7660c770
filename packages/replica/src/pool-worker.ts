/**
 * The worker-thread side of WorkerPool (worker-pool.ts): runs one job at a time with
 * synchronous reads, which block only this thread.
 */
import { parentPort } from 'node:worker_threads';
import { readServedRanges } from './chunk-reader.js';
import { hashFileSync, sha256FileSync } from './file-hash.js';
import type { PoolReply, PoolRequest } from './worker-pool.js';

const port = parentPort;
if (!port) throw new Error('pool-worker runs only as a worker thread');

port.on('message', (request: PoolRequest) => {
  try {
    if (request.job === 'hash') {
      const { hash, size, chunks, stat } = hashFileSync(request.absPath, request.expectedSize);
      const fileStat = { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino, mode: stat.mode };
      port.postMessage({ id: request.id, ok: true, hashed: { hash, size, chunks, stat: fileStat } } satisfies PoolReply);
    } else if (request.job === 'sha256') {
      port.postMessage({ id: request.id, ok: true, sha256: sha256FileSync(request.absPath, request.expectedSize) } satisfies PoolReply);
    } else {
      const { bytes, found } = readServedRanges(request.ranges, request.into);
      port.postMessage({ id: request.id, ok: true, bytes, found } satisfies PoolReply, [bytes]);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    port.postMessage({ id: request.id, ok: false, message: e?.message ?? String(err), code: e?.code } satisfies PoolReply);
  }
});
