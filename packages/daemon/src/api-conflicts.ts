import { lstat, rename } from 'node:fs/promises';
import path from 'node:path';
import { checkRelativePath, SynclineError } from '@syncline/core';
import { dismissCopies, listConflictCopies, parseConflictCopyPath } from '@syncline/engine';
import { Trash } from '@syncline/replica';
import type { Store } from '@syncline/store';
import type { ApiServer } from './api-server.js';

/** A conflict copy beside its original, as the dashboard and `syncline conflicts` list it. */
export interface ConflictItem {
  readonly folder: string;
  /** The original's path, relative to the folder. */
  readonly path: string;
  /** The conflict copy's path, relative to the folder. */
  readonly copy: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** The replica that made the losing version (from the copy's name). */
  readonly peer: string;
  /** When the losing version was made (from the copy's name, UTC, whole seconds). */
  readonly versionMs: number;
  readonly kind: 'conflict-copy';
}

export type ConflictAction = 'keep-mine' | 'take-theirs' | 'keep-both';
export const CONFLICT_ACTIONS: readonly ConflictAction[] = ['keep-mine', 'take-theirs', 'keep-both'];

export interface ResolveOutcome {
  readonly copy: string;
  readonly ok: boolean;
  readonly error?: string;
}

/** What the conflict methods need of the store of a running folder (FolderRuntime.store). */
export type ConflictStore = Pick<Store, 'entries' | 'getMeta' | 'setMeta' | 'getMany'>;

export interface ConflictFolder {
  readonly id: string;
  readonly path: string;
  readonly store: ConflictStore;
}

/** Listing stops after this many copies (the answer says it was truncated). */
export const MAX_LISTED_CONFLICTS = 5000;
const MAX_COPIES_PER_RESOLVE = 10_000;
const TRASH_LABEL = 'dashboard';
const STAMP_RE = /\.sync-conflict-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-[a-z0-9]+(?:-\d+)?(?:\.[^./]*)?$/;

/** The original's path, the replica and the version time a conflict copy's name encodes (the engine's parser, plus the time). */
export function parseConflictCopy(copy: string): { original: string; replica: string; versionMs: number } | undefined {
  const name = parseConflictCopyPath(copy);
  const m = STAMP_RE.exec(copy);
  if (!name || !m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  return { original: name.original, replica: name.madeBy, versionMs: Date.UTC(y, mo - 1, d, h, mi, s) };
}

/**
 * The folder's conflict copies that the user has not dismissed (the same list and dismissals
 * as `syncline conflicts`), each checked on disk: a copy already moved away is not listed,
 * and size and time are the file's own.
 */
export async function listFolderConflicts(folder: ConflictFolder, limit = MAX_LISTED_CONFLICTS): Promise<{ items: ConflictItem[]; truncated: boolean }> {
  const root = path.resolve(folder.path);
  const items: ConflictItem[] = [];
  for (const c of await listConflictCopies(folder.store)) {
    const parsed = parseConflictCopy(c.record.path);
    const st = await lstat(path.join(root, c.record.path)).catch(() => undefined);
    if (!parsed || !st || !(st.isFile() || st.isSymbolicLink())) continue;
    if (items.length >= limit) return { items, truncated: true };
    items.push({ folder: folder.id, path: c.original, copy: c.record.path, size: st.size, mtimeMs: st.mtimeMs, peer: c.madeBy, versionMs: parsed.versionMs, kind: 'conflict-copy' });
  }
  return { items, truncated: false };
}

/** Throws unless every directory above rel (inside root) is a real directory, not a symlink. */
async function assertNoSymlinkAbove(root: string, rel: string): Promise<void> {
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) {
    const st = await lstat(path.join(root, ...parts.slice(0, i))).catch(() => undefined);
    if (!st?.isDirectory()) throw new SynclineError('SYNCLINE_CONFLICT_PATH', `${parts.slice(0, i).join('/')} is not a directory`);
  }
}

async function resolveOne(folder: ConflictFolder, copy: string, action: ConflictAction, trash: () => Trash, dismissed: { path: string; hash: string }[]): Promise<void> {
  const root = path.resolve(folder.path);
  if (checkRelativePath(copy) !== copy) throw new SynclineError('SYNCLINE_CONFLICT_PATH', 'the path is not in normal form');
  const parsed = parseConflictCopy(copy);
  if (!parsed) throw new SynclineError('SYNCLINE_CONFLICT_PATH', 'not a conflict copy');
  await assertNoSymlinkAbove(root, copy);
  const st = await lstat(path.join(root, copy)).catch(() => undefined);
  if (!st) throw new SynclineError('SYNCLINE_CONFLICT_GONE', 'the conflict copy is no longer there');
  if (!st.isFile() && !st.isSymbolicLink()) throw new SynclineError('SYNCLINE_CONFLICT_PATH', 'the conflict copy is not a file');
  switch (action) {
    case 'keep-mine':
      trash().move(copy);
      return;
    case 'take-theirs': {
      const original = await lstat(path.join(root, parsed.original)).catch(() => undefined);
      // A regular file is linked into the trash and replaced in one rename, so its name never
      // goes missing; a directory or symlink is moved to the trash first.
      if (original?.isFile()) trash().keep(parsed.original);
      else if (original) trash().move(parsed.original);
      await rename(path.join(root, copy), path.join(root, parsed.original));
      return;
    }
    case 'keep-both': {
      const [entry] = await folder.store.getMany([copy]);
      if (!entry || entry.record.deleted) throw new SynclineError('SYNCLINE_CONFLICT_GONE', 'the conflict copy is not indexed yet; try again in a moment');
      dismissed.push({ path: copy, hash: entry.record.hash });
      return;
    }
  }
}

/**
 * Resolves conflict copies of one folder. keep-mine moves each copy to
 * `.syncline/trash/<stamp>-dashboard/`; take-theirs puts the copy in the original's place (the
 * original goes to that trash first); keep-both changes no file and dismisses the copy in the
 * folder's store (as `syncline conflicts --apply keep-both` does) until its content changes.
 * The folder's watcher sees the file changes and syncs them like any edit. Each copy has its outcome.
 */
export async function resolveConflicts(folder: ConflictFolder, copies: readonly string[], action: ConflictAction, nowMs = Date.now()): Promise<ResolveOutcome[]> {
  let bucket: Trash | undefined;
  const trash = () => (bucket ??= new Trash(path.resolve(folder.path), nowMs, TRASH_LABEL));
  const dismissed: { path: string; hash: string }[] = [];
  const outcomes: ResolveOutcome[] = [];
  for (const copy of new Set(copies)) {
    try {
      await resolveOne(folder, copy, action, trash, dismissed);
      outcomes.push({ copy, ok: true });
    } catch (err) {
      outcomes.push({ copy, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }
  if (dismissed.length > 0) await dismissCopies(folder.store, dismissed);
  return outcomes;
}

function badRequest(message: string): never {
  throw new SynclineError('SYNCLINE_API_BAD_REQUEST', message);
}

/** A folder as the daemon holds it: its config, and its store while it runs. */
export interface RunningFolder {
  readonly config: { readonly id: string; readonly path: string };
  readonly store?: ConflictStore | undefined;
}

/**
 * `conflicts.list` {folder?} → {items, truncated} and `conflicts.resolve` {folder, copies,
 * action} → {folder, action, outcomes}. Work on one folder runs one call at a time; each
 * resolution is announced to every client as a `conflicts` event. A folder that is not
 * running (no store) is left out of the list and refused for resolving.
 */
export function registerConflictMethods(api: ApiServer, folders: () => Map<string, RunningFolder>): void {
  const queues = new Map<string, Promise<unknown>>();
  const inTurn = <T>(folder: string, job: () => Promise<T>): Promise<T> => {
    const run = (queues.get(folder) ?? Promise.resolve()).then(job, job);
    queues.set(folder, run.catch(() => undefined));
    return run;
  };
  const running = (f: RunningFolder): ConflictFolder | undefined => (f.store ? { id: f.config.id, path: f.config.path, store: f.store } : undefined);
  const folderById = (id: unknown): RunningFolder => {
    if (typeof id !== 'string' || id === '') badRequest('folder is required');
    const f = folders().get(id);
    if (!f) throw new SynclineError('SYNCLINE_NO_FOLDER', `no folder "${id}"`);
    return f;
  };

  api.method('conflicts.list', async (p) => {
    const chosen = (p.folder === undefined ? [...folders().values()] : [folderById(p.folder)]).map(running).filter((f) => f !== undefined);
    const items: ConflictItem[] = [];
    let truncated = false;
    for (const f of chosen) {
      const left = MAX_LISTED_CONFLICTS - items.length;
      if (left <= 0) {
        truncated = true;
        break;
      }
      const listed = await inTurn(f.id, () => listFolderConflicts(f, left));
      items.push(...listed.items);
      truncated ||= listed.truncated;
    }
    return { items, truncated };
  });

  api.method('conflicts.resolve', async (p) => {
    const folder = running(folderById(p.folder));
    if (!folder) throw new SynclineError('SYNCLINE_FOLDER_NOT_RUNNING', `folder "${String(p.folder)}" is not running; try again in a moment`);
    const action = p.action as ConflictAction;
    if (!CONFLICT_ACTIONS.includes(action)) badRequest(`action must be one of ${CONFLICT_ACTIONS.join(', ')}`);
    const copies = p.copies;
    if (!Array.isArray(copies) || copies.length === 0 || copies.length > MAX_COPIES_PER_RESOLVE || !copies.every((c) => typeof c === 'string')) {
      badRequest(`copies must be a list of 1 to ${MAX_COPIES_PER_RESOLVE} paths`);
    }
    const outcomes = await inTurn(folder.id, () => resolveConflicts(folder, copies as string[], action));
    const resolved = outcomes.filter((o) => o.ok).map((o) => o.copy);
    if (resolved.length > 0) api.broadcast('conflicts', { folder: folder.id, action, resolved });
    return { folder: folder.id, action, outcomes };
  });
}
