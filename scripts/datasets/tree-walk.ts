import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export interface TreeFile {
  /** Relative path with forward slashes. */
  path: string;
  stats: Stats;
}

export interface TreeListing {
  files: TreeFile[];
  directories: string[];
  /** Symlinks, sockets, devices: never part of a dataset. */
  others: string[];
}

/**
 * Every entry below `root`, found by readdir + lstat (symlinks are not
 * followed). Top-level names in `skipTopLevel` (e.g. `.syncline`) are left out.
 */
export function listTree(root: string, skipTopLevel: readonly string[] = []): TreeListing {
  const listing: TreeListing = { files: [], directories: [], others: [] };
  const pending: string[] = [''];
  while (pending.length > 0) {
    const relativeDir = pending.pop()!;
    for (const name of readdirSync(join(root, relativeDir)).sort()) {
      if (relativeDir === '' && skipTopLevel.includes(name)) continue;
      const path = relativeDir === '' ? name : `${relativeDir}/${name}`;
      const stats = lstatSync(join(root, path));
      if (stats.isDirectory()) {
        listing.directories.push(path);
        pending.push(path);
      } else if (stats.isFile()) {
        listing.files.push({ path, stats });
      } else {
        listing.others.push(path);
      }
    }
  }
  return listing;
}

/** A bare lstat walk: the cheapest possible "look at every file" — the floor for a no-change rescan. */
export function lstatWalk(root: string): number {
  let entries = 0;
  const pending: string[] = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      entries++;
      if (lstatSync(path).isDirectory()) pending.push(path);
    }
  }
  return entries;
}
