import { constants as fsc } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, readlink, rename, rmdir, symlink, chmod, utimes } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { ancestorPaths, comparePaths, pathDepth, sameContent, type FileRecord } from '@syncline/core';
import type { IndexEntry, StatStamp, Store } from '@syncline/store';
import type { ApplyProblem } from './errors.js';
import { forEachLimit } from './concurrency.js';
import { Trash } from './trash.js';
import { tmpDir } from './tmp.js';

/** The state one path must reach, and the local entry the decision was based on. */
export interface TargetState {
  readonly record: FileRecord;
  readonly expect: IndexEntry | undefined;
}

export interface ApplyResult {
  readonly committed: FileRecord[];
  readonly problems: ApplyProblem[];
  /** Paths whose target state was not reached (the record kept its previous value). */
  readonly failed: Set<string>;
}

export function stampOf(st: Stats): StatStamp {
  return { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
}

function sameStamp(a: StatStamp, b: StatStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/** True when the target state needs new file content written (not already on disk). */
export function needsContent(t: TargetState): boolean {
  const r = t.record;
  if (r.deleted || r.kind !== 'file') return false;
  const old = t.expect?.record;
  return !(old && !old.deleted && old.kind === 'file' && sameContent(old, r) && t.expect?.stat);
}

class PathChangedError extends Error {}

const IO_CONCURRENCY = 16;

/**
 * Brings each path to its target state, atomically per path, keeping every replaced or
 * deleted version in the trash. Removals run deepest first, creations shallowest first.
 * A path that changed on disk since the scan is left alone (the local edit wins; the next
 * scan records it) and reported. `prepared` maps content hash → a verified tmp file.
 */
export async function applyTargets(
  root: string,
  store: Store,
  targets: readonly TargetState[],
  prepared: ReadonlyMap<string, string>,
  options: { nowMs: number; label: string; fsync?: boolean },
): Promise<ApplyResult> {
  const trash = new Trash(root, options.nowMs, options.label);
  const problems: ApplyProblem[] = [];
  const failed = new Set<string>();
  const entries: IndexEntry[] = [];
  const dirsToSync = new Set<string>();
  const safeDirs = new Set<string>(['']);
  const hashUses = new Map<string, number>();
  for (const t of targets) if (needsContent(t)) hashUses.set(t.record.hash, (hashUses.get(t.record.hash) ?? 0) + 1);

  const fail = (p: string, code: string, message: string) => {
    failed.add(p);
    problems.push({ path: p, code, message });
  };
  const abs = (rel: string) => path.join(root, rel);

  /** Checks that nothing changed at `rel` since the scan; returns the current lstat (or null when absent). */
  const checkUnchanged = async (t: TargetState): Promise<Stats | null> => {
    const st = await lstat(abs(t.record.path)).catch(() => null);
    const e = t.expect;
    const expectOnDisk = e && !e.record.deleted;
    if (!expectOnDisk) {
      const harmless = st?.isDirectory() && t.record.kind === 'dir' && !t.record.deleted;
      if (st && !harmless) throw new PathChangedError(`${t.record.path} appeared on disk since the last scan`);
      return null;
    }
    if (!st) throw new PathChangedError(`${t.record.path} disappeared since the last scan`);
    if (e.record.kind === 'dir') {
      if (!st.isDirectory()) throw new PathChangedError(`${t.record.path} is no longer a directory`);
      return st;
    }
    if (!e.stat || !sameStamp(e.stat, stampOf(st))) throw new PathChangedError(`${t.record.path} changed since the last scan`);
    return st;
  };

  /** Makes sure every ancestor of rel is a real directory inside the root (never a symlink). */
  const ensureParents = async (rel: string) => {
    for (const a of ancestorPaths(rel)) {
      if (safeDirs.has(a)) continue;
      const st = await lstat(abs(a)).catch(() => null);
      if (!st) await mkdir(abs(a)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      else if (!st.isDirectory() || st.isSymbolicLink()) throw new PathChangedError(`${a} is not a directory, so ${rel} cannot be written`);
      safeDirs.add(a);
    }
  };

  const ordered = [...targets].sort((a, b) => comparePaths(a.record.path, b.record.path));
  const current = new Map<string, Stats | null>();

  // Removals: tombstones, and anything whose kind changes. Files first (in parallel), then
  // directories deepest first, so a directory is empty when its turn comes.
  const removeOne = async (t: TargetState) => {
    const p = t.record.path;
    try {
      const st = await checkUnchanged(t);
      current.set(p, st);
      if (!st) {
        if (t.record.deleted) entries.push({ record: t.record, stat: null });
        return;
      }
      const oldKind = t.expect!.record.kind;
      if (!t.record.deleted && oldKind === t.record.kind) return;
      await ensureParents(p);
      if (oldKind === 'dir') {
        try {
          await rmdir(abs(p));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOTEMPTY') throw new PathChangedError(`${p} still holds files that were not synced, so the directory was kept`);
          throw err;
        }
      } else {
        await trash.put(p);
      }
      dirsToSync.add(path.dirname(abs(p)));
      current.set(p, null);
      if (t.record.deleted) entries.push({ record: t.record, stat: null });
    } catch (err) {
      fail(p, err instanceof PathChangedError ? 'changed-locally' : 'remove-failed', errMessage(err));
    }
  };
  const isOldDir = (t: TargetState) => t.expect?.record.kind === 'dir' && !t.expect.record.deleted;
  await forEachLimit(ordered.filter((t) => !isOldDir(t)), IO_CONCURRENCY, removeOne);
  for (const t of ordered.filter(isOldDir).sort((a, b) => pathDepth(b.record.path) - pathDepth(a.record.path))) {
    await removeOne(t);
  }

  // Creations and updates, shallowest first.
  const createOne = async (t: TargetState) => {
    const p = t.record.path;
    const r = t.record;
    if (failed.has(p) || r.deleted) return;
    try {
      await ensureParents(p);
      const st = current.get(p) ?? null;
      const target = abs(p);
      if (r.kind === 'dir') {
        if (!st) {
          await mkdir(target, { mode: r.mode & 0o777 || 0o755 });
          dirsToSync.add(path.dirname(target));
        }
        safeDirs.add(p);
        entries.push({ record: r, stat: null });
        return;
      }
      if (r.kind === 'symlink') {
        if (st && st.isSymbolicLink() && (await readlink(target)) === r.target) {
          entries.push({ record: r, stat: stampOf(st) });
          return;
        }
        const tmp = path.join(tmpDir(root), `link-${process.pid}-${Math.random().toString(36).slice(2)}`);
        await mkdir(tmpDir(root), { recursive: true });
        await symlink(r.target, tmp);
        if (st) await trash.put(p);
        await rename(tmp, target);
        dirsToSync.add(path.dirname(target));
        entries.push({ record: r, stat: stampOf(await lstat(target)) });
        return;
      }
      if (!needsContent(t)) {
        // Same content already here: only metadata may differ.
        if (!st) throw new PathChangedError(`${p} disappeared since the last scan`);
        if ((st.mode & 0o777) !== (r.mode & 0o777)) await chmod(target, r.mode & 0o777);
        if (st.mtimeMs !== r.mtimeMs) await utimes(target, new Date(r.mtimeMs), new Date(r.mtimeMs));
        entries.push({ record: r, stat: stampOf(await lstat(target)) });
        return;
      }
      const source = sources.get(r.hash)?.pop();
      if (!source) {
        failed.add(p);
        return;
      }
      if (st) {
        if (st.isDirectory()) throw new PathChangedError(`${p} is a directory`);
        await keepInTrash(trash, root, p);
      }
      await rename(source, target);
      dirsToSync.add(path.dirname(target));
      entries.push({ record: r, stat: stampOf(await lstat(target)) });
    } catch (err) {
      fail(p, err instanceof PathChangedError ? 'changed-locally' : 'write-failed', errMessage(err));
    }
  };
  // One prepared tmp file per content hash; paths sharing a hash get their own copy first.
  const sources = new Map<string, string[]>();
  for (const [hash, uses] of hashUses) {
    const part = prepared.get(hash);
    if (!part) continue;
    const list = [part];
    for (let i = 2; i <= uses; i++) {
      const copy = `${part}.${i}`;
      await copyFile(part, copy, fsc.COPYFILE_FICLONE);
      const st = await lstat(part);
      await utimes(copy, st.atime, st.mtime);
      await chmod(copy, st.mode & 0o7777);
      list.push(copy);
    }
    sources.set(hash, list);
  }
  for (const t of ordered) if (t.record.kind === 'dir') await createOne(t);
  await forEachLimit(ordered.filter((t) => t.record.kind !== 'dir'), IO_CONCURRENCY, createOne);

  if (options.fsync !== false) await Promise.all([...dirsToSync].map(fsyncDir));
  const committed = await store.commit(entries);
  return { committed, problems, failed };
}

/** Keeps the version about to be replaced: a hard link into the trash, so the path itself is replaced atomically. */
async function keepInTrash(trash: Trash, root: string, rel: string): Promise<void> {
  const dest = await trash.reserve(rel);
  try {
    await link(path.join(root, rel), dest);
  } catch {
    await copyFile(path.join(root, rel), dest);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  try {
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    await fh.close();
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
