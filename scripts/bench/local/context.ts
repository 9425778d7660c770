import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDataset, type Dataset } from '../../datasets/generate.js';
import { datasetSpec, type DatasetName } from '../../datasets/specs.js';
import type { Trash } from '../lib/trash.js';
import type { LocalOptions } from './options.js';
import type { SynclineCli } from './syncline-cli.js';

/** What every scenario of the local benchmark needs. */
export interface BenchContext {
  options: LocalOptions;
  datasetsDir: string;
  /** This run's destinations; moved to the trash at the end. */
  workDir: string;
  trash: Trash;
  syncline: SynclineCli;
  log: (line: string) => void;
  dataset: (name: DatasetName) => Dataset;
}

export function datasetLoader(
  options: LocalOptions,
  datasetsDir: string,
  trash: Trash,
  log: (line: string) => void,
): (name: DatasetName) => Dataset {
  const loaded = new Map<DatasetName, Dataset>();
  return (name) => {
    let dataset = loaded.get(name);
    if (dataset === undefined) {
      log(`dataset ${name}: checking ${join(datasetsDir, name)}${options.scale === 1 ? '' : `@${options.scale}`}`);
      dataset = ensureDataset(datasetSpec(name, options.scale), {
        datasetsDir,
        discard: (path) => trash.discard(path),
        log,
      });
      loaded.set(name, dataset);
    }
    return dataset;
  };
}

/**
 * A first sync must find a source without Syncline metadata, so that it scans
 * and hashes everything, as rsync reads everything. `.syncline/` holds a small
 * LevelDB (a handful of files), so removing it is cheap and does not trigger
 * the mass-delete slowdown of BENCHMARKING.md trap 1.
 */
export function removeSynclineMetadata(root: string): void {
  rmSync(join(root, '.syncline'), { recursive: true, force: true });
}
