import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isErrno, VectorTreeNotADirectoryError, VectorTreesOverlapError, VectorUnreadableError } from './errors.js';
import type { TreeLocation } from './locations.js';

/** An existing directory given on the command line, symlinks resolved. */
export async function resolveTreeDirectory(dir: string): Promise<TreeLocation> {
  const display = path.resolve(dir);
  try {
    const st = await stat(display);
    if (!st.isDirectory()) throw new VectorTreeNotADirectoryError(display, 'not a directory');
    return { display, root: await realpath(display) };
  } catch (err) {
    if (err instanceof VectorTreeNotADirectoryError) throw err;
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) throw new VectorTreeNotADirectoryError(display, 'no such directory');
    throw new VectorUnreadableError(display, err);
  }
}

/** Both trees, refusing one directory given twice or a tree inside the other. */
export async function resolveTreePair(dirA: string, dirB: string): Promise<[TreeLocation, TreeLocation]> {
  const a = await resolveTreeDirectory(dirA);
  const b = await resolveTreeDirectory(dirB);
  if (a.root === b.root) throw new VectorTreesOverlapError(`${a.display} and ${b.display} are the same directory`);
  if (isInside(b.root, a.root)) throw new VectorTreesOverlapError(`${b.display} is inside ${a.display}`);
  if (isInside(a.root, b.root)) throw new VectorTreesOverlapError(`${a.display} is inside ${b.display}`);
  return [a, b];
}

function isInside(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}
