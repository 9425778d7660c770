import { closeSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';

const READ_BUFFER = Buffer.alloc(4 << 20);

/** Reads a file through a shared buffer, handing each filled part to `consume`. */
export function readFileInBlocks(path: string, consume?: (block: Buffer) => void): number {
  const fd = openSync(path, 'r');
  let total = 0;
  try {
    for (;;) {
      const read = readSync(fd, READ_BUFFER, 0, READ_BUFFER.length, null);
      if (read === 0) break;
      total += read;
      consume?.(READ_BUFFER.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
  return total;
}

export function sha256OfFile(path: string): string {
  const hash = createHash('sha256');
  readFileInBlocks(path, (block) => hash.update(block));
  return hash.digest('hex');
}
