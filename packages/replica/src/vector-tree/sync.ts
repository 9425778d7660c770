import { bumpVector, joinVectors, vectorLess, type VersionVector } from '@syncline/core';
import { formatVectorTreeMetadata, readVectorTreeMetadata, removeStaleMetadataTemporaries, writeVectorTreeMetadata } from './metadata.js';
import type { FileHashes, LoadedMetadata } from './metadata.js';
import { recoverVectorTree, type VectorRecovery } from './recover.js';
import { replaceVectorTree, type VectorReplaceHook } from './replace.js';
import { resolveTreePair } from './resolve.js';
import { scanVectorTree } from './scan.js';
import type { TreeLocation } from './locations.js';

export interface SyncVectorTreesOptions {
  /** Clock for trash bucket names and the journal (DESIGN.md section 10: clocks are passed in). */
  readonly now?: () => Date;
  /** Fault injection for tests: called after each step of a replacement. */
  readonly hook?: VectorReplaceHook;
}

/** One tree as this sync saw it. */
export interface VectorTreeState {
  readonly path: string;
  readonly id: string;
  /** The tree differs from its recorded file hashes, so its own counter was bumped (in memory, seed 004). */
  readonly changed: boolean;
  /** Its version vector after that bump. */
  readonly vector: VersionVector;
  readonly files: number;
}

interface OutcomeBase {
  readonly a: VectorTreeState;
  readonly b: VectorTreeState;
  /** Earlier interrupted runs this sync found and finished first. */
  readonly recovered: readonly VectorRecovery[];
}

export type VectorSyncOutcome =
  | (OutcomeBase & { readonly action: 'none'; readonly joined: VersionVector })
  | (OutcomeBase & {
      readonly action: 'replaced';
      /** Which tree was replaced by the other. */
      readonly replaced: 'a' | 'b';
      readonly joined: VersionVector;
      readonly written: number;
      readonly removed: number;
      readonly trash: string | null;
      readonly notes: readonly string[];
    })
  | (OutcomeBase & { readonly action: 'conflict' });

/**
 * Seed 004's sync of two trees: bump a tree's own counter (in memory) if it
 * differs from its metadata; identical trees → record the join; Va < Vb →
 * replace A by B; Vb < Va → replace B by A; else a conflict the user resolves.
 * After a sync both metadata files record the tree's files and Va ⊔ Vb.
 */
export async function syncVectorTrees(dirA: string, dirB: string, options: SyncVectorTreesOptions = {}): Promise<VectorSyncOutcome> {
  const now = options.now ?? (() => new Date());
  const [a, b] = await resolveTreePair(dirA, dirB);
  const recovered: VectorRecovery[] = [];
  for (const tree of [a, b]) {
    const recovery = await recoverVectorTree(tree, options.hook);
    if (recovery !== null) recovered.push(recovery);
    await removeStaleMetadataTemporaries(tree.root);
  }
  const metaA = await readVectorTreeMetadata(a.root, a.display);
  const metaB = await readVectorTreeMetadata(b.root, b.display);
  const filesA = await scanVectorTree(a.root, a.display);
  const filesB = await scanVectorTree(b.root, b.display);
  const stateA = currentState(a, metaA, filesA);
  const stateB = currentState(b, metaB, filesB);
  const base = { a: stateA, b: stateB, recovered };

  if (sameFiles(filesA, filesB)) {
    const joined = joinVectors(stateA.vector, stateB.vector);
    await recordIfChanged(a, metaA, joined, filesA);
    await recordIfChanged(b, metaB, joined, filesB);
    return { ...base, action: 'none', joined };
  }
  let replaced: 'a' | 'b';
  if (vectorLess(stateA.vector, stateB.vector)) replaced = 'a';
  else if (vectorLess(stateB.vector, stateA.vector)) replaced = 'b';
  else return { ...base, action: 'conflict' };

  const joined = joinVectors(stateA.vector, stateB.vector);
  const [target, source] = replaced === 'a' ? [a, b] : [b, a];
  const [targetMeta, sourceMeta] = replaced === 'a' ? [metaA, metaB] : [metaB, metaA];
  const [targetFiles, sourceFiles] = replaced === 'a' ? [filesA, filesB] : [filesB, filesA];
  const after = (meta: LoadedMetadata): string =>
    formatVectorTreeMetadata({ id: meta.metadata.id, version_vector: joined, file_hashes: sourceFiles });
  const report = await replaceVectorTree({
    target,
    source,
    targetFiles,
    sourceFiles,
    targetMetadata: { before: targetMeta.text, after: after(targetMeta) },
    sourceMetadata: { before: sourceMeta.text, after: after(sourceMeta) },
    now: now(),
    hook: options.hook,
  });
  return { ...base, action: 'replaced', replaced, joined, ...report };
}

function currentState(tree: TreeLocation, loaded: LoadedMetadata, files: FileHashes): VectorTreeState {
  const { id, version_vector: recorded, file_hashes: recordedFiles } = loaded.metadata;
  const changed = !sameFiles(files, recordedFiles);
  return {
    path: tree.display,
    id,
    changed,
    vector: changed ? bumpVector(recorded, id) : recorded,
    files: Object.keys(files).length,
  };
}

/** Same paths with the same hashes. */
export function sameFiles(x: FileHashes, y: FileHashes): boolean {
  const xs = Object.entries(x);
  if (xs.length !== Object.keys(y).length) return false;
  return xs.every(([p, h]) => Object.hasOwn(y, p) && y[p] === h);
}

async function recordIfChanged(tree: TreeLocation, loaded: LoadedMetadata, joined: VersionVector, files: FileHashes): Promise<void> {
  const next = { id: loaded.metadata.id, version_vector: joined, file_hashes: files };
  if (formatVectorTreeMetadata(next) !== loaded.text) await writeVectorTreeMetadata(tree.root, next);
}
