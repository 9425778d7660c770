import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetSpec } from './specs.js';
import { listTree } from './tree-walk.js';
import { sha256OfFile } from './file-io.js';

export interface ManifestEntry {
  path: string;
  size: number;
  sha256: string;
  /** Lets a later run see, without hashing, that the generated tree is untouched. */
  mtimeMs: number;
}

export interface Manifest {
  format: 1;
  spec: DatasetSpec;
  fileCount: number;
  directoryCount: number;
  totalBytes: number;
  files: ManifestEntry[];
}

/** Names at the top of a tree that belong to a sync tool, not to the data. */
export const TOOL_METADATA_NAMES = ['.syncline'] as const;

export function manifestPath(datasetsDir: string, id: string): string {
  return join(datasetsDir, `${id}.manifest.json`);
}

export function readManifest(path: string): Manifest | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<Manifest>;
    return value.format === 1 && Array.isArray(value.files) ? (value as Manifest) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the JSON manifest and, beside it, the same hashes in `sha256sum`
 * format so that `cd DST && sha256sum -c --quiet PATH.sha256` checks a copy by hand.
 */
export function writeManifest(path: string, manifest: Manifest): void {
  const sums = manifest.files.map((file) => `${file.sha256}  ./${file.path}\n`).join('');
  writeFileSync(path.replace(/\.manifest\.json$/, '.sha256'), sums);
  writeFileSync(`${path}.tmp`, JSON.stringify(manifest));
  renameSync(`${path}.tmp`, path);
}

export function specsEqual(a: DatasetSpec, b: DatasetSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Cheap check that a generated tree is still what its manifest describes:
 * same file set, sizes and mtimes (no hashing). Tool metadata is ignored.
 */
export function treeMatchesManifest(root: string, manifest: Manifest): boolean {
  if (!existsSync(root)) return false;
  const listing = listTree(root, TOOL_METADATA_NAMES);
  if (listing.files.length !== manifest.files.length || listing.others.length > 0) return false;
  const expected = new Map(manifest.files.map((file) => [file.path, file]));
  return listing.files.every((file) => {
    const entry = expected.get(file.path);
    return entry !== undefined && entry.size === file.stats.size && entry.mtimeMs === file.stats.mtimeMs;
  });
}

export interface Verification {
  ok: boolean;
  /** The first few differences, for the report. */
  problems: string[];
}

/**
 * Full check of a destination against the source manifest: same regular
 * files, nothing extra (tool metadata aside), every sha256 equal.
 */
export function verifyTree(root: string, manifest: Manifest, maxProblems = 5): Verification {
  const problems: string[] = [];
  const note = (problem: string): void => {
    problems.push(problem);
  };
  if (!existsSync(root)) return { ok: false, problems: [`${root} does not exist`] };
  const listing = listTree(root, TOOL_METADATA_NAMES);
  const found = new Map(listing.files.map((file) => [file.path, file]));
  for (const other of listing.others) note(`unexpected non-regular file ${other}`);
  for (const entry of manifest.files) {
    const file = found.get(entry.path);
    if (file === undefined) note(`missing ${entry.path}`);
    else if (file.stats.size !== entry.size) note(`size of ${entry.path}: ${file.stats.size}, expected ${entry.size}`);
    else if (sha256OfFile(join(root, entry.path)) !== entry.sha256) note(`content of ${entry.path} differs`);
    found.delete(entry.path);
    if (problems.length >= maxProblems) break;
  }
  if (problems.length < maxProblems) for (const extra of found.keys()) note(`unexpected file ${extra}`);
  return { ok: problems.length === 0, problems: problems.slice(0, maxProblems) };
}
