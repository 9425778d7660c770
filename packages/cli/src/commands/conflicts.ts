import { existsSync, lstatSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { comparePaths, selectByGlob, selectByRanges, type AskKind } from '@syncline/core';
import {
  decideAsks,
  dismissCopies,
  listConflictCopies,
  loadAskQueue,
  type AskDecision,
} from '@syncline/engine';
import { Trash, type DiskReplica } from '@syncline/replica';
import { EXIT_CONFLICTS, EXIT_OK, EXIT_USER_ERROR } from '../exit-codes.js';
import { formatBytes, formatCount, table } from '../format.js';
import { closeReplicas, openReplicas, resolveLocalRoots } from '../local-replicas.js';
import { ExitWith, UserError } from '../user-error.js';
import { folderRoots } from './behaviour.js';
import { performSync, printSyncSummary, scanAll, syncExitCode, syncSummaryJson, type SyncSummary } from './sync.js';

/** What `--apply` accepts, and what each means for a parked path and for a conflict copy. */
const APPLY_WORDS = ['import', 'export', 'delete', 'ignore', 'keep-both', 'keep-mine', 'take-theirs'] as const;
type ApplyWord = (typeof APPLY_WORDS)[number];

const ASK_DECISION: Record<ApplyWord, AskDecision> = {
  import: 'import',
  'take-theirs': 'import',
  export: 'export',
  'keep-mine': 'export',
  delete: 'delete',
  ignore: 'ignore',
  'keep-both': 'rename_both',
};

type CopyAction = 'remove-copy' | 'replace-original' | 'dismiss';
const COPY_ACTION: Record<ApplyWord, CopyAction> = {
  import: 'replace-original',
  'take-theirs': 'replace-original',
  export: 'remove-copy',
  'keep-mine': 'remove-copy',
  delete: 'remove-copy',
  ignore: 'dismiss',
  'keep-both': 'dismiss',
};

const SORT_KEYS = ['path', 'size', 'time', 'kind', 'peer'] as const;
type SortKey = (typeof SORT_KEYS)[number];

/** One thing waiting for the user: a path a behaviour parked with `ask`, or a conflict copy on disk. */
export interface PendingItem {
  readonly type: 'ask' | 'copy';
  /** The parked path, or the conflict copy's path. */
  readonly path: string;
  /** For a copy: the path it belongs to. */
  readonly of?: string;
  readonly kind: AskKind | 'copy';
  /** The folders holding it (a copy synced to several folders is listed once). */
  readonly folders: string[];
  readonly replicas: number[];
  readonly localSize?: number;
  readonly remoteSize?: number;
  readonly size: number;
  readonly mtimeMs?: number;
  /** The peer (a folder path when it is among those listed, else its replica ID); for a copy, whose version it holds. */
  readonly peer: string;
  readonly peerId: string;
  readonly reason: string;
  /** A decision recorded for a parked path, carried out by the next sync with the peer. */
  readonly decision?: AskDecision;
  readonly hash?: string;
}

const KIND_ORDER: Record<PendingItem['kind'], number> = { conflict: 0, added: 1, modified: 2, deleted: 3, copy: 4 };

export function conflictsCommand(program: Command): void {
  program
    .command('conflicts')
    .description(
      'list what waits for you in local folders — paths a behaviour parked with "ask" and conflict copies — and decide them: ' +
        'sort, select by numbers or glob, then --apply a command (the folders are then synced)',
    )
    .argument('[dirs...]', 'the folders (default: the current directory if it is a synced folder); with two or more, they are synced after --apply')
    .option('--sort <key>', `order of the list: ${SORT_KEYS.join(', ')}`, 'path')
    .option('--desc', 'reverse the order')
    .option('--select <ranges>', 'items by their numbers in the list, e.g. 3-17,20 or 5- (to the end)')
    .option('--glob <pattern>', 'items whose path matches, e.g. "photos/**" or "**/*.jpg"')
    .option(
      '--apply <command>',
      'decide the selected items: import|take-theirs (their version), export|keep-mine (yours), delete, keep-both, ignore',
    )
    .option('--json', 'print machine-readable output')
    .action(async (dirs: string[], opts: ConflictsOptions) => {
      const code = await conflicts(dirs, opts);
      if (code !== EXIT_OK) throw new ExitWith(code);
    });
}

interface ConflictsOptions {
  sort: string;
  desc?: boolean;
  select?: string;
  glob?: string;
  apply?: string;
  json?: boolean;
}

async function conflicts(dirs: string[], opts: ConflictsOptions): Promise<number> {
  if (!(SORT_KEYS as readonly string[]).includes(opts.sort)) throw new UserError(`--sort ${opts.sort}: sort by one of ${SORT_KEYS.join(', ')}`);
  if (opts.apply !== undefined && !(APPLY_WORDS as readonly string[]).includes(opts.apply)) {
    throw new UserError(`--apply ${opts.apply}: use one of ${APPLY_WORDS.join(', ')}`);
  }
  if (opts.select !== undefined && opts.glob !== undefined) throw new UserError('choose items with --select or with --glob, not both');
  if (opts.apply !== undefined && opts.select === undefined && opts.glob === undefined) {
    throw new UserError('say which items to decide: --select 1-3,7 (numbers from the list) or --glob PATTERN ("**" for all)');
  }
  const roots = dirs.length >= 2 ? await resolveLocalRoots(dirs) : await folderRoots(dirs, 'a directory argument');
  const replicas = await openReplicas(roots);
  try {
    await scanAll(replicas, roots);
    const listed = sortItems(await gatherItems(replicas, roots), opts.sort as SortKey, opts.desc ? -1 : 1);
    const numbered = listed.map((item, i) => ({ ...item, index: i + 1 }));
    const selected =
      opts.select !== undefined ? selectByRanges(numbered, opts.select) : opts.glob !== undefined ? selectByGlob(numbered, opts.glob) : numbered;

    if (opts.apply === undefined) {
      printList(selected, numbered.length, roots, opts);
      return numbered.some(isUndecided) ? EXIT_CONFLICTS : EXIT_OK;
    }

    const word = opts.apply as ApplyWord;
    const problems = await applyTo(selected, word, replicas);
    let sync: SyncSummary | undefined;
    if (roots.length >= 2) sync = await performSync(replicas, roots, { progress: !opts.json });
    const remaining = sortItems(await gatherItems(replicas, roots), opts.sort as SortKey, opts.desc ? -1 : 1).map((item, i) => ({ ...item, index: i + 1 }));

    const applied = selected.filter((s) => !problems.some((p) => p.index === s.index));
    if (opts.json) {
      const out = {
        folders: roots,
        applied: applied.map((s) => ({ index: s.index, type: s.type, path: s.path, folders: s.folders, command: word })),
        problems,
        sync: sync ? syncSummaryJson(sync) : null,
        items: remaining.map(itemJson),
      };
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    } else {
      process.stdout.write(`${word}: ${formatCount(applied.length, 'item')} decided\n`);
      for (const p of problems) process.stderr.write(`  not done: ${p.index} ${p.path}: ${p.message}\n`);
      if (sync) printSyncSummary(sync, roots);
      else if (applied.some((s) => s.type === 'ask')) {
        process.stdout.write('  the decisions apply at the next sync of this folder with its peer\n');
      }
      printList(remaining, remaining.length, roots, { ...opts, json: false });
    }
    if (problems.length > 0 || (sync && syncExitCode(sync) === EXIT_USER_ERROR)) return EXIT_USER_ERROR;
    return remaining.some(isUndecided) ? EXIT_CONFLICTS : EXIT_OK;
  } finally {
    await closeReplicas(replicas);
  }
}

function isUndecided(item: PendingItem): boolean {
  return item.decision === undefined;
}

async function gatherItems(replicas: readonly DiskReplica[], roots: readonly string[]): Promise<PendingItem[]> {
  const label = (id: string) => {
    const i = replicas.findIndex((r) => r.id === id);
    return i >= 0 ? roots[i]! : id;
  };
  const items: PendingItem[] = [];
  const copies = new Map<string, PendingItem>();
  for (let i = 0; i < replicas.length; i++) {
    const store = replicas[i]!.store;
    for (const q of await loadAskQueue(store)) {
      items.push({
        type: 'ask',
        path: q.path,
        kind: q.kind,
        folders: [roots[i]!],
        replicas: [i],
        localSize: q.localSize,
        remoteSize: q.remoteSize,
        size: Math.max(q.localSize ?? 0, q.remoteSize ?? 0),
        mtimeMs: latest(q.localMtimeMs, q.remoteMtimeMs),
        peer: label(q.peer),
        peerId: q.peer,
        reason: q.reason,
        ...(q.decision ? { decision: q.decision } : {}),
      });
    }
    for (const c of await listConflictCopies(store)) {
      const seen = copies.get(c.record.path);
      if (seen && seen.hash === c.record.hash) {
        seen.folders.push(roots[i]!);
        seen.replicas.push(i);
        continue;
      }
      const item: PendingItem = {
        type: 'copy',
        path: c.record.path,
        of: c.original,
        kind: 'copy',
        folders: [roots[i]!],
        replicas: [i],
        size: c.record.size,
        mtimeMs: c.record.mtimeMs,
        peer: label(c.madeBy),
        peerId: c.madeBy,
        reason: `conflict copy of ${c.original}`,
        hash: c.record.hash,
      };
      if (!seen) copies.set(c.record.path, item);
      items.push(item);
    }
  }
  return items;
}

function latest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

/** Sorted by the key; ties always in path, type, folder order so the numbers stay put. */
function sortItems(items: PendingItem[], key: SortKey, sign: 1 | -1): PendingItem[] {
  const by = (a: PendingItem, b: PendingItem): number => {
    switch (key) {
      case 'path':
        return comparePaths(a.of ?? a.path, b.of ?? b.path);
      case 'size':
        return a.size - b.size;
      case 'time':
        return (a.mtimeMs ?? -Infinity) - (b.mtimeMs ?? -Infinity) || 0;
      case 'kind':
        return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
      case 'peer':
        return a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0;
    }
  };
  return [...items].sort(
    (a, b) =>
      sign * by(a, b) ||
      comparePaths(a.path, b.path) ||
      (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) ||
      (a.folders[0]! < b.folders[0]! ? -1 : a.folders[0]! > b.folders[0]! ? 1 : 0),
  );
}

interface ApplyProblem {
  index: number;
  path: string;
  message: string;
}

/**
 * Parked paths: the decision is recorded in the folder's queue; the next sync with the peer
 * (which offers the change again) carries it out. Conflict copies are handled on disk in the
 * first folder holding them, and the sync spreads the result: keep-mine removes the copy,
 * take-theirs moves it over the original, keep-both keeps both and stops listing the copy.
 * What is removed or replaced goes to that folder's trash (.syncline/trash).
 */
async function applyTo(items: readonly (PendingItem & { index: number })[], word: ApplyWord, replicas: readonly DiskReplica[]): Promise<ApplyProblem[]> {
  const problems: ApplyProblem[] = [];
  const asks = new Map<number, { peer: string; path: string }[]>();
  const trashes = new Map<number, Trash>();
  const trashOf = (i: number) => {
    let t = trashes.get(i);
    if (!t) trashes.set(i, (t = new Trash(replicas[i]!.root, Date.now(), 'conflicts')));
    return t;
  };
  for (const item of items) {
    if (item.type === 'ask') {
      const i = item.replicas[0]!;
      asks.set(i, [...(asks.get(i) ?? []), { peer: item.peerId, path: item.path }]);
      continue;
    }
    const action = COPY_ACTION[word];
    try {
      if (action === 'dismiss') {
        for (const i of item.replicas) await dismissCopies(replicas[i]!.store, [{ path: item.path, hash: item.hash ?? '' }]);
        continue;
      }
      const i = item.replicas[0]!;
      const root = replicas[i]!.root;
      if (action === 'remove-copy') {
        trashOf(i).move(item.path);
        continue;
      }
      const original = path.join(root, item.of!);
      const st = existsSync(original) ? lstatSync(original) : undefined;
      if (st?.isDirectory()) throw new Error(`${item.of} is a directory; move the copy yourself`);
      if (st) trashOf(i).move(item.of!);
      renameSync(path.join(root, item.path), original);
    } catch (err) {
      problems.push({ index: item.index, path: item.path, message: err instanceof Error ? err.message : String(err) });
    }
  }
  for (const [i, keys] of asks) await decideAsks(replicas[i]!.store, keys, ASK_DECISION[word]);
  return problems;
}

function itemJson(item: PendingItem & { index: number }): Record<string, unknown> {
  return {
    index: item.index,
    type: item.type,
    path: item.path,
    ...(item.of !== undefined ? { of: item.of } : {}),
    kind: item.kind,
    folders: item.folders,
    size: item.size,
    localSize: item.localSize ?? null,
    remoteSize: item.remoteSize ?? null,
    mtimeMs: item.mtimeMs ?? null,
    peer: item.peer,
    reason: item.reason,
    decision: item.decision ?? null,
  };
}

function printList(items: readonly (PendingItem & { index: number })[], total: number, roots: readonly string[], opts: ConflictsOptions): void {
  if (opts.json) {
    process.stdout.write(JSON.stringify({ folders: roots, total, items: items.map(itemJson) }, null, 2) + '\n');
    return;
  }
  if (total === 0) {
    process.stdout.write('nothing waits for you: no parked paths, no conflict copies\n');
    return;
  }
  const several = roots.length > 1;
  const header = ['#', 'what', 'path', 'size', 'modified', 'peer', ...(several ? ['folder'] : []), 'why'];
  const body = items.map((item) => [
    String(item.index),
    item.type === 'ask' ? `ask: ${item.kind}` : 'copy',
    item.path,
    sizeText(item),
    item.mtimeMs === undefined ? '-' : timeText(item.mtimeMs),
    item.peer,
    ...(several ? [item.folders.join(', ')] : []),
    item.reason + (item.decision ? ` — decided: ${item.decision}, applies at the next sync` : ''),
  ]);
  process.stdout.write(table(header, body) + '\n');
  const waiting = items.filter(isUndecided).length;
  if (items.length < total) process.stdout.write(`${items.length} of ${total} items shown\n`);
  if (waiting > 0) {
    process.stdout.write(
      `${formatCount(waiting, 'item')} waiting: decide with --select N-M or --glob PATTERN and --apply ${APPLY_WORDS.join('|')}\n`,
    );
  }
}

function sizeText(item: PendingItem): string {
  if (item.type === 'copy') return formatBytes(item.size);
  const side = (n: number | undefined) => (n === undefined ? 'none' : formatBytes(n));
  return `${side(item.localSize)} → ${side(item.remoteSize)}`;
}

function timeText(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
