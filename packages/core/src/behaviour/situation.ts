import { sameContent, type FileRecord } from '../record.js';
import { compareVectors, type VersionVector } from '../vector.js';
import type { ContentComparison, Freshness, SideChange, Situation, SizeComparison } from './model.js';

/** Default clock-skew tolerance for remote_fresher: two seconds also absorbs FAT's mtime resolution. */
export const DEFAULT_SKEW_TOLERANCE_MS = 2000;

/**
 * Where one path stands between the local record (absent when this replica never had
 * the path) and the remote record. Pure; the tolerance is passed in.
 *
 * local / remote — what that side changed that the other has not seen:
 * - `unchanged`: the side has no record, or its vector is ≤ the other's ('before' or
 *   'equal'): everything it holds, the other side has already seen.
 * - `deleted`: it changed, and its record is a tombstone.
 * - `added` / `modified`: it changed and its record is live; `modified` when the path
 *   held a live entry in the history both sides share, `added` when it did not. That
 *   shared state is known exactly when the other side is unchanged (the other's record
 *   is then an ancestor of this one: `added` iff the other is absent or a tombstone).
 *   When both changed (concurrent vectors), the records alone do not say what the last
 *   common version held: if the vectors share no history at all the two sides created
 *   the path independently (`added`), otherwise it is read as `modified` — so a path
 *   deleted, synced, then re-created on both sides counts as modified on both.
 *   Consequence: `local_added` with `remote_modified` (or the mirror) cannot come from
 *   one pair of records; rules may still name them.
 *
 * remote_size — remote size against local size; an absent or deleted entry counts as 0.
 *
 * remote_fresher — the remote's time minus the local's: above the tolerance `yes`,
 * below minus the tolerance `no`, otherwise `maybe` (clock skew could account for it);
 * `yes` when there is no local record. A live entry's time is its mtime; a tombstone's
 * is the HLC wall time of the deletion (a tombstone's mtime says nothing about when
 * the deletion happened).
 *
 * content — `same` when both hold the same thing (sameContent from record.ts; an absent
 * local counts as deleted, so an absent local and a remote tombstone are the same),
 * otherwise `different`.
 */
export function describeSituation(local: FileRecord | undefined, remote: FileRecord, skewToleranceMs: number): Situation {
  return {
    local: sideChange(local, remote),
    remote: sideChange(remote, local),
    remoteSize: compareSizes(local, remote),
    remoteFresher: freshness(local, remote, skewToleranceMs),
    content: compareContent(local, remote),
  };
}

function sideChange(side: FileRecord | undefined, other: FileRecord | undefined): SideChange {
  if (!side) return 'unchanged';
  if (other) {
    const order = compareVectors(side.version, other.version);
    if (order === 'before' || order === 'equal') return 'unchanged';
  }
  if (side.deleted) return 'deleted';
  return sharedStateWasLive(side, other) ? 'modified' : 'added';
}

/** Whether the path held a live entry in the last state both sides have in common (see describeSituation). */
function sharedStateWasLive(side: FileRecord, other: FileRecord | undefined): boolean {
  if (!other) return false;
  if (compareVectors(other.version, side.version) === 'before') return !other.deleted;
  return shareHistory(side.version, other.version);
}

function shareHistory(a: VersionVector, b: VersionVector): boolean {
  return Object.keys(a).some((id) => (a[id] ?? 0) > 0 && (b[id] ?? 0) > 0);
}

function liveSize(record: FileRecord | undefined): number {
  return !record || record.deleted ? 0 : record.size;
}

function compareSizes(local: FileRecord | undefined, remote: FileRecord): SizeComparison {
  const difference = liveSize(remote) - liveSize(local);
  return difference > 0 ? 'bigger' : difference < 0 ? 'smaller' : 'same';
}

function changeTime(record: FileRecord): number {
  return record.deleted ? record.hlc.t : record.mtimeMs;
}

function freshness(local: FileRecord | undefined, remote: FileRecord, toleranceMs: number): Freshness {
  if (!local) return 'yes';
  const difference = changeTime(remote) - changeTime(local);
  if (difference > toleranceMs) return 'yes';
  if (difference < -toleranceMs) return 'no';
  return 'maybe';
}

function compareContent(local: FileRecord | undefined, remote: FileRecord): ContentComparison {
  if (!local) return remote.deleted ? 'same' : 'different';
  return sameContent(local, remote) ? 'same' : 'different';
}
