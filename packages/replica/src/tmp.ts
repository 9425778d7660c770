import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { META_DIR } from '@syncline/core';

export const TMP_DIR = 'tmp';

export function tmpDir(root: string): string {
  return path.join(root, META_DIR, TMP_DIR);
}

/** Partial downloads are named by the content hash they are building, so a resumed transfer finds them. */
export function partialPath(root: string, contentHash: string): string {
  return path.join(tmpDir(root), `${contentHash}.part`);
}

/** A small file prepared for a session's next round while the current one is applied; `tag` names that preparation. */
export function aheadPath(root: string, contentHash: string, tag: string): string {
  return path.join(tmpDir(root), `${contentHash}.ahead-${tag}`);
}

export async function ensureTmpDir(root: string): Promise<string> {
  const dir = tmpDir(root);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** How long an unused partial download is kept for a transfer to resume. */
export const PARTIAL_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** Removes tmp files untouched (by ctime: content or rename) for longer than the retention. */
export async function pruneTmp(root: string, nowMs: number, retentionMs = PARTIAL_RETENTION_MS): Promise<void> {
  const dir = tmpDir(root);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const n of names) {
    const p = path.join(dir, n);
    const st = await lstat(p).catch(() => undefined);
    if (st && nowMs - st.ctimeMs > retentionMs) await rm(p, { force: true, recursive: true });
  }
}
