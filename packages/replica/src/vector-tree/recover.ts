import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { VectorJournalMismatchError } from './errors.js';
import { readJournal, type ReplacementJournal, type ReplacementPhase } from './journal.js';
import { JOURNAL_TMP_SUFFIX_PATTERN, siblingPaths, STAGING_SUFFIX_PATTERN, type SiblingPaths, type TreeLocation } from './locations.js';
import { METADATA_FILE } from './metadata.js';
import { completeReplacement, type ReplaceReport, type VectorReplaceHook } from './replace.js';

/** What the start of a sync found and finished from an earlier, interrupted run. */
export interface VectorRecovery {
  readonly tree: string;
  /** Set when a journaled replacement was rolled forward. */
  readonly completed: (ReplaceReport & { readonly source: string; readonly started: string; readonly phase: ReplacementPhase }) | null;
  /** Staging directories of runs interrupted before their journal: the tree was not touched, so they are dropped. */
  readonly removedStaging: readonly string[];
}

/**
 * Finishes a replacement of this tree that a crash or error interrupted after its
 * journal was written, and removes staging directories of runs interrupted before.
 * Returns null when there was nothing to do.
 */
export async function recoverVectorTree(tree: TreeLocation, hook?: VectorReplaceHook): Promise<VectorRecovery | null> {
  const siblings = siblingPaths(tree.root);
  if (siblings === null) return null;
  const journal = await readJournal(siblings);
  const names = await readdir(siblings.parent).catch(() => [] as string[]);
  const removedStaging: string[] = [];
  for (const name of names) {
    const abs = path.join(siblings.parent, name);
    if (isOurs(name, siblings.stagingPrefix, STAGING_SUFFIX_PATTERN) && name !== journal?.staging) {
      await rm(abs, { recursive: true, force: true });
      removedStaging.push(abs);
    } else if (isOurs(name, siblings.journalTmpPrefix, JOURNAL_TMP_SUFFIX_PATTERN)) {
      await rm(abs, { force: true });
    }
  }
  if (journal !== null) await checkJournalMatchesTree(tree, siblings, journal);
  const completed =
    journal === null
      ? null
      : {
          ...(await completeReplacement(tree, siblings, journal, hook)),
          source: journal.source.display,
          started: journal.created,
          phase: journal.phase,
        };
  if (completed === null && removedStaging.length === 0) return null;
  return { tree: tree.display, completed, removedStaging };
}

/** Resumes only if the tree's metadata is still the one the journal started from (or already the one it records). */
async function checkJournalMatchesTree(tree: TreeLocation, siblings: SiblingPaths, journal: ReplacementJournal): Promise<void> {
  const current = await readFile(path.join(tree.root, METADATA_FILE), 'utf8').catch(() => null);
  const { before, after } = journal.target.metadata;
  if (current === after || current === before) return;
  throw new VectorJournalMismatchError(
    siblings.journal,
    tree.display,
    path.join(siblings.parent, journal.staging),
    path.join(siblings.trashRoot, journal.trash),
  );
}

function isOurs(name: string, prefix: string, suffix: RegExp): boolean {
  return name.startsWith(prefix) && suffix.test(name.slice(prefix.length));
}
