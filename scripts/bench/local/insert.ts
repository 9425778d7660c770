import { closeSync, copyFileSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import type { Dataset } from '../../datasets/generate.js';
import type { Manifest, ManifestEntry } from '../../datasets/manifest.js';
import { readFileInBlocks } from '../../datasets/file-io.js';
import { bytesHuman } from '../lib/format.js';
import { runMeasured } from '../lib/measure.js';
import { flushDirtyPages, warmTree } from '../lib/page-cache.js';
import type { BenchContext } from './context.js';
import { checkOutcome, timedCopy } from './copy-run.js';
import type { InsertResult } from './results.js';

const INSERTED_BYTE = Buffer.from([0x5a]);
const JSON_FIELDS = ['bytesTransferred', 'bytesReused'] as const;

/**
 * One 256 MiB file of the large set is synced into an empty DST; then one
 * byte is inserted at the start of the source copy (a modified copy renamed
 * over it) and `syncline sync --json SRC DST` reports how many chunk bytes it
 * had to copy across (`bytesTransferred`) versus reuse (`bytesReused`).
 * With content-defined chunks only the first chunk should change.
 */
export async function benchInsert(context: BenchContext, large: Dataset): Promise<InsertResult> {
  const original = large.manifest.files[0]!;
  const result: InsertResult = {
    fileSize: original.size,
    failure: undefined,
    sample: undefined,
    bytesTransferred: undefined,
    bytesReused: undefined,
    missingFields: [],
  };
  if (context.syncline.unavailable !== undefined) return { ...result, failure: context.syncline.unavailable };

  const workDir = join(context.workDir, 'insert');
  const source = join(workDir, 'src');
  const destination = join(workDir, 'dst');
  mkdirSync(source, { recursive: true });
  copyFileSync(join(large.root, original.path), join(source, original.path));
  const sourceSet: Dataset = { ...large, root: source, manifest: singleFileManifest(large.manifest, original) };

  const setup = await timedCopy(sourceSet, destination, context.syncline.command(['sync', source, destination]), {
    createsDestination: false,
  });
  context.log(`  insert setup: first syncline sync of one ${bytesHuman(original.size)} file ${setup.ok ? 'verified' : 'FAILED'}`);
  if (!setup.ok) return { ...result, failure: `the first sync (setup) failed: ${setup.failure}` };

  const modified = insertByteAtStart(join(source, original.path), join(workDir, 'modified.tmp'));
  flushDirtyPages();
  warmTree(source);
  warmTree(destination);
  const measurement = await runMeasured(context.syncline.command(['sync', source, destination, '--json']));
  const outcome = checkOutcome(measurement, destination, singleFileManifest(large.manifest, modified));
  context.log(`  insert: re-sync after the 1-byte insert ${outcome.ok ? 'verified' : 'FAILED'}`);
  if (!outcome.ok) return { ...result, failure: outcome.failure };

  const summary = parseJsonSummary(measurement.stdout);
  const bytesTransferred = findNumber(summary, 'bytesTransferred');
  const bytesReused = findNumber(summary, 'bytesReused');
  return {
    ...result,
    sample: measurement,
    bytesTransferred,
    bytesReused,
    missingFields: JSON_FIELDS.filter((field) => findNumber(summary, field) === undefined),
  };
}

function singleFileManifest(base: Manifest, entry: ManifestEntry): Manifest {
  return { ...base, fileCount: 1, directoryCount: 0, totalBytes: entry.size, files: [entry] };
}

/** Writes INSERTED_BYTE + the file's content to `tmpPath`, renames it over the file; returns its new manifest entry. */
function insertByteAtStart(path: string, tmpPath: string): ManifestEntry {
  const hash = createHash('sha256').update(INSERTED_BYTE);
  const fd = openSync(tmpPath, 'w');
  let size: number;
  try {
    writeSync(fd, INSERTED_BYTE);
    size = readFileInBlocks(path, (block) => {
      hash.update(block);
      for (let offset = 0; offset < block.length; ) offset += writeSync(fd, block, offset);
    });
  } finally {
    closeSync(fd);
  }
  renameSync(tmpPath, path);
  return { path: basename(path), size: size + 1, sha256: hash.digest('hex'), mtimeMs: 0 };
}

/** The whole stdout as JSON, else its last line that parses (progress lines may come first). */
function parseJsonSummary(stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    for (const line of stdout.trim().split('\n').reverse()) {
      try {
        return JSON.parse(line);
      } catch {
        // not this line
      }
    }
    return undefined;
  }
}

/** The first numeric field of that name, at any depth (the summary may nest it, e.g. under `totals`). */
function findNumber(value: unknown, key: string): number | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record[key] === 'number') return record[key];
  for (const child of Object.values(record)) {
    const found = findNumber(child, key);
    if (found !== undefined) return found;
  }
  return undefined;
}
