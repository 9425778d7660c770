import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '@syncline/store';

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Reads a chunk by hash from wherever the chunk index says it lies in this replica,
 * verifying its hash (files may have changed since they were indexed).
 */
export async function readLocalChunk(root: string, store: Store, hash: string): Promise<Buffer | undefined> {
  const locations = await store.findChunk(hash);
  for (const loc of locations) {
    const data = await readRange(path.join(root, loc.path), loc.offset, loc.size).catch(() => undefined);
    if (data && sha256(data) === hash) return data;
  }
  return undefined;
}

export async function readRange(file: string, offset: number, size: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await fh.read(buf, done, size - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === size ? buf : buf.subarray(0, done);
  } finally {
    await fh.close();
  }
}
