import { conflictCopyPath } from './conflict-name.js';
import { compareHlc } from './hlc.js';
import { sameContent, type FileRecord } from './record.js';
import { compareVectors, joinVectors } from './vector.js';

/**
 * What the local replica does about one path after seeing the remote record.
 * Both sides of a session plan independently; every outcome here is a pure
 * function of the unordered pair of records, so both compute the same result.
 *
 * - none: nothing changes locally.
 * - join: the local content stays; `record` is the local record with the joined vector.
 * - take: make the local path hold `record` (content, directory, link or deletion).
 * - conflict: `record` ends up at the path (the winner, joined vector); `copy` is the
 *   loser placed beside it. keep='local' means the local content stays at the path and
 *   the remote content goes to the copy; keep='remote' means the local content is
 *   moved to the copy and the remote content takes the path.
 */
export type PathAction =
  | { readonly type: 'none'; readonly path: string; readonly reason: PlanReason }
  | { readonly type: 'join'; readonly path: string; readonly record: FileRecord; readonly reason: PlanReason }
  | { readonly type: 'take'; readonly path: string; readonly record: FileRecord; readonly reason: PlanReason }
  | {
      readonly type: 'conflict';
      readonly path: string;
      readonly keep: 'local' | 'remote';
      readonly record: FileRecord;
      readonly copy: FileRecord;
      readonly reason: PlanReason;
    };

export type PlanReason =
  | 'in-sync'
  | 'local-newer'
  | 'remote-newer'
  | 'new-remote'
  | 'same-content'
  | 'edit-beats-delete'
  | 'concurrent-edit'
  | 'dir-beats-file'
  | 'behaviour';

/** Decides per path ahead of the default rules (behaviours, a later layer). Returning undefined defers. */
export type PlanOverride = (local: FileRecord | undefined, remote: FileRecord) => PathAction | undefined;

export interface PlanOptions {
  readonly override?: PlanOverride;
}

/** Total order used to break ties between concurrent versions identically on every replica. */
export function newerVersion(a: FileRecord, b: FileRecord): FileRecord {
  const byTime = compareHlc(a.hlc, b.hlc);
  if (byTime !== 0) return byTime > 0 ? a : b;
  if (a.by !== b.by) return a.by > b.by ? a : b;
  return a.hash >= b.hash ? a : b;
}

export function plan(local: FileRecord | undefined, remote: FileRecord, options: PlanOptions = {}): PathAction {
  const overridden = options.override?.(local, remote);
  if (overridden) return overridden;
  const path = remote.path;
  if (!local) {
    return { type: 'take', path, record: { ...remote, seq: 0 }, reason: 'new-remote' };
  }
  const order = compareVectors(local.version, remote.version);
  if (order === 'equal') return { type: 'none', path, reason: 'in-sync' };
  if (order === 'after') return { type: 'none', path, reason: 'local-newer' };
  if (order === 'before') return { type: 'take', path, record: { ...remote, seq: 0 }, reason: 'remote-newer' };
  return planConcurrent(local, remote, joinVectors(local.version, remote.version));
}

function planConcurrent(local: FileRecord, remote: FileRecord, version: FileRecord['version']): PathAction {
  const path = local.path;
  const keepLocal = (reason: PlanReason): PathAction => ({ type: 'join', path, record: { ...local, version, seq: 0 }, reason });
  const takeRemote = (reason: PlanReason): PathAction => ({ type: 'take', path, record: { ...remote, version, seq: 0 }, reason });

  if (sameContent(local, remote)) {
    const winner = newerVersion(local, remote);
    if (winner === local) return keepLocal('same-content');
    return takeRemote('same-content');
  }
  if (local.deleted) return takeRemote('edit-beats-delete');
  if (remote.deleted) return keepLocal('edit-beats-delete');

  let winner: FileRecord;
  let reason: PlanReason;
  if ((local.kind === 'dir') !== (remote.kind === 'dir')) {
    winner = local.kind === 'dir' ? local : remote;
    reason = 'dir-beats-file';
  } else {
    winner = newerVersion(local, remote);
    reason = 'concurrent-edit';
  }
  const loser = winner === local ? remote : local;
  const copy: FileRecord = { ...loser, path: conflictCopyPath(path, loser.hlc.t, loser.by), seq: 0 };
  return {
    type: 'conflict',
    path,
    keep: winner === local ? 'local' : 'remote',
    record: { ...winner, version, seq: 0 },
    copy,
    reason,
  };
}
