import { mkdir, readdir, rm } from 'node:fs/promises';
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

export async function ensureTmpDir(root: string): Promise<string> {
  const dir = tmpDir(root);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Removes partial downloads not in `keep` (content hashes still wanted). */
export async function prunePartials(root: string, keep: ReadonlySet<string>): Promise<void> {
  const dir = tmpDir(root);
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((n) => !(n.endsWith('.part') && keep.has(n.slice(0, -5))))
      .map((n) => rm(path.join(dir, n), { force: true, recursive: true })),
  );
}
