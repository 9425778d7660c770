import { lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { META_DIR } from '@syncline/core';

export const TRASH_DIR = 'trash';
/** How long replaced or deleted versions are kept before a scan may purge them. */
export const DEFAULT_TRASH_RETENTION_MS = 30 * 24 * 3600 * 1000;

/**
 * Where replaced and deleted versions go: `.syncline/trash/<stamp>/<path>`.
 * One bucket per apply run, so versions of the same path from different runs never collide.
 */
export class Trash {
  private readonly bucket: string;
  private readonly made = new Set<string>();

  constructor(private readonly root: string, nowMs: number, label: string) {
    const d = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    this.bucket = path.join(root, META_DIR, TRASH_DIR, `${d}-${label}`);
  }

  /** A free path in the trash for rel, its directory created. */
  async reserve(rel: string): Promise<string> {
    const dest = path.join(this.bucket, rel);
    const dir = path.dirname(dest);
    if (!this.made.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.made.add(dir);
    }
    let target = dest;
    for (let n = 1; await exists(target); n++) target = `${dest}.${n}`;
    return target;
  }

  /** Moves root/rel into the trash (same filesystem, so a rename). */
  async put(rel: string): Promise<string> {
    const target = await this.reserve(rel);
    await rename(path.join(this.root, rel), target);
    return target;
  }
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}

/** Removes trash buckets older than the retention; returns how many went. */
export async function purgeTrash(root: string, nowMs: number, retentionMs = DEFAULT_TRASH_RETENTION_MS): Promise<number> {
  const base = path.join(root, META_DIR, TRASH_DIR);
  let names: string[];
  try {
    names = await readdir(base);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const st = await stat(path.join(base, name)).catch(() => undefined);
    if (st && nowMs - st.mtimeMs > retentionMs) {
      await rm(path.join(base, name), { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}
