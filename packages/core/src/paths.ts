import { InvalidPathError } from './errors.js';

/** The metadata directory at a replica's root; never synced, never accepted from a peer. */
export const META_DIR = '.syncline';

const MAX_PATH_BYTES = 4096;
const MAX_SEGMENT_BYTES = 255;

/**
 * Validates and normalises a replica-relative path: `/`-separated, NFC, no `..`,
 * no empty or `.` segments, no NUL, not absolute, never inside `.syncline`.
 * Returns the NFC form; throws InvalidPathError otherwise.
 */
export function checkRelativePath(path: unknown): string {
  if (typeof path !== 'string') throw new InvalidPathError(String(path), 'not a string');
  if (path.length === 0) throw new InvalidPathError(path, 'empty');
  const nfc = path.normalize('NFC');
  if (nfc.includes('\0')) throw new InvalidPathError(path, 'contains NUL');
  if (nfc.includes('\\')) throw new InvalidPathError(path, 'contains a backslash');
  if (nfc.startsWith('/')) throw new InvalidPathError(path, 'absolute');
  if (Buffer.byteLength(nfc) > MAX_PATH_BYTES) throw new InvalidPathError(path, 'too long');
  const segments = nfc.split('/');
  for (const s of segments) {
    if (s === '') throw new InvalidPathError(path, 'empty segment');
    if (s === '.' || s === '..') throw new InvalidPathError(path, `"${s}" segment`);
    if (Buffer.byteLength(s) > MAX_SEGMENT_BYTES) throw new InvalidPathError(path, 'segment too long');
  }
  if (segments[0] === META_DIR) throw new InvalidPathError(path, `inside ${META_DIR}`);
  return nfc;
}

export function isValidRelativePath(path: unknown): boolean {
  try {
    return checkRelativePath(path) === path;
  } catch {
    return false;
  }
}

export function parentPath(path: string): string | null {
  const i = path.lastIndexOf('/');
  return i < 0 ? null : path.slice(0, i);
}

/** 'a/b/c' → ['a', 'a/b'] */
export function ancestorPaths(path: string): string[] {
  const out: string[] = [];
  let i = path.indexOf('/');
  while (i >= 0) {
    out.push(path.slice(0, i));
    i = path.indexOf('/', i + 1);
  }
  return out;
}

export function isAncestor(ancestor: string, path: string): boolean {
  return path.length > ancestor.length && path.startsWith(ancestor) && path[ancestor.length] === '/';
}

export function pathDepth(path: string): number {
  let n = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) n++;
  return n;
}

/** Sorts so that a directory comes right before its contents ('a', 'a/b', 'a.txt'). */
export function comparePaths(a: string, b: string): number {
  const as = a.split('/');
  const bs = b.split('/');
  const n = Math.min(as.length, bs.length);
  for (let i = 0; i < n; i++) {
    const x = as[i] as string;
    const y = bs[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return as.length - bs.length;
}
