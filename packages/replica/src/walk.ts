import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { checkRelativePath, type EntryKind } from '@syncline/core';
import type { StatStamp } from '@syncline/store';

/**
 * The synchronous file-system calls the scanner's walk makes. Synchronous
 * readdir/lstat walk a tree about twice as fast as their promise versions;
 * the scanner yields to the event loop every few thousand entries.
 * Replaceable in tests to simulate failures that root cannot provoke.
 */
export interface WalkFs {
  /** Entry names of a directory. Throws the fs error (EACCES, ENOENT, ENOTDIR…). */
  readdir(absDir: string): string[];
  /** lstat without following links; undefined when the path does not exist (ENOENT, ENOTDIR). */
  lstat(absPath: string): Stats | undefined;
  readlink(absPath: string): string;
}

export const nodeWalkFs: WalkFs = {
  readdir: (absDir) => readdirSync(absDir),
  lstat: (absPath) => {
    try {
      return lstatSync(absPath, { throwIfNoEntry: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw err;
    }
  },
  readlink: (absPath) => readlinkSync(absPath),
};

/** What an lstat result is to the index; undefined for FIFOs, sockets and devices. */
export function kindOf(st: Stats): EntryKind | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  return undefined;
}

export function statStamp(st: StatStamp): StatStamp {
  return { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
}

export function sameStamp(stamp: StatStamp | null, st: StatStamp): boolean {
  return stamp !== null && stamp.size === st.size && stamp.mtimeMs === st.mtimeMs && stamp.ctimeMs === st.ctimeMs && stamp.ino === st.ino;
}

/** Printable ASCII without backslash: such a name is valid NFC as long as it is not `.`/`..`. */
const PLAIN_NAME = /^[\x20-\x5b\x5d-\x7e]+$/;
/** Paths this short (in UTF-16 units, at most 3 bytes each) are within the 4096-byte limit. */
const SURELY_SHORT_PATH = Math.floor(4096 / 3);
const MAX_SEGMENT_BYTES = 255;

/**
 * Why a path found on disk cannot be synced as it is named, or undefined when it can.
 * The `.syncline` check is the caller's (it is skipped silently, not reported).
 */
export function nameProblem(relPath: string, name: string): string | undefined {
  if (
    name.length <= MAX_SEGMENT_BYTES &&
    relPath.length <= SURELY_SHORT_PATH &&
    PLAIN_NAME.test(name) &&
    name !== '.' &&
    name !== '..'
  ) {
    return undefined;
  }
  let normalized: string;
  try {
    normalized = checkRelativePath(relPath);
  } catch (err) {
    return (err as Error).message;
  }
  if (normalized !== relPath) return `name is not in Unicode NFC form; rename it to its NFC form to sync it`;
  return undefined;
}

/** The NFC form of a path, when that form is a valid path (to protect its record from tombstoning). */
export function normalizedPath(relPath: string): string | undefined {
  try {
    return checkRelativePath(relPath);
  } catch {
    return undefined;
  }
}

export function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? 'EUNKNOWN';
}
