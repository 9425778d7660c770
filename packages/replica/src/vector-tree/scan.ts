import { createHash } from 'node:crypto';
import { createReadStream, type Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import {
  VectorEmptyDirectoryError,
  VectorNestedMetadataError,
  VectorUnreadableError,
  VectorUnsupportedEntryError,
} from './errors.js';
import { METADATA_FILE, type FileHashes } from './metadata.js';

/** Absolute location of a tree-relative '/'-separated path. */
export function onDisk(root: string, rel: string): string {
  return path.join(root, ...rel.split('/'));
}

/**
 * The tree's current content: every regular file except the root's `.vector-sync`,
 * by relative '/'-separated path, sorted. Throws, naming the path, on a nested
 * `.vector-sync`, an empty directory, a symbolic link or a special file.
 */
export async function scanVectorTree(root: string, displayRoot = root): Promise<FileHashes> {
  const found: [string, string][] = [];
  await walk(root, displayRoot, '', found);
  found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(found);
}

async function walk(root: string, displayRoot: string, dirRel: string, found: [string, string][]): Promise<void> {
  const dirAbs = dirRel === '' ? root : onDisk(root, dirRel);
  let entries: Dirent[];
  try {
    entries = await readdir(dirAbs, { withFileTypes: true });
  } catch (err) {
    throw new VectorUnreadableError(shown(displayRoot, dirRel), err);
  }
  if (dirRel !== '' && entries.length === 0) throw new VectorEmptyDirectoryError(shown(displayRoot, dirRel));
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const rel = dirRel === '' ? entry.name : `${dirRel}/${entry.name}`;
    if (entry.name === METADATA_FILE) {
      if (dirRel === '') continue;
      throw new VectorNestedMetadataError(shown(displayRoot, rel));
    }
    if (entry.isDirectory()) await walk(root, displayRoot, rel, found);
    else if (entry.isFile()) found.push([rel, await hashFile(onDisk(root, rel), shown(displayRoot, rel))]);
    else throw new VectorUnsupportedEntryError(shown(displayRoot, rel), kindOf(entry));
  }
}

export async function hashFile(file: string, display = file): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch (err) {
    throw new VectorUnreadableError(display, err);
  }
  return hash.digest('hex');
}

function kindOf(entry: Dirent): string {
  if (entry.isSymbolicLink()) return 'symbolic link';
  if (entry.isFIFO()) return 'named pipe';
  if (entry.isSocket()) return 'socket';
  if (entry.isBlockDevice() || entry.isCharacterDevice()) return 'device file';
  return 'special file';
}

function shown(displayRoot: string, rel: string): string {
  return rel === '' ? displayRoot : onDisk(displayRoot, rel);
}
