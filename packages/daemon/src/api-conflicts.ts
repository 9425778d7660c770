import { lstat, mkdir, readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { checkRelativePath, META_DIR, SynclineError } from '@syncline/core';
import { Trash } from '@syncline/replica';
import type { ApiServer } from './api-server.js';
import { writeFileAtomic } from './atomic-write.js';

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

export interface FolderRef {
  readonly id: string;
  readonly path: string;
}

/** Listing stops after this many copies (the answer says it was truncated). */
export const MAX_LISTED_CONFLICTS = 5000;
const MAX_COPIES_PER_RESOLVE = 10_000;
/** Where keep-both remembers the copies it dismissed (inside `.syncline`, never synced). */
export const DISMISSED_FILE = 'dashboard-dismissed.json';
const TRASH_LABEL = 'dashboard';

const COPY_NAME_RE = /^(.*)\.sync-conflict-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-([a-z0-9]+)(?:-\d+)?((?:\.[^/]*)?)$/;

/** The original's path, the replica and the version time a conflict copy's name encodes (core's conflictCopyPath reversed; also `…-2.ext`). */
export function parseConflictCopy(copy: string): { original: string; replica: string; versionMs: number } | undefined {
  const slash = copy.lastIndexOf('/');
  const dir = copy.slice(0, slash + 1);
  const m = COPY_NAME_RE.exec(copy.slice(slash + 1));
  if (!m || m[1] === '') return undefined;
  const [y, mo, d, h, mi, s] = m.slice(2, 8).map(Number) as [number, number, number, number, number, number];
  return { original: `${dir}${m[1]}${m[9]}`, replica: m[8]!, versionMs: Date.UTC(y, mo - 1, d, h, mi, s) };
}

interface DismissedEntry {
  size: number;
  mtimeMs: number;
}

const dismissedFile = (root: string) => path.join(root, META_DIR, DISMISSED_FILE);

async function loadDismissed(root: string): Promise<Map<string, DismissedEntry>> {
  try {
    const v = JSON.parse(await readFile(dismissedFile(root), 'utf8')) as { dismissed?: Record<string, DismissedEntry> };
    const out = new Map<string, DismissedEntry>();
    for (const [copy, e] of Object.entries(v.dismissed ?? {})) {
      if (typeof e?.size === 'number' && typeof e?.mtimeMs === 'number') out.set(copy, { size: e.size, mtimeMs: e.mtimeMs });
    }
    return out;
  } catch {
    return new Map(); // missing or unreadable: nothing dismissed
  }
}

async function saveDismissed(root: string, dismissed: Map<string, DismissedEntry>): Promise<void> {
  await mkdir(path.dirname(dismissedFile(root)), { recursive: true });
  await writeFileAtomic(dismissedFile(root), JSON.stringify({ version: 1, dismissed: Object.fromEntries(dismissed) }, null, 1) + '\n');
}

/** A dismissed copy stays hidden while it is unchanged; an edited copy shows again. */
const stillDismissed = (e: DismissedEntry | undefined, size: number, mtimeMs: number) => e !== undefined && e.size === size && e.mtimeMs === mtimeMs;

/** Every conflict copy in the folder (files and symlinks; `.syncline` and symlinked directories are not entered). */
export async function listFolderConflicts(folder: FolderRef, limit = MAX_LISTED_CONFLICTS): Promise<{ items: ConflictItem[]; truncated: boolean }> {
  const root = path.resolve(folder.path);
  const dismissed = await loadDismissed(root);
  const seenDismissed = new Set<string>();
  const items: ConflictItem[] = [];
  const stack = [''];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    const entries = await readdir(path.join(root, dir), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const rel = dir === '' ? e.name : `${dir}/${e.name}`;
      if (dir === '' && e.name === META_DIR) continue;
      if (e.isDirectory()) {
        stack.push(rel);
        continue;
      }
      if (!e.isFile() && !e.isSymbolicLink()) continue;
      const parsed = parseConflictCopy(rel);
      if (!parsed) continue;
      const st = await lstat(path.join(root, rel)).catch(() => undefined);
      if (!st) continue;
      if (stillDismissed(dismissed.get(rel), st.size, st.mtimeMs)) {
        seenDismissed.add(rel);
        continue;
      }
      if (items.length >= limit) return { items, truncated: true };
      items.push({ folder: folder.id, path: parsed.original, copy: rel, size: st.size, mtimeMs: st.mtimeMs, peer: parsed.replica, versionMs: parsed.versionMs, kind: 'conflict-copy' });
    }
  }
  if (seenDismissed.size < dismissed.size) {
    // Forget dismissals of copies that are gone (or changed), so the file stays small.
    for (const copy of [...dismissed.keys()]) if (!seenDismissed.has(copy)) dismissed.delete(copy);
    await saveDismissed(root, dismissed).catch(() => undefined);
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

async function resolveOne(root: string, copy: string, action: ConflictAction, trash: () => Trash, dismissed: Map<string, DismissedEntry>): Promise<void> {
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
    case 'keep-both':
      dismissed.set(copy, { size: st.size, mtimeMs: st.mtimeMs });
      return;
  }
}

/**
 * Resolves conflict copies of one folder. keep-mine moves each copy to
 * `.syncline/trash/<stamp>-dashboard/`; take-theirs puts the copy in the original's place (the
 * original goes to that trash first); keep-both changes no file and stops listing the copy.
 * The folder's watcher sees the changes and syncs them like any edit. Each copy has its outcome.
 */
export async function resolveConflicts(folder: FolderRef, copies: readonly string[], action: ConflictAction, nowMs = Date.now()): Promise<ResolveOutcome[]> {
  const root = path.resolve(folder.path);
  let bucket: Trash | undefined;
  const trash = () => (bucket ??= new Trash(root, nowMs, TRASH_LABEL));
  const dismissed = action === 'keep-both' ? await loadDismissed(root) : new Map<string, DismissedEntry>();
  const outcomes: ResolveOutcome[] = [];
  for (const copy of new Set(copies)) {
    try {
      await resolveOne(root, copy, action, trash, dismissed);
      outcomes.push({ copy, ok: true });
    } catch (err) {
      outcomes.push({ copy, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }
  if (action === 'keep-both' && outcomes.some((o) => o.ok)) await saveDismissed(root, dismissed);
  return outcomes;
}

function badRequest(message: string): never {
  throw new SynclineError('SYNCLINE_API_BAD_REQUEST', message);
}

/**
 * `conflicts.list` {folder?} → {items, truncated} and `conflicts.resolve` {folder, copies,
 * action} → {folder, action, outcomes}. Resolutions of one folder run one at a time; each is
 * announced to every client as a `conflicts` event.
 */
export function registerConflictMethods(api: ApiServer, folders: () => Map<string, { config: { id: string; path: string } }>): void {
  const queues = new Map<string, Promise<unknown>>();
  const inTurn = <T>(folder: string, job: () => Promise<T>): Promise<T> => {
    const run = (queues.get(folder) ?? Promise.resolve()).then(job, job);
    queues.set(folder, run.catch(() => undefined));
    return run;
  };
  const folderById = (id: unknown): FolderRef => {
    if (typeof id !== 'string' || id === '') badRequest('folder is required');
    const f = folders().get(id);
    if (!f) throw new SynclineError('SYNCLINE_NO_FOLDER', `no folder "${id}"`);
    return f.config;
  };

  api.method('conflicts.list', async (p) => {
    const chosen = p.folder === undefined ? [...folders().values()].map((f) => f.config) : [folderById(p.folder)];
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
    const folder = folderById(p.folder);
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
