import { chmodSync, copyFileSync, constants as fsc, lstatSync, mkdirSync, readlinkSync, renameSync, rmdirSync, symlinkSync, utimesSync, type Stats } from 'node:fs';
import path from 'node:path';
import { ancestorPaths, comparePaths, pathDepth, sameContent, type FileRecord } from '@syncline/core';
import type { IndexEntry, StatStamp, Store } from '@syncline/store';
import { flushFileSystem, fsyncPathSync, yieldToEventLoop } from './durability.js';
import type { ApplyProblem } from './errors.js';
import { tmpDir } from './tmp.js';
import { Trash } from './trash.js';

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

/** The path changed on disk since the scan: the local version wins, the next scan records it. */
class ChangedLocally extends Error {}

const YIELD_EVERY = 256;

/** lstat, null when nothing is there (without the cost of an exception for the common ENOENT). */
function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/**
 * Brings each path to its target state, atomically per path, keeping every replaced or
 * deleted version in the trash. Removals run first (files, then directories deepest first),
 * then creations (directories shallowest first, then files and links). A path that changed
 * on disk since the scan is left alone and reported. `prepared` maps content hash → a
 * verified tmp file. File-system calls are synchronous (fast for many small files); the loop
 * yields to the event loop every few hundred paths.
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
  const safeDirs = new Set<string>();
  const current = new Map<string, Stats | null>();
  const abs = (rel: string) => `${root}/${rel}`;
  /** What must be durable before the commit: directories whose entries changed, files whose inode did. */
  const touchedPaths = new Set<string>();
  const touched = (rel: string) => touchedPaths.add(path.dirname(abs(rel)));
  const fsync = options.fsync !== false;
  const fail = (p: string, err: unknown) => {
    failed.add(p);
    const changed = err instanceof ChangedLocally;
    problems.push({ path: p, code: changed ? 'changed-locally' : 'write-failed', message: err instanceof Error ? err.message : String(err) });
  };

  /** Verifies nothing changed at the path since the scan; returns its current lstat (null when absent). */
  const checkUnchanged = (t: TargetState): Stats | null => {
    const p = t.record.path;
    const st = lstatOrNull(abs(p));
    const e = t.expect;
    if (!e || e.record.deleted) {
      const harmless = st?.isDirectory() && t.record.kind === 'dir' && !t.record.deleted;
      if (st && !harmless) throw new ChangedLocally(`${p} appeared on disk since the last scan; it was left alone`);
      return st;
    }
    if (!st) throw new ChangedLocally(`${p} disappeared since the last scan`);
    if (e.record.kind === 'dir') {
      if (!st.isDirectory()) throw new ChangedLocally(`${p} is no longer a directory`);
      return st;
    }
    if (!e.stat || !sameStamp(e.stat, stampOf(st))) throw new ChangedLocally(`${p} changed since the last scan; the local edit was kept`);
    return st;
  };

  /** Every ancestor must be a real directory inside the root, never a symlink; missing ones are made. */
  const ensureParents = (rel: string) => {
    for (const a of ancestorPaths(rel)) {
      if (safeDirs.has(a)) continue;
      const st = lstatOrNull(abs(a));
      if (!st) {
        mkdirSync(abs(a));
        touched(a);
      }
      else if (!st.isDirectory()) throw new ChangedLocally(`${a} is not a directory, so ${rel} cannot be written`);
      safeDirs.add(a);
    }
  };

  const removeOne = (t: TargetState) => {
    const p = t.record.path;
    const st = checkUnchanged(t);
    current.set(p, st);
    if (!st) {
      if (t.record.deleted) entries.push({ record: t.record, stat: null });
      return;
    }
    const oldKind = t.expect?.record.kind;
    if (!t.expect || t.expect.record.deleted || (!t.record.deleted && oldKind === t.record.kind)) return;
    ensureParents(p);
    if (oldKind === 'dir') {
      try {
        rmdirSync(abs(p));
        touched(p);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOTEMPTY') throw new ChangedLocally(`${p} still holds files that were not synced, so the directory was kept`);
        throw err;
      }
    } else {
      trash.move(p);
      touched(p);
    }
    current.set(p, null);
    if (t.record.deleted) entries.push({ record: t.record, stat: null });
  };

  // One prepared tmp file per content hash: every path but the last that needs it gets a copy.
  const usesLeft = new Map<string, number>();
  for (const t of targets) if (needsContent(t)) usesLeft.set(t.record.hash, (usesLeft.get(t.record.hash) ?? 0) + 1);
  const takeSource = (hash: string): string | undefined => {
    const part = prepared.get(hash);
    if (!part) return undefined;
    const left = (usesLeft.get(hash) ?? 1) - 1;
    usesLeft.set(hash, left);
    if (left <= 0) return part;
    const copy = `${part}.${left + 1}`;
    copyFileSync(part, copy, fsc.COPYFILE_FICLONE);
    const st = lstatSync(part);
    chmodSync(copy, st.mode & 0o7777);
    utimesSync(copy, st.atime, st.mtime);
    // Like every prepared file, the copy's data is durable before it is renamed into place.
    if (fsync) fsyncPathSync(copy);
    return copy;
  };

  const createOne = (t: TargetState) => {
    const p = t.record.path;
    const r = t.record;
    if (failed.has(p) || r.deleted) return;
    ensureParents(p);
    const st = current.get(p) ?? null;
    const target = abs(p);
    if (r.kind === 'dir') {
      if (!st) {
        mkdirSync(target, { mode: r.mode & 0o777 || 0o755 });
        touched(p);
      }
      safeDirs.add(p);
      entries.push({ record: r, stat: null });
      return;
    }
    if (r.kind === 'symlink') {
      if (st?.isSymbolicLink() && readlinkSync(target) === r.target) {
        entries.push({ record: r, stat: stampOf(st) });
        return;
      }
      const tmp = path.join(tmpDir(root), `link-${options.label}-${entries.length}`);
      mkdirSync(tmpDir(root), { recursive: true });
      symlinkSync(r.target, tmp);
      if (st) trash.keep(p);
      renameSync(tmp, target);
      touched(p);
      touchedPaths.add(tmpDir(root));
      entries.push({ record: r, stat: stampOf(lstatSync(target)) });
      return;
    }
    if (!needsContent(t)) {
      // The content is already here: only metadata may differ.
      if (!st) throw new ChangedLocally(`${p} disappeared since the last scan`);
      if ((st.mode & 0o777) !== (r.mode & 0o777)) chmodSync(target, r.mode & 0o777);
      if (st.mtimeMs !== r.mtimeMs) utimesSync(target, new Date(r.mtimeMs), new Date(r.mtimeMs));
      touchedPaths.add(target);
      entries.push({ record: r, stat: stampOf(lstatSync(target)) });
      return;
    }
    const source = takeSource(r.hash);
    if (!source) {
      failed.add(p); // its problem was reported while preparing
      return;
    }
    if (st) {
      if (st.isDirectory()) throw new ChangedLocally(`${p} is a directory`);
      trash.keep(p);
    }
    renameSync(source, target);
    touched(p);
    touchedPaths.add(path.dirname(source));
    entries.push({ record: r, stat: stampOf(lstatSync(target)) });
  };

  const run = async (list: readonly TargetState[], fn: (t: TargetState) => void) => {
    for (let i = 0; i < list.length; i++) {
      const t = list[i]!;
      try {
        fn(t);
      } catch (err) {
        fail(t.record.path, err);
      }
      if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
    }
  };

  const ordered = [...targets].sort((a, b) => comparePaths(a.record.path, b.record.path));
  const wasDir = (t: TargetState) => t.expect?.record.kind === 'dir' && !t.expect.record.deleted;
  await run(ordered.filter((t) => !wasDir(t)), removeOne);
  await run(ordered.filter(wasDir).sort((a, b) => pathDepth(b.record.path) - pathDepth(a.record.path)), removeOne);
  await run(ordered.filter((t) => t.record.kind === 'dir'), createOne);
  await run(ordered.filter((t) => t.record.kind !== 'dir'), createOne);

  // Renames and new directories are durable before the index says they happened.
  if (fsync && touchedPaths.size > 0) await flushFileSystem(root, [...touchedPaths]);
  const committed = await store.commit(entries);
  return { committed, problems, failed };
}
