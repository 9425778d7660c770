import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { forEachLimit } from './concurrency.js';

let syncfsWorks: boolean | undefined;

/**
 * Makes everything written under `dir` durable. One `sync -f` (syncfs(2) on the file system
 * holding dir) replaces thousands of per-file fsyncs; where that is unavailable, each listed
 * file is fsynced instead.
 */
export async function flushFileSystem(dir: string, files: readonly string[]): Promise<void> {
  if (syncfsWorks !== false) {
    const ok = await new Promise<boolean>((resolve) => execFile('sync', ['-f', dir], (err) => resolve(!err)));
    if (ok) {
      syncfsWorks = true;
      return;
    }
    syncfsWorks = false;
  }
  await forEachLimit(files, 16, async (f) => {
    const fh = await open(f, 'r').catch(() => undefined);
    if (!fh) return;
    try {
      await fh.sync();
    } catch {
      // A file system that refuses fsync on this kind of file: nothing more to do.
    } finally {
      await fh.close();
    }
  });
}

/** Yields to the event loop; long synchronous loops call it every few hundred items. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
