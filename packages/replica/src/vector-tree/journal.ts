import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { isErrno, VectorJournalMalformedError, VectorUnreadableError } from './errors.js';
import { writeFileAtomically } from './durable-fs.js';
import { isPlainObject, isTreePath } from './metadata.js';
import { STAGING_SUFFIX_PATTERN, TRASH_BUCKET_PATTERN, type SiblingPaths } from './locations.js';

export const JOURNAL_FORMAT = 'syncline-vector-replacement/1';

/** Where a replacement stands; each phase's steps are idempotent, so a re-run repeats the current one. */
export type ReplacementPhase = 'trash' | 'install' | 'finish';

/** A metadata file's text before the replacement and the text the replacement records. */
export interface MetadataChange {
  readonly before: string | null;
  readonly after: string;
}

/**
 * Written (atomically) once the new files are fully staged, before the target is
 * touched: from then on the replacement is rolled forward, by this run or the next.
 */
export interface ReplacementJournal {
  readonly format: typeof JOURNAL_FORMAT;
  readonly created: string;
  readonly phase: ReplacementPhase;
  /** Name of the staging directory in the target's parent. */
  readonly staging: string;
  /** Name of this replacement's bucket under the trash root. */
  readonly trash: string;
  /** Target paths whose current entry goes to the trash (changed or deleted files). */
  readonly displaced: readonly string[];
  /** Paths staged for installation. */
  readonly installs: readonly string[];
  readonly target: { readonly display: string; readonly metadata: MetadataChange };
  readonly source: { readonly root: string; readonly display: string; readonly metadata: MetadataChange };
}

export async function writeJournal(siblings: SiblingPaths, journal: ReplacementJournal): Promise<void> {
  await writeFileAtomically(siblings.journal, `${JSON.stringify(journal, null, 2)}\n`, siblings.journalTmpPrefix);
}

export async function removeJournal(siblings: SiblingPaths): Promise<void> {
  await rm(siblings.journal, { force: true });
}

/** The pending journal beside a tree, schema-checked, or null when there is none. */
export async function readJournal(siblings: SiblingPaths): Promise<ReplacementJournal | null> {
  let text: string;
  try {
    text = await readFile(siblings.journal, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw new VectorUnreadableError(siblings.journal, err);
  }
  return parseJournal(text, siblings);
}

export function parseJournal(text: string, siblings: SiblingPaths): ReplacementJournal {
  const bad = (reason: string): never => {
    throw new VectorJournalMalformedError(siblings.journal, reason);
  };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return bad('not valid JSON');
  }
  if (!isPlainObject(v)) return bad('not a JSON object');
  if (v.format !== JOURNAL_FORMAT) return bad(`unknown format ${JSON.stringify(v.format)}`);
  if (typeof v.created !== 'string') return bad('"created" is not a string');
  if (v.phase !== 'trash' && v.phase !== 'install' && v.phase !== 'finish') return bad('unknown "phase"');
  // Names are joined to paths: accept only the exact shapes this code writes (containment).
  if (
    typeof v.staging !== 'string' ||
    !v.staging.startsWith(siblings.stagingPrefix) ||
    !STAGING_SUFFIX_PATTERN.test(v.staging.slice(siblings.stagingPrefix.length))
  ) {
    return bad('"staging" is not a staging directory of this tree');
  }
  if (typeof v.trash !== 'string' || !TRASH_BUCKET_PATTERN.test(v.trash)) return bad('"trash" is not a trash bucket name');
  const displaced = pathList(v.displaced) ?? bad('"displaced" is not a list of tree paths');
  const installs = pathList(v.installs) ?? bad('"installs" is not a list of tree paths');
  if (!isPlainObject(v.target) || typeof v.target.display !== 'string') return bad('"target" is malformed');
  const targetMetadata = metadataChange(v.target.metadata) ?? bad('"target.metadata" is malformed');
  if (!isPlainObject(v.source) || typeof v.source.display !== 'string') return bad('"source" is malformed');
  if (typeof v.source.root !== 'string' || !path.isAbsolute(v.source.root)) return bad('"source.root" is not an absolute path');
  const sourceMetadata = metadataChange(v.source.metadata) ?? bad('"source.metadata" is malformed');
  return {
    format: JOURNAL_FORMAT,
    created: v.created,
    phase: v.phase,
    staging: v.staging,
    trash: v.trash,
    displaced,
    installs,
    target: { display: v.target.display, metadata: targetMetadata },
    source: { root: v.source.root, display: v.source.display, metadata: sourceMetadata },
  };
}

function pathList(v: unknown): string[] | null {
  return Array.isArray(v) && v.every((p) => typeof p === 'string' && isTreePath(p)) ? (v as string[]) : null;
}

function metadataChange(v: unknown): MetadataChange | null {
  if (!isPlainObject(v)) return null;
  if (typeof v.after !== 'string') return null;
  if (v.before !== null && typeof v.before !== 'string') return null;
  return { before: v.before, after: v.after };
}
