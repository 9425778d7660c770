import { createHash } from 'node:crypto';
import { lstat, mkdir, open, readFile, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import {
  isErrno,
  VectorReplacementInterruptedError,
  VectorSourceChangedError,
  VectorStagingFailedError,
  VectorUnreadableError,
} from './errors.js';
import { fsyncDirectory, pathExists, randomHex } from './durable-fs.js';
import { removeJournal, writeJournal, JOURNAL_FORMAT, type MetadataChange, type ReplacementJournal } from './journal.js';
import { checkCanStageBeside, trashBucketName, type SiblingPaths, type TreeLocation } from './locations.js';
import { METADATA_FILE, writeVectorTreeMetadataText, type FileHashes } from './metadata.js';
import { onDisk } from './scan.js';
import { TrashBucket } from './trash-bucket.js';

/**
 * The points a replacement passes, in order; per-file steps carry the path.
 * 'staging' comes just before a file is copied to staging, every other step just after it happened.
 */
export type VectorReplaceStep =
  | 'staging'
  | 'staged'
  | 'journal-written'
  | 'trashed'
  | 'trash-done'
  | 'pruned'
  | 'installed'
  | 'install-done'
  | 'target-metadata-written'
  | 'source-metadata-written'
  | 'staging-removed'
  | 'journal-removed';

/** Called at each step; tests throw (or kill the process) here to interrupt a replacement. */
export type VectorReplaceHook = (step: VectorReplaceStep, path?: string) => void | Promise<void>;

export interface ReplaceRequest {
  readonly target: TreeLocation;
  readonly source: TreeLocation;
  readonly targetFiles: FileHashes;
  readonly sourceFiles: FileHashes;
  readonly targetMetadata: MetadataChange;
  readonly sourceMetadata: MetadataChange;
  readonly now: Date;
  readonly hook?: VectorReplaceHook;
}

export interface ReplaceReport {
  /** Files copied into the target (new or changed). */
  readonly written: number;
  /** Files of the target that the source does not have. */
  readonly removed: number;
  /** The trash bucket holding the target's replaced and removed files; null when none were. */
  readonly trash: string | null;
  /** Anything unexpected met on the way, for the user. */
  readonly notes: readonly string[];
}

/**
 * Makes the target tree hold exactly the source's files, safely: stage the new
 * files beside the target and fsync them; write a journal; move the target's
 * changed and removed files to the trash; rename the staged files in; record
 * both metadata files; drop the staging directory and the journal. Before the
 * journal exists the target is untouched; after, any run rolls the rest forward.
 */
export async function replaceVectorTree(req: ReplaceRequest): Promise<ReplaceReport> {
  const siblings = await checkCanStageBeside(req.target);
  const { installs, displaced } = planReplacement(req.targetFiles, req.sourceFiles);
  const staging = `${siblings.stagingPrefix}${randomHex(6)}`;
  const stagingAbs = path.join(siblings.parent, staging);
  try {
    await stage(req, stagingAbs, installs);
    await req.hook?.('staged');
  } catch (err) {
    await rm(stagingAbs, { recursive: true, force: true });
    throw err;
  }
  const journal: ReplacementJournal = {
    format: JOURNAL_FORMAT,
    created: req.now.toISOString(),
    phase: 'trash',
    staging,
    trash: trashBucketName(req.now, randomHex(4)),
    displaced,
    installs,
    target: { display: req.target.display, metadata: req.targetMetadata },
    source: { root: req.source.root, display: req.source.display, metadata: req.sourceMetadata },
  };
  try {
    await writeJournal(siblings, journal);
  } catch (err) {
    if (!(await pathExists(siblings.journal))) await rm(stagingAbs, { recursive: true, force: true });
    throw err;
  }
  try {
    await req.hook?.('journal-written');
    return await completeReplacement(req.target, siblings, journal, req.hook);
  } catch (err) {
    throw new VectorReplacementInterruptedError(req.target.display, siblings.journal, err);
  }
}

/** What goes where: source files the target lacks or holds differently; target files that change or go. */
export function planReplacement(targetFiles: FileHashes, sourceFiles: FileHashes): { installs: string[]; displaced: string[] } {
  const target = new Map(Object.entries(targetFiles));
  const source = new Map(Object.entries(sourceFiles));
  const installs = [...source].filter(([p, h]) => target.get(p) !== h).map(([p]) => p);
  const displaced = [...target].filter(([p, h]) => source.get(p) !== h).map(([p]) => p);
  return { installs, displaced };
}

/** Rolls a journaled replacement forward from its recorded phase; every step is idempotent. */
export async function completeReplacement(
  target: TreeLocation,
  siblings: SiblingPaths,
  journal: ReplacementJournal,
  hook?: VectorReplaceHook,
): Promise<ReplaceReport> {
  const stagingAbs = path.join(siblings.parent, journal.staging);
  const trash = new TrashBucket(target.root, path.join(siblings.trashRoot, journal.trash), siblings.parent);
  const notes: string[] = [];

  if (journal.phase === 'trash') {
    for (const rel of journal.displaced) {
      if (!(await pathExists(onDisk(target.root, rel)))) continue; // moved by an earlier run
      await trash.put(rel);
      await hook?.('trashed', rel);
    }
    await trash.sync();
    journal = { ...journal, phase: 'install' };
    await writeJournal(siblings, journal);
    await hook?.('trash-done');
  }

  if (journal.phase === 'install') {
    await pruneEmptiedDirectories(target.root, journal.displaced);
    await hook?.('pruned');
    const changedDirs = new Set<string>();
    for (const rel of journal.installs) {
      const staged = onDisk(stagingAbs, rel);
      if (!(await pathExists(staged))) continue; // installed by an earlier run
      const dest = onDisk(target.root, rel);
      await ensureParentDirectories(target, rel, trash, notes, changedDirs);
      if (await pathExists(dest)) {
        const where = await trash.put(rel);
        notes.push(`${onDisk(target.display, rel)} appeared during the replacement; moved to ${where}`);
      }
      await rename(staged, dest);
      changedDirs.add(path.dirname(dest));
      await hook?.('installed', rel);
    }
    for (const dir of changedDirs) await fsyncDirectory(dir);
    await trash.sync();
    journal = { ...journal, phase: 'finish' };
    await writeJournal(siblings, journal);
    await hook?.('install-done');
  }

  notes.push(...(await recordMetadata(target.root, target.display, journal.target.metadata)));
  await hook?.('target-metadata-written');
  notes.push(...(await recordMetadata(journal.source.root, journal.source.display, journal.source.metadata)));
  await hook?.('source-metadata-written');
  await rm(stagingAbs, { recursive: true, force: true });
  await hook?.('staging-removed');
  await removeJournal(siblings);
  await fsyncDirectory(siblings.parent);
  await hook?.('journal-removed');

  const installed = new Set(journal.installs);
  const bucket = path.join(siblings.trashRoot, journal.trash);
  return {
    written: journal.installs.length,
    removed: journal.displaced.filter((p) => !installed.has(p)).length,
    trash: (await pathExists(bucket)) ? bucket : null,
    notes,
  };
}

async function stage(req: ReplaceRequest, stagingAbs: string, installs: readonly string[]): Promise<void> {
  await mkdir(stagingAbs, { mode: 0o700 });
  const dirs = new Set<string>([stagingAbs]);
  for (const rel of installs) {
    const dest = onDisk(stagingAbs, rel);
    for (let dir = path.dirname(dest); !dirs.has(dir); dir = path.dirname(dir)) dirs.add(dir);
    await mkdir(path.dirname(dest), { recursive: true });
    await req.hook?.('staging', rel);
    const expected = req.sourceFiles[rel] as string;
    await copyVerified(onDisk(req.source.root, rel), dest, expected, onDisk(req.source.display, rel), dest);
  }
  for (const dir of dirs) await fsyncDirectory(dir);
}

/** Copies src to a new file dest, fsynced, keeping mode and times; fails if the content is not `expected`. */
async function copyVerified(src: string, dest: string, expected: string, srcShown: string, destShown: string): Promise<void> {
  const input = await open(src, 'r').catch((err: unknown) => {
    throw isErrno(err, 'ENOENT') ? new VectorSourceChangedError(srcShown) : new VectorUnreadableError(srcShown, err);
  });
  const hash = createHash('sha256');
  let out;
  try {
    const st = await input.stat();
    out = await open(dest, 'wx', 0o600);
    for await (const chunk of input.createReadStream({ autoClose: false })) {
      const buf = chunk as Buffer;
      hash.update(buf);
      for (let off = 0; off < buf.length; ) off += (await out.write(buf, off, buf.length - off)).bytesWritten;
    }
    await out.chmod(st.mode & 0o777);
    await out.utimes(st.atime, st.mtime);
    await out.sync();
  } catch (err) {
    throw new VectorStagingFailedError(destShown, err);
  } finally {
    await out?.close();
    await input.close();
  }
  if (hash.digest('hex') !== expected) throw new VectorSourceChangedError(srcShown);
}

/** Removes directories left empty by the trash moves, deepest first; never the tree's root. */
async function pruneEmptiedDirectories(root: string, displaced: readonly string[]): Promise<void> {
  const dirs = new Set<string>();
  for (const rel of displaced) {
    const segments = rel.split('/');
    for (let n = segments.length - 1; n > 0; n--) dirs.add(segments.slice(0, n).join('/'));
  }
  const deepestFirst = [...dirs].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const rel of deepestFirst) {
    try {
      await rmdir(onDisk(root, rel));
    } catch (err) {
      if (!['ENOENT', 'ENOTEMPTY', 'EEXIST', 'ENOTDIR'].some((code) => isErrno(err, code))) throw err;
    }
  }
  if (deepestFirst.length > 0) await fsyncDirectory(root);
}

/** Creates rel's parent directories in the tree; a non-directory in the way goes to the trash (never followed). */
async function ensureParentDirectories(
  target: TreeLocation,
  rel: string,
  trash: TrashBucket,
  notes: string[],
  changedDirs: Set<string>,
): Promise<void> {
  const segments = rel.split('/').slice(0, -1);
  for (let n = 1; n <= segments.length; n++) {
    const dirRel = segments.slice(0, n).join('/');
    const dir = onDisk(target.root, dirRel);
    const st = await lstat(dir).catch((err: unknown) => {
      if (isErrno(err, 'ENOENT')) return null;
      throw err;
    });
    if (st?.isDirectory()) continue;
    if (st !== null) {
      const where = await trash.put(dirRel);
      notes.push(`${onDisk(target.display, dirRel)} was in the way of a directory; moved to ${where}`);
    }
    await mkdir(dir);
    changedDirs.add(path.dirname(dir));
  }
}

/** Writes a recorded metadata text unless someone else rewrote the file since the replacement began. */
async function recordMetadata(root: string, display: string, change: MetadataChange): Promise<string[]> {
  const shown = path.join(display, METADATA_FILE);
  let current: string | null;
  try {
    current = await readFile(path.join(root, METADATA_FILE), 'utf8');
  } catch (err) {
    if (!isErrno(err, 'ENOENT') && !isErrno(err, 'ENOTDIR')) throw err;
    if (!(await pathExists(root))) return [`${display} is not reachable; its ${METADATA_FILE} will catch up at its next sync`];
    current = null;
  }
  if (current === change.after) return [];
  if (current !== change.before) return [`${shown} changed since the replacement began; left as it is`];
  await writeVectorTreeMetadataText(root, change.after);
  return [];
}
