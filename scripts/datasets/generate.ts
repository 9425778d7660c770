import { closeSync, existsSync, lstatSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Keystream } from './keystream.js';
import {
  manifestPath,
  readManifest,
  specsEqual,
  treeMatchesManifest,
  writeManifest,
  type Manifest,
  type ManifestEntry,
} from './manifest.js';
import { datasetId, planDataset, type DatasetSpec, type FilePlan } from './specs.js';

export interface Dataset {
  spec: DatasetSpec;
  /** The source tree. */
  root: string;
  manifest: Manifest;
}

export interface EnsureOptions {
  /** Where trees and manifests live, e.g. `bench-data/datasets`. */
  datasetsDir: string;
  /** Moves a stale tree out of the way (into a trash dir); never deletes in place. */
  discard: (path: string) => void;
  log?: (line: string) => void;
}

/**
 * Returns the dataset for `spec`, reusing the tree on disk when its manifest
 * matches the spec and the files are untouched, generating it otherwise.
 */
export function ensureDataset(spec: DatasetSpec, options: EnsureOptions): Dataset {
  const id = datasetId(spec);
  const root = join(options.datasetsDir, id);
  const manifestFile = manifestPath(options.datasetsDir, id);
  const existing = readManifest(manifestFile);
  if (existing !== undefined && specsEqual(existing.spec, spec) && treeMatchesManifest(root, existing)) {
    return { spec, root, manifest: existing };
  }
  if (existsSync(root)) {
    options.log?.(`dataset ${id}: tree on disk does not match its manifest; moving it to trash`);
    options.discard(root);
  }
  const started = performance.now();
  const manifest = generateTree(spec, root, options);
  writeManifest(manifestFile, manifest);
  const seconds = (performance.now() - started) / 1000;
  options.log?.(
    `dataset ${id}: generated ${manifest.fileCount} files, ${(manifest.totalBytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s`,
  );
  return { spec, root, manifest };
}

function generateTree(spec: DatasetSpec, root: string, options: EnsureOptions): Manifest {
  const partial = `${root}.partial`;
  if (existsSync(partial)) options.discard(partial);
  const plan = planDataset(spec);
  mkdirSync(partial, { recursive: true });
  for (const directory of plan.directories) mkdirSync(join(partial, directory), { recursive: true });
  const content = new Keystream(`${spec.seed}:content`);
  const hashes = plan.files.map((file) => writeGeneratedFile(join(partial, file.path), file, content));
  renameSync(partial, root);
  const files: ManifestEntry[] = plan.files.map((file, index) => ({
    path: file.path,
    size: file.size,
    sha256: hashes[index]!,
    mtimeMs: lstatSync(join(root, file.path)).mtimeMs,
  }));
  return {
    format: 1,
    spec,
    fileCount: files.length,
    directoryCount: plan.directories.length,
    totalBytes: files.reduce((sum, file) => sum + file.size, 0),
    files,
  };
}

/** Writes the file's bytes from the keystream; returns their sha256. */
function writeGeneratedFile(path: string, file: FilePlan, content: Keystream): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'wx');
  try {
    for (let left = file.size; left > 0; ) {
      const block = content.take(Math.min(left, Keystream.BLOCK_SIZE));
      hash.update(block);
      for (let offset = 0; offset < block.length; ) offset += writeSync(fd, block, offset);
      left -= block.length;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
