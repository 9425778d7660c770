import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { VectorCannotStageError } from './errors.js';

/**
 * A tree as the user named it (`display`, for messages) and where it really is
 * (`root`, symlinks resolved). Entries beside the tree are named by their real path.
 */
export interface TreeLocation {
  readonly root: string;
  readonly display: string;
}

/**
 * Everything a replacement keeps beside the tree, in its parent directory:
 * anything inside the tree would count as part of the tree (seed 004), and the
 * parent is normally on the same filesystem, so renames between them are atomic.
 */
export interface SiblingPaths {
  readonly parent: string;
  /** Names of the sibling entries, all starting with `.<tree name>.vector-sync-`. */
  readonly stagingPrefix: string;
  readonly trashRoot: string;
  readonly journal: string;
  readonly journalTmpPrefix: string;
}

export function siblingPaths(root: string): SiblingPaths | null {
  const parent = path.dirname(root);
  if (parent === root) return null; // a filesystem root has no parent to stage in
  const base = `.${path.basename(root)}.vector-sync-`;
  return {
    parent,
    stagingPrefix: `${base}staging-`,
    trashRoot: path.join(parent, `${base}trash`),
    journal: path.join(parent, `${base}journal`),
    journalTmpPrefix: `${base}journal.tmp-`,
  };
}

/** Fails early, with advice, when the target's parent cannot hold the staging area and trash. */
export async function checkCanStageBeside(tree: TreeLocation): Promise<SiblingPaths> {
  const siblings = siblingPaths(tree.root);
  if (siblings === null) throw new VectorCannotStageError(tree.display, 'it is a filesystem root');
  const [rootStat, parentStat] = await Promise.all([stat(tree.root), stat(siblings.parent)]);
  if (rootStat.dev !== parentStat.dev) {
    throw new VectorCannotStageError(tree.display, `its parent ${path.dirname(tree.display)} is on another filesystem`);
  }
  try {
    await access(siblings.parent, constants.W_OK);
  } catch (err) {
    throw new VectorCannotStageError(tree.display, `its parent ${path.dirname(tree.display)} is not writable`, { cause: err });
  }
  return siblings;
}

/** Trash bucket name for one replacement: sortable UTC time, no ':' (FAT/exFAT forbid it), random tail. */
export function trashBucketName(now: Date, randomTail: string): string {
  return `${now.toISOString().replace(/:/g, '')}-${randomTail}`;
}

export const TRASH_BUCKET_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{6}\.\d{3}Z-[0-9a-f]{8}$/;
export const STAGING_SUFFIX_PATTERN = /^[0-9a-f]{12}$/;
export const JOURNAL_TMP_SUFFIX_PATTERN = /^[0-9a-f]{16}$/;
