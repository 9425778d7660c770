import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDirectory, pathExists } from './durable-fs.js';
import { onDisk } from './scan.js';

/**
 * One replacement's trash: `<parent>/.<tree>.vector-sync-trash/<bucket>/<path>`.
 * Entries keep their tree-relative path; a second entry for the same path gets `.1`, `.2`…
 */
export class TrashBucket {
  private readonly touched = new Set<string>();

  constructor(
    private readonly treeRoot: string,
    readonly bucket: string,
    private readonly parent: string,
  ) {}

  /** Moves `<tree>/rel` (file or directory) into the bucket; returns where it went. */
  async put(rel: string): Promise<string> {
    const wanted = onDisk(this.bucket, rel);
    await mkdir(path.dirname(wanted), { recursive: true });
    let dest = wanted;
    for (let n = 1; await pathExists(dest); n++) dest = `${wanted}.${n}`;
    const from = onDisk(this.treeRoot, rel);
    await rename(from, dest);
    this.touch(path.dirname(from));
    for (let dir = path.dirname(dest); dir.startsWith(this.parent) && dir !== this.parent; dir = path.dirname(dir)) this.touch(dir);
    this.touch(this.parent);
    return dest;
  }

  /** Makes the moves durable: every directory that gained or lost an entry. */
  async sync(): Promise<void> {
    for (const dir of this.touched) if (await pathExists(dir)) await fsyncDirectory(dir);
    this.touched.clear();
  }

  private touch(dir: string): void {
    this.touched.add(dir);
  }
}
