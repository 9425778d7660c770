import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { forEachLimit } from './concurrency.js';

let syncfsWorks: boolean | undefined;

/** Up to this many paths are fsynced one by one; more are flushed with one syncfs. */
const FSYNC_EACH_MAX = 32;

/**
 * Makes the given paths durable: files (data and inode) and directories (their entries).
 * A few are fsynced one by one, which flushes only them. Many, typically thousands of small
 * files, cost far less with one `sync -f` (syncfs(2) on the file system holding `dir`) —
 * which flushes everything dirty on that file system, other programs' writes included.
 */
export async function flushFileSystem(dir: string, paths: readonly string[]): Promise<void> {
  if (paths.length > FSYNC_EACH_MAX && syncfsWorks !== false) {
    const ok = await syncFileSystemOf(dir);
    if (ok) {
      syncfsWorks = true;
      return;
    }
    syncfsWorks = false;
  }
  await forEachLimit(paths, 16, fsyncPath);
}

/** fsync of one file or directory; a path that is gone or cannot be fsynced is left as it is. */
export async function fsyncPath(p: string): Promise<void> {
  const fh = await open(p, 'r').catch(() => undefined);
  if (!fh) return;
  try {
    await fh.sync();
  } catch {
    // A file system that refuses fsync on this kind of file: nothing more to do.
  } finally {
    await fh.close();
  }
}

/** fsyncPath with synchronous calls, for the rare file made in the middle of a synchronous loop. */
export function fsyncPathSync(p: string): void {
  let fd: number;
  try {
    fd = openSync(p, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // As in fsyncPath.
  } finally {
    closeSync(fd);
  }
}

/** Yields to the event loop; long synchronous loops call it every few hundred items. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `sync -f dir`. Node has no syncfs binding, and spawning a child from a process that
 * holds a few hundred MB costs milliseconds of page-table copying each time, so one small
 * shell started once runs every `sync -f` (it exits when this process closes its stdin).
 * A path holding a newline, which the shell's line protocol cannot carry, gets its own child.
 */
function syncFileSystemOf(dir: string): Promise<boolean> {
  if (dir.includes('\n')) return runSyncOnce(dir);
  helper ??= startHelper();
  return helper ? helper.sync(dir) : runSyncOnce(dir);
}

function runSyncOnce(dir: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => execFile('sync', ['-f', dir], (err) => resolve(!err)));
}

interface SyncHelper {
  sync(dir: string): Promise<boolean>;
}

let helper: SyncHelper | undefined | null;

const HELPER_SCRIPT = 'while IFS= read -r d; do if sync -f -- "$d" 2>/dev/null; then echo 0; else echo 1; fi; done';

/** The long-lived `sync -f` runner, or null if no shell can be started. */
function startHelper(): SyncHelper | null {
  let child: ChildProcessByStdio<Writable, Readable, null>;
  try {
    child = spawn('/bin/sh', ['-c', HELPER_SCRIPT], { cwd: '/', stdio: ['pipe', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
  const waiting: { dir: string; resolve: (ok: boolean) => void }[] = [];
  let dead = false;
  let pendingOutput = '';
  // Idle, the helper must not keep this process alive; with a request out, it must.
  const handles = [child, child.stdin, child.stdout] as unknown as { ref(): void; unref(): void }[];
  const setActive = (active: boolean) => {
    for (const handle of handles) {
      if (active) handle.ref();
      else handle.unref();
    }
  };
  const die = () => {
    if (dead) return;
    dead = true;
    helper = undefined; // the next flush starts a new one
    for (const { dir, resolve } of waiting.splice(0)) void runSyncOnce(dir).then(resolve);
  };
  child.on('error', die);
  child.on('exit', die);
  child.stdin.on('error', die);
  child.stdout.setEncoding('latin1');
  child.stdout.on('data', (text: string) => {
    pendingOutput += text;
    for (let nl = pendingOutput.indexOf('\n'); nl >= 0; nl = pendingOutput.indexOf('\n')) {
      const line = pendingOutput.slice(0, nl);
      pendingOutput = pendingOutput.slice(nl + 1);
      waiting.shift()?.resolve(line === '0');
    }
    if (waiting.length === 0) setActive(false);
  });
  setActive(false);
  return {
    sync(dir: string): Promise<boolean> {
      if (dead) return runSyncOnce(dir);
      return new Promise<boolean>((resolve) => {
        waiting.push({ dir, resolve });
        setActive(true);
        child.stdin.write(`${dir}\n`);
      });
    },
  };
}
