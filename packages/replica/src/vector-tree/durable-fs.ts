import { randomBytes } from 'node:crypto';
import { lstat, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { isErrno } from './errors.js';

/** Makes a directory's entries (creations, renames, removals) durable. */
export async function fsyncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some platforms and filesystems (Windows, some FUSE mounts) cannot fsync a directory.
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF', 'EACCES'].some((code) => isErrno(err, code))) throw err;
  } finally {
    await handle?.close();
  }
}

/** Writes text to `file` atomically: a temporary beside it, fsync, rename over, fsync the directory. */
export async function writeFileAtomically(file: string, text: string, tmpPrefix: string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `${tmpPrefix}${randomHex(8)}`);
  const handle = await open(tmp, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDirectory(dir);
}

export async function pathExists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return false;
    throw err;
  }
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
