import { existsSync, linkSync, copyFileSync, mkdirSync, renameSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { META_DIR } from '@syncline/core';

export const TRASH_DIR = 'trash';
/** How long replaced or deleted versions are kept before a scan may purge them. */
export const DEFAULT_TRASH_RETENTION_MS = 30 * 24 * 3600 * 1000;

/**
 * Where replaced and deleted versions go: `.syncline/trash/<stamp>-<label>/<path>`.
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
  reserve(rel: string): string {
    const dest = path.join(this.bucket, rel);
    const dir = path.dirname(dest);
    if (!this.made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.made.add(dir);
    }
    let target = dest;
    for (let n = 1; existsSync(target); n++) target = `${dest}.${n}`;
    return target;
  }

  /** Moves root/rel into the trash (same file system, so a rename). */
  move(rel: string): string {
    const target = this.reserve(rel);
    renameSync(path.join(this.root, rel), target);
    return target;
  }

  /** Keeps a copy of root/rel that is about to be replaced: a hard link, so the path itself is replaced atomically. */
  keep(rel: string): string {
    const target = this.reserve(rel);
    try {
      linkSync(path.join(this.root, rel), target);
    } catch {
      copyFileSync(path.join(this.root, rel), target);
    }
    return target;
  }
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
